"""API: the programme dashboard's series, the same numbers as the page's charts and tables."""

from __future__ import annotations

from typing import Any

from flask import request

from mentor_match.api.base import spec
from mentor_match.auth import caller, coordinator_required, serves_site_scopes
from mentor_match.extensions import db
from mentor_match.services import programme_dashboard as board
from mentor_match.services import scopes

DASHBOARD_QUERY = [
    {
        "name": "from",
        "in": "query",
        "schema": {"type": "string", "format": "date"},
        "description": "first day included (UTC); default: the Monday twelve weeks ago",
    },
    {
        "name": "to",
        "in": "query",
        "schema": {"type": "string", "format": "date"},
        "description": f"last day included (UTC); default: four weeks from today; "
        f"less than {board.MAX_RANGE_DAYS} days after 'from'",
    },
    {
        "name": "site",
        "in": "query",
        "schema": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
            "maxItems": board.MAX_SITES,
        },
        "style": "form",
        "explode": True,
        "description": "only these sites' mentees, mentors and their shifts (repeat it, "
        "?site=1&site=2, for several); default: every site, or all of a site-scoped "
        "coordinator's sites",
    },
]
DASHBOARD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["filters", "sections", "charts"],
    "properties": {
        "filters": {
            "type": "object",
            "properties": {
                "from": {"type": "string", "format": "date"},
                "to": {"type": "string", "format": "date"},
                "site": {
                    "type": "integer",
                    "nullable": True,
                    "description": "the site when exactly one is shown",
                },
                "site_name": {"type": "string", "nullable": True},
                "sites": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "description": "the sites shown; empty for every site",
                },
                "site_names": {"type": "array", "items": {"type": "string"}},
            },
        },
        "sections": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "key": {"type": "string"},
                    "title": {"type": "string"},
                    "charts": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "charts": {
            "type": "object",
            "description": "by chart key: its title, one-sentence summary, columns and rows "
            "(one object per row, keyed by column key)",
            "additionalProperties": {
                "type": "object",
                "required": ["title", "summary", "columns", "rows"],
                "properties": {
                    "title": {"type": "string"},
                    "summary": {"type": "string"},
                    "columns": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"key": {"type": "string"}, "label": {"type": "string"}},
                        },
                    },
                    "rows": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
    },
}


@spec.route(
    "/dashboard",
    methods=["GET"],
    summary="The programme dashboard's series: every chart's numbers for a date range and site",
    tag="dashboard",
    query=DASHBOARD_QUERY,
    responses={200: DASHBOARD_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def dashboard() -> dict[str, Any]:
    within = scopes.visible_site_ids(db.session, caller())
    filters = board.parse_filters(db.session, request.args, within=within)
    return board.dashboard_dict(board.dashboard(db.session, filters))
