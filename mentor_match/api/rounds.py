"""API: match rounds -- create, run, review, pin, exclude and publish (coordinators only)."""

from __future__ import annotations

from typing import Any, Literal

from flask import current_app, request
from pydantic import Field

from mentor_match.api.base import ID_SCHEMA, PAGE_PARAMS, query_int, spec
from mentor_match.api.shapes import Id, Shape, parse_body
from mentor_match.auth import caller, coordinator_required, serves_site_scopes
from mentor_match.background import start_round_run
from mentor_match.edge import base_url
from mentor_match.extensions import db
from mentor_match.services import people, rounds
from mentor_match.services.errors import Invalid
from mentor_match.services.rounds import review
from mentor_match.services.rounds.modes import blocking_pairs

NUMBER = {"type": "number"}
BREAKDOWN = {"type": "object", "additionalProperties": NUMBER}
CERTIFICATE_SCHEMA = {
    "type": "object",
    "description": "What proved the answer optimal: sparse solves (passes), pairs whose "
    "reduced cost was computed, pairs in the last solved graph, candidates per mentee (k; "
    "null when every feasible pair was solved at once).",
    "properties": {
        "passes": {"type": "integer"},
        "pairs_examined": {"type": "integer"},
        "mentees_scanned": {"type": "integer"},
        "candidates_kept": {"type": "integer"},
        "pairs_added": {"type": "integer"},
        "k": {"type": "integer", "nullable": True},
    },
}
STATS_SCHEMA = {
    "type": "object",
    "required": list(rounds.STATS_KEYS),
    "properties": {
        **{key: NUMBER for key in rounds.STATS_KEYS},
        "optimality": {"type": "string", "enum": ["proven"]},
        "certificate": CERTIFICATE_SCHEMA,
    },
}
MATCH_SCHEMA = {
    "type": "object",
    "required": ["mentee_id", "mentor_id", "score", "breakdown", "pinned"],
    "properties": {
        "mentee_id": {"type": "integer"},
        "mentor_id": {"type": "integer"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "breakdown": BREAKDOWN,
        "pinned": {"type": "boolean"},
        "mentee_name": {"type": "string"},
        "mentor_name": {"type": "string"},
    },
}
UNMATCHED_SCHEMA = {
    "type": "object",
    "required": ["mentee_id", "reason"],
    "properties": {
        "mentee_id": {"type": "integer"},
        "reason": {
            "type": "string",
            "enum": list(rounds.REASON_TEXT),
        },
        "message": {"type": "string"},
        "mentor_ids": {"type": "array", "items": {"type": "integer"}},
    },
}
STATUS = {"type": "string", "enum": ["draft", "running", "proposed", "published", "failed"]}
SUMMARY_SCHEMA = {
    "type": "object",
    "required": ["id", "name", "status", "stats"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "status": STATUS,
        "weights": BREAKDOWN,
        "min_overlap_hours": NUMBER,
        "progress_stage": {"type": "string"},
        "progress": NUMBER,
        "error": {"type": "string"},
        "mode": {"type": "string", "enum": list(rounds.MODE_LABELS)},
        "raise_lowest": {"type": "boolean"},
        "suggestions": {"type": "integer"},
        "preferences_open": {"type": "boolean"},
        "price_of_stability": {"type": "string"},
        "stats": STATS_SCHEMA,
    },
}
PAIR_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"mentee_id": ID_SCHEMA, "mentor_id": ID_SCHEMA},
    },
}
ROUND_SCHEMA = {
    "type": "object",
    "required": ["id", "name", "status", "matches", "unmatched", "stats"],
    "properties": SUMMARY_SCHEMA["properties"]
    | {
        "matches": {"type": "array", "items": MATCH_SCHEMA},
        "unmatched": {"type": "array", "items": UNMATCHED_SCHEMA},
        "pins": PAIR_LIST,
        "exclusions": PAIR_LIST,
        # Only when a page was asked for (page, per_page, q, sort or reason):
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "matches_total": {"type": "integer"},
        "unmatched_total": {"type": "integer"},
    },
}


class RoundWeights(Shape):
    """How much each factor counts; a factor left out keeps its default weight."""

    specialty: float | None = None
    availability: float | None = None
    site: float | None = None
    region: float | None = None
    preference: float | None = None
    saturation_hours: float | None = None


assert set(RoundWeights.model_fields) == set(rounds.WEIGHT_LABELS)  # one list of factors


class NewRound(Shape):
    """A draft round: its name, the factors' weights and the weekly hours a pair must share."""

    name: str = Field(min_length=1, max_length=rounds.NAME_MAX)
    weights: RoundWeights | None = None
    min_overlap_hours: float | None = Field(
        default=rounds.DEFAULT_MIN_OVERLAP, ge=0, le=rounds.MAX_MIN_OVERLAP
    )
    mode: Literal[tuple(rounds.MODE_LABELS)] = "optimal"  # type: ignore[valid-type]
    raise_lowest: bool = False
    suggestions: int = Field(default=rounds.DEFAULT_SUGGESTIONS, ge=1, le=rounds.MAX_SUGGESTIONS)


class Pair(Shape):
    """A mentee and a mentor of the round's pool."""

    mentee_id: Id
    mentor_id: Id


PAIR_RESULT = {
    "type": "object",
    "required": ["round_id", "mentee_id", "mentor_id"],
    "properties": {
        "round_id": {"type": "integer"},
        "mentee_id": {"type": "integer"},
        "mentor_id": {"type": "integer"},
    },
}
BLOCKING_SCHEMA = {
    "type": "object",
    "required": ["round_id", "blocking_pairs", "items"],
    "properties": {
        "round_id": {"type": "integer"},
        "mode": {"type": "string"},
        "blocking_pairs": {"type": "integer"},
        "under": {"type": "string"},
        "listed": {"type": "integer"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "mentee_id": {"type": "integer"},
                    "mentor_id": {"type": "integer"},
                    "mentee_name": {"type": "string"},
                    "mentor_name": {"type": "string"},
                },
            },
        },
    },
}
CANDIDATES_SCHEMA = {
    "type": "object",
    "required": ["mentee_id", "items"],
    "properties": {
        "mentee_id": {"type": "integer"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["mentor_id", "score", "breakdown"],
                "properties": {
                    "mentor_id": {"type": "integer"},
                    "mentor_name": {"type": "string"},
                    "score": {"type": "number"},
                    "breakdown": BREAKDOWN,
                    "overlap_hours": NUMBER,
                    "proposed": {"type": "boolean"},
                    "pinned": {"type": "boolean"},
                    "places_left": {"type": "integer"},
                },
            },
        },
    },
}


def _round(round_id: int) -> dict[str, Any]:
    return rounds.round_dict(db.session, rounds.get_round(db.session, round_id, caller()))


@spec.route(
    "/rounds",
    methods=["POST"],
    summary="Create a match round (draft) with its weights and minimum overlap",
    tag="rounds",
    body=NewRound,
    responses={201: ROUND_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def create_round() -> tuple[dict[str, Any], int]:
    data = parse_body(NewRound)
    match_round = rounds.create_round(
        db.session,
        caller(),
        data.name,
        data.weights.model_dump(exclude_unset=True) if data.weights else None,
        data.min_overlap_hours,
        data.mode,
        data.raise_lowest,
        data.suggestions,
    )
    return _round(match_round.id), 201


@spec.route(
    "/rounds",
    methods=["GET"],
    summary="List match rounds, newest first",
    tag="rounds",
    responses={200: {"type": "object", "properties": {"items": {"type": "array"}}}},
)
@coordinator_required
@serves_site_scopes
def list_rounds() -> dict[str, Any]:
    items = [rounds.round_summary(r) for r in rounds.list_rounds(db.session, caller())]
    return {"items": items, "total": len(items)}


ROUND_PAGE_PARAMS = PAGE_PARAMS + [
    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100}},
    {
        "name": "sort",
        "in": "query",
        "schema": {"type": "string", "enum": list(review.REVIEW_SORTS)},
    },
    {
        "name": "reason",
        "in": "query",
        "schema": {"type": "string", "enum": list(rounds.REASON_TEXT)},
    },
]
PAGED_KEYS = ("page", "per_page", "q", "sort", "reason")


def _paged_round(round_id: int) -> dict[str, Any]:
    """The round with one page of its pairs and one of its unmatched mentees (the same page
    number), filtered and sorted as the review page does; the totals say how many there are."""
    match_round = rounds.get_round(db.session, round_id, caller())
    page = query_int("page", 1)
    per_page = query_int("per_page", review.REVIEW_PER_PAGE)
    sort = request.args.get("sort", "mentee")
    reason = request.args.get("reason", "")
    review.check_review_options(
        sort=sort,
        reason=reason,
        page=page,
        per_page=per_page,
        max_per_page=current_app.config["PER_PAGE_MAX"],
    )
    shown = review.review_page(
        db.session,
        round_id,
        q=people.check_search(request.args.get("q", ""))[:100],
        sort=sort,
        reason=reason,
        page=page,
        per_page=per_page,
        unmatched_page=page,
    )
    data = rounds.round_summary(match_round)
    data.update(
        matches=shown.matches if page <= shown.pages else [],
        unmatched=shown.unmatched if page <= shown.unmatched_pages else [],
        pins=shown.pins,
        exclusions=shown.exclusions,
        page=page,
        per_page=per_page,
        matches_total=shown.total,
        unmatched_total=shown.unmatched_shown,
    )
    return data


@spec.route(
    "/rounds/<int:round_id>",
    methods=["GET"],
    summary="A round: status, progress, proposed pairs with score breakdowns, unmatched, stats"
    " (every pair; or one page of them with page/per_page, filtered by q, sort and reason)",
    tag="rounds",
    query=ROUND_PAGE_PARAMS,
    responses={200: ROUND_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def get_round(round_id: int) -> dict[str, Any]:
    if any(key in request.args for key in PAGED_KEYS):
        return _paged_round(round_id)
    return _round(round_id)


@spec.route(
    "/rounds/<int:round_id>/run",
    methods=["POST"],
    summary="Run the solver: 200 with the result when it finishes quickly, else 202; poll GET",
    tag="rounds",
    responses={200: ROUND_SCHEMA, 202: ROUND_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def run_round(round_id: int) -> tuple[dict[str, Any], int]:
    rounds.get_round(db.session, round_id, caller())  # 404: not a round of the caller's sites
    finished = start_round_run(round_id)
    return _round(round_id), 200 if finished else 202


@spec.route(
    "/rounds/<int:round_id>/candidates",
    methods=["GET"],
    summary="Every feasible mentor for a mentee, scored as the solver scores them, best first",
    tag="rounds",
    query=[{"name": "mentee_id", "in": "query", "required": True, "schema": ID_SCHEMA}],
    responses={200: CANDIDATES_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def round_candidates(round_id: int) -> dict[str, Any]:
    mentee_id = query_int("mentee_id", 0)
    if mentee_id <= 0:
        raise Invalid(
            "give the mentee as ?mentee_id=N",
            details=[{"field": "mentee_id", "message": "required"}],
        )
    match_round = rounds.get_round(db.session, round_id, caller())
    items = rounds.candidates_for(db.session, match_round, mentee_id)
    return {"mentee_id": mentee_id, "items": items}


def _pair_body() -> tuple[int, int]:
    pair = parse_body(Pair)
    return pair.mentee_id, pair.mentor_id


@spec.route(
    "/rounds/<int:round_id>/pins",
    methods=["POST"],
    summary="Pin a pair: the next run keeps it (a mentee's new pin replaces the old one)",
    tag="rounds",
    body=Pair,
    responses={201: PAIR_RESULT},
)
@coordinator_required
@serves_site_scopes
def add_pin(round_id: int) -> tuple[dict[str, Any], int]:
    match_round = rounds.get_round(db.session, round_id, caller())  # 404 before judging the body
    mentee_id, mentor_id = _pair_body()
    pin = rounds.add_pin(db.session, match_round, mentee_id, mentor_id)
    return {"round_id": round_id, "mentee_id": pin.mentee_id, "mentor_id": pin.mentor_id}, 201


@spec.route(
    "/rounds/<int:round_id>/pins",
    methods=["DELETE"],
    summary="Remove a pin",
    tag="rounds",
    body=Pair,
    responses={200: {"type": "object"}},
)
@coordinator_required
@serves_site_scopes
def remove_pin(round_id: int) -> dict[str, Any]:
    match_round = rounds.get_round(db.session, round_id, caller())  # 404 before judging the body
    mentee_id, mentor_id = _pair_body()
    rounds.remove_pin(db.session, match_round, mentee_id, mentor_id)
    return {"removed": True}


@spec.route(
    "/rounds/<int:round_id>/exclusions",
    methods=["POST"],
    summary="Exclude a pair: the next runs never use it",
    tag="rounds",
    body=Pair,
    responses={201: PAIR_RESULT},
)
@coordinator_required
@serves_site_scopes
def add_exclusion(round_id: int) -> tuple[dict[str, Any], int]:
    match_round = rounds.get_round(db.session, round_id, caller())  # 404 before judging the body
    mentee_id, mentor_id = _pair_body()
    item = rounds.add_exclusion(db.session, match_round, mentee_id, mentor_id)
    return {"round_id": round_id, "mentee_id": item.mentee_id, "mentor_id": item.mentor_id}, 201


@spec.route(
    "/rounds/<int:round_id>/exclusions",
    methods=["DELETE"],
    summary="Remove an exclusion",
    tag="rounds",
    body=Pair,
    responses={200: {"type": "object"}},
)
@coordinator_required
@serves_site_scopes
def remove_exclusion(round_id: int) -> dict[str, Any]:
    match_round = rounds.get_round(db.session, round_id, caller())  # 404 before judging the body
    mentee_id, mentor_id = _pair_body()
    rounds.remove_exclusion(db.session, match_round, mentee_id, mentor_id)
    return {"removed": True}


@spec.route(
    "/rounds/<int:round_id>/publish",
    methods=["POST"],
    summary="Publish the proposal: creates the mentorships and mails each pair",
    tag="rounds",
    responses={200: ROUND_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def publish_round(round_id: int) -> dict[str, Any]:
    rounds.get_round(db.session, round_id, caller())  # 404: not a round of the caller's sites
    rounds.publish_round(db.session, round_id, base_url())
    return _round(round_id)


@spec.route(
    "/rounds/<int:round_id>/blocking-pairs",
    methods=["GET"],
    summary="Pairs who would both rather be together than with whom the last run gave them",
    tag="rounds",
    query=PAGE_PARAMS,
    responses={200: BLOCKING_SCHEMA},
)
@coordinator_required
@serves_site_scopes
def round_blocking_pairs(round_id: int) -> dict[str, Any]:
    page = max(1, query_int("page", 1))
    per_page = min(max(1, query_int("per_page", 100)), 500)
    match_round = rounds.get_round(db.session, round_id, caller())
    return blocking_pairs(db.session, match_round, page, per_page)
