"""Pages for rankings: a mentee or mentor ranks their candidates with a number per row (no
dragging, no script), and the coordinator sees who has submitted and closes the window."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentor_match.auth import caller, coordinator_required, roles_required, serves_site_scopes
from mentor_match.extensions import db
from mentor_match.matching import FACTORS
from mentor_match.services import preferences
from mentor_match.services.errors import ServiceError
from mentor_match.services.rounds import get_round, round_summary
from mentor_match.web.forms import flash_outcome
from mentor_match.web.navigation import Link, add_link
from mentor_match.web.rounds import FACTOR_LABELS, _factor_max

bp = Blueprint("preferences", __name__, url_prefix="/preferences")

add_link(
    Link(
        "preferences.index",
        "Rank candidates",
        ("mentor", "mentee"),
        "say whom you would most like to be matched with in the next round.",
    )
)


@bp.get("/")
@roles_required("mentor", "mentee")
def index():  # noqa: ANN201
    return render_template(
        "preferences/index.html", rounds=preferences.open_rounds(db.session, current_user)
    )


def _page(round_id: int, errors: list[str] | None = None, status: int = 200):  # noqa: ANN202
    data = preferences.my_candidates(db.session, round_id, current_user)
    match_round = get_round(db.session, round_id)
    return (
        render_template(
            "preferences/show.html",
            data=data,
            errors=errors or [],
            values=request.form if errors else {},
            factors=FACTORS,
            factor_labels=FACTOR_LABELS,
            factor_max=_factor_max(match_round.weights),
        ),
        status,
    )


@bp.get("/<int:round_id>")
@roles_required("mentor", "mentee")
def show(round_id: int):  # noqa: ANN201
    return _page(round_id)


def _ranking_from_form(ids: list[int]) -> tuple[list[int], list[str]]:
    """Rows numbered 1, 2, 3 ... in the form, as a ranking; blank rows are left off."""
    numbered: list[tuple[int, int, int]] = []
    errors: list[str] = []
    for position, person_id in enumerate(ids):
        raw = request.form.get(f"rank-{person_id}", "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= preferences.MAX_RANKING:
            errors.append(
                f"Row {position + 1}: enter a whole number from 1 to "
                f"{preferences.MAX_RANKING}, or leave it blank."
            )
            continue
        numbered.append((int(raw), position, person_id))
    numbers = [n for n, _, _ in numbered]
    if len(set(numbers)) != len(numbers):
        errors.append("Give each person a different number (1 for your first choice).")
    return [person_id for _, _, person_id in sorted(numbered)], errors


@bp.post("/<int:round_id>")
@roles_required("mentor", "mentee")
def save(round_id: int):  # noqa: ANN201
    data = preferences.my_candidates(db.session, round_id, current_user)
    ranking, errors = _ranking_from_form([item["id"] for item in data["items"]])
    if errors:
        return _page(round_id, errors, 422)
    try:
        preferences.submit_ranking(db.session, round_id, current_user, ranking)
    except ServiceError as exc:
        return _page(round_id, [exc.message], exc.status)  # an error status: nothing is written
    flash(
        f"Your ranking is saved: {len(ranking)} acceptable, in your order."
        if ranking
        else "Saved: nobody in this list is acceptable to you.",
        "success",
    )
    return redirect(url_for("preferences.show", round_id=round_id))


@bp.post("/<int:round_id>/withdraw")
@roles_required("mentor", "mentee")
def withdraw(round_id: int):  # noqa: ANN201
    with flash_outcome("Your ranking is withdrawn: you rank by score again."):
        preferences.withdraw_ranking(db.session, round_id, current_user)
    return redirect(url_for("preferences.show", round_id=round_id))


@bp.get("/<int:round_id>/submitted")
@coordinator_required
@serves_site_scopes  # rounds over the caller's sites only
def submitted(round_id: int):  # noqa: ANN201
    data = preferences.submissions(db.session, round_id, caller())
    return render_template(
        "preferences/submitted.html",
        round=round_summary(get_round(db.session, round_id)),
        data=data,
    )


@bp.post("/<int:round_id>/close")
@coordinator_required
@serves_site_scopes  # rounds over the caller's sites only
def close(round_id: int):  # noqa: ANN201
    with flash_outcome(
        "The preference window is closed. Run the round to use the rankings.", raising=(404,)
    ):
        preferences.close_preferences(db.session, round_id, caller())
    return redirect(url_for("preferences.submitted", round_id=round_id))
