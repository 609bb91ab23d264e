"""Adjusting a proposal: each mentee's candidates, pins and exclusions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mentor_match.matching import (
    Candidate,
    MatchingError,
    candidates,
)
from mentor_match.models import (
    MatchRound,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    ProposedMatch,
    RoundExclusion,
    RoundPin,
    RoundStatus,
    User,
)
from mentor_match.services.errors import Conflict, Invalid, NotFound
from mentor_match.services.rounds.pool import load_round_input, pool_mentees_stmt, pool_mentors_stmt
from mentor_match.services.scopes import round_site_ids


def candidates_for(session: Session, match_round: MatchRound, mentee_id: int) -> list[dict]:
    """Every feasible mentor for the mentee, scored as the solver scores them, best first."""
    pool = load_round_input(session, match_round, mentee_ids=[mentee_id], candidates_of=mentee_id)
    if not pool.data.mentees:
        raise NotFound(f"mentee {mentee_id} is not in this round's pool")
    try:
        found: list[Candidate] = candidates(pool.data, mentee_id)
    except MatchingError as exc:
        raise Conflict(str(exc)) from exc
    proposed = session.scalar(
        select(ProposedMatch.mentor_id).where(
            ProposedMatch.round_id == match_round.id, ProposedMatch.mentee_id == mentee_id
        )
    )
    pinned = {p[1] for p in pool.data.pins}
    places = {m.id: m.capacity for m in pool.data.mentors}
    return [
        {
            "mentor_id": c.mentor_id,
            "mentor_name": pool.names.get(c.mentor_id, ""),
            "score": c.score,
            "breakdown": c.breakdown,
            "overlap_hours": c.overlap_hours,
            "proposed": c.mentor_id == proposed,
            "pinned": c.mentor_id in pinned,
            "places_left": places.get(c.mentor_id, 0),
        }
        for c in found
    ]


def _editable(match_round: MatchRound) -> None:
    if match_round.status == RoundStatus.PUBLISHED:
        raise Conflict("this round is published; its pins and exclusions can no longer change")


def _ids(mentee_id: Any, mentor_id: Any) -> tuple[int, int]:
    details = []
    for field, value in (("mentee_id", mentee_id), ("mentor_id", mentor_id)):
        if isinstance(value, bool) or not isinstance(value, int):
            details.append({"field": field, "message": "must be a whole number"})
    if details:
        raise Invalid("send mentee_id and mentor_id as whole numbers", details=details)
    return mentee_id, mentor_id


def _in_pool(
    session: Session, mentee_id: Any, mentor_id: Any, match_round: MatchRound | None = None
) -> tuple[int, int]:
    mentee_id, mentor_id = _ids(mentee_id, mentor_id)
    mentees, mentors = pool_mentees_stmt(), pool_mentors_stmt()
    site_ids = round_site_ids(session, match_round.id) if match_round is not None else None
    if site_ids is not None:  # a site-scoped round: only the people of its sites
        mentees = mentees.where(MenteeProfile.site_id.in_(site_ids))
        mentors = mentors.where(MentorProfile.site_id.in_(site_ids))
    if session.execute(mentees.where(User.id == mentee_id)).first() is None:
        raise Invalid(
            f"user {mentee_id} is not a mentee in the pool (an active mentee without a mentor)",
            details=[{"field": "mentee_id", "message": "not a mentee in the pool"}],
        )
    if session.execute(mentors.where(User.id == mentor_id)).first() is None:
        raise Invalid(
            f"user {mentor_id} is not a mentor in the pool (an active mentor with places left)",
            details=[{"field": "mentor_id", "message": "not a mentor with places left"}],
        )
    return mentee_id, mentor_id


def _was_matched(session: Session, mentee_id: int, mentor_id: int) -> bool:
    return (
        session.scalar(
            select(Mentorship.id).where(
                Mentorship.mentee_id == mentee_id, Mentorship.mentor_id == mentor_id
            )
        )
        is not None
    )


def add_pin(session: Session, match_round: MatchRound, mentee_id: Any, mentor_id: Any) -> RoundPin:
    """Force a pair into the next run; a mentee's new pin replaces their old one."""
    _editable(match_round)
    mentee_id, mentor_id = _in_pool(session, mentee_id, mentor_id, match_round)
    excluded = session.scalar(
        select(RoundExclusion.id).where(
            RoundExclusion.round_id == match_round.id,
            RoundExclusion.mentee_id == mentee_id,
            RoundExclusion.mentor_id == mentor_id,
        )
    )
    if excluded is not None:
        raise Conflict("this pair is excluded from the round; remove the exclusion first")
    if _was_matched(session, mentee_id, mentor_id):
        raise Conflict("this mentee and mentor were matched before; a pair is never repeated")
    remaining = session.execute(pool_mentors_stmt().where(User.id == mentor_id)).first()[7]
    others = session.scalar(
        select(func.count())
        .select_from(RoundPin)
        .where(
            RoundPin.round_id == match_round.id,
            RoundPin.mentor_id == mentor_id,
            RoundPin.mentee_id != mentee_id,
        )
    )
    if others + 1 > remaining:
        raise Conflict(
            f"this mentor has {remaining} place(s) left and {others} pinned mentee(s) already"
        )
    session.execute(
        delete(RoundPin).where(RoundPin.round_id == match_round.id, RoundPin.mentee_id == mentee_id)
    )
    pin = RoundPin(round_id=match_round.id, mentee_id=mentee_id, mentor_id=mentor_id)
    session.add(pin)
    session.flush()
    return pin


def remove_pin(session: Session, match_round: MatchRound, mentee_id: Any, mentor_id: Any) -> None:
    _editable(match_round)
    mentee_id, mentor_id = _ids(mentee_id, mentor_id)
    removed = session.execute(
        delete(RoundPin).where(
            RoundPin.round_id == match_round.id,
            RoundPin.mentee_id == mentee_id,
            RoundPin.mentor_id == mentor_id,
        )
    )
    if removed.rowcount == 0:
        raise NotFound("there is no such pin in this round")


def add_exclusion(
    session: Session, match_round: MatchRound, mentee_id: Any, mentor_id: Any
) -> RoundExclusion:
    """Rule a pair out of the next runs of this round."""
    _editable(match_round)
    mentee_id, mentor_id = _in_pool(session, mentee_id, mentor_id, match_round)
    pinned = session.scalar(
        select(RoundPin.id).where(
            RoundPin.round_id == match_round.id,
            RoundPin.mentee_id == mentee_id,
            RoundPin.mentor_id == mentor_id,
        )
    )
    if pinned is not None:
        raise Conflict("this pair is pinned; remove the pin first")
    existing = session.scalar(
        select(RoundExclusion).where(
            RoundExclusion.round_id == match_round.id,
            RoundExclusion.mentee_id == mentee_id,
            RoundExclusion.mentor_id == mentor_id,
        )
    )
    if existing is not None:
        return existing
    exclusion = RoundExclusion(round_id=match_round.id, mentee_id=mentee_id, mentor_id=mentor_id)
    session.add(exclusion)
    session.flush()
    return exclusion


def remove_exclusion(
    session: Session, match_round: MatchRound, mentee_id: int, mentor_id: int
) -> None:
    _editable(match_round)
    mentee_id, mentor_id = _ids(mentee_id, mentor_id)
    removed = session.execute(
        delete(RoundExclusion).where(
            RoundExclusion.round_id == match_round.id,
            RoundExclusion.mentee_id == mentee_id,
            RoundExclusion.mentor_id == mentor_id,
        )
    )
    if removed.rowcount == 0:
        raise NotFound("there is no such exclusion in this round")
