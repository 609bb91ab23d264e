"""API: published mentorships — list them and end one (coordinators only)."""

from __future__ import annotations

from typing import Any

from flask import request

from mentor_match.api.base import ID_SCHEMA, query_int, spec
from mentor_match.auth import caller, coordinator_required, serves_site_scopes
from mentor_match.extensions import db
from mentor_match.services import mentorships
from mentor_match.services.errors import Invalid

MENTORSHIP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "mentor_id", "mentee_id", "started_at", "ended_at", "current"],
    "properties": {
        "id": {"type": "integer"},
        "mentor_id": {"type": "integer"},
        "mentor_name": {"type": "string"},
        "mentee_id": {"type": "integer"},
        "mentee_name": {"type": "string"},
        "round_id": {"type": "integer", "nullable": True},
        "score": {"type": "number", "nullable": True},
        "started_at": {"type": "string"},
        "ended_at": {"type": "string", "nullable": True},
        "current": {"type": "boolean"},
    },
}


@spec.route(
    "/mentorships",
    methods=["GET"],
    summary="Published mentorships, newest first (?current=true|false, ?person_id=)",
    tag="mentorships",
    query=[
        {"name": "current", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}},
        {"name": "person_id", "in": "query", "schema": ID_SCHEMA},
    ],
    responses={
        200: {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": MENTORSHIP_SCHEMA}},
        }
    },
)
@coordinator_required
@serves_site_scopes
def list_mentorships() -> dict[str, Any]:
    raw = request.args.get("current")
    if raw not in (None, "", "true", "false"):
        raise Invalid(
            "'current' must be true or false",
            details=[{"field": "current", "message": "true or false"}],
        )
    current = None if not raw else raw == "true"
    person_id = query_int("person_id", 0) or None
    items = mentorships.list_mentorships(
        db.session, current=current, person_id=person_id, caller=caller()
    )
    return {"items": items}


@spec.route(
    "/mentorships/<int:mentorship_id>/end",
    methods=["POST"],
    summary="End a mentorship: the mentee rejoins the pool, the mentor gets the place back",
    tag="mentorships",
    responses={200: MENTORSHIP_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def end_mentorship(mentorship_id: int) -> dict[str, Any]:
    mentorship = mentorships.end_mentorship(db.session, mentorship_id, caller=caller())
    return mentorships.describe(db.session, mentorship)
