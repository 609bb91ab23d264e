"""Shifts: publishing one-off shifts or a weekly series, rescheduling, seats and cancelling."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, true, update
from sqlalchemy.orm import Session, object_session, selectinload

from mentor_match.database import begin_write
from mentor_match.extensions import db
from mentor_match.models import (
    AvailabilityWindow,
    Booking,
    BookingStatus,
    Mentorship,
    Role,
    Shift,
    ShiftStatus,
    Specialty,
    User,
)
from mentor_match.models.shifts import MAX_SEATS, MAX_SHIFT_HOURS
from mentor_match.services import bookings, calendars, scopes
from mentor_match.services.errors import Conflict, Forbidden, Invalid, NotFound

MAX_SHIFT = timedelta(hours=MAX_SHIFT_HOURS)
MAX_SERIES_DAYS = 366
MAX_SERIES_SHIFTS = 500
LOCATION_MAX = 200
NOTES_MAX = 2000

UNSET: Any = object()


# -- parsing and validation, shared by the API and the forms --------------------------------


def _problem(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def parse_instant(value: object, field: str) -> datetime:
    """An ISO-8601 date-time WITH an offset (`2025-03-04T09:00:00-06:00` or `…Z`), in UTC."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(
            f"'{field}' must be an ISO-8601 date-time with an offset",
            details=[_problem(field, "give a date-time such as 2025-03-04T09:00:00-06:00")],
        )
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise Invalid(
            f"'{field}' is not an ISO-8601 date-time: {value!r}",
            details=[_problem(field, "give a date-time such as 2025-03-04T09:00:00-06:00")],
        ) from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise Invalid(
            f"'{field}' has no UTC offset: {value!r} could be any time zone's",
            details=[_problem(field, "add the offset, e.g. -06:00, or Z for UTC")],
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:  # the first or last day of the calendar, pushed past it
        raise Invalid(
            f"'{field}' is outside the calendar: {value!r}",
            details=[_problem(field, "give a date between the years 1 and 9999")],
        ) from exc


def local_instant(day: date, clock: time, zone: str) -> datetime:
    """The UTC instant of a wall-clock time on a day in `zone` (DST handled by zoneinfo).

    A time that does not exist (skipped by a spring-forward change) is read with the offset
    in force before the change, so 02:30 becomes 03:30 local, as people expect.
    """
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_day_start(day: date, zone: str) -> datetime:
    """The UTC instant of midnight at the start of `day` in `zone`."""
    return local_instant(day, time(0), zone)


def local_days(
    first: date | None, last: date | None, zone: str
) -> tuple[datetime | None, datetime | None]:
    """The UTC bounds of the local days `first` to `last`, both included: from the midnight
    that starts `first` to the one that ends `last`. A day not given leaves that side open."""
    start = local_day_start(first, zone) if first else None
    end = local_day_start(last + timedelta(days=1), zone) if last else None
    return start, end


def _check_seats(seats: object) -> int:
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        raise Invalid(
            f"seats must be a whole number from 1 to {MAX_SEATS}",
            details=[_problem("seats", f"choose 1 to {MAX_SEATS}")],
        )
    return seats


def _check_times(start_at: datetime, end_at: datetime, *, now: datetime) -> None:
    problems = []
    if end_at <= start_at:
        problems.append(_problem("end", "the shift must end after it starts"))
    elif end_at - start_at > MAX_SHIFT:
        problems.append(_problem("end", f"a shift lasts at most {MAX_SHIFT_HOURS} hours"))
    if start_at <= now:
        problems.append(_problem("start", "the shift must start in the future"))
    if problems:
        raise Invalid("; ".join(p["message"] for p in problems), details=problems)


def _check_text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise Invalid(f"'{field}' must be text", details=[_problem(field, "must be text")])
    value = value.strip()
    if len(value) > limit:
        raise Invalid(
            f"'{field}' is longer than {limit} characters",
            details=[_problem(field, f"at most {limit} characters")],
        )
    return value


def _specialty(session: Session, slug: object) -> Specialty | None:
    if slug is None or slug == "":
        return None
    if not isinstance(slug, str):
        raise Invalid("'specialty' must be a slug", details=[_problem("specialty", "a slug")])
    found = session.scalar(db.select(Specialty).where(Specialty.slug == slug.strip().lower()))
    if found is None:
        raise Invalid(
            f"unknown specialty {slug!r}",
            details=[_problem("specialty", "use a specialty slug such as 'oncology'")],
        )
    return found


def _bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"'{field}' must be true or false", details=[_problem(field, "true/false")])
    return value


# -- who may do what -----------------------------------------------------------------------


def _mentor_for(session: Session, actor: User, mentor_id: int | None) -> User:
    if actor.role == Role.MENTOR:
        if mentor_id not in (None, actor.id):
            raise Forbidden("mentors publish shifts for themselves only")
        return actor
    if actor.role != Role.COORDINATOR:
        raise Forbidden("only mentors and coordinators publish shifts")
    if mentor_id is None:
        raise Invalid(
            "give 'mentor_id': the mentor whose shift this is",
            details=[_problem("mentor_id", "required for coordinators")],
        )
    mentor = session.get(User, mentor_id) if isinstance(mentor_id, int) else None
    if (
        mentor is None
        or mentor.role != Role.MENTOR
        or not scopes.can_see_person(session, actor, mentor.id)
    ):
        raise Invalid(
            f"there is no mentor with id {mentor_id}",
            details=[_problem("mentor_id", "not a mentor")],
        )
    return mentor


def may_manage(actor: User, shift: Shift) -> bool:
    """The shift's mentor, and coordinators (a site-scoped one: of the mentor's site)."""
    if shift.mentor_id == actor.id:
        return True
    if actor.role != Role.COORDINATOR:
        return False
    session = object_session(shift)
    return session is not None and scopes.can_see_person(session, actor, shift.mentor_id)


def get_shift(session: Session, actor: User, shift_id: int) -> Shift:
    """A shift the actor may see: their own, any for coordinators, a bookable one for mentees."""
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(f"there is no shift {shift_id}")
    if may_manage(actor, shift):
        return shift
    if actor.role == Role.MENTEE and (
        shift.open_to_all or bookings.is_mentor_of(session, shift, actor)
    ):
        return shift
    if actor.role == Role.MENTEE and bookings.has_booking(session, shift, actor):
        return shift
    raise NotFound(f"there is no shift {shift_id}")


def managed_shift(session: Session, actor: User, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(f"there is no shift {shift_id}")
    if not may_manage(actor, shift):
        if actor.role == Role.COORDINATOR:  # another site's shift: as if there were none
            raise NotFound(f"there is no shift {shift_id}")
        raise Forbidden("only the shift's mentor or a coordinator can change it")
    return shift


# -- creating ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftDetails:
    """What a shift offers besides its time, shared by one-off shifts and series."""

    seats: int
    location: str = ""
    specialty: str | None = None
    open_to_all: bool = False
    notes: str = ""


def _checked_details(session: Session, details: ShiftDetails) -> dict[str, Any]:
    return {
        "seats": _check_seats(details.seats),
        "location": _check_text(details.location, "location", LOCATION_MAX),
        "specialty": _specialty(session, details.specialty),
        "open_to_all": _bool(details.open_to_all, "open_to_all"),
        "notes": _check_text(details.notes, "notes", NOTES_MAX),
    }


def create_shift(
    session: Session,
    actor: User,
    *,
    start_at: datetime,
    end_at: datetime,
    details: ShiftDetails,
    mentor_id: int | None = None,
    now: datetime | None = None,
) -> Shift:
    """Publish a one-off shift for `actor` (a mentor) or, by a coordinator, for `mentor_id`."""
    mentor = _mentor_for(session, actor, mentor_id)
    start_at, end_at = start_at.astimezone(UTC), end_at.astimezone(UTC)
    _check_times(start_at, end_at, now=now or datetime.now(UTC))
    shift = Shift(mentor=mentor, start_at=start_at, end_at=end_at, seats_taken=0, sequence=0)
    for key, value in _checked_details(session, details).items():
        setattr(shift, key, value)
    session.add(shift)
    session.flush()
    return shift


def series_times(
    windows: list[tuple[int, int, int]], zone: str, first_day: date, last_day: date
) -> list[tuple[datetime, datetime]]:
    """The UTC start and end of every weekly window (weekday, start, end minutes, in `zone`)
    on each day from `first_day` to `last_day`, both included."""
    times = []
    day = first_day
    while day <= last_day:
        for weekday, start_minute, end_minute in windows:
            if weekday != day.weekday():
                continue
            start = local_instant(day, time(start_minute // 60, start_minute % 60), zone)
            end_day = day + timedelta(days=end_minute // 1440)
            end_minute %= 1440
            end = local_instant(end_day, time(end_minute // 60, end_minute % 60), zone)
            if end > start:
                times.append((start, end))
        day += timedelta(days=1)
    return sorted(times)


def create_series(
    session: Session,
    actor: User,
    *,
    first_day: date,
    last_day: date,
    details: ShiftDetails,
    weekdays: set[int] | None = None,
    mentor_id: int | None = None,
    now: datetime | None = None,
    skip_days: frozenset[date] = frozenset(),
) -> list[Shift]:
    """Publish a shift for each of the mentor's weekly availability windows over a date range,
    leaving out `skip_days` (holidays, leave: local dates of the mentor).

    Windows are in the mentor's own time zone, so a 07:00 shift stays at 07:00 local across a
    DST change (its UTC time moves). Windows that already started are skipped.
    """
    mentor = _mentor_for(session, actor, mentor_id)
    now = now or datetime.now(UTC)
    if last_day < first_day:
        raise Invalid(
            "the last day is before the first day",
            details=[_problem("last_day", "must be on or after the first day")],
        )
    if (last_day - first_day).days >= MAX_SERIES_DAYS:
        raise Invalid(
            f"a series covers at most {MAX_SERIES_DAYS} days",
            details=[_problem("last_day", f"at most {MAX_SERIES_DAYS} days after the first")],
        )
    checked = _checked_details(session, details)
    windows = [
        (w.weekday, w.start_minute, w.end_minute)
        for w in session.scalars(
            db.select(AvailabilityWindow).where(AvailabilityWindow.user_id == mentor.id)
        )
        if weekdays is None or w.weekday in weekdays
    ]
    if not windows:
        raise Invalid(
            "the mentor has no weekly availability to make shifts from",
            details=[_problem("availability", "add availability windows to the profile first")],
        )
    times = [(s, e) for s, e in series_times(windows, mentor.timezone, first_day, last_day)]
    zone = ZoneInfo(mentor.timezone)
    times = [(s, e) for s, e in times if s > now and s.astimezone(zone).date() not in skip_days]
    if not times:
        raise Invalid(
            "no availability window falls in those dates",
            details=[_problem("first_day", "choose dates that include your available days")],
        )
    if len(times) > MAX_SERIES_SHIFTS:
        raise Invalid(
            f"that would make {len(times)} shifts; a series makes at most {MAX_SERIES_SHIFTS}",
            details=[_problem("last_day", "choose a shorter range")],
        )
    series_id = str(uuid.uuid4())
    shifts = []
    for start_at, end_at in times:
        shift = Shift(
            mentor=mentor,
            start_at=start_at,
            end_at=end_at,
            seats_taken=0,
            sequence=0,
            series_id=series_id,
            **checked,
        )
        session.add(shift)
        shifts.append(shift)
    session.flush()
    return shifts


# -- changing ------------------------------------------------------------------------------


def update_shift(
    session: Session,
    actor: User,
    shift_id: int,
    *,
    links: calendars.LinkBase,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    seats: int | None = None,
    location: str | None = None,
    specialty: str | None = UNSET,
    open_to_all: bool | None = None,
    notes: str | None = None,
    mentor_id: object = UNSET,
    now: datetime | None = None,
) -> Shift:
    """Reschedule, move, change the seats of, or hand over a shift; everyone booked is told.

    Every change is checked before any is made, so a refused change leaves the shift as it was.
    A new time must be in the future (422), on a shift that has not started (409
    `shift_started`), and must not overlap another confirmed booking of any confirmed mentee
    (409 `overlap`, naming them). Seats never drop below the confirmed bookings (409
    `seats_below_booked`). More seats promote waitlisted mentees.

    A coordinator may hand the shift to another mentor (`mentor_id`): an active mentor with no
    other shift at that time (409 `overlap`), before the shift starts. The mentees booked get
    the updated invite, the new mentor the bookings, the previous mentor a cancellation of each.
    Any change a calendar shows (time, place, specialty, notes, mentor) raises SEQUENCE on the
    shift and on every booking of it, cancelled ones included, so no client ever sees an entry
    change under the same SEQUENCE.
    """
    now = now or datetime.now(UTC)
    begin_write(session)
    shift = managed_shift(session, actor, shift_id)
    _lock(session, shift)
    if shift.is_cancelled:
        raise Conflict("the shift is cancelled and cannot change", code="shift_cancelled")
    new_mentor = _new_mentor(session, actor, shift, mentor_id)
    if new_mentor is not None and shift.start_at <= now:
        raise Conflict(
            "the shift has already started; it can no longer go to another mentor",
            code="shift_started",
            details=[_problem("mentor_id", "the shift has started")],
        )
    new_start = start_at.astimezone(UTC) if start_at is not None else shift.start_at
    new_end = end_at.astimezone(UTC) if end_at is not None else shift.end_at
    moved = (new_start, new_end) != (shift.start_at, shift.end_at)
    if moved:
        if shift.start_at <= now:
            raise Conflict(
                "the shift has already started; its time can no longer change",
                code="shift_started",
                details=[_problem("start", "the shift has started")],
            )
        _check_times(new_start, new_end, now=now)
    if location is not None:
        location = _check_text(location, "location", LOCATION_MAX)
    new_specialty = _specialty(session, specialty) if specialty is not UNSET else UNSET
    if open_to_all is not None:
        open_to_all = _bool(open_to_all, "open_to_all")
    if notes is not None:
        notes = _check_text(notes, "notes", NOTES_MAX)
    if seats is not None:
        seats = _check_seats(seats)
    if new_mentor is not None:
        _check_mentor_free(session, shift, new_mentor, new_start, new_end)
    # Everyone this change could confirm or double-book, before their overlaps are read.
    bookings.lock_mentees(
        session, [b.mentee_id for b in shift.bookings if b.status != BookingStatus.CANCELLED]
    )
    if moved:
        clashing = bookings.double_booked_by_move(session, shift, new_start, new_end)
        if clashing:
            names = ", ".join(mentee.name for mentee in clashing)
            raise Conflict(
                f"moving the shift then would double-book {names}: they hold another "
                f"confirmed booking at that time",
                code="overlap",
                details=[
                    _problem("start", f"{mentee.name} holds an overlapping confirmed booking")
                    for mentee in clashing
                ],
            )
    changed_seats = seats is not None and seats != shift.seats
    if changed_seats:
        # The last check that can fail, guarded by the database itself.
        result = session.execute(
            update(Shift)
            .where(Shift.id == shift.id, Shift.seats_taken <= seats)
            .values(seats=seats)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            session.refresh(shift)
            raise Conflict(
                f"{shift.seats_taken} seats are booked; cancel bookings before going below that",
                code="seats_below_booked",
                details=[_problem("seats", f"at least {shift.seats_taken}")],
            )
        session.expire(shift, ["seats", "seats_taken"])
    # Whatever an invite or feed entry shows: any of these is a change a calendar must take.
    visible = (
        moved
        or (location is not None and location != shift.location)
        or (new_specialty is not UNSET and new_specialty != shift.specialty)
        or (notes is not None and notes != shift.notes)
        or new_mentor is not None
    )
    if location is not None:
        shift.location = location
    if new_specialty is not UNSET:
        shift.specialty = new_specialty
    if open_to_all is not None:
        shift.open_to_all = open_to_all
    if notes is not None:
        shift.notes = notes
    if moved:
        shift.start_at, shift.end_at = new_start, new_end
    previous_mentor = shift.mentor
    if new_mentor is not None:
        shift.mentor = new_mentor
    shift.updated_at = now
    if visible:
        shift.sequence += 1
        for booking in shift.bookings:
            # A cancelled booking's entry (its CANCEL invite, its feed entry) shows the shift's
            # time and place too, so its SEQUENCE rises with them; only live ones are mailed.
            booking.sequence += 1
            booking.updated_at = now
            if booking.status != BookingStatus.CANCELLED:
                calendars.queue_booking_mail(session, booking, links, "has changed")
    elif changed_seats:
        shift.sequence += 1  # the mentor's feed entry shows the seats
    if new_mentor is not None:
        calendars.queue_handover_mail(session, shift, previous_mentor, links)
    session.flush()
    bookings.promote_waitlisted(session, shift, links=links, now=now)
    return shift


def _new_mentor(session: Session, actor: User, shift: Shift, mentor_id: object) -> User | None:
    """The mentor a shift is handed to, or None when `mentor_id` leaves it where it is (absent,
    or the current mentor: clients echo the shift back). Coordinators only."""
    if mentor_id is UNSET:
        return None
    if isinstance(mentor_id, bool) or not isinstance(mentor_id, int) or not 0 < mentor_id < 2**31:
        raise Invalid(
            "'mentor_id' must be a mentor's id",
            details=[_problem("mentor_id", "a mentor's id (a whole number)")],
        )
    if mentor_id == shift.mentor_id:
        return None
    if actor.role != Role.COORDINATOR:
        # Refused like any field the caller may not set (mass assignment): 422 naming it.
        raise Invalid(
            "only a coordinator hands a shift to another mentor",
            details=[_problem("mentor_id", "only coordinators may change the mentor")],
        )
    mentor = session.get(User, mentor_id)
    if (
        mentor is None
        or mentor.role != Role.MENTOR
        or not scopes.can_see_person(session, actor, mentor.id)
    ):
        raise Invalid(
            f"there is no mentor with id {mentor_id}",
            details=[_problem("mentor_id", "not a mentor")],
        )
    if not mentor.active:
        raise Invalid(
            f"{mentor.name} has left the programme",
            details=[_problem("mentor_id", "that mentor has left the programme")],
        )
    return mentor


def handover_mentors(session: Session, shift: Shift, actor: User | None = None) -> list[User]:
    """The active mentors a coordinator (`actor`: of their sites) may hand the shift to."""
    theirs = None if actor is None else scopes.visible_people(session, actor, User.id)
    return list(
        session.scalars(
            db.select(User)
            .where(User.role == Role.MENTOR, User.active.is_(True), User.id != shift.mentor_id)
            .where(true() if theirs is None else theirs)
            .order_by(User.name, User.id)
        )
    )


def _check_mentor_free(
    session: Session, shift: Shift, mentor: User, start_at: datetime, end_at: datetime
) -> None:
    """409 `overlap` when `mentor` already holds another scheduled shift overlapping the time."""
    clash = session.scalar(
        db.select(Shift)
        .where(
            Shift.mentor_id == mentor.id,
            Shift.id != shift.id,
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.start_at < end_at,
            Shift.end_at > start_at,
        )
        .order_by(Shift.start_at)
        .limit(1)
    )
    if clash is not None:
        when = calendars.shift_when(clash)
        raise Conflict(
            f"{mentor.name} already has a shift then ({when})",
            code="overlap",
            details=[_problem("mentor_id", f"{mentor.name} has an overlapping shift")],
        )


def cancel_shift(
    session: Session,
    actor: User,
    shift_id: int,
    *,
    links: calendars.LinkBase,
    now: datetime | None = None,
) -> Shift:
    """Cancel the shift and every booking on it; each booked mentee gets a cancellation.

    Only before it starts: after that its bookings are the attendance record (409
    `shift_started`); a shift nobody came to is recorded as such through attendance.
    """
    now = now or datetime.now(UTC)
    begin_write(session)
    shift = managed_shift(session, actor, shift_id)
    _lock(session, shift)
    if shift.is_cancelled:
        return shift
    if shift.start_at <= now:
        raise Conflict(
            "the shift has started, so its bookings are part of the attendance record and it "
            "can no longer be cancelled; record who came (or that nobody did) instead",
            code="shift_started",
        )
    shift.status = ShiftStatus.CANCELLED.value
    shift.cancelled_at = now
    shift.updated_at = now
    shift.sequence += 1
    session.execute(
        update(Shift)
        .where(Shift.id == shift.id)
        .values(seats_taken=0)
        .execution_options(synchronize_session=False)
    )
    session.expire(shift, ["seats_taken"])
    for booking in shift.bookings:
        if booking.status == BookingStatus.CANCELLED:
            continue
        was_confirmed = booking.status == BookingStatus.CONFIRMED
        booking.status = BookingStatus.CANCELLED.value
        booking.cancelled_at = now
        booking.updated_at = now
        booking.sequence += 1
        if was_confirmed:
            calendars.queue_booking_mail(session, booking, links, "is cancelled")
        else:
            calendars.queue_waitlist_notice(session, booking, links)
    session.flush()
    return shift


def _lock(session: Session, shift: Shift) -> None:
    """Hold the shift's row until commit (PostgreSQL; SQLite already holds the write lock),
    first of all the locks the transaction takes, and read it afresh."""
    bookings.lock_shift(session, shift.id)
    session.refresh(shift)


# -- listing -------------------------------------------------------------------------------


def list_shifts(
    session: Session,
    viewer: User,
    *,
    mentor_id: int | None = None,
    start_from: datetime | None = None,
    start_to: datetime | None = None,
    bookable: bool = False,
    include_full: bool = True,
    specialty: str | None = None,
    include_cancelled: bool = False,
    now: datetime | None = None,
    limit: int = 500,
) -> list[Shift]:
    """The shifts `viewer` may see, soonest first.

    Mentors see their own, coordinators every shift, mentees those they may book. With
    `bookable`, only future scheduled shifts the viewer could book (a full one still shows:
    its waitlist is open) unless `include_full` is false.
    """
    now = now or datetime.now(UTC)
    query = db.select(Shift).options(selectinload(Shift.mentor), selectinload(Shift.specialty))
    if viewer.role == Role.MENTOR and not bookable:
        query = query.where(Shift.mentor_id == viewer.id)
    elif viewer.role == Role.MENTEE or bookable:
        mine = db.select(Mentorship.mentor_id).where(
            Mentorship.mentee_id == viewer.id, Mentorship.ended_at.is_(None)
        )
        query = query.where(or_(Shift.open_to_all.is_(True), Shift.mentor_id.in_(mine)))
        if viewer.role != Role.MENTEE:
            query = query.where(Shift.id.is_(None))  # only mentees book
    theirs = scopes.visible_people(session, viewer, Shift.mentor_id)
    if theirs is not None:  # a site-scoped coordinator: the shifts of their sites' mentors
        query = query.where(theirs)
    if mentor_id is not None:
        query = query.where(Shift.mentor_id == mentor_id)
    if start_from is not None:
        query = query.where(Shift.start_at >= start_from)
    if start_to is not None:
        query = query.where(Shift.start_at < start_to)
    if specialty:
        query = query.join(Shift.specialty).where(Specialty.slug == specialty)
    if bookable:
        query = query.where(Shift.start_at > now, Shift.status == ShiftStatus.SCHEDULED)
        if not include_full:
            query = query.where(Shift.seats_taken < Shift.seats)
    elif not include_cancelled and viewer.role == Role.MENTEE:
        query = query.where(Shift.status == ShiftStatus.SCHEDULED)
    return list(session.scalars(query.order_by(Shift.start_at, Shift.id).limit(limit)))


def shift_dict(shift: Shift) -> dict[str, Any]:
    return {
        "id": shift.id,
        "mentor_id": shift.mentor_id,
        "mentor": shift.mentor.name,
        "start": shift.start_at.isoformat(),
        "end": shift.end_at.isoformat(),
        "seats": shift.seats,
        "seats_taken": shift.seats_taken,
        "seats_left": shift.seats_left,
        "location": shift.location,
        "specialty": shift.specialty.slug if shift.specialty else None,
        "open_to_all": shift.open_to_all,
        "notes": shift.notes,
        "status": shift.status,
        "sequence": shift.sequence,
        "series_id": shift.series_id,
    }


def attendees(session: Session, shift: Shift) -> list[Booking]:
    """Live bookings on the shift: confirmed first, then the waitlist in order."""
    return list(
        session.scalars(
            db.select(Booking)
            .where(Booking.shift_id == shift.id, Booking.status != BookingStatus.CANCELLED)
            .options(selectinload(Booking.mentee))
            .order_by(
                (Booking.status == BookingStatus.WAITLISTED).asc(),
                Booking.created_at,
                Booking.id,
            )
        )
    )
