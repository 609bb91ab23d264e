"""Work a request starts that owns its transactions, the exceptions to one transaction per
request (`mentor_match.transaction`): a round's run, claimed and committed and then solved in a
thread with its own session, and invitations mailed batch by batch.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app

from mentor_match.edge import base_url
from mentor_match.extensions import db
from mentor_match.services import imports
from mentor_match.services.rounds import RUN_WAIT_SECONDS, mark_failed, progress_recorder, run_round
from mentor_match.services.rounds import start_run as claim_run

log = logging.getLogger(__name__)


def start_round_run(round_id: int, wait: float | None = None) -> bool:
    """Claim the round for a run (Conflict when it is running or published), commit the claim
    so every server and the run itself see it, and solve it in the background; True when the
    run finished within `wait` seconds (RUN_WAIT_SECONDS by default)."""
    claim_run(db.session, round_id)
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    finished = launch_run(app, round_id, wait)
    db.session.expire_all()  # the run wrote in its own session: read the round afresh
    return finished


def _run_in_background(app: Flask, round_id: int) -> None:
    with app.app_context():
        session = db.session
        try:
            run_round(session, round_id, progress_recorder(db.engine, round_id))
            session.commit()
        except Exception as exc:
            log.exception("round %s failed", round_id)
            session.rollback()
            try:
                mark_failed(session, round_id, f"The run stopped with an error: {exc}")
                session.commit()
            except Exception:
                session.rollback()
                log.exception("could not mark round %s failed", round_id)
        finally:
            db.session.remove()


def launch_run(app: Flask, round_id: int, wait: float | None = None) -> bool:
    """Run a claimed (and committed) round in a thread; True when it finished within `wait`.

    The thread has its own app context and database session, and writes its progress to
    the database, so any server can report on the run while it goes on.
    """
    thread = threading.Thread(
        target=_run_in_background,
        args=(app, round_id),
        name=f"match-round-{round_id}",
        daemon=True,
    )
    thread.start()
    thread.join(RUN_WAIT_SECONDS if wait is None else wait)
    return not thread.is_alive()


def send_all_invitations() -> int:
    """Invite everyone without a password, committing (and so mailing) batch by batch: one
    transaction of thousands of mails would hold them all in memory until the end."""
    invited = 0
    for count in imports.invitation_batches(
        db.session, base_url=base_url(), secret_key=current_app.config["SECRET_KEY"]
    ):
        db.session.commit()
        invited += count
    return invited
