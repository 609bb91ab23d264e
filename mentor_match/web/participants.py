"""Coordinators' view of the programme's participants: search, list and open each person."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from mentor_match.auth import coordinator_required
from mentor_match.extensions import db
from mentor_match.models.enums import Role
from mentor_match.services import mentorships, people
from mentor_match.services.errors import Invalid

bp = Blueprint("participants", __name__, url_prefix="/participants")


@bp.get("/")
@coordinator_required
def index():  # noqa: ANN201
    role = request.args.get("role", Role.MENTEE)
    if role not in (Role.MENTOR, Role.MENTEE):
        role = Role.MENTEE
    query = people.check_search(request.args.get("q", ""))[:100]
    page_number = request.args.get("page", "1")
    # Bounded as the API bounds it: a 20-digit page number is no database query.
    page_number = int(page_number) if page_number.isdigit() and len(page_number) <= 6 else 1
    page_number = max(page_number, 1)
    try:
        page = people.list_people(
            db.session,
            role,
            query=query,
            page=page_number,
            per_page=50,
            max_per_page=current_app.config["PER_PAGE_MAX"],
        )
    except Invalid:
        page = people.list_people(db.session, role, query=query)
    return render_template(
        "participants/index.html",
        page=page,
        role=role,
        query=query,
        rows=[people.person_dict(u) for u in page.items],
    )


@bp.get("/<int:user_id>")
@coordinator_required
def show(user_id: int):  # noqa: ANN201
    user = people.get_person(db.session, user_id)
    return render_template(
        "participants/show.html",
        person=people.person_dict(user),
        user=user,
        mentorships=mentorships.list_mentorships(db.session, person_id=user.id),
    )


@bp.post("/<int:user_id>/active")
@coordinator_required
def set_active(user_id: int):  # noqa: ANN201
    active = request.form.get("active") == "1"
    user = mentorships.set_active(db.session, user_id, active)
    if active:
        flash(f"{user.name} is back in the programme.", "success")
    else:
        flash(
            f"{user.name} has left the programme: signed out, and out of later match rounds.",
            "success",
        )
    return redirect(url_for("participants.show", user_id=user_id))


@bp.post("/mentorships/<int:mentorship_id>/end")
@coordinator_required
def end_mentorship(mentorship_id: int):  # noqa: ANN201
    mentorship = mentorships.end_mentorship(db.session, mentorship_id)
    flash("The mentorship has ended. The mentee can be matched again in the next round.", "success")
    back = request.form.get("person_id", "")
    person = int(back) if back.isdigit() and len(back) < 10 else mentorship.mentee_id
    return redirect(url_for("participants.show", user_id=person))
