"""Rankings from both sides while a round is a draft: who can be ranked, submitting, and the
coordinator's view of who has submitted and closing the window.

A mentee in the pool ranks the mentors they could be matched with, a mentor with places ranks
the mentees they could take. Whoever is left off a ranking is unacceptable to that person;
somebody who submits nothing ranks by score. Each person sees only their own candidates and
ranking, never anyone else's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from mentor_match.database import utcnow
from mentor_match.matching import MatchingError, candidates
from mentor_match.matching.modes import mentor_candidates
from mentor_match.models import MatchRound, RoundPreference, RoundStatus, User
from mentor_match.services import scopes
from mentor_match.services.errors import Conflict, Forbidden, Invalid
from mentor_match.services.rounds.definition import get_round, preferences_open
from mentor_match.services.rounds.pool import load_round_input, pool_mentees_stmt, pool_mentors_stmt

#: Longest ranking accepted (nobody has more feasible candidates than this in practice).
MAX_RANKING = 500


def _side(session: Session, user: User) -> str:
    """'mentee' or 'mentor' when the user is in the pool now, else Forbidden."""
    if user.role == "mentee":
        if session.execute(pool_mentees_stmt().where(User.id == user.id)).first() is not None:
            return "mentee"
        raise Forbidden("you are not in this round's pool (you already have a mentor)")
    if user.role == "mentor":
        if session.execute(pool_mentors_stmt().where(User.id == user.id)).first() is not None:
            return "mentor"
        raise Forbidden("you are not in this round's pool (you have no places left)")
    raise Forbidden("only mentees and mentors in the pool rank candidates")


def open_rounds(session: Session, person: User | None = None) -> list[MatchRound]:
    """Draft rounds whose preference window is open, newest first; with `person`, only those
    that reach their site."""
    stmt = (
        select(MatchRound)
        .where(
            MatchRound.status == RoundStatus.DRAFT.value,
            MatchRound.preferences_closed_at.is_(None),
            MatchRound.mode != "self_select",
        )
        .order_by(MatchRound.id.desc())
    )
    if person is not None:
        stmt = stmt.where(scopes.rounds_reaching(session, person, MatchRound.id))
    return list(session.scalars(stmt))


def _ranking(session: Session, round_id: int, user_id: int) -> RoundPreference | None:
    return session.scalar(
        select(RoundPreference).where(
            RoundPreference.round_id == round_id, RoundPreference.user_id == user_id
        )
    )


def my_candidates(session: Session, round_id: int, user: User) -> dict[str, Any]:
    """The people the user can rank in the round, in their current order.

    With a submitted ranking: the ranked ones in that order (``rank`` 1, 2, ...), then the
    ones left off (``rank`` None). Without: everyone by score, best first.
    """
    match_round = get_round(session, round_id)
    scopes.check_round_reaches(session, user, round_id)
    side = _side(session, user)
    if side == "mentee":
        pool = load_round_input(session, match_round, mentee_ids=[user.id])
        try:
            found = candidates(pool.data, user.id)
        except MatchingError as exc:
            raise Conflict(str(exc)) from exc
        items = [
            {
                "id": c.mentor_id,
                "name": pool.names.get(c.mentor_id, ""),
                "score": c.score,
                "breakdown": c.breakdown,
                "overlap_hours": c.overlap_hours,
            }
            for c in found
        ]
    else:
        pool = load_round_input(session, match_round)
        items = [
            {
                "id": mentee_id,
                "name": pool.names.get(mentee_id, ""),
                "score": score,
                "breakdown": breakdown,
                "overlap_hours": hours,
            }
            for mentee_id, score, breakdown, hours in mentor_candidates(pool.data, user.id)
        ]
    saved = _ranking(session, round_id, user.id)
    if saved is not None:
        position = {int(i): k for k, i in enumerate(saved.ranking or [])}
        items.sort(key=lambda item: (position.get(item["id"], len(position)), -item["score"]))
        for item in items:
            rank = position.get(item["id"])
            item["rank"] = rank + 1 if rank is not None else None
    else:
        for k, item in enumerate(items, 1):
            item["rank"] = k
    return {
        "round_id": match_round.id,
        "round_name": match_round.name,
        "mode": match_round.mode,
        "open": preferences_open(match_round),
        "side": side,
        "submitted": saved is not None,
        "submitted_at": saved.submitted_at.isoformat() if saved is not None else None,
        "items": items,
    }


def _check_open(match_round: MatchRound) -> None:
    if match_round.mode == "self_select":
        raise Conflict(
            "a self-select round takes no rankings: mentees ask suggested mentors instead",
            code="no_preferences",
        )
    if not preferences_open(match_round):
        raise Conflict("the preference window of this round is closed", code="preferences_closed")


def submit_ranking(session: Session, round_id: int, user: User, ranking: list[int]) -> dict:
    """Save the user's ranking (replacing an earlier one); everyone left off is unacceptable."""
    match_round = get_round(session, round_id)
    scopes.check_round_reaches(session, user, round_id)
    _check_open(match_round)
    if len(ranking) > MAX_RANKING:
        raise Invalid(
            f"rank at most {MAX_RANKING} people",
            details=[{"field": "ranking", "message": f"at most {MAX_RANKING} ids"}],
        )
    if len(set(ranking)) != len(ranking):
        raise Invalid(
            "each person can be ranked once",
            details=[{"field": "ranking", "message": "an id appears more than once"}],
        )
    allowed = {item["id"] for item in my_candidates(session, round_id, user)["items"]}
    unknown = [i for i in ranking if i not in allowed]
    if unknown:
        raise Invalid(
            "rank only people you could be matched with in this round: "
            + ", ".join(map(str, unknown[:12])),
            details=[
                {"field": "ranking", "message": f"{i} is not one of your candidates"}
                for i in unknown[:12]
            ],
        )
    saved = _ranking(session, round_id, user.id)
    now = utcnow()
    if saved is None:
        saved = RoundPreference(round_id=round_id, user_id=user.id)
        session.add(saved)
    saved.ranking = list(ranking)
    saved.submitted_at = now
    session.flush()
    return my_candidates(session, round_id, user)


def withdraw_ranking(session: Session, round_id: int, user: User) -> None:
    """Go back to ranking by score."""
    match_round = get_round(session, round_id)
    scopes.check_round_reaches(session, user, round_id)
    _side(session, user)
    _check_open(match_round)
    session.execute(
        delete(RoundPreference).where(
            RoundPreference.round_id == round_id, RoundPreference.user_id == user.id
        )
    )


def submissions(session: Session, round_id: int, caller: User | None = None) -> dict[str, Any]:
    """For the coordinator: everyone in the pool and whether (and when) they ranked. A round
    over some sites has the people of those sites in its pool; with `caller`, a round the
    caller may not see is a 404."""
    match_round = get_round(session, round_id, caller)
    submitted: dict[int, datetime] = dict(
        session.execute(
            select(RoundPreference.user_id, RoundPreference.submitted_at).where(
                RoundPreference.round_id == round_id
            )
        ).all()
    )

    def people(stmt: Any, side: str) -> list[dict[str, Any]]:
        rows = session.execute(stmt.order_by(User.name, User.id)).all()
        return [
            {
                "user_id": r[0],
                "name": r[1],
                "side": side,
                "submitted_at": submitted[r[0]].isoformat() if r[0] in submitted else None,
            }
            for r in rows
        ]

    mentee_stmt, mentor_stmt = pool_mentees_stmt(), pool_mentors_stmt()
    site_ids = scopes.round_site_ids(session, round_id)
    if site_ids is not None:
        mentee_stmt = mentee_stmt.where(scopes.people_of_sites(User.id, site_ids))
        mentor_stmt = mentor_stmt.where(scopes.people_of_sites(User.id, site_ids))
    mentees = people(mentee_stmt, "mentee")
    mentors = people(mentor_stmt, "mentor")
    return {
        "round_id": round_id,
        "open": preferences_open(match_round),
        "closed_at": (
            match_round.preferences_closed_at.isoformat()
            if match_round.preferences_closed_at
            else None
        ),
        "mentees_submitted": sum(1 for p in mentees if p["submitted_at"]),
        "mentees": len(mentees),
        "mentors_submitted": sum(1 for p in mentors if p["submitted_at"]),
        "mentors": len(mentors),
        "people": mentees + mentors,
    }


def close_preferences(session: Session, round_id: int, caller: User | None = None) -> MatchRound:
    """End the preference window: rankings submitted so far are the ones the run uses. With
    `caller`, a round the caller may not see is a 404."""
    match_round = get_round(session, round_id, caller)
    if match_round.mode == "self_select":
        raise Conflict("a self-select round takes no rankings", code="no_preferences")
    session.execute(
        update(MatchRound)
        .where(MatchRound.id == round_id, MatchRound.preferences_closed_at.is_(None))
        .values(preferences_closed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.refresh(match_round)
    return match_round
