"""The task functions the worker runs, and the hook that enqueues them after a commit.

Each task opens its own app context (so its own database session), calls services and
commits explicitly; none trusts that it runs only once, and none keeps state between runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import Session

from mentor_match.extensions import db
from mentor_match.jobs.queue import JOBS, huey
from mentor_match.mail import PermanentFailure, Postman, TemporaryFailure, build_message
from mentor_match.services import imports, outbox, reminders, rounds, suggestions
from mentor_match.services.calendars import LinkBase
from mentor_match.services.cpd import portfolio as cpd_portfolio
from mentor_match.services.feedback import tasks as feedback_tasks

log = logging.getLogger(__name__)

#: The application tasks run in; set by `bind` when the app is created.
_bound: list[Flask] = []

#: How often a running round writes its heartbeat.
HEARTBEAT_SECONDS = 10.0


def bind(app: Flask) -> None:
    _bound[:] = [app]


@contextmanager
def task_session() -> Iterator[Session]:
    """A fresh app context, and with it a database session of the task's own."""
    app = current_app._get_current_object() if has_app_context() else _bound[0]  # type: ignore[attr-defined]
    with app.app_context():
        try:
            yield db.session
        finally:
            db.session.rollback()


def links_for(app: Any) -> LinkBase:
    """Links in mails written outside a request: BASE_URL, else the local server."""
    return LinkBase.from_config(app.config.get("BASE_URL"), "http://127.0.0.1:5000/")


# -- mail ----------------------------------------------------------------------------------


def deliver_outbox(batch: int | None = None) -> dict[str, int]:
    """Deliver every due mail of the outbox; returns how many were sent, retried, failed."""
    done = {"sent": 0, "retried": 0, "failed": 0}
    with task_session() as session:
        config = current_app.config
        policy = outbox.Policy.from_config(config)
        size = batch or int(config.get("OUTBOX_BATCH", 20))
        with Postman(config) as postman:
            while True:
                claimed = outbox.claim_due(session, size, policy)
                session.commit()
                if not claimed:
                    break
                # Never send past half the lease: after it, another worker may take them over.
                give_back_at = time.monotonic() + policy.lease_seconds / 2
                for index, mail in enumerate(claimed):
                    if time.monotonic() > give_back_at:
                        outbox.release(session, [m.id for m in claimed[index:]])
                        session.commit()
                        break
                    message = build_message(
                        mail.to,
                        mail.subject,
                        mail.body,
                        mail.ics,
                        mail.ics_method,
                        postman.sender,
                        mail.id,
                    )
                    try:
                        postman.send(message)
                    except TemporaryFailure as exc:
                        if exc.connection:
                            # The server is unreachable: the rest of the batch waits too.
                            for rest in claimed[index:]:
                                later = outbox.mark_failed_attempt(
                                    session, rest, str(exc), permanent=False, policy=policy
                                )
                                done["retried" if later else "failed"] += 1
                            session.commit()
                            _deliver_later(policy)
                            return done
                        later = outbox.mark_failed_attempt(
                            session, mail, str(exc), permanent=False, policy=policy
                        )
                        done["retried" if later else "failed"] += 1
                    except PermanentFailure as exc:
                        outbox.mark_failed_attempt(
                            session, mail, str(exc), permanent=True, policy=policy
                        )
                        done["failed"] += 1
                    else:
                        outbox.mark_sent(session, mail.id)
                        done["sent"] += 1
                    # Marked right after the server accepted it: a worker killed now sends
                    # again at most the one mail in its hands.
                    session.commit()
        if done["retried"]:
            _deliver_later(policy)
    return done


def _deliver_later(policy: outbox.Policy) -> None:
    if not huey.immediate:
        deliver_mail.schedule(delay=max(1.0, policy.backoff_seconds))


@huey.task(name="deliver_mail")
def deliver_mail() -> None:
    result = deliver_outbox()
    if any(result.values()):
        log.info("mail: %(sent)d sent, %(retried)d to retry, %(failed)d failed", result)


@huey.task(name="send_invitations")
def send_invitations() -> None:
    """Write the invitations of large imports to the outbox, a batch per transaction."""
    with task_session() as session:
        secret = current_app.config["SECRET_KEY"]
        while imports.write_pending_invitations(session, secret_key=secret):
            session.commit()
        session.commit()


# -- rounds --------------------------------------------------------------------------------


@huey.task(name="run_round")
def run_round(round_id: int) -> None:
    """Run a claimed round, with a heartbeat so that a dead worker's run is noticed."""
    with task_session() as session:
        engine = db.engine
        if not rounds.beat(engine, round_id):
            return  # no longer running (failed by a sweep, or run by someone else)
        stop = threading.Event()

        def heartbeat() -> None:
            while not stop.wait(HEARTBEAT_SECONDS):
                try:
                    if not rounds.beat(engine, round_id):
                        return
                except Exception:  # a missed beat is retried; the lease allows several
                    log.warning("heartbeat of round %s failed", round_id, exc_info=True)

        beating = threading.Thread(target=heartbeat, name=f"round-{round_id}-heartbeat")
        beating.daemon = True
        beating.start()
        try:
            rounds.run_round(session, round_id, rounds.progress_recorder(engine, round_id))
            session.commit()
        except Exception as exc:
            log.exception("round %s failed", round_id)
            session.rollback()
            rounds.fail_run(session, round_id, f"The run stopped with an error: {exc}")
            session.commit()
        finally:
            stop.set()
            beating.join()


# -- sweeps --------------------------------------------------------------------------------


def sweep_once() -> dict[str, int]:
    """What the periodic sweep does: fail dead runs, delete old sent mail, queue due shift
    reminders and overdue-task reminders, expire unanswered mentor requests,
    remind mentees short of CE hours, finish pending
    invitations, and deliver due mail (retries)."""
    found: dict[str, int] = {}
    with task_session() as session:
        app = current_app
        found["stale_runs"] = len(rounds.fail_stale_runs(session))
        found["purged_mails"] = outbox.purge_sent(
            session, float(app.config.get("OUTBOX_KEEP_DAYS", outbox.KEEP_DAYS))
        )
        session.commit()
        found["reminders"] = reminders.send_due_reminders(
            session,
            links=links_for(app),
            hours=float(app.config.get("REMINDER_HOURS", reminders.REMINDER_HOURS)),
        )
        session.commit()
        # Overdue feedback, reflections and evaluations: one mail a day per person at most.
        found["overdue_task_reminders"] = feedback_tasks.remind_overdue(session)
        session.commit()
        # Self-select requests nobody answered in 7 days free the mentee to ask the next one.
        found["expired_requests"] = suggestions.expire_requests(session)
        session.commit()
        # Mentees short of their CE hours 100, 60 and 30 days before their cycle ends.
        found["cpd_reminders"] = cpd_portfolio.send_due_reminders(
            session, base_url=links_for(app).base_url
        )
        session.commit()
        pending = imports.count_pending_invitations(session)
        due = outbox.has_due(session)
        session.rollback()
    found["pending_invitations"] = pending
    if pending:
        send_invitations()
    if due:
        deliver_mail()
    return found


def _every_sweep(_timestamp: Any) -> bool:
    # The worker's scheduler asks every MENTOR_MATCH_SWEEP_SECONDS (see the worker command).
    return True


@huey.periodic_task(_every_sweep, name="sweep")
def sweep() -> None:
    found = sweep_once()
    if any(found.values()):
        log.info("sweep: %s", found)


# -- enqueueing after commit ---------------------------------------------------------------

TASKS = {
    "deliver_mail": deliver_mail,
    "run_round": run_round,
    "send_invitations": send_invitations,
}


@event.listens_for(FlaskSession, "after_commit")
def _enqueue(session: Session) -> None:
    jobs = session.info.pop(JOBS, None)
    for name, *args in jobs or ():
        try:
            TASKS[name](*args)
        except Exception:
            # The work itself is safe in the database; the next sweep picks it up.
            log.exception("could not enqueue %s%r", name, tuple(args))


@event.listens_for(FlaskSession, "after_soft_rollback")
def _discard(session: Session, _previous: Any) -> None:
    session.info.pop(JOBS, None)
