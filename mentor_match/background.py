"""Work a request hands to the background worker and waits for, owning that transaction
boundary explicitly: the one exception to one transaction per request
(`mentor_match.transaction`) in the pages and the API."""

from __future__ import annotations

from mentor_match.extensions import db
from mentor_match.services import rounds


def start_round_run(round_id: int, wait: float | None = None) -> bool:
    """Claim the round for a run (Conflict when it is running or published) and queue the run;
    commit the claim, so the job is enqueued and every server sees the round running, then wait
    up to `wait` seconds (RUN_WAIT_SECONDS by default). True when the run has finished."""
    rounds.queue_run(db.session, round_id)
    db.session.commit()  # the claim, before the job is enqueued and awaited
    return rounds.wait_for_run(db.session, round_id, wait)
