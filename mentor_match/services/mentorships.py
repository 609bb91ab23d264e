"""Published mentorships over time: listing them, ending one, and people leaving the programme."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, aliased

from mentor_match.models import LoginSession, Mentorship, Role, User
from mentor_match.services import scopes
from mentor_match.services.errors import Conflict, Invalid, NotFound


def list_mentorships(
    session: Session,
    *,
    current: bool | None = None,
    person_id: int | None = None,
    caller: User | None = None,
) -> list[dict[str, Any]]:
    """Mentorships, newest first, with both people's names; optionally only current or ended
    ones, or only those of one person; with `caller`, only those of the caller's sites."""
    mentor, mentee = aliased(User), aliased(User)
    stmt = (
        select(Mentorship, mentor.name, mentee.name)
        .join(mentor, mentor.id == Mentorship.mentor_id)
        .join(mentee, mentee.id == Mentorship.mentee_id)
        .order_by(Mentorship.created_at.desc(), Mentorship.id.desc())
    )
    if current is True:
        stmt = stmt.where(Mentorship.ended_at.is_(None))
    elif current is False:
        stmt = stmt.where(Mentorship.ended_at.is_not(None))
    if person_id is not None:
        stmt = stmt.where(or_(Mentorship.mentor_id == person_id, Mentorship.mentee_id == person_id))
    theirs = (
        None
        if caller is None
        else scopes.visible_pairs(session, caller, Mentorship.mentor_id, Mentorship.mentee_id)
    )
    if theirs is not None:
        stmt = stmt.where(theirs)
    return [
        mentorship_dict(m, mentor_name, mentee_name)
        for m, mentor_name, mentee_name in session.execute(stmt)
    ]


def mentorship_dict(m: Mentorship, mentor_name: str, mentee_name: str) -> dict[str, Any]:
    return {
        "id": m.id,
        "mentor_id": m.mentor_id,
        "mentor_name": mentor_name,
        "mentee_id": m.mentee_id,
        "mentee_name": mentee_name,
        "round_id": m.round_id,
        "score": m.score,
        "started_at": m.created_at.isoformat(),
        "ended_at": m.ended_at.isoformat() if m.ended_at else None,
        "current": m.ended_at is None,
    }


def describe(session: Session, mentorship: Mentorship) -> dict[str, Any]:
    mentor, mentee = (
        session.get(User, mentorship.mentor_id),
        session.get(User, mentorship.mentee_id),
    )
    return mentorship_dict(mentorship, mentor.name, mentee.name)


def end_mentorship(
    session: Session,
    mentorship_id: int,
    *,
    now: datetime | None = None,
    caller: User | None = None,
) -> Mentorship:
    """End a current mentorship: the mentee returns to the next round's pool and the mentor
    gets the place back. The pair is never matched again."""
    mentorship = session.get(Mentorship, mentorship_id)
    if mentorship is None:
        raise NotFound("no such mentorship")
    if caller is not None:
        scopes.check_pair(session, caller, mentorship.mentor_id, mentorship.mentee_id, "mentorship")
    ended = session.execute(
        update(Mentorship)
        .where(Mentorship.id == mentorship_id, Mentorship.ended_at.is_(None))
        .values(ended_at=now or datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    if ended.rowcount == 0:
        raise Conflict("this mentorship has already ended", code="already_ended")
    session.refresh(mentorship)
    return mentorship


def set_active(session: Session, user_id: int, active: Any, caller: User | None = None) -> User:
    """Take a participant out of the programme (or back in). An inactive person cannot sign
    in, is signed out everywhere, and is left out of every later match round; their
    mentorships, shifts and bookings stay until a coordinator ends or cancels them."""
    user = session.get(User, user_id)
    if user is None or user.role == Role.COORDINATOR:
        raise NotFound("no such participant")
    if caller is not None:
        scopes.check_person(session, caller, user.id)
    if not isinstance(active, bool):
        raise Invalid(
            "'active' must be true or false",
            details=[{"field": "active", "message": "must be true or false"}],
        )
    user.active = active
    if not active:
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    session.flush()
    return user
