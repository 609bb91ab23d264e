"""API: shadowing shifts, bookings and attendance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from flask import request
from pydantic import Field

from mentor_match.api.base import ID_SCHEMA, query_int, spec
from mentor_match.api.shapes import Id, Shape, parse_body
from mentor_match.auth import caller, login_required, roles_required, serves_site_scopes
from mentor_match.edge import current_link_base
from mentor_match.extensions import db
from mentor_match.services import bookings, shifts
from mentor_match.services.errors import Invalid

SHIFT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "mentor_id", "start", "end", "seats", "seats_taken", "status"],
    "properties": {
        "id": {"type": "integer"},
        "mentor_id": {"type": "integer"},
        "mentor": {"type": "string"},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "seats": {"type": "integer", "minimum": 1, "maximum": shifts.MAX_SEATS},
        "seats_taken": {"type": "integer"},
        "seats_left": {"type": "integer"},
        "location": {"type": "string"},
        "specialty": {"type": "string", "nullable": True},
        "open_to_all": {"type": "boolean"},
        "notes": {"type": "string"},
        "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
        "sequence": {"type": "integer"},
        "series_id": {"type": "string", "nullable": True},
    },
}
BOOKING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {
        "id": {"type": "integer"},
        "shift_id": {"type": "integer"},
        "mentee_id": {"type": "integer"},
        "status": {"type": "string", "enum": ["confirmed", "waitlisted", "cancelled"]},
        "sequence": {"type": "integer"},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "attended": {"type": "boolean", "nullable": True},
        "hours": {"type": "number", "nullable": True},
        "attendance_recorded_at": {"type": "string", "format": "date-time", "nullable": True},
        "attendance_recorded_by": {"type": "string", "nullable": True},
    },
}
LIST_QUERY = [
    {"name": "mentor_id", "in": "query", "schema": ID_SCHEMA},
    {
        "name": "from",
        "in": "query",
        "schema": {"type": "string"},
        "description": "shifts starting at or after: a date-time with offset, or a date",
    },
    {"name": "to", "in": "query", "schema": {"type": "string"}, "description": "before this"},
    {"name": "bookable", "in": "query", "schema": {"type": "boolean"}},
    {
        "name": "waitlist",
        "in": "query",
        "schema": {"type": "boolean"},
        "description": "with bookable: include full shifts (their waitlist is open)",
    },
    {"name": "specialty", "in": "query", "schema": {"type": "string"}},
]


DateTimeText = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time"},
        description="ISO-8601 with a UTC offset, e.g. 2026-03-04T09:00:00-06:00",
    ),
]


class NewShift(Shape):
    """A shift to publish: a mentor's own, or a coordinator's for the mentor `mentor_id`."""

    start: DateTimeText
    end: DateTimeText
    seats: int = Field(ge=1, le=shifts.MAX_SEATS)
    location: str = Field(default="", max_length=shifts.LOCATION_MAX)
    specialty: str | None = Field(default=None, description="a specialty slug")
    open_to_all: bool = False
    notes: str = Field(default="", max_length=shifts.NOTES_MAX)
    mentor_id: Id | None = Field(default=None, description="coordinators only")


class ShiftChanges(Shape):
    """What to change on a shift; a field left out stays as it is."""

    start: DateTimeText | None = None
    end: DateTimeText | None = None
    seats: int | None = Field(default=None, ge=1, le=shifts.MAX_SEATS)
    location: str | None = Field(default=None, max_length=shifts.LOCATION_MAX)
    specialty: str | None = Field(default=None, description="a specialty slug; null for any")
    open_to_all: bool | None = None
    notes: str | None = Field(default=None, max_length=shifts.NOTES_MAX)
    mentor_id: Id | None = Field(default=None, description="coordinators only: hand the shift over")


class BookingRequest(Shape):
    """Book a seat; with `waitlist`, join the waitlist when the shift is full."""

    waitlist: bool = False


class Attendance(Shape):
    """Whether the mentee attended, and the hours to count (the whole shift when left out)."""

    attended: bool
    hours: float | None = Field(default=None, ge=0, le=shifts.MAX_SHIFT_HOURS)


def _flag(name: str) -> bool:
    raw = request.args.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise Invalid(f"'{name}' must be true or false", details=[{"field": name, "message": "bool"}])


def _query_moment(name: str, zone: str) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if len(raw) == 10:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            pass
        else:
            if not date.min < day < date.max:  # no room for the zone's offset: 422 below
                return shifts.parse_instant(raw, name)
            return shifts.local_day_start(day, zone)
    return shifts.parse_instant(raw, name)


@spec.route(
    "/shifts",
    methods=["POST"],
    summary="Publish a shift (a mentor for themself; a coordinator with mentor_id)",
    tag="shifts",
    body=NewShift,
    responses={201: SHIFT_SCHEMA},
)
@roles_required("mentor", "coordinator")
@serves_site_scopes
def create_shift() -> tuple[dict[str, Any], int]:
    data = parse_body(NewShift)
    shift = shifts.create_shift(
        db.session,
        caller(),
        start_at=shifts.parse_instant(data.start, "start"),
        end_at=shifts.parse_instant(data.end, "end"),
        details=shifts.ShiftDetails(
            seats=data.seats,
            location=data.location,
            specialty=data.specialty,
            open_to_all=data.open_to_all,
            notes=data.notes,
        ),
        mentor_id=data.mentor_id,
    )
    return shifts.shift_dict(shift), 201


@spec.route(
    "/shifts",
    methods=["GET"],
    summary="List shifts: a mentor's own, every one for coordinators, bookable ones for mentees",
    tag="shifts",
    query=LIST_QUERY,
    responses={
        200: {
            "type": "object",
            "properties": {"items": {"type": "array", "items": SHIFT_SCHEMA}},
        }
    },
)
@login_required
@serves_site_scopes
def list_shifts() -> dict[str, Any]:
    user = caller()
    mentor_id = query_int("mentor_id", 0) or None
    bookable = _flag("bookable")
    items = shifts.list_shifts(
        db.session,
        user,
        mentor_id=mentor_id,
        start_from=_query_moment("from", user.timezone),
        start_to=_query_moment("to", user.timezone),
        bookable=bookable,
        include_full=_flag("waitlist") or not bookable,
        specialty=request.args.get("specialty") or None,
    )
    return {"items": [shifts.shift_dict(s) for s in items], "total": len(items)}


@spec.route(
    "/shifts/<int:shift_id>",
    methods=["GET"],
    summary="One shift (with its bookings for its mentor and coordinators)",
    tag="shifts",
    responses={200: SHIFT_SCHEMA},
)
@login_required
@serves_site_scopes
def get_shift(shift_id: int) -> dict[str, Any]:
    user = caller()
    shift = shifts.get_shift(db.session, user, shift_id)
    out = shifts.shift_dict(shift)
    if shifts.may_manage(user, shift):
        out["bookings"] = [
            {**bookings.booking_dict(b), "mentee": b.mentee.name, "email": b.mentee.email}
            for b in shifts.attendees(db.session, shift)
        ]
    return out


@spec.route(
    "/shifts/<int:shift_id>",
    methods=["PATCH"],
    summary="Reschedule, move or change the seats of a shift; a coordinator may hand it to "
    "another mentor (mentor_id)",
    tag="shifts",
    body=ShiftChanges,
    responses={200: SHIFT_SCHEMA},
)
@roles_required("mentor", "coordinator")
@serves_site_scopes
def update_shift(shift_id: int) -> dict[str, Any]:
    # Only the fields sent change; null clears the specialty ("any").
    data = parse_body(ShiftChanges).model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    for name in ("start", "end"):
        if name in data:
            changes[f"{name}_at"] = shifts.parse_instant(data.pop(name), name)
    changes.update(data)
    shift = shifts.update_shift(
        db.session, caller(), shift_id, links=current_link_base(), **changes
    )
    return shifts.shift_dict(shift)


@spec.route(
    "/shifts/<int:shift_id>",
    methods=["DELETE"],
    summary="Cancel a shift and every booking on it",
    tag="shifts",
    responses={200: SHIFT_SCHEMA},
)
@roles_required("mentor", "coordinator")
@serves_site_scopes
def cancel_shift(shift_id: int) -> dict[str, Any]:
    shift = shifts.cancel_shift(db.session, caller(), shift_id, links=current_link_base())
    return shifts.shift_dict(shift)


@spec.route(
    "/shifts/<int:shift_id>/bookings",
    methods=["POST"],
    summary="Book a seat on a shift, or join its waitlist",
    tag="bookings",
    body=BookingRequest,
    body_required=False,
    responses={201: BOOKING_SCHEMA},
)
@roles_required("mentee")
def book_shift(shift_id: int) -> tuple[dict[str, Any], int]:
    wanted = parse_body(BookingRequest) if request.get_data() else BookingRequest()
    booking = bookings.book_shift(
        db.session, caller(), shift_id, links=current_link_base(), waitlist=wanted.waitlist
    )
    return bookings.booking_dict(booking), 201


@spec.route(
    "/me/bookings",
    methods=["GET"],
    summary="The caller's own bookings, soonest first",
    tag="bookings",
    responses={
        200: {"type": "object", "properties": {"items": {"type": "array", "items": BOOKING_SCHEMA}}}
    },
)
@roles_required("mentee")
def my_bookings() -> dict[str, Any]:
    items = bookings.bookings_of(db.session, caller())
    return {"items": [bookings.booking_dict(b) for b in items], "total": len(items)}


@spec.route(
    "/bookings/<int:booking_id>",
    methods=["GET"],
    summary="One booking (the mentee's own, the shift mentor's, or any for coordinators)",
    tag="bookings",
    responses={200: BOOKING_SCHEMA},
)
@login_required
@serves_site_scopes
def get_booking(booking_id: int) -> dict[str, Any]:
    return bookings.booking_dict(bookings.get_booking(db.session, caller(), booking_id))


@spec.route(
    "/bookings/<int:booking_id>",
    methods=["DELETE"],
    summary="Cancel a booking; the first waitlisted mentee gets the seat",
    tag="bookings",
    responses={200: BOOKING_SCHEMA},
)
@login_required
@serves_site_scopes
def cancel_booking(booking_id: int) -> dict[str, Any]:
    booking = bookings.cancel_booking(db.session, caller(), booking_id, links=current_link_base())
    return bookings.booking_dict(booking)


@spec.route(
    "/bookings/<int:booking_id>/attendance",
    methods=["POST"],
    summary="Record attendance and hours (the shift's mentor or a coordinator)",
    tag="bookings",
    body=Attendance,
    responses={200: BOOKING_SCHEMA},
)
@roles_required("mentor", "coordinator", "mentee")
@serves_site_scopes
def record_attendance(booking_id: int) -> dict[str, Any]:
    try:
        data = parse_body(Attendance)
    except Invalid:
        bookings.get_booking(db.session, caller(), booking_id)  # an unknown booking is a 404
        raise
    booking = bookings.record_attendance(
        db.session, caller(), booking_id, attended=data.attended, hours=data.hours
    )
    return bookings.booking_dict(booking)
