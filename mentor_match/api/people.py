"""API: the programme's mentors and mentees (coordinators only)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from mentor_match.api.base import PAGE_PARAMS, query_int, spec
from mentor_match.api.shapes import Shape, parse_body
from mentor_match.auth import caller, coordinator_required, serves_site_scopes
from mentor_match.extensions import db
from mentor_match.models.enums import Role
from mentor_match.services import mentorships, people, scopes

PERSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "email",
        "name",
        "site",
        "region",
        "timezone",
        "specialties",
        "availability",
    ],
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string"},
        "name": {"type": "string"},
        "site": {"type": "string", "nullable": True},
        "region": {"type": "string", "nullable": True},
        "timezone": {"type": "string"},
        "specialties": {"type": "array", "items": {"type": "string"}},
        "availability": {"type": "array", "items": {"type": "string"}},
        "capacity": {"type": "integer"},
    },
}
LIST_SCHEMA = {
    "type": "object",
    "required": ["items", "total"],
    "properties": {
        "items": {"type": "array", "items": PERSON_SCHEMA},
        "total": {"type": "integer"},
    },
}
QUERY = PAGE_PARAMS + [{"name": "q", "in": "query", "schema": {"type": "string"}}]


def _list(role: str) -> dict[str, Any]:
    page = people.list_people(
        db.session,
        role,
        query=request.args.get("q", ""),
        page=query_int("page", 1),
        per_page=query_int("per_page", 50),
        max_per_page=current_app.config["PER_PAGE_MAX"],
        within=scopes.visible_site_ids(db.session, caller()),
    )
    return {
        "items": [people.person_dict(u) for u in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
    }


@spec.route(
    "/mentors",
    methods=["GET"],
    summary="List mentors",
    tag="people",
    query=QUERY,
    responses={200: LIST_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def list_mentors() -> dict[str, Any]:
    return _list(Role.MENTOR)


@spec.route(
    "/mentees",
    methods=["GET"],
    summary="List mentees",
    tag="people",
    query=QUERY,
    responses={200: LIST_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def list_mentees() -> dict[str, Any]:
    return _list(Role.MENTEE)


class ActiveChange(Shape):
    """In the programme (true) or out of it (false)."""

    active: bool


@spec.route(
    "/people/<int:user_id>",
    methods=["PATCH"],
    summary="Take a mentor or mentee out of the programme, or back in ({'active': bool})",
    tag="people",
    body=ActiveChange,
    responses={200: PERSON_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def update_person(user_id: int) -> dict[str, Any]:
    people.get_person(db.session, user_id, caller())  # 404 before judging the body
    change = parse_body(ActiveChange)
    user = mentorships.set_active(db.session, user_id, change.active, caller())
    return people.person_dict(user)
