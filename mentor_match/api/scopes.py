"""API: coordinators' site scopes — read them, and (programme-wide coordinators) set them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from mentor_match.api.base import spec
from mentor_match.api.shapes import Shape, parse_body
from mentor_match.auth import caller, coordinator_required, serves_site_scopes
from mentor_match.extensions import db
from mentor_match.services import scopes

# A site's or region's name, as `models.Site` holds it.
Name = Annotated[str, Field(min_length=1, max_length=120)]


class ScopeShape(Shape):
    """The sites (by name) and regions a coordinator looks after; both empty: the whole
    programme."""

    sites: list[Name] = Field(default_factory=list, max_length=scopes.MAX_SCOPE_ITEMS)
    regions: list[Name] = Field(default_factory=list, max_length=scopes.MAX_SCOPE_ITEMS)


SCOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["coordinator_id", "sites", "regions", "programme_wide"],
    "properties": {
        "coordinator_id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": "string"},
        "sites": {"type": "array", "items": {"type": "string"}},
        "regions": {"type": "array", "items": {"type": "string"}},
        "programme_wide": {"type": "boolean"},
    },
}


@spec.route(
    "/coordinators",
    methods=["GET"],
    summary="Every coordinator with their sites and regions (programme-wide coordinators)",
    tag="people",
    responses={
        200: {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": SCOPE_SCHEMA}},
        }
    },
)
@coordinator_required
def list_coordinators() -> dict[str, Any]:
    return {"items": scopes.list_coordinators(db.session)}


@spec.route(
    "/coordinators/<int:coordinator_id>/scope",
    methods=["GET"],
    summary="A coordinator's sites and regions (one's own, or anyone's when programme-wide)",
    tag="people",
    responses={200: SCOPE_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def get_scope(coordinator_id: int) -> dict[str, Any]:
    return scopes.read_scope(db.session, caller(), coordinator_id)


@spec.route(
    "/coordinators/<int:coordinator_id>/scope",
    methods=["PUT"],
    summary="Limit a coordinator to some sites and regions; empty lists: programme-wide",
    tag="people",
    body=ScopeShape,
    responses={200: SCOPE_SCHEMA},
)
@coordinator_required
@serves_site_scopes  # a site-scoped caller is answered 403, whoever they name
def set_scope(coordinator_id: int) -> dict[str, Any]:
    scopes.require_programme_wide(db.session, caller(), "change a coordinator's sites")
    scopes.get_coordinator(db.session, coordinator_id)  # 404 before judging the body
    body = parse_body(ScopeShape)
    return scopes.set_scope(
        db.session, caller(), coordinator_id, sites=body.sites, regions=body.regions
    )
