"""Bookings: taking a seat or a waitlist place, cancelling, promotion, and attendance.

Seats are guarded by the database, never by a count read in Python: a booking takes its seat
with one conditional UPDATE of the shift's `seats_taken` (which only succeeds while a seat is
left), inside a write transaction. The CHECK `seats_taken <= seats` and the unique index on
live bookings are the backstop.

No mentee may end with two overlapping confirmed bookings, and a booking can be confirmed by
three paths: the mentee booking, a promotion from a waitlist when a seat frees (a cancel, more
seats), and nothing else. On SQLite the write transaction (BEGIN IMMEDIATE) serialises them all.
On PostgreSQL every path takes its locks in one order, so they never deadlock:

1. the row of the one shift it changes (`lock_shift`, or a booking's seat UPDATE), then
2. the booking lock of each mentee it may confirm (`lock_mentees`: a transaction-level
   advisory lock keyed by the mentee's id), in ascending id order, all at once,

and decides on overlaps only once it holds them. Two transactions that could confirm one
mentee therefore take turns, and the second sees what the first committed. Joining a waitlist
takes the shift's lock too, so the waitlist cannot grow under a transaction holding it. A
booking that finds the shift full confirms nobody and takes no lock: the many requests a full
shift refuses do not queue behind each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import exists, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.expression import Exists

from mentor_match.database import begin_write
from mentor_match.extensions import db
from mentor_match.models import Booking, BookingStatus, Mentorship, Role, Shift, ShiftStatus, User
from mentor_match.models.shifts import MAX_SHIFT_HOURS
from mentor_match.services import calendars, scopes
from mentor_match.services.errors import Conflict, Forbidden, Invalid, NotFound

# The first key of the advisory locks that stand for a mentee's bookings (the second is their id).
MENTEE_LOCKS = 0x6D6D


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name != "sqlite"


def lock_shift(session: Session, shift_id: int) -> None:
    """Hold the shift's row until commit (PostgreSQL; SQLite already holds the write lock).

    Taken before any mentee's booking lock, and on one shift per transaction only.
    """
    if _postgres(session):
        session.execute(
            db.select(Shift.id).where(Shift.id == shift_id).with_for_update(key_share=True)
        ).one_or_none()


def lock_mentees(session: Session, mentee_ids: Iterable[int]) -> None:
    """Hold the booking lock of each mentee until commit (PostgreSQL), lowest id first.

    Take every lock the transaction needs in one call, after the shift's: locks taken in a
    second call could come out of order. Taking one already held again returns at once.
    """
    if not _postgres(session):
        return
    for mentee_id in sorted(set(mentee_ids)):
        session.execute(db.select(func.pg_advisory_xact_lock(MENTEE_LOCKS, mentee_id)))


def is_mentor_of(session: Session, shift: Shift, mentee: User) -> bool:
    """True when the shift's mentor is one of the mentee's published (current) mentors."""
    return bool(
        session.scalar(
            db.select(
                exists().where(
                    Mentorship.mentor_id == shift.mentor_id,
                    Mentorship.mentee_id == mentee.id,
                    Mentorship.ended_at.is_(None),
                )
            )
        )
    )


def has_booking(session: Session, shift: Shift, mentee: User) -> bool:
    return bool(
        session.scalar(
            db.select(exists().where(Booking.shift_id == shift.id, Booking.mentee_id == mentee.id))
        )
    )


def may_book(session: Session, shift: Shift, mentee: User) -> bool:
    return mentee.role == Role.MENTEE and (
        shift.open_to_all or is_mentor_of(session, shift, mentee)
    )


# Another booking and its shift, for overlap checks. Made once: building aliases per call costs
# more than the query itself.
_THEIRS = db.aliased(Booking)
_OTHER = db.aliased(Shift)


def _confirmed_elsewhere(
    mentee_id: Any, shift_id: int, start_at: datetime, end_at: datetime
) -> Exists:
    """SQL: the mentee holds a confirmed booking on another held shift overlapping the time."""
    return exists().where(
        _THEIRS.mentee_id == mentee_id,
        _THEIRS.status == BookingStatus.CONFIRMED,
        _THEIRS.shift_id != shift_id,
        _OTHER.id == _THEIRS.shift_id,
        _OTHER.status == ShiftStatus.SCHEDULED,
        _OTHER.start_at < end_at,
        _OTHER.end_at > start_at,
    )


def _overlapping_confirmed(session: Session, mentee_id: int, shift: Shift) -> bool:
    return bool(
        session.scalar(
            db.select(_confirmed_elsewhere(mentee_id, shift.id, shift.start_at, shift.end_at))
        )
    )


def double_booked_by_move(
    session: Session, shift: Shift, start_at: datetime, end_at: datetime
) -> list[User]:
    """The shift's confirmed mentees who hold another confirmed booking overlapping
    `start_at`-`end_at`: moving the shift there would double-book them. By name."""
    mine = db.aliased(Booking)
    return list(
        session.scalars(
            db.select(User)
            .join(mine, mine.mentee_id == User.id)
            .where(
                mine.shift_id == shift.id,
                mine.status == BookingStatus.CONFIRMED,
                _confirmed_elsewhere(mine.mentee_id, shift.id, start_at, end_at),
            )
            .order_by(User.name, User.id)
        )
    )


def _take_seat(session: Session, shift_id: int) -> bool:
    """Take one seat if one is left; True when taken. The database decides, atomically."""
    result = session.execute(
        update(Shift)
        .where(
            Shift.id == shift_id,
            Shift.seats_taken < Shift.seats,
            Shift.status == ShiftStatus.SCHEDULED.value,
        )
        .values(seats_taken=Shift.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_seat(session: Session, shift_id: int) -> None:
    session.execute(
        update(Shift)
        .where(Shift.id == shift_id, Shift.seats_taken > 0)
        .values(seats_taken=Shift.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def book_shift(
    session: Session,
    mentee: User,
    shift_id: int,
    *,
    links: calendars.LinkBase,
    waitlist: bool = False,
    now: datetime | None = None,
) -> Booking:
    """Book a seat on the shift for `mentee`, or a waitlist place when it is full and asked.

    409 `shift_full` (no seat, no waitlist asked), `overlap` (the mentee holds an overlapping
    confirmed booking), `already_booked`, `shift_cancelled`, `shift_started`; 403 when the
    shift is neither their published mentor's nor open to all.
    """
    if not isinstance(waitlist, bool):
        raise Invalid(
            "'waitlist' must be true or false",
            details=[{"field": "waitlist", "message": "true/false"}],
        )
    now = now or datetime.now(UTC)
    begin_write(session)
    if mentee.role != Role.MENTEE:
        raise Forbidden("only mentees book shifts")
    shift = session.get(Shift, shift_id, populate_existing=True)
    if shift is None:
        raise NotFound(f"there is no shift {shift_id}")
    # On PostgreSQL these checks read without locks and give the answer when nothing races;
    # the seat UPDATE and the re-check after it decide when something does.
    if not may_book(session, shift, mentee):
        raise Forbidden(
            "you can book shifts of your own mentor(s) and shifts open to everyone; "
            "this one is neither"
        )
    if shift.is_cancelled:
        raise Conflict("the shift is cancelled", code="shift_cancelled")
    if shift.start_at <= now:
        raise Conflict("the shift has already started", code="shift_started")
    live = session.scalar(
        db.select(Booking).where(
            Booking.shift_id == shift.id,
            Booking.mentee_id == mentee.id,
            Booking.status != BookingStatus.CANCELLED,
        )
    )
    if live is not None:
        raise Conflict(f"you already hold a {live.status} booking on it", code="already_booked")
    if _overlapping_confirmed(session, mentee.id, shift):
        raise Conflict(
            "you already hold a confirmed booking that overlaps this shift", code="overlap"
        )
    if waitlist:
        # Joining a waitlist waits for the shift's lock, so whoever holds it (a cancel, a
        # change of seats) sees the whole waitlist and locks every mentee on it at once.
        lock_shift(session, shift.id)
    if _take_seat(session, shift.id):
        if _postgres(session):
            # The shift's row is ours (its time is now final), then the mentee's lock: whatever
            # confirmed them meanwhile (a promotion, another booking) has committed by now.
            session.refresh(shift)
            lock_mentees(session, [mentee.id])
            if _overlapping_confirmed(session, mentee.id, shift):
                raise Conflict(
                    "you already hold a confirmed booking that overlaps this shift",
                    code="overlap",
                )
        status = BookingStatus.CONFIRMED
    elif waitlist:
        status = BookingStatus.WAITLISTED
    else:
        raise Conflict(
            "the shift is full; ask for the waitlist to be told when a seat frees up",
            code="shift_full",
        )
    booking = Booking(
        shift=shift,
        mentee=mentee,
        status=status.value,
        sequence=0,
        created_at=now,
        updated_at=now,
    )
    session.add(booking)
    try:
        session.flush()
    except IntegrityError as exc:
        # The backstops: the live-booking index or the seats CHECK caught a race.
        if "seats" in str(exc.orig).lower():
            raise Conflict("the shift is full", code="shift_full") from exc
        raise Conflict("you already hold a booking on it", code="already_booked") from exc
    session.expire(shift, ["seats_taken"])
    if status == BookingStatus.CONFIRMED:
        calendars.queue_booking_mail(session, booking, links, "is confirmed")
    return booking


def _visible_booking(session: Session, actor: User, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id, populate_existing=True)
    if booking is None or not (
        (
            actor.role == Role.COORDINATOR
            # a site-scoped coordinator: a booking of their site's mentee or mentor
            and (
                scopes.can_see_person(session, actor, booking.mentee_id)
                or scopes.can_see_person(session, actor, booking.shift.mentor_id)
            )
        )
        or booking.mentee_id == actor.id
        or booking.shift.mentor_id == actor.id
    ):
        # Someone else's booking: say nothing about whether it exists.
        raise NotFound(f"there is no booking {booking_id}")
    return booking


def get_booking(session: Session, actor: User, booking_id: int) -> Booking:
    return _visible_booking(session, actor, booking_id)


def cancel_booking(
    session: Session,
    actor: User,
    booking_id: int,
    *,
    links: calendars.LinkBase,
    now: datetime | None = None,
) -> Booking:
    """Cancel a booking (the mentee's own, or by the shift's mentor or a coordinator).

    A freed seat goes to the first waitlisted mentee, in the same transaction. Once the shift
    has started, a seat is a record (attendance and CPD hours hang on it): cancelling it is
    refused with 409 `shift_started`; the mentor records that the mentee did not come instead.
    A place on the waitlist can still be given up.
    """
    now = now or datetime.now(UTC)
    begin_write(session)
    booking = _visible_booking(session, actor, booking_id)
    # Cancels, bookings and promotions on one shift take turns.
    lock_shift(session, booking.shift_id)
    session.refresh(booking)
    if booking.status == BookingStatus.CANCELLED:
        return booking
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    if was_confirmed and booking.shift.start_at <= now:
        raise Conflict(
            "the shift has started, so this booking is part of the attendance record and can "
            "no longer be cancelled; the mentor records whether the mentee came",
            code="shift_started",
        )
    booking.status = BookingStatus.CANCELLED.value
    booking.cancelled_at = now
    booking.updated_at = now
    booking.sequence += 1
    session.flush()
    if was_confirmed:
        _free_seat(session, booking.shift_id)
        calendars.queue_booking_mail(session, booking, links, "is cancelled")
    shift = booking.shift
    session.expire(shift, ["seats_taken"])
    promote_waitlisted(session, shift, links=links, now=now)
    return booking


def promote_waitlisted(
    session: Session, shift: Shift, *, links: calendars.LinkBase, now: datetime | None = None
) -> list[Booking]:
    """Give free seats to waitlisted mentees in the order they joined.

    The caller holds the write transaction and the shift's lock (`lock_shift`), so nobody joins
    or leaves the waitlist meanwhile. A mentee who holds an overlapping confirmed booking keeps
    their place and is skipped. Each promoted mentee (and the mentor) is mailed the invite.
    Nobody is promoted onto a cancelled shift or one that has started.
    """
    now = now or datetime.now(UTC)
    if shift.is_cancelled or shift.start_at <= now:
        return []
    session.refresh(shift, ["seats", "seats_taken"])
    if shift.seats_taken >= shift.seats:
        return []
    waiting = session.scalars(
        db.select(Booking)
        .where(Booking.shift_id == shift.id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.created_at, Booking.id)
        .options(selectinload(Booking.mentee))
    ).all()
    # Their other bookings cannot change until commit: each overlap check below holds.
    lock_mentees(session, [booking.mentee_id for booking in waiting])
    promoted = []
    for booking in waiting:
        if _overlapping_confirmed(session, booking.mentee_id, shift):
            continue
        if not _take_seat(session, shift.id):
            break
        booking.status = BookingStatus.CONFIRMED.value
        booking.sequence += 1
        booking.updated_at = now
        promoted.append(booking)
        calendars.queue_booking_mail(session, booking, links, "is confirmed from the waitlist")
    session.flush()
    session.expire(shift, ["seats_taken"])
    return promoted


# -- attendance ----------------------------------------------------------------------------


def _hours(value: object, limit: Decimal) -> Decimal:
    # A number, never text that looks like one ("2"): JSON clients send numbers as numbers.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise Invalid(
            "'hours' must be a number (not text)",
            details=[{"field": "hours", "message": "must be a JSON number, such as 2.5"}],
        )
    try:
        hours = Decimal(str(value))
    except InvalidOperation as exc:
        raise Invalid(
            "'hours' must be a number", details=[{"field": "hours", "message": "a number"}]
        ) from exc
    if not hours.is_finite() or hours < 0 or hours > limit:
        raise Invalid(
            f"'hours' must be from 0 to {limit:g}, the length of the shift",
            details=[{"field": "hours", "message": f"from 0 to {limit:g}"}],
        )
    return hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def record_attendance(
    session: Session,
    actor: User,
    booking_id: int,
    *,
    attended: bool,
    hours: object = None,
    now: datetime | None = None,
) -> Booking:
    """The shift's mentor (or a coordinator) records whether the mentee came, and for how long.

    Only once the shift has started, only for confirmed bookings; hours from 0 up to the
    shift's length (at most 24). Without hours, attending counts the whole shift. This is the
    only way hours change; who recorded them and when is kept with them.
    """
    now = now or datetime.now(UTC)
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound(f"there is no booking {booking_id}")
    shift = booking.shift
    coordinates = actor.role == Role.COORDINATOR and scopes.can_see_person(
        session, actor, shift.mentor_id
    )
    if not (coordinates or shift.mentor_id == actor.id):
        if booking.mentee_id == actor.id:
            raise Forbidden("the mentor records attendance")
        raise NotFound(f"there is no booking {booking_id}")
    if not isinstance(attended, bool):
        raise Invalid(
            "'attended' must be true or false",
            details=[{"field": "attended", "message": "true/false"}],
        )
    if booking.status != BookingStatus.CONFIRMED or shift.is_cancelled:
        raise Conflict(
            "only confirmed bookings on held shifts have attendance", code="not_confirmed"
        )
    if shift.start_at > now:
        raise Conflict("attendance can be recorded once the shift has started", code="not_started")
    length = Decimal((shift.end_at - shift.start_at).total_seconds()) / Decimal(3600)
    length = min(length, Decimal(MAX_SHIFT_HOURS)).quantize(Decimal("0.01"))
    if not attended:
        booking.hours = Decimal(0)
    elif hours is None:
        booking.hours = length
    else:
        booking.hours = _hours(hours, length)
    booking.attended = attended
    booking.attendance_recorded_at = now
    booking.attendance_recorded_by_id = actor.id
    booking.updated_at = now
    session.flush()
    return booking


# -- listing -------------------------------------------------------------------------------


def bookings_of(
    session: Session, mentee: User, *, include_cancelled: bool = True, limit: int = 500
) -> list[Booking]:
    """The mentee's bookings, soonest shift first."""
    query = (
        db.select(Booking)
        .join(Booking.shift)
        .where(Booking.mentee_id == mentee.id)
        .options(
            selectinload(Booking.shift).selectinload(Shift.mentor),
            selectinload(Booking.shift).selectinload(Shift.specialty),
        )
        .order_by(Shift.start_at, Booking.id)
        .limit(limit)
    )
    if not include_cancelled:
        query = query.where(Booking.status != BookingStatus.CANCELLED)
    return list(session.scalars(query))


def booking_dict(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "shift_id": booking.shift_id,
        "mentee_id": booking.mentee_id,
        "status": booking.status,
        "sequence": booking.sequence,
        "start": booking.shift.start_at.isoformat(),
        "end": booking.shift.end_at.isoformat(),
        "attended": booking.attended,
        "hours": float(booking.hours) if booking.hours is not None else None,
        "attendance_recorded_at": (
            booking.attendance_recorded_at.isoformat() if booking.attendance_recorded_at else None
        ),
        "attendance_recorded_by": (
            booking.attendance_recorded_by.name if booking.attendance_recorded_by else None
        ),
        "created_at": booking.created_at.isoformat(),
    }
