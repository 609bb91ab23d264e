"""API: booking invites as .ics, and the caller's calendar subscription URLs."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from mentor_match.api.base import spec
from mentor_match.auth import caller, login_required, roles_required, serves_site_scopes
from mentor_match.edge import current_link_base, invite_download
from mentor_match.extensions import db
from mentor_match.services import bookings, calendars

URLS_SCHEMA = {
    "type": "object",
    "required": ["feed_url", "webcal_url"],
    "properties": {
        "feed_url": {"type": "string", "format": "uri"},
        "webcal_url": {"type": "string"},
    },
}


@spec.route(
    "/bookings/<int:booking_id>/invite.ics",
    methods=["GET"],
    summary="The booking's calendar invite: METHOD:REQUEST, or METHOD:CANCEL once cancelled",
    tag="calendar",
    responses={200: {"type": "string"}},
    response_type="text/calendar",
)
@login_required
@serves_site_scopes
def booking_invite(booking_id: int) -> Response:
    booking = bookings.get_booking(db.session, caller(), booking_id)
    method, text = calendars.booking_invite(booking, current_link_base())
    return invite_download(booking.id, method, text)


@spec.route(
    "/me/calendar",
    methods=["GET"],
    summary="The caller's calendar feed URLs (https and webcal)",
    tag="calendar",
    responses={200: URLS_SCHEMA},
)
@roles_required("mentor", "mentee")
def my_calendar() -> dict[str, Any]:
    token = calendars.feed_token(db.session, caller(), current_app.secret_key)
    return current_link_base().feed_urls(token)


@spec.route(
    "/me/calendar/rotate",
    methods=["POST"],
    summary="Replace the caller's feed URL; the old one answers 404 from now on",
    tag="calendar",
    responses={200: URLS_SCHEMA},
)
@roles_required("mentor", "mentee")
def rotate_calendar() -> dict[str, Any]:
    token = calendars.rotate_feed_token(db.session, caller(), current_app.secret_key)
    return current_link_base().feed_urls(token)
