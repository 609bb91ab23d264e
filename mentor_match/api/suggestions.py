"""API: self-select rounds -- a mentee's suggested mentors, requests and the mentor's answer."""

from __future__ import annotations

from typing import Any

from mentor_match.api.base import ID_SCHEMA, query_int, spec
from mentor_match.api.shapes import Id, Shape, parse_body
from mentor_match.auth import caller, roles_required, serves_site_scopes
from mentor_match.edge import base_url
from mentor_match.extensions import db
from mentor_match.services import suggestions


class RequestShape(Shape):
    """Ask one of your suggested mentors to take you on."""

    mentor_id: Id


REQUEST = {
    "type": "object",
    "required": ["id", "mentee_id", "mentor_id", "status", "expires_at"],
    "properties": {
        "id": {"type": "integer"},
        "mentee_id": {"type": "integer"},
        "mentor_id": {"type": "integer"},
        "mentee_name": {"type": "string"},
        "mentor_name": {"type": "string"},
        "status": {"type": "string", "enum": list(suggestions.STATUSES)},
        "created_at": {"type": "string"},
        "expires_at": {"type": "string"},
        "answered_at": {"type": "string", "nullable": True},
    },
}
SUGGESTIONS_SCHEMA = {
    "type": "object",
    "required": ["items", "requests", "has_mentor", "can_ask"],
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["mentor_id", "mentor_name", "score", "breakdown"],
                "properties": {
                    "mentor_id": {"type": "integer"},
                    "mentor_name": {"type": "string"},
                    "round_id": {"type": "integer"},
                    "score": {"type": "number"},
                    "breakdown": {"type": "object", "additionalProperties": {"type": "number"}},
                    "overlap_hours": {"type": "number"},
                    "request_status": {"type": "string", "nullable": True},
                },
            },
        },
        "requests": {"type": "array", "items": REQUEST},
        "has_mentor": {"type": "boolean"},
        "can_ask": {"type": "boolean"},
    },
}
BOARD_SCHEMA = {
    "type": "object",
    "required": ["counts", "total", "items"],
    "properties": {
        "counts": {
            "type": "object",
            "properties": {s: {"type": "integer"} for s in suggestions.STATUSES},
        },
        "total": {"type": "integer"},
        "items": {"type": "array", "items": REQUEST},
    },
}
MENTORSHIP = {
    "type": "object",
    "properties": {
        "request": REQUEST,
        "mentorship_id": {"type": "integer"},
    },
}


def _one(request_id: int) -> dict[str, Any]:
    user = caller()
    found = [
        r for r in suggestions.requests_for(db.session, user)["items"] if r["id"] == request_id
    ]
    return found[0]


@spec.route(
    "/me/suggestions",
    methods=["GET"],
    summary="Your suggested mentors from self-select rounds, with reasons, and your requests",
    tag="suggestions",
    responses={200: SUGGESTIONS_SCHEMA},
)
@roles_required("mentee")
def my_suggestions() -> dict[str, Any]:
    return suggestions.my_suggestions(db.session, caller())


@spec.route(
    "/requests",
    methods=["POST"],
    summary="Ask one of your suggested mentors (one open request at a time; expires in 7 days)",
    tag="suggestions",
    body=RequestShape,
    responses={201: REQUEST},
)
@roles_required("mentee")
def create_request() -> tuple[dict[str, Any], int]:
    body = parse_body(RequestShape)
    made = suggestions.request_mentor(db.session, caller(), body.mentor_id, base_url())
    return _one(made.id), 201


@spec.route(
    "/requests",
    methods=["GET"],
    summary="Requests you may see (a mentee's own, a mentor's received, all for coordinators), "
    "with counts by status",
    tag="suggestions",
    query=[{"name": "round_id", "in": "query", "schema": ID_SCHEMA}],
    responses={200: BOARD_SCHEMA},
)
@roles_required("mentee", "mentor", "coordinator")
@serves_site_scopes  # a site-scoped coordinator: the requests of the rounds over their sites
def list_requests() -> dict[str, Any]:
    round_id = query_int("round_id", 0) or None
    return suggestions.requests_for(db.session, caller(), round_id=round_id)


@spec.route(
    "/requests/<int:request_id>/accept",
    methods=["POST"],
    summary="Accept a request: creates the mentorship if you still have a place "
    "(409 mentor_full otherwise)",
    tag="suggestions",
    responses={200: MENTORSHIP},
)
@roles_required("mentor")
def accept_request(request_id: int) -> dict[str, Any]:
    mentorship = suggestions.accept_request(db.session, caller(), request_id)
    return {"request": _one(request_id), "mentorship_id": mentorship.id}


@spec.route(
    "/requests/<int:request_id>/decline",
    methods=["POST"],
    summary="Decline a request; the mentee may ask another suggested mentor",
    tag="suggestions",
    responses={200: MENTORSHIP},
)
@roles_required("mentor")
def decline_request(request_id: int) -> dict[str, Any]:
    suggestions.decline_request(db.session, caller(), request_id)
    return {"request": _one(request_id)}
