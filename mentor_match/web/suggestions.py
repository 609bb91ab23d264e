"""Pages for self-select rounds: a mentee's suggested mentors and requests, the mentor's answers,
and the coordinator's board of open, accepted, declined and expired requests."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from mentor_match.auth import coordinator_required, roles_required, serves_site_scopes
from mentor_match.edge import base_url
from mentor_match.extensions import db
from mentor_match.matching import FACTORS
from mentor_match.services import suggestions
from mentor_match.services.errors import Invalid
from mentor_match.services.rounds import get_round
from mentor_match.web.forms import flash_outcome
from mentor_match.web.navigation import Link, add_link
from mentor_match.web.rounds import FACTOR_LABELS, _factor_max

bp = Blueprint("suggestions", __name__, url_prefix="/suggestions")

add_link(
    Link("suggestions.index", "Choose a mentor", ("mentee",), "mentors suggested for you; ask one.")
)
add_link(Link("suggestions.requests", "Mentee requests", ("mentor",), "accept or decline mentees."))
add_link(
    Link(
        "suggestions.board",
        "Mentor requests",
        ("coordinator",),
        "open, accepted, declined and expired requests of self-select rounds.",
    )
)


@bp.get("/")
@roles_required("mentee")
def index():  # noqa: ANN201
    data = suggestions.my_suggestions(db.session, current_user)
    # Each factor's meter goes up to what it can add under the suggesting round's weights.
    scales = {
        round_id: _factor_max(get_round(db.session, round_id).weights)
        for round_id in {item["round_id"] for item in data["items"]}
    }
    return render_template(
        "suggestions/index.html",
        data=data,
        days=suggestions.REQUEST_DAYS,
        factors=FACTORS,
        factor_labels=FACTOR_LABELS,
        scales=scales,
    )


@bp.post("/ask")
@roles_required("mentee")
def ask():  # noqa: ANN201
    raw = request.form.get("mentor_id", "")
    sent = (
        f"Request sent. The mentor has {suggestions.REQUEST_DAYS} days to answer; "
        "you get an e-mail either way."
    )
    with flash_outcome(sent):
        if not raw.isdigit() or not 0 < int(raw) < 2**31:
            raise Invalid("Choose one of your suggested mentors.")
        suggestions.request_mentor(db.session, current_user, int(raw), base_url())
    return redirect(url_for("suggestions.index"))


@bp.get("/requests")
@roles_required("mentor")
def requests():  # noqa: ANN201
    return render_template(
        "suggestions/requests.html",
        data=suggestions.requests_for(db.session, current_user),
        days=suggestions.REQUEST_DAYS,
    )


def _answer(request_id: int, accept: bool):  # noqa: ANN202
    with flash_outcome(
        "Accepted: you are now this mentee's mentor." if accept else "Request declined."
    ):
        if accept:
            suggestions.accept_request(db.session, current_user, request_id)
        else:
            suggestions.decline_request(db.session, current_user, request_id)
    return redirect(url_for("suggestions.requests"))


@bp.post("/requests/<int:request_id>/accept")
@roles_required("mentor")
def accept(request_id: int):  # noqa: ANN201
    return _answer(request_id, True)


@bp.post("/requests/<int:request_id>/decline")
@roles_required("mentor")
def decline(request_id: int):  # noqa: ANN201
    return _answer(request_id, False)


@bp.get("/board")
@coordinator_required
@serves_site_scopes  # the requests of the rounds over the caller's sites
def board():  # noqa: ANN201
    raw = request.args.get("round", "")
    round_id = int(raw) if raw.isdigit() and len(raw) <= 9 else None
    if raw and round_id is None:
        abort(404)
    data = suggestions.requests_for(db.session, current_user, round_id=round_id)
    return render_template(
        "suggestions/board.html",
        data=data,
        days=suggestions.REQUEST_DAYS,
        round_id=round_id,
    )
