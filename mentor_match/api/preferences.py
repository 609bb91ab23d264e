"""API: rankings from both sides while a round is a draft, and the coordinator's view of them."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mentor_match.api.base import spec
from mentor_match.api.shapes import Id, Shape, parse_body
from mentor_match.auth import caller, coordinator_required, roles_required, serves_site_scopes
from mentor_match.extensions import db
from mentor_match.services import preferences
from mentor_match.services.rounds import get_round, round_summary


class RankingShape(Shape):
    """Ids of the people you would accept, most wanted first; anyone left off is unacceptable."""

    ranking: list[Id] = Field(max_length=preferences.MAX_RANKING)


CANDIDATE = {
    "type": "object",
    "required": ["id", "name", "score", "rank"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "score": {"type": "number"},
        "breakdown": {"type": "object", "additionalProperties": {"type": "number"}},
        "overlap_hours": {"type": "number"},
        "rank": {"type": "integer", "nullable": True},
    },
}
MINE_SCHEMA = {
    "type": "object",
    "required": ["round_id", "open", "side", "submitted", "items"],
    "properties": {
        "round_id": {"type": "integer"},
        "round_name": {"type": "string"},
        "mode": {"type": "string"},
        "open": {"type": "boolean"},
        "side": {"type": "string", "enum": ["mentee", "mentor"]},
        "submitted": {"type": "boolean"},
        "submitted_at": {"type": "string", "nullable": True},
        "items": {"type": "array", "items": CANDIDATE},
    },
}
SUBMISSIONS_SCHEMA = {
    "type": "object",
    "required": ["round_id", "open", "people"],
    "properties": {
        "round_id": {"type": "integer"},
        "open": {"type": "boolean"},
        "closed_at": {"type": "string", "nullable": True},
        "mentees_submitted": {"type": "integer"},
        "mentees": {"type": "integer"},
        "mentors_submitted": {"type": "integer"},
        "mentors": {"type": "integer"},
        "people": {"type": "array", "items": {"type": "object"}},
    },
}


@spec.route(
    "/rounds/<int:round_id>/preferences",
    methods=["PUT"],
    summary="Submit your ranking (a mentee ranks mentors, a mentor ranks mentees) while the "
    "round is a draft; anyone left off is unacceptable",
    tag="preferences",
    body=RankingShape,
    responses={200: MINE_SCHEMA},
)
@roles_required("mentee", "mentor")
def submit_ranking(round_id: int) -> dict[str, Any]:
    get_round(db.session, round_id)  # an unknown round is a 404 whatever the body
    body = parse_body(RankingShape)
    return preferences.submit_ranking(db.session, round_id, caller(), list(body.ranking))


@spec.route(
    "/rounds/<int:round_id>/preferences/mine",
    methods=["GET"],
    summary="The people you can rank in this round, with scores, in your current order",
    tag="preferences",
    responses={200: MINE_SCHEMA},
)
@roles_required("mentee", "mentor")
def my_ranking(round_id: int) -> dict[str, Any]:
    return preferences.my_candidates(db.session, round_id, caller())


@spec.route(
    "/rounds/<int:round_id>/preferences",
    methods=["GET"],
    summary="Who in the pool has submitted a ranking (coordinators)",
    tag="preferences",
    responses={200: SUBMISSIONS_SCHEMA},
)
@coordinator_required
@serves_site_scopes  # rounds over the caller's sites only
def ranking_submissions(round_id: int) -> dict[str, Any]:
    return preferences.submissions(db.session, round_id, caller())


@spec.route(
    "/rounds/<int:round_id>/preferences/close",
    methods=["POST"],
    summary="Close the preference window: the next run uses the rankings submitted so far",
    tag="preferences",
    responses={200: {"type": "object"}},
)
@coordinator_required
@serves_site_scopes  # rounds over the caller's sites only
def close_preferences(round_id: int) -> dict[str, Any]:
    return round_summary(preferences.close_preferences(db.session, round_id, caller()))
