"""What an action that cannot be undone will do, and who it tells: read before confirming.

Each function reads, never writes; the action itself stays in its own service.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session, selectinload

from mentor_match.extensions import db
from mentor_match.models import ApiToken, Booking, BookingStatus, Mentorship, Shift, User
from mentor_match.services import scopes
from mentor_match.services.errors import NotFound


@dataclass(frozen=True)
class Consequences:
    """Who is mailed, and what else changes, in the users' words."""

    told: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


def waitlist_positions(session: Session, shift_ids: list[int]) -> dict[int, int]:
    """Booking id -> place on its shift's waitlist (1 = next to get a seat)."""
    if not shift_ids:
        return {}
    waiting = session.execute(
        db.select(Booking.id, Booking.shift_id)
        .where(Booking.shift_id.in_(shift_ids), Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.shift_id, Booking.created_at, Booking.id)
    ).all()
    positions: dict[int, int] = {}
    counter: dict[int, int] = {}
    for booking_id, shift_id in waiting:
        counter[shift_id] = counter.get(shift_id, 0) + 1
        positions[booking_id] = counter[shift_id]
    return positions


def _first_waiting(session: Session, shift: Shift) -> User | None:
    booking = session.scalars(
        db.select(Booking)
        .where(Booking.shift_id == shift.id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.created_at, Booking.id)
        .options(selectinload(Booking.mentee))
        .limit(1)
    ).first()
    return booking.mentee if booking else None


def of_cancelling_booking(session: Session, booking: Booking) -> Consequences:
    shift = booking.shift
    if booking.status == BookingStatus.WAITLISTED:
        position = waitlist_positions(session, [shift.id]).get(booking.id)
        place = f" (number {position})" if position else ""
        return Consequences(changes=[f"{booking.mentee.name} leaves the waitlist{place}."])
    told = [
        f"{booking.mentee.name} (mentee) — {booking.mentee.email}",
        f"{shift.mentor.name} (mentor) — {shift.mentor.email}",
    ]
    changes = ["The seat is freed and the calendar invite is withdrawn."]
    waiting = _first_waiting(session, shift)
    if waiting is not None and not shift.is_cancelled:
        told.append(f"{waiting.name} (first on the waitlist, who gets the seat) — {waiting.email}")
        changes.append(f"{waiting.name} moves from the waitlist to the freed seat.")
    return Consequences(told=told, changes=changes)


def of_cancelling_shift(session: Session, shift: Shift) -> Consequences:
    live = session.scalars(
        db.select(Booking)
        .where(Booking.shift_id == shift.id, Booking.status != BookingStatus.CANCELLED)
        .order_by(Booking.created_at, Booking.id)
        .options(selectinload(Booking.mentee))
    ).all()
    told = [f"{b.mentee.name} ({b.status}) — {b.mentee.email}" for b in live]
    if told:
        told.append(f"{shift.mentor.name} (mentor) — {shift.mentor.email}")
    changes = [f"Every booking on it is cancelled ({len(live)} in all)."] if live else []
    return Consequences(told=told, changes=changes)


def of_ending_mentorship(
    session: Session, mentorship_id: int, caller: User | None = None
) -> tuple[Mentorship, Consequences]:
    mentorship = session.get(Mentorship, mentorship_id)
    if mentorship is None or mentorship.ended_at is not None:
        raise NotFound("there is no current mentorship with that id")
    if caller is not None:
        scopes.check_pair(
            session, caller, mentorship.mentor_id, mentorship.mentee_id, "current mentorship"
        )
    mentor = session.get(User, mentorship.mentor_id)
    mentee = session.get(User, mentorship.mentee_id)
    changes = [
        f"{mentee.name} joins the pool of the next match round.",
        f"{mentor.name} gets the place back.",
        "The same pair is never proposed again.",
    ]
    return mentorship, Consequences(changes=changes)


def api_token(session: Session, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound("you have no such active token")
    return token
