"""Running a round: claiming it, solving in the foreground or as a queued job, storing the result.

A page or the API claims the round (`queue_run`), and the run is a job on the task queue
(`mentor_match.jobs.tasks.run_round`): a web server restart does not stop it. The worker
writes a heartbeat while it runs; a run whose heartbeat stops (its worker died) is failed by
the sweep (`fail_stale_runs`) with a message, so a round never stays "running".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from time import monotonic, perf_counter
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from mentor_match.database import begin_write, utcnow
from mentor_match.jobs.queue import request_job
from mentor_match.matching import (
    MatchingError,
    RoundResult,
)
from mentor_match.models import (
    MatchRound,
    ProposedMatch,
    RoundStatus,
    UnmatchedMentee,
)
from mentor_match.services.errors import Conflict
from mentor_match.services.rounds import modes
from mentor_match.services.rounds.definition import (
    RUN_LEASE,
    STALE_RUN,
    get_round,
    is_stale_run,
)
from mentor_match.services.rounds.pool import load_round_input
from mentor_match.services.rounds.review import remember_current_proposal

log = logging.getLogger(__name__)

#: How long a request waits for a run before answering 202 and letting the client poll.
RUN_WAIT_SECONDS = 2.0


Progress = Callable[[str, float], None]


def start_run(session: Session, round_id: int) -> MatchRound:
    """Claim the round for a run; only one run at a time, never once published.

    The claim is one conditional UPDATE, so two servers (or two clicks) cannot both start a
    run. Commit it before running, so other servers can see the round is running.
    """
    match_round = get_round(session, round_id)
    # Keep the proposal this run replaces, so the review can say what changed (page, API, CLI).
    remember_current_proposal(session, round_id)
    now = utcnow()
    claimed = session.execute(
        update(MatchRound)
        .where(
            MatchRound.id == round_id,
            or_(
                MatchRound.status.in_(
                    [RoundStatus.DRAFT.value, RoundStatus.PROPOSED.value, RoundStatus.FAILED.value]
                ),
                # A run whose worker died, or that no worker picked up, may be started again.
                (MatchRound.status == RoundStatus.RUNNING.value)
                & or_(
                    MatchRound.heartbeat_at < now - RUN_LEASE,
                    MatchRound.heartbeat_at.is_(None) & (MatchRound.started_at < now - STALE_RUN),
                ),
            ),
        )
        .values(
            status=RoundStatus.RUNNING.value,
            started_at=now,
            heartbeat_at=None,
            finished_at=None,
            progress_stage="queued",
            progress=0.0,
            error="",
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(match_round)
    if claimed.rowcount != 1:
        if match_round.status == RoundStatus.PUBLISHED:
            raise Conflict("this round is published; create a new round to match again")
        raise Conflict("this round is already running; wait for it to finish", code="running")
    return match_round


def progress_recorder(engine: Engine, round_id: int, every: float = 0.25) -> Progress:
    """A progress callback that writes the stage to the database in its own short transaction.

    Any app server can then show it. Writes are spaced out except when the stage changes.
    """
    last: dict[str, Any] = {"stage": None, "at": 0.0}

    def record(stage: str, fraction: float) -> None:
        now = monotonic()
        if stage == last["stage"] and now - last["at"] < every:
            return
        last.update(stage=stage, at=now)
        try:
            with engine.begin() as conn:
                conn.execute(
                    update(MatchRound)
                    .where(
                        MatchRound.id == round_id, MatchRound.status == RoundStatus.RUNNING.value
                    )
                    .values(progress_stage=stage[:40], progress=max(0.0, min(1.0, fraction)))
                )
        except Exception:  # progress is a courtesy: never let it stop the run
            log.warning("could not record progress of round %s", round_id, exc_info=True)

    return record


def _fail(session: Session, round_id: int, message: str) -> None:
    session.execute(
        update(MatchRound)
        .where(MatchRound.id == round_id)
        .values(
            status=RoundStatus.FAILED.value,
            error=message,
            finished_at=utcnow(),
            progress_stage="failed",
        )
        .execution_options(synchronize_session=False)
    )


def run_round(session: Session, round_id: int, progress: Progress | None = None) -> MatchRound:
    """Load the pool, solve, and store the proposal in place of the previous one.

    The round should have been claimed with `start_run` (and that committed). A round the
    solver cannot solve (conflicting pins, ...) ends ``failed`` with the reason in ``error``.
    """

    def report(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    match_round = get_round(session, round_id)
    report("loading", 0.0)
    started = perf_counter()
    pool = load_round_input(session, match_round)
    load_seconds = perf_counter() - started

    def solver_progress(stage: str, fraction: float) -> None:
        report(stage, 0.1 + 0.8 * fraction)

    started = perf_counter()
    try:
        outcome = modes.solve_pool(session, match_round, pool, solver_progress)
    except MatchingError as exc:
        begin_write(session)
        _fail(session, round_id, f"The round could not be solved: {exc}")
        session.flush()
        session.expire_all()
        return get_round(session, round_id)
    solve_total = perf_counter() - started

    report("storing", 0.92)
    started = perf_counter()
    begin_write(session)  # on SQLite: take the write lock now, not halfway through
    result = outcome.result
    store_proposal(session, round_id, result)
    modes.store_blocking(session, round_id, outcome)
    store_seconds = perf_counter() - started
    match_round = get_round(session, round_id)
    stats = dict(result.stats)
    stats.update(
        load_seconds=load_seconds,
        solver_total_seconds=solve_total,
        store_seconds=store_seconds,
        total_seconds=load_seconds + solve_total + store_seconds,
        mentors=sum(1 for m in pool.data.mentors if m.capacity > 0),
        places=sum(m.capacity for m in pool.data.mentors),
    )
    match_round.stats = _plain(stats)
    match_round.status = RoundStatus.PROPOSED.value
    match_round.progress_stage = "done"
    match_round.progress = 1.0
    match_round.error = ""
    match_round.finished_at = utcnow()
    session.flush()
    return match_round


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe values: numpy scalars become Python numbers."""
    return {key: value.item() if hasattr(value, "item") else value for key, value in stats.items()}


def store_proposal(session: Session, round_id: int, result: RoundResult) -> None:
    """Replace the round's proposal with `result`, with bulk inserts."""
    session.execute(delete(ProposedMatch).where(ProposedMatch.round_id == round_id))
    session.execute(delete(UnmatchedMentee).where(UnmatchedMentee.round_id == round_id))
    if result.matches:
        session.execute(
            insert(ProposedMatch),
            [
                {
                    "round_id": round_id,
                    "mentee_id": m.mentee_id,
                    "mentor_id": m.mentor_id,
                    "score": float(m.score),
                    "breakdown": {k: float(v) for k, v in m.breakdown.items()},
                    "pinned": bool(m.pinned),
                }
                for m in result.matches
            ],
        )
    if result.unmatched:
        session.execute(
            insert(UnmatchedMentee),
            [
                {
                    "round_id": round_id,
                    "mentee_id": u.mentee_id,
                    "reason": u.reason,
                    "message": u.message,
                    "mentor_ids": [int(i) for i in u.mentor_ids],
                }
                for u in result.unmatched
            ],
        )


def run_now(session: Session, round_id: int, progress: Progress | None = None) -> MatchRound:
    """Claim and run in the foreground (the command line); commits the claim first."""
    start_run(session, round_id)
    session.commit()
    try:
        match_round = run_round(session, round_id, progress)
    except Exception as exc:
        session.rollback()
        _fail(session, round_id, f"The run stopped with an error: {exc}")
        session.commit()
        raise
    return match_round


def queue_run(session: Session, round_id: int) -> MatchRound:
    """Claim the round and queue its run as a job (enqueued when this transaction commits)."""
    match_round = start_run(session, round_id)
    request_job(session, "run_round", round_id)
    return match_round


def wait_for_run(session: Session, round_id: int, wait: float | None = None) -> bool:
    """Wait up to `wait` seconds for a queued run to finish; True when it has.

    Reads the round's status afresh every tenth of a second (each read its own transaction,
    so the worker's commit is seen); call it after the claim was committed.
    """
    deadline = monotonic() + (RUN_WAIT_SECONDS if wait is None else wait)
    while True:
        session.rollback()  # nothing is pending: end the read snapshot
        status = session.scalar(select(MatchRound.status).where(MatchRound.id == round_id))
        if status != RoundStatus.RUNNING.value:
            session.expire_all()
            return True
        if monotonic() >= deadline:
            session.expire_all()
            return False
        time.sleep(0.1)


def beat(engine: Engine, round_id: int) -> bool:
    """Write the run's heartbeat; False when the round is no longer running (give up)."""
    with engine.begin() as conn:
        done = conn.execute(
            update(MatchRound)
            .where(MatchRound.id == round_id, MatchRound.status == RoundStatus.RUNNING.value)
            .values(heartbeat_at=utcnow())
        )
    return done.rowcount == 1


def fail_stale_runs(session: Session) -> list[int]:
    """Mark failed every run whose worker died (no heartbeat) or that no worker picked up."""
    begin_write(session)
    running = session.execute(
        select(
            MatchRound.id, MatchRound.progress_stage, MatchRound.started_at, MatchRound.heartbeat_at
        ).where(MatchRound.status == RoundStatus.RUNNING.value)
    ).all()
    stale = [row.id for row in running if is_stale_run(*row[1:])]
    for round_id in stale:
        _fail(
            session,
            round_id,
            "The run stopped without finishing (the worker running it stopped). Run it again.",
        )
    session.flush()
    return stale


def fail_run(session: Session, round_id: int, message: str) -> None:
    """Record that a run stopped with an error (the job's own transaction)."""
    _fail(session, round_id, message)
