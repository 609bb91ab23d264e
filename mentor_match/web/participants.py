"""Coordinators' view of the programme's participants: search, list and open each person."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from mentor_match.auth import caller, coordinator_required, serves_site_scopes
from mentor_match.edge import base_url
from mentor_match.extensions import db
from mentor_match.models.enums import Role
from mentor_match.services import confirmations, mentorships, password_reset, people, scopes
from mentor_match.services.errors import Invalid, ServiceError
from mentor_match.web.confirming import Confirmation, confirm_page
from mentor_match.web.forms import refused
from mentor_match.web.profile import profile_page

bp = Blueprint("participants", __name__, url_prefix="/participants")


@bp.get("/")
@coordinator_required
@serves_site_scopes
def index():  # noqa: ANN201
    role = request.args.get("role", Role.MENTEE)
    if role not in (Role.MENTOR, Role.MENTEE):
        role = Role.MENTEE
    query = people.check_search(request.args.get("q", ""))[:100]
    within = scopes.visible_site_ids(db.session, caller())
    sites = scopes.visible_sites(db.session, caller())
    specialties = people.all_specialties(db.session)
    site_arg = request.args.get("site", "")
    site_id = int(site_arg) if site_arg.isdigit() and len(site_arg) < 10 else None
    if site_id not in {s.id for s in sites}:
        site_id = None
    specialty = request.args.get("specialty", "")
    specialty = specialty if specialty in {s.slug for s in specialties} else ""
    status = request.args.get("status", "")
    status = status if status in people.PEOPLE_STATUSES else ""
    sort = request.args.get("sort", "name")
    sort = sort if sort in people.PEOPLE_SORTS else "name"
    filters = {"q": query, "site": site_id, "specialty": specialty, "status": status, "sort": sort}
    page_number = request.args.get("page", "1")
    # Bounded as the API bounds it: a 20-digit page number is no database query.
    page_number = int(page_number) if page_number.isdigit() and len(page_number) <= 6 else 1
    page_number = max(page_number, 1)
    try:
        page = people.list_people(
            db.session,
            role,
            query=query,
            site_id=site_id,
            specialty=specialty or None,
            status=status or None,
            sort=sort,
            page=page_number,
            per_page=50,
            max_per_page=current_app.config["PER_PAGE_MAX"],
            within=within,
        )
    except Invalid:
        page = people.list_people(db.session, role, query=query, within=within)
    return render_template(
        "participants/index.html",
        page=page,
        role=role,
        query=query,
        rows=[people.person_dict(u) for u in page.items],
        sites=sites,
        specialties=specialties,
        filters=filters,
        link_filters={k: v for k, v in filters.items() if v and not (k == "sort" and v == "name")},
        statuses=people.PEOPLE_STATUSES,
        sorts=people.PEOPLE_SORTS,
        programme_wide=within is None,
    )


@bp.get("/<int:user_id>")
@coordinator_required
@serves_site_scopes
def show(user_id: int):  # noqa: ANN201
    user = people.get_person(db.session, user_id, caller())
    return render_template(
        "participants/show.html",
        person=people.person_dict(user),
        user=user,
        mentorships=mentorships.list_mentorships(db.session, person_id=user.id, caller=caller()),
    )


@bp.post("/<int:user_id>/active")
@coordinator_required
@serves_site_scopes
def set_active(user_id: int):  # noqa: ANN201
    active = request.form.get("active") == "1"
    user = mentorships.set_active(db.session, user_id, active, caller())
    if active:
        flash(f"{user.name} is back in the programme.", "success")
    else:
        flash(
            f"{user.name} has left the programme: signed out, and out of later match rounds.",
            "success",
        )
    return redirect(url_for("participants.show", user_id=user_id))


@bp.route("/<int:user_id>/profile", methods=["GET", "POST"])
@coordinator_required
@serves_site_scopes
def edit_profile(user_id: int):  # noqa: ANN201
    """A coordinator corrects a mentor's or mentee's profile (the same form they use)."""
    user = people.get_person(db.session, user_id, caller())
    return profile_page(
        user,
        done=url_for("participants.show", user_id=user.id),
        saved=f"{user.name}'s profile is saved.",
        by_coordinator=True,
    )


@bp.post("/<int:user_id>/access-link")
@coordinator_required
@serves_site_scopes
def send_access_link(user_id: int):  # noqa: ANN201
    """Mail a fresh invitation (no password yet) or a password reset link."""
    people.get_person(db.session, user_id, caller())  # 404 outside the caller's sites
    try:
        sent = password_reset.send_access_link(
            db.session,
            user_id,
            base_url=base_url(),
            secret_key=current_app.config["SECRET_KEY"],
        )
    except Invalid as exc:
        refused(exc)
        return redirect(url_for("participants.show", user_id=user_id))
    user = people.get_person(db.session, user_id)
    what = "A new invitation" if sent == "invitation" else "A password reset link"
    flash(f"{what} has been mailed to {user.name} ({user.email}).", "success")
    return redirect(url_for("participants.show", user_id=user_id))


@bp.get("/mentorships/<int:mentorship_id>/end")
@coordinator_required
@serves_site_scopes
def confirm_end_mentorship(mentorship_id: int):  # noqa: ANN201
    """Ask first: an ended pair is never proposed again."""
    mentorship, effects = confirmations.of_ending_mentorship(db.session, mentorship_id, caller())
    names = mentorships.describe(db.session, mentorship)
    back = request.args.get("person_id", "")
    person = int(back) if back.isdigit() and len(back) < 10 else mentorship.mentee_id
    return confirm_page(
        Confirmation(
            title="End this mentorship?",
            question=f"The mentorship of {names['mentee_name']} with "
            f"{names['mentor_name']} will end.",
            action=url_for("participants.end_mentorship", mentorship_id=mentorship.id),
            button="End the mentorship",
            back=url_for("participants.show", user_id=person),
            consequences=effects.changes,
            nobody_told=f"Nobody is sent a message: tell {names['mentee_name']} and "
            f"{names['mentor_name']} yourself.",
            fields={"person_id": str(person)},
        )
    )


@bp.post("/mentorships/<int:mentorship_id>/end")
@coordinator_required
@serves_site_scopes
def end_mentorship(mentorship_id: int):  # noqa: ANN201
    mentorship = mentorships.end_mentorship(db.session, mentorship_id, caller=caller())
    flash("The mentorship has ended. The mentee can be matched again in the next round.", "success")
    back = request.form.get("person_id", "")
    person = int(back) if back.isdigit() and len(back) < 10 else mentorship.mentee_id
    return redirect(url_for("participants.show", user_id=person))


@bp.get("/coordinators")
@coordinator_required
def coordinators():  # noqa: ANN201
    """Every coordinator and the sites they look after (programme-wide coordinators only)."""
    return render_template(
        "participants/coordinators.html", coordinators=scopes.list_coordinators(db.session)
    )


@bp.route("/coordinators/<int:coordinator_id>/scope", methods=["GET", "POST"])
@coordinator_required
def coordinator_scope(coordinator_id: int):  # noqa: ANN201
    """Limit a coordinator to some sites and regions, or give them the whole programme."""
    coordinator = scopes.get_coordinator(db.session, coordinator_id)
    if request.method == "POST":
        chosen_sites = request.form.getlist("sites")
        chosen_regions = request.form.getlist("regions")
        try:
            scopes.set_scope(
                db.session,
                caller(),
                coordinator.id,
                sites=chosen_sites,
                regions=chosen_regions,
            )
        except ServiceError as exc:
            refused(exc)
        else:
            flash(f"{coordinator.name}'s sites are saved.", "success")
            return redirect(url_for("participants.coordinators"))
        current = scopes.Scope(sites=tuple(chosen_sites), regions=tuple(chosen_regions))
        status = 422
    else:
        current = scopes.scope_of(db.session, coordinator)
        status = 200
    return render_template(
        "participants/coordinator_scope.html",
        coordinator=coordinator,
        scope=current,
        sites=people.all_sites(db.session),
        regions=scopes.all_regions(db.session),
    ), status
