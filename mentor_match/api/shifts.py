"""API: shadowing shifts, bookings and attendance."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import request

from mentor_match.api.base import MAX_ID, json_body, json_object_with, query_int, spec
from mentor_match.auth import acting_user, login_required, roles_required
from mentor_match.extensions import db
from mentor_match.models import User
from mentor_match.services import bookings, shifts
from mentor_match.services.errors import Invalid
from mentor_match.views import current_site

SHIFT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "mentor_id", "start", "end", "seats", "seats_taken", "status"],
    "properties": {
        "id": {"type": "integer"},
        "mentor_id": {"type": "integer"},
        "mentor": {"type": "string"},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "seats": {"type": "integer", "minimum": 1, "maximum": 50},
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
SHIFT_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "start": {"type": "string", "format": "date-time", "description": "with a UTC offset"},
        "end": {"type": "string", "format": "date-time", "description": "with a UTC offset"},
        "seats": {"type": "integer", "minimum": 1, "maximum": 50},
        "location": {"type": "string", "maxLength": 200},
        "specialty": {"type": "string", "description": "a specialty slug"},
        "open_to_all": {"type": "boolean"},
        "notes": {"type": "string", "maxLength": 2000},
        "mentor_id": {"type": "integer", "description": "coordinators only"},
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
    },
}
LIST_QUERY = [
    {"name": "mentor_id", "in": "query", "schema": {"type": "integer"}},
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


def _caller() -> User:
    user = acting_user()
    assert user is not None  # the decorators let no anonymous caller through
    return user


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
            return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return shifts.parse_instant(raw, name)


def _details(data: dict[str, Any]) -> shifts.ShiftDetails:
    return shifts.ShiftDetails(
        seats=data.get("seats"),  # type: ignore[arg-type]  (checked by the service)
        location=data.get("location", ""),
        specialty=data.get("specialty"),
        open_to_all=data.get("open_to_all", False),
        notes=data.get("notes", ""),
    )


@spec.route(
    "/shifts",
    methods=["POST"],
    summary="Publish a shift (a mentor for themself; a coordinator with mentor_id)",
    tag="shifts",
    body={**SHIFT_BODY, "required": ["start", "end", "seats"]},
    responses={201: SHIFT_SCHEMA},
)
@roles_required("mentor", "coordinator")
def create_shift() -> tuple[dict[str, Any], int]:
    data = json_body()
    mentor_id = data.get("mentor_id")
    if mentor_id is not None and (
        isinstance(mentor_id, bool) or not isinstance(mentor_id, int) or not 0 < mentor_id <= MAX_ID
    ):
        raise Invalid("'mentor_id' must be a mentor's id", details=[{"field": "mentor_id"}])
    shift = shifts.create_shift(
        db.session,
        _caller(),
        start_at=shifts.parse_instant(data.get("start"), "start"),
        end_at=shifts.parse_instant(data.get("end"), "end"),
        details=_details(data),
        mentor_id=mentor_id,
    )
    db.session.commit()
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
def list_shifts() -> dict[str, Any]:
    user = _caller()
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
def get_shift(shift_id: int) -> dict[str, Any]:
    user = _caller()
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
    summary="Reschedule, move or change the seats of a shift",
    tag="shifts",
    body=SHIFT_BODY,
    responses={200: SHIFT_SCHEMA},
)
@roles_required("mentor", "coordinator")
def update_shift(shift_id: int) -> dict[str, Any]:
    # mentor_id is tolerated (clients echo the shift back) but never changes the owner.
    data = json_object_with(set(SHIFT_BODY["properties"]) | {"mentor_id"})
    changes: dict[str, Any] = {}
    for name in ("start", "end"):
        if name in data:
            changes[f"{name}_at"] = shifts.parse_instant(data[name], name)
    for name in ("seats", "location", "open_to_all", "notes"):
        if name in data:
            changes[name] = data[name]
    if "specialty" in data:
        changes["specialty"] = data["specialty"]
    shift = shifts.update_shift(db.session, _caller(), shift_id, site=current_site(), **changes)
    db.session.commit()
    return shifts.shift_dict(shift)


@spec.route(
    "/shifts/<int:shift_id>",
    methods=["DELETE"],
    summary="Cancel a shift and every booking on it",
    tag="shifts",
    responses={200: SHIFT_SCHEMA},
)
@roles_required("mentor", "coordinator")
def cancel_shift(shift_id: int) -> dict[str, Any]:
    shift = shifts.cancel_shift(db.session, _caller(), shift_id, site=current_site())
    db.session.commit()
    return shifts.shift_dict(shift)


@spec.route(
    "/shifts/<int:shift_id>/bookings",
    methods=["POST"],
    summary="Book a seat on a shift, or join its waitlist",
    tag="bookings",
    body={"type": "object", "properties": {"waitlist": {"type": "boolean"}}},
    responses={201: BOOKING_SCHEMA},
)
@roles_required("mentee")
def book_shift(shift_id: int) -> tuple[dict[str, Any], int]:
    data = json_body() if request.get_data() else {}
    booking = bookings.book_shift(
        db.session, _caller(), shift_id, site=current_site(), waitlist=data.get("waitlist", False)
    )
    db.session.commit()
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
    items = bookings.bookings_of(db.session, _caller())
    return {"items": [bookings.booking_dict(b) for b in items], "total": len(items)}


@spec.route(
    "/bookings/<int:booking_id>",
    methods=["GET"],
    summary="One booking (the mentee's own, the shift mentor's, or any for coordinators)",
    tag="bookings",
    responses={200: BOOKING_SCHEMA},
)
@login_required
def get_booking(booking_id: int) -> dict[str, Any]:
    return bookings.booking_dict(bookings.get_booking(db.session, _caller(), booking_id))


@spec.route(
    "/bookings/<int:booking_id>",
    methods=["DELETE"],
    summary="Cancel a booking; the first waitlisted mentee gets the seat",
    tag="bookings",
    responses={200: BOOKING_SCHEMA},
)
@login_required
def cancel_booking(booking_id: int) -> dict[str, Any]:
    booking = bookings.cancel_booking(db.session, _caller(), booking_id, site=current_site())
    db.session.commit()
    return bookings.booking_dict(booking)


@spec.route(
    "/bookings/<int:booking_id>/attendance",
    methods=["POST"],
    summary="Record attendance and hours (the shift's mentor or a coordinator)",
    tag="bookings",
    body={
        "type": "object",
        "required": ["attended"],
        "properties": {
            "attended": {"type": "boolean"},
            "hours": {"type": "number", "minimum": 0, "maximum": 24},
        },
    },
    responses={200: BOOKING_SCHEMA},
)
@roles_required("mentor", "coordinator", "mentee")
def record_attendance(booking_id: int) -> dict[str, Any]:
    data = json_body()
    booking = bookings.record_attendance(
        db.session,
        _caller(),
        booking_id,
        attended=data.get("attended"),  # type: ignore[arg-type]  (checked by the service)
        hours=data.get("hours"),
    )
    db.session.commit()
    return bookings.booking_dict(booking)
