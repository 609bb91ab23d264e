"""Coordinators' match rounds (create, run, review, adjust, publish) and participants' matches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from mentor_match.auth import caller, coordinator_required, roles_required, serves_site_scopes
from mentor_match.background import start_round_run
from mentor_match.edge import base_url
from mentor_match.extensions import db
from mentor_match.matching import FACTORS, Weights
from mentor_match.services import people, rounds
from mentor_match.services.errors import Invalid, ServiceError
from mentor_match.services.rounds import review
from mentor_match.services.rounds.modes import blocking_pairs as list_blocking_pairs
from mentor_match.web.forms import refused, show_on_form
from mentor_match.web.navigation import Link, add_link

bp = Blueprint("rounds", __name__, url_prefix="/rounds")

add_link(
    Link(
        "rounds.index",
        "Match rounds",
        ("coordinator",),
        "pair mentees with mentors, review, publish.",
    )
)
add_link(
    Link(
        "rounds.my_matches",
        "My matches",
        ("mentor", "mentee"),
        "your mentor, or your mentees, from published match rounds.",
    )
)

PER_PAGE = review.REVIEW_PER_PAGE  # one page size for the review, here and in the API
CANDIDATES_PER_PAGE = 50
DEFAULTS = Weights()
WEIGHT_FIELDS = ("specialty", "availability", "site", "region", "preference", "saturation_hours")
FACTOR_LABELS = {
    "specialty": "Specialty",
    "availability": "Availability",
    "site": "Site / region",
    "preference": "Preference",
}


def _weight(name: str, maximum: float) -> DecimalField:
    return DecimalField(
        rounds.WEIGHT_LABELS[name],
        default=getattr(DEFAULTS, name),
        places=None,
        validators=[
            InputRequired("Enter a number (0 turns this factor off)."),
            NumberRange(0, maximum, f"Enter a number from 0 to {maximum:g}."),
        ],
    )


class RoundForm(FlaskForm):
    name = StringField(
        "Name of the round",
        validators=[DataRequired("Give the round a name."), Length(max=rounds.NAME_MAX)],
        description="For example “Spring 2026 cohort”.",
    )
    min_overlap_hours = DecimalField(
        "Minimum shared hours a week",
        default=rounds.DEFAULT_MIN_OVERLAP,
        places=None,
        validators=[
            Optional(),
            NumberRange(
                0,
                rounds.MAX_MIN_OVERLAP,
                f"Enter a number of hours from 0 to {rounds.MAX_MIN_OVERLAP:g}.",
            ),
        ],
        description="A pair must be free at the same time for at least this long each week.",
    )
    specialty = _weight("specialty", 100)
    availability = _weight("availability", 100)
    site = _weight("site", 100)
    region = _weight("region", 100)
    preference = _weight("preference", 100)
    saturation_hours = _weight("saturation_hours", 168)
    mode = RadioField(
        "How the round matches",
        choices=[SelectChoice(value, label) for value, label in rounds.MODE_LABELS.items()],
        default="optimal",
    )
    raise_lowest = BooleanField(
        "Raise the lowest score first (optimal mode): the worst-off pair as good as possible, "
        "then the highest total"
    )
    suggestions = IntegerField(
        "Suggestions per mentee (self-select mode)",
        default=rounds.DEFAULT_SUGGESTIONS,
        validators=[
            Optional(),
            NumberRange(
                1,
                rounds.MAX_SUGGESTIONS,
                f"Enter a whole number from 1 to {rounds.MAX_SUGGESTIONS}.",
            ),
        ],
    )
    submit = SubmitField("Create the round")


@bp.get("/")
@coordinator_required
@serves_site_scopes
def index():  # noqa: ANN201
    items = [(r, rounds.round_summary(r)) for r in rounds.list_rounds(db.session, caller())]
    return render_template("rounds/index.html", items=items)


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
@serves_site_scopes
def new():  # noqa: ANN201
    form = RoundForm()
    if form.validate_on_submit():
        weights = {name: float(getattr(form, name).data) for name in WEIGHT_FIELDS}
        overlap = form.min_overlap_hours.data
        try:
            match_round = rounds.create_round(
                db.session,
                current_user,
                form.name.data,
                weights,
                rounds.DEFAULT_MIN_OVERLAP if overlap is None else float(overlap),
                form.mode.data,
                bool(form.raise_lowest.data),
                form.suggestions.data or rounds.DEFAULT_SUGGESTIONS,
            )
        except Invalid as exc:
            show_on_form(form, exc)
        else:
            flash("Round created. Run it to see the proposed pairs.", "success")
            return redirect(url_for("rounds.show", round_id=match_round.id))
    return render_template("rounds/new.html", form=form), 422 if form.is_submitted() else 200


def _page_number(name: str = "page") -> int:
    raw = request.args.get(name, "1")
    # Bounded: a 20-digit page number is no database query.
    return int(raw) if raw.isdigit() and len(raw) <= 6 and int(raw) > 0 else 1


@bp.get("/<int:round_id>")
@coordinator_required
@serves_site_scopes
def show(round_id: int):  # noqa: ANN201
    match_round = rounds.get_round(db.session, round_id, caller())
    data = rounds.round_summary(match_round)
    view = PairView(
        sort=review.review_sort(request.args.get("sort", "mentee")),
        q=people.check_search(request.args.get("q", ""))[:100],
        reason=request.args.get("reason", "")[:40],
    )
    shown = review.review_page(
        db.session,
        round_id,
        q=view.q,
        sort=view.sort,
        reason=view.reason,
        page=_page_number(),
        per_page=PER_PAGE,
        unmatched_page=_page_number("upage"),
    )
    data["pins"], data["exclusions"] = shown.pins, shown.exclusions
    stats = data["stats"]
    greedy = _greedy(stats)
    return render_template(
        "rounds/show.html",
        round=data,
        shown=shown,
        matches=shown.matches,
        page=shown.page,
        pages=shown.pages,
        total=shown.total,
        greedy=greedy,
        factors=FACTORS,
        factor_labels=FACTOR_LABELS,
        weight_labels=rounds.WEIGHT_LABELS,
        factor_max=_factor_max(data["weights"]),
        mode_labels=rounds.MODE_LABELS,
        pinned_now={(p["mentee_id"], p["mentor_id"]) for p in shown.pins},
        changes=review.changes_since_previous(db.session, data),
        view=view,
        unmatched=shown.unmatched,
        sort_choices=SORT_CHOICES,
        reasons=shown.reasons,
    )


SORT_CHOICES = {
    "mentee": "Mentee name",
    "score": "Score, lowest first",
    "-score": "Score, highest first",
    "specialty": "Specialty part, lowest first",
    "availability": "Availability part, lowest first",
    "site": "Site part, lowest first",
    "preference": "Preference part, lowest first",
    "mentor": "Mentor name",
}


@dataclass(frozen=True)
class PairView:
    """How the coordinator asked to see the pairs and unmatched mentees: sorted by score, a
    factor or a name, filtered by name and reason (the database pages through them)."""

    sort: str
    q: str
    reason: str


def _factor_max(weights: dict[str, Any]) -> dict[str, float]:
    """The most each factor can add to a score under the round's weights."""
    try:
        w = Weights.from_mapping(weights or {})
    except ValueError:
        w = DEFAULTS
    return {
        "specialty": w.specialty / w.total,
        "availability": w.availability / w.total,
        "site": w.site / w.total,
        "preference": w.preference / w.total,
    }


def _greedy(stats: dict[str, Any]) -> dict[str, Any] | None:
    if "greedy_total_score" not in stats:
        return None
    base = float(stats.get("greedy_total_score") or 0)
    total = float(stats.get("total_score") or 0)
    return {
        "matched": int(stats.get("greedy_matched") or 0),
        "total_score": base,
        "extra_matched": int(stats.get("matched") or 0) - int(stats.get("greedy_matched") or 0),
        "better_percent": (total - base) / base * 100 if base > 0 else None,
    }


def _back(round_id: int):  # noqa: ANN202
    return redirect(url_for("rounds.show", round_id=round_id))


@bp.post("/<int:round_id>/run")
@coordinator_required
@serves_site_scopes
def run(round_id: int):  # noqa: ANN201
    rounds.get_round(db.session, round_id, caller())  # 404: not a round of the caller's sites
    try:
        start_round_run(round_id)
    except ServiceError as exc:
        refused(exc)
    return _back(round_id)


@bp.get("/<int:round_id>/candidates")
@coordinator_required
@serves_site_scopes
def candidates(round_id: int):  # noqa: ANN201
    match_round = rounds.get_round(db.session, round_id, caller())
    raw = request.args.get("mentee_id", "")
    if not raw.isdigit():
        raise Invalid("Choose a mentee to see their alternatives.")
    mentee_id = int(raw)
    items = rounds.candidates_for(db.session, match_round, mentee_id)
    mentee = people.get_person(db.session, mentee_id, caller())
    # The best first, a page at a time: a mentee of a national programme can have thousands.
    pages = max(1, -(-len(items) // CANDIDATES_PER_PAGE))
    page = min(_page_number(), pages)
    return render_template(
        "rounds/candidates.html",
        round=rounds.round_summary(match_round),
        mentee=mentee,
        items=items[(page - 1) * CANDIDATES_PER_PAGE : page * CANDIDATES_PER_PAGE],
        total=len(items),
        page=page,
        pages=pages,
        factors=FACTORS,
        factor_labels=FACTOR_LABELS,
        factor_max=_factor_max(match_round.weights),
    )


def _form_ids() -> tuple[Any, Any]:
    def number(name: str) -> Any:
        raw = request.form.get(name, "")
        return int(raw) if raw.isdigit() else raw

    return number("mentee_id"), number("mentor_id")


def _change(round_id: int, action: Any, done: str):  # noqa: ANN202
    match_round = rounds.get_round(db.session, round_id, caller())
    mentee_id, mentor_id = _form_ids()
    try:
        action(db.session, match_round, mentee_id, mentor_id)
    except ServiceError as exc:
        refused(exc)
    else:
        flash(done, "success")
    return _back(round_id)


@bp.post("/<int:round_id>/pins")
@coordinator_required
@serves_site_scopes
def add_pin(round_id: int):  # noqa: ANN201
    return _change(round_id, rounds.add_pin, "Pair pinned. Run the round again to apply it.")


@bp.post("/<int:round_id>/pins/remove")
@coordinator_required
@serves_site_scopes
def remove_pin(round_id: int):  # noqa: ANN201
    return _change(round_id, rounds.remove_pin, "Pin removed. Run the round again to apply it.")


@bp.post("/<int:round_id>/exclusions")
@coordinator_required
@serves_site_scopes
def add_exclusion(round_id: int):  # noqa: ANN201
    return _change(
        round_id, rounds.add_exclusion, "Pair excluded. Run the round again to apply it."
    )


@bp.post("/<int:round_id>/exclusions/remove")
@coordinator_required
@serves_site_scopes
def remove_exclusion(round_id: int):  # noqa: ANN201
    return _change(
        round_id, rounds.remove_exclusion, "Exclusion removed. Run the round again to apply it."
    )


@bp.get("/<int:round_id>/publish")
@coordinator_required
@serves_site_scopes
def confirm_publish(round_id: int):  # noqa: ANN201
    match_round = rounds.get_round(db.session, round_id, caller())
    data = rounds.round_dict(db.session, match_round)
    return render_template("rounds/publish.html", round=data)


@bp.post("/<int:round_id>/publish")
@coordinator_required
@serves_site_scopes
def publish(round_id: int):  # noqa: ANN201
    rounds.get_round(db.session, round_id, caller())  # 404: not a round of the caller's sites
    try:
        match_round = rounds.publish_round(db.session, round_id, base_url())
    except ServiceError as exc:
        refused(exc)
        return _back(round_id)
    if match_round.mode == "self_select":
        flash("Round published: each mentee got their suggested mentors by mail.", "success")
        return _back(round_id)
    matched = rounds.round_summary(match_round)["stats"]["matched"]
    flash(f"Round published: {matched} mentorships created and each pair notified.", "success")
    return _back(round_id)


@bp.get("/my-matches")
@roles_required("mentor", "mentee")
def my_matches():  # noqa: ANN201
    items = rounds.my_matches(db.session, current_user)
    return render_template("rounds/my_matches.html", items=items)


@bp.get("/<int:round_id>/blocking-pairs")
@coordinator_required
@serves_site_scopes
def blocking_pairs(round_id: int):  # noqa: ANN201
    match_round = rounds.get_round(db.session, round_id, caller())
    page = _page_number()
    data = list_blocking_pairs(db.session, match_round, page, PER_PAGE)
    pages = max(1, -(-data["listed"] // PER_PAGE))
    return render_template(
        "rounds/blocking_pairs.html",
        round=rounds.round_summary(match_round),
        data=data,
        page=page,
        pages=pages,
    )
