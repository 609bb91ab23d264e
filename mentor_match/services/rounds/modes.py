"""A round's matching mode at run time: rankings from the database in, result and price out.

`running.run_round` calls `solve_pool` on the loaded pool and `store_blocking` beside the
proposal; everything mode-specific stays here.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, aliased

from mentor_match.matching.modes import ModeResult, solve_mode
from mentor_match.matching.stable import Rankings
from mentor_match.models import MatchRound, RoundBlockingPair, RoundPreference, User
from mentor_match.services.rounds.pool import Pool

Progress = Callable[[str, float], None]


def load_rankings(session: Session, match_round: MatchRound, pool: Pool) -> Rankings:
    """The rankings submitted for this round by people who are in its pool now."""
    mentees = {m.id for m in pool.data.mentees}
    mentors = {m.id for m in pool.data.mentors}
    by_mentee: dict[int, list[int]] = {}
    by_mentor: dict[int, list[int]] = {}
    for user_id, ranking in session.execute(
        select(RoundPreference.user_id, RoundPreference.ranking).where(
            RoundPreference.round_id == match_round.id
        )
    ):
        ids = [int(i) for i in ranking or []]
        if user_id in mentees:
            by_mentee[user_id] = ids
        elif user_id in mentors:
            by_mentor[user_id] = ids
    return Rankings(mentees=by_mentee, mentors=by_mentor)


def solve_pool(
    session: Session, match_round: MatchRound, pool: Pool, progress: Progress | None = None
) -> ModeResult:
    """Solve the pool in the round's mode, with its rankings and fairness option."""
    return solve_mode(
        pool.data,
        mode=match_round.mode or "optimal",
        rankings=load_rankings(session, match_round, pool),
        raise_lowest=bool(match_round.raise_lowest),
        progress=progress,
    )


def store_blocking(session: Session, round_id: int, outcome: ModeResult) -> None:
    """Replace the round's listed blocking pairs with the run's."""
    session.execute(delete(RoundBlockingPair).where(RoundBlockingPair.round_id == round_id))
    if outcome.blocking:
        session.execute(
            insert(RoundBlockingPair),
            [{"round_id": round_id, "mentee_id": a, "mentor_id": b} for a, b in outcome.blocking],
        )


def blocking_pairs(
    session: Session, match_round: MatchRound, page: int = 1, per_page: int = 100
) -> dict:
    """The blocking pairs the last run left, with names, a page at a time."""
    mentee, mentor = aliased(User), aliased(User)
    where = RoundBlockingPair.round_id == match_round.id
    listed = session.scalar(select(func.count()).select_from(RoundBlockingPair).where(where))
    rows = session.execute(
        select(RoundBlockingPair.mentee_id, RoundBlockingPair.mentor_id, mentee.name, mentor.name)
        .join(mentee, mentee.id == RoundBlockingPair.mentee_id)
        .join(mentor, mentor.id == RoundBlockingPair.mentor_id)
        .where(where)
        .order_by(RoundBlockingPair.mentee_id, RoundBlockingPair.mentor_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    stats = match_round.stats or {}
    return {
        "round_id": match_round.id,
        "mode": match_round.mode,
        "blocking_pairs": int(stats.get("blocking_pairs", 0)),
        "under": stats.get("blocking_under", "scores"),
        "listed": listed,
        "items": [
            {"mentee_id": r[0], "mentor_id": r[1], "mentee_name": r[2], "mentor_name": r[3]}
            for r in rows
        ],
    }
