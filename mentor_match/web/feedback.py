"""Pages for guidance and feedback: the competency framework, feedback and reflections on a
shift, progress and sign-offs, mentorship agreements, and the coordinator's overview and report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from mentor_match.auth import (
    caller,
    coordinator_required,
    login_required,
    roles_required,
    serves_site_scopes,
)
from mentor_match.edge import download
from mentor_match.extensions import db
from mentor_match.importing.competencies import CODE_MAX, DESCRIPTION_MAX, TITLE_MAX
from mentor_match.services import people, scopes
from mentor_match.services.errors import Invalid, ServiceError
from mentor_match.services.feedback import agreements, assessments, competencies, reports, tasks
from mentor_match.services.feedback.agreements import CHECKIN_MINUTES, GOAL_TITLE_MAX
from mentor_match.services.feedback.common import (
    COMMENT_MAX,
    LEVELS,
    REASON_MAX,
    SESSION_RATING_RANGE,
    TEXT_MAX,
)
from mentor_match.transaction import discard_changes
from mentor_match.web.formatting import local_datetime
from mentor_match.web.forms import flash_outcome, programme_setting, refused
from mentor_match.web.navigation import Link, add_link

if TYPE_CHECKING:
    from mentor_match.models import Booking

bp = Blueprint("feedback", __name__)


@contextmanager
def _or_error_page() -> Iterator[None]:
    """A lookup the service refuses answers the bare error page of its status (404, 403)."""
    try:
        yield
    except ServiceError as exc:
        abort(exc.status)


add_link(
    Link(
        "feedback.mine",
        "Feedback",
        ("mentor", "mentee"),
        "feedback and reflections on your attended shifts, and your mentorship agreement.",
    )
)
add_link(
    Link(
        "feedback.progress_index",
        "Progress",
        ("mentor", "mentee", "coordinator"),
        "competencies signed off, by specialty.",
    )
)
add_link(
    Link(
        "feedback.competency_list",
        "Competencies",
        ("coordinator",),
        "the competency framework: add, edit, retire, import and export.",
    )
)
add_link(
    Link(
        "feedback.overview",
        "Feedback overview",
        ("coordinator",),
        "overdue feedback, reflections and evaluations; nudges; completion report.",
    )
)

LEVEL_CHOICES = [SelectChoice("", "— not this shift —")] + [
    SelectChoice(str(level), f"{level} · {anchor}") for level, anchor in LEVELS.items()
]


class CompetencyForm(FlaskForm):
    code = StringField(
        "Code", validators=[DataRequired(), Length(max=CODE_MAX)], description="e.g. SC-ASEP"
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    description = TextAreaField(
        "What it means, in plain words", validators=[Length(max=DESCRIPTION_MAX)]
    )
    specialty = SelectField("Specialty", validators=[Optional()])
    active = BooleanField("Active (untick to retire it: its history stays)", default=True)
    submit = SubmitField("Save")


class ImportForm(FlaskForm):
    file = FileField("Competencies CSV (code,title,description,specialty,active)")
    submit = SubmitField("Import")


class FeedbackForm(FlaskForm):
    strengths = TextAreaField("Strengths you saw", validators=[Length(max=TEXT_MAX)])
    next_steps = TextAreaField("Next steps", validators=[Length(max=TEXT_MAX)])
    submit = SubmitField("Save feedback")


class ReflectionForm(FlaskForm):
    learned = TextAreaField(
        "What I learned", validators=[DataRequired("Say what you learned."), Length(max=TEXT_MAX)]
    )
    apply = TextAreaField(
        "How I will apply it",
        validators=[DataRequired("Say how you will apply it."), Length(max=TEXT_MAX)],
    )
    session_rating = SelectField(
        "How useful was this session? (1 = not at all, 5 = very)",
        choices=[
            SelectChoice(str(n), str(n))
            for n in range(SESSION_RATING_RANGE[0], SESSION_RATING_RANGE[1] + 1)
        ],
    )
    comment_to_coordinator = TextAreaField(
        "A comment for the coordinator (optional; your mentor never sees it)",
        validators=[Length(max=COMMENT_MAX)],
    )
    submit = SubmitField("Save reflection")


class SignOffForm(FlaskForm):
    # The choices depend on the mentee; the service checks what is posted.
    competency_id = SelectField(
        "Competency", validators=[DataRequired()], choices=[], validate_choice=False
    )
    booking_id = SelectField(
        "Shown on the shift of", validators=[Optional()], choices=[], validate_choice=False
    )
    note = StringField("Note (optional)", validators=[Length(max=COMMENT_MAX)])
    submit = SubmitField("Sign off")


class RevokeForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=REASON_MAX)])
    submit = SubmitField("Revoke")


class GoalForm(FlaskForm):
    title = StringField("Goal", validators=[DataRequired(), Length(max=GOAL_TITLE_MAX)])
    target_date = DateField("Target date", validators=[Optional()])
    submit = SubmitField("Add goal")


class GoalStatusForm(FlaskForm):
    status = SelectField(
        "Status", choices=[SelectChoice(s, s.title()) for s in agreements.GOAL_STATUSES]
    )
    submit = SubmitField("Update")


class CheckInForm(FlaskForm):
    date = DateField("Date", validators=[DataRequired()])
    minutes = IntegerField(
        "Minutes", validators=[InputRequired(), NumberRange(*CHECKIN_MINUTES)], default=30
    )
    notes = TextAreaField("Notes", validators=[Length(max=TEXT_MAX)])
    submit = SubmitField("Log check-in")


def _form_errors(form: FlaskForm) -> None:
    for name, errors in form.errors.items():
        label = getattr(form, name).label.text if hasattr(form, name) else name
        flash(f"{label}: {'; '.join(str(e) for e in errors)}", "error")


def _specialty_choices() -> list[SelectChoice]:
    return [SelectChoice("", "— general —")] + [
        SelectChoice(s.slug, s.name) for s in people.all_specialties(db.session)
    ]


# -- the framework (coordinators) ----------------------------------------------------------


@bp.route("/competencies/", methods=["GET", "POST"])
@coordinator_required
@serves_site_scopes  # read only for a site-scoped coordinator: the framework is the programme's
def competency_list():  # noqa: ANN201
    setting = programme_setting("change the competency framework", "feedback.competency_list")
    if setting.turned_back:
        return setting.turned_back
    form = CompetencyForm(prefix="new")
    form.specialty.choices = _specialty_choices()
    if form.validate_on_submit():
        try:
            competencies.create_competency(
                db.session,
                code=form.code.data or "",
                title=form.title.data or "",
                description=form.description.data or "",
                specialty=form.specialty.data or None,
                active=bool(form.active.data),
            )
        except ServiceError as exc:
            refused(exc)
        else:
            flash("Competency added.", "success")
            return redirect(url_for("feedback.competency_list"))
    elif request.method == "POST":
        _form_errors(form)
    return render_template(
        "feedback/competencies.html",
        items=competencies.list_competencies(db.session),
        form=form,
        upload=ImportForm(prefix="csv"),
        problems=[],
        read_only=setting.read_only,
        refusal=setting.refusal,
    )


@bp.route("/competencies/<int:competency_id>", methods=["GET", "POST"])
@login_required
def competency_edit(competency_id: int):  # noqa: ANN201
    with _or_error_page():  # nothing here, before: not yours
        competency = competencies.get_competency(db.session, competency_id)
    if not current_user.is_coordinator:
        abort(403)
    form = CompetencyForm(obj=competency)
    form.specialty.choices = _specialty_choices()
    if request.method == "GET":
        form.specialty.data = competency.specialty.slug if competency.specialty else ""
    if form.validate_on_submit():
        try:
            competencies.update_competency(
                db.session,
                competency.id,
                {
                    "code": form.code.data,
                    "title": form.title.data,
                    "description": form.description.data or "",
                    "specialty": form.specialty.data or None,
                    "active": bool(form.active.data),
                },
            )
        except ServiceError as exc:
            refused(exc)
        else:
            flash("Competency saved.", "success")
            return redirect(url_for("feedback.competency_list"))
    elif request.method == "POST":
        _form_errors(form)
    return render_template("feedback/competency_edit.html", form=form, competency=competency)


@bp.post("/competencies/import")
@coordinator_required
def competency_import():  # noqa: ANN201
    upload = ImportForm(prefix="csv")
    problems: list[dict[str, Any]] = []
    message = ""
    if not upload.validate_on_submit() or not upload.file.data:
        message = "Choose a CSV file to import."
    else:
        try:
            done = competencies.import_framework(db.session, upload.file.data.read())
        except Invalid as exc:
            discard_changes()
            message, problems = exc.message, exc.details
        else:
            flash(
                f"Framework imported: {done['created']} added, {done['updated']} updated.",
                "success",
            )
            return redirect(url_for("feedback.competency_list"))
    flash(message, "error")
    form = CompetencyForm(prefix="new", formdata=None)
    form.specialty.choices = _specialty_choices()
    return (
        render_template(
            "feedback/competencies.html",
            items=competencies.list_competencies(db.session),
            form=form,
            upload=upload,
            problems=problems,
        ),
        422,
    )


@bp.get("/competencies/export.csv")
@coordinator_required
@serves_site_scopes  # reading the framework
def competency_export():  # noqa: ANN201
    return download(competencies.export_framework(db.session), "competencies.csv")


# -- a participant's hub -------------------------------------------------------------------


@bp.get("/feedback/")
@roles_required("mentor", "mentee")
def mine():  # noqa: ANN201
    user = caller()
    recent = assessments.recent_sessions(db.session, user)
    return render_template(
        "feedback/mine.html",
        tasks=tasks.my_tasks(db.session, user),
        now=datetime.now(UTC),
        recent=recent.bookings,
        done_feedback=recent.with_feedback,
        done_reflection=recent.with_reflection,
        ratings=assessments.rating_summary(db.session, user.id) if user.is_mentor else None,
        mentorships=agreements.mentorships_of(db.session, user),
        names=people.names_by_id(db.session),
    )


# -- one booking: feedback and reflection --------------------------------------------------


def _booking_or_404(booking_id: int) -> Booking:
    with _or_error_page():
        return assessments.get_booking(db.session, booking_id)


@bp.get("/feedback/bookings/<int:booking_id>")
@login_required
@serves_site_scopes
def booking(booking_id: int):  # noqa: ANN201
    found = _booking_or_404(booking_id)
    user = caller()
    with _or_error_page():
        assessments.check_booking_in_scope(db.session, user, found)
    if not assessments.may_read_feedback(user, found):
        abort(403)
    feedback = assessments.feedback_of(db.session, found.id)
    reflection = None
    if user.is_coordinator or user.id == found.mentee_id:
        reflection = assessments.reflection_of(db.session, found.id)
    is_host = user.id == found.shift.mentor_id
    form = FeedbackForm(obj=feedback) if is_host else None
    levels = {r.competency_id: r.level for r in feedback.ratings} if feedback else {}
    relevant = []
    if is_host:
        relevant = [
            c for c in competencies.list_competencies(db.session) if c.active or c.id in levels
        ]
    return render_template(
        "feedback/booking.html",
        booking=found,
        feedback=feedback,
        reflection=reflection,
        form=form,
        reflection_form=ReflectionForm() if user.id == found.mentee_id else None,
        competencies=relevant,
        levels=levels,
        level_choices=LEVEL_CHOICES,
        anchors=LEVELS,
        editable=feedback is not None
        and is_host
        and not assessments.describe_feedback(feedback)["locked"],
        attended=assessments.attended(found),
        edit_until=assessments.edit_deadline(feedback) if feedback else None,
    )


def _ratings_from_form() -> list[assessments.Rating]:
    ratings = []
    for key, value in request.form.items():
        if not key.startswith("level-") or not value:
            continue
        try:
            competency_id, level = int(key.removeprefix("level-")), int(value)
        except ValueError as exc:
            raise Invalid("choose a level from the list") from exc
        ratings.append(assessments.Rating(competency_id, level))
    return ratings


@bp.post("/feedback/bookings/<int:booking_id>/feedback")
@roles_required("mentor")
def save_feedback(booking_id: int):  # noqa: ANN201
    form = FeedbackForm()
    back = redirect(url_for("feedback.booking", booking_id=booking_id))
    if not form.validate_on_submit():
        _form_errors(form)
        return back
    user = caller()
    with flash_outcome("Feedback saved."):
        ratings = _ratings_from_form()
        if assessments.feedback_of(db.session, booking_id) is None:
            assessments.give_feedback(
                db.session,
                user,
                booking_id,
                ratings=ratings,
                strengths=form.strengths.data or "",
                next_steps=form.next_steps.data or "",
            )
        else:
            assessments.edit_feedback(
                db.session,
                user,
                booking_id,
                ratings=ratings,
                strengths=form.strengths.data or "",
                next_steps=form.next_steps.data or "",
            )
    return back


@bp.post("/feedback/bookings/<int:booking_id>/reflection")
@login_required
def save_reflection(booking_id: int):  # noqa: ANN201
    found = _booking_or_404(booking_id)
    if found.mentee_id != current_user.id:
        abort(403)
    form = ReflectionForm()
    back = redirect(url_for("feedback.booking", booking_id=booking_id))
    if not form.validate_on_submit():
        _form_errors(form)
        return back
    with flash_outcome("Reflection saved. It counts toward your CPD record."):
        assessments.give_reflection(
            db.session,
            caller(),
            booking_id,
            learned=form.learned.data or "",
            apply=form.apply.data or "",
            session_rating=int(form.session_rating.data or 0),
            comment_to_coordinator=form.comment_to_coordinator.data or "",
        )
    return back


# -- progress and sign-offs ----------------------------------------------------------------


@bp.get("/progress/")
@login_required
@serves_site_scopes
def progress_index():  # noqa: ANN201
    if current_user.is_mentee:
        return _progress_page(current_user.id)
    return render_template(
        "feedback/progress_index.html",
        mentees=assessments.mentees_visible_to(db.session, current_user),
    )


@bp.get("/progress/<int:mentee_id>")
@login_required
@serves_site_scopes
def progress(mentee_id: int):  # noqa: ANN201
    return _progress_page(mentee_id)


def _progress_page(mentee_id: int):  # noqa: ANN202
    user = caller()
    with _or_error_page():
        found = assessments.progress(db.session, user, mentee_id)
    can_sign = assessments.may_sign_off(db.session, user, mentee_id)
    form = None
    if can_sign:
        form = SignOffForm()
        form.competency_id.choices = [
            SelectChoice(str(i.competency.id), f"{i.competency.code} · {i.competency.title}")
            for i in found.items
            if i.status != "signed_off" and i.competency.active
        ]
        attended = assessments.attended_bookings(db.session, mentee_id=mentee_id, limit=20)
        form.booking_id.choices = [SelectChoice("", "— no particular shift —")] + [
            SelectChoice(
                str(b.id),
                f"{local_datetime(b.shift.start_at, '%d %b %Y')} with {b.shift.mentor.name}",
            )
            for b in attended
        ]
    return render_template(
        "feedback/progress.html",
        progress=found,
        form=form,
        revoke=RevokeForm(prefix="revoke") if can_sign else None,
        levels=LEVELS,
    )


@bp.post("/progress/<int:mentee_id>/signoffs")
@roles_required("mentor", "coordinator")
@serves_site_scopes
def add_sign_off(mentee_id: int):  # noqa: ANN201
    form = SignOffForm()
    back = redirect(url_for("feedback.progress", mentee_id=mentee_id))
    if not form.validate_on_submit():
        _form_errors(form)
        return back
    try:
        competency_id = int(form.competency_id.data or "")
        booking_id = int(form.booking_id.data) if form.booking_id.data else None
    except ValueError:
        flash("Choose a competency and a shift from the lists.", "error")
        return back
    with flash_outcome("Signed off."):
        assessments.sign_off(
            db.session,
            caller(),
            mentee_id,
            competency_id,
            booking_id=booking_id,
            note=form.note.data or "",
        )
    return back


@bp.post("/progress/signoffs/<int:signoff_id>/revoke")
@roles_required("mentor", "coordinator")
@serves_site_scopes
def revoke_sign_off(signoff_id: int):  # noqa: ANN201
    form = RevokeForm(prefix="revoke")
    with _or_error_page():
        record = assessments.get_sign_off(db.session, signoff_id)
        scopes.check_person(db.session, caller(), record.mentee_id, what="sign-off")
    back = redirect(url_for("feedback.progress", mentee_id=record.mentee_id))
    if not form.validate_on_submit():
        flash("Give a reason for revoking the sign-off.", "error")
        return back
    with flash_outcome("Sign-off revoked; the history keeps it."):
        assessments.revoke_sign_off(
            db.session,
            caller(),
            signoff_id,
            form.reason.data or "",
        )
    return back


# -- mentorship agreements -----------------------------------------------------------------


@bp.get("/agreements/<int:mentorship_id>")
@login_required
@serves_site_scopes
def agreement(mentorship_id: int):  # noqa: ANN201
    user = caller()
    with _or_error_page():
        found = agreements.agreement(db.session, user, mentorship_id)
    party = user.id in (found.mentorship.mentor_id, found.mentorship.mentee_id)
    return render_template(
        "feedback/agreement.html",
        agreement=found,
        party=party,
        goal_form=GoalForm(prefix="goal"),
        status_form=GoalStatusForm(prefix="status"),
        checkin_form=CheckInForm(prefix="checkin"),
        questions=agreements.questions_for(user) if party else {},
        all_questions=agreements.MENTEE_QUESTIONS | agreements.MENTOR_QUESTIONS,
        names=people.names_by_id(db.session),
        scale=range(agreements.EVALUATION_SCALE[0], agreements.EVALUATION_SCALE[1] + 1),
    )


def _agreement_back(mentorship_id: int) -> WerkzeugResponse:
    return redirect(url_for("feedback.agreement", mentorship_id=mentorship_id))


@bp.post("/agreements/<int:mentorship_id>/goals")
@roles_required("mentor", "mentee")
def add_goal(mentorship_id: int):  # noqa: ANN201
    form = GoalForm(prefix="goal")
    if not form.validate_on_submit():
        _form_errors(form)
        return _agreement_back(mentorship_id)
    with flash_outcome("Goal added."):
        agreements.add_goal(
            db.session,
            caller(),
            mentorship_id,
            form.title.data or "",
            form.target_date.data,
        )
    return _agreement_back(mentorship_id)


@bp.post("/agreements/goals/<int:goal_id>")
@roles_required("mentor", "mentee")
def goal_status(goal_id: int):  # noqa: ANN201
    form = GoalStatusForm(prefix="status")
    with _or_error_page():
        goal = agreements.get_goal(db.session, goal_id)
    if not form.validate_on_submit():
        _form_errors(form)
        return _agreement_back(goal.mentorship_id)
    with flash_outcome("Goal updated."):
        agreements.set_goal_status(
            db.session,
            caller(),
            goal_id,
            form.status.data or "",
        )
    return _agreement_back(goal.mentorship_id)


@bp.post("/agreements/<int:mentorship_id>/checkins")
@roles_required("mentor", "mentee")
def add_checkin(mentorship_id: int):  # noqa: ANN201
    form = CheckInForm(prefix="checkin")
    if not form.validate_on_submit():
        _form_errors(form)
        return _agreement_back(mentorship_id)
    with flash_outcome("Check-in logged."):
        agreements.log_checkin(
            db.session,
            caller(),
            mentorship_id,
            form.date.data,  # type: ignore[arg-type]
            form.minutes.data,  # type: ignore[arg-type]
            form.notes.data or "",
        )
    return _agreement_back(mentorship_id)


@bp.post("/agreements/<int:mentorship_id>/evaluations")
@roles_required("mentor", "mentee")
def add_evaluation(mentorship_id: int):  # noqa: ANN201
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    user = caller()
    ratings: dict[str, int] = {}
    for name in agreements.questions_for(user):
        raw = request.form.get(f"q-{name}", "")
        if raw.isdigit():
            ratings[name] = int(raw)
    with flash_outcome("Evaluation saved. Thank you."):
        agreements.submit_evaluation(
            db.session,
            user,
            mentorship_id,
            request.form.get("stage", ""),
            ratings,
            request.form.get("comment", "")[: COMMENT_MAX + 1],
        )
    return _agreement_back(mentorship_id)


# -- coordinators: overview, nudges, report ------------------------------------------------


@bp.get("/feedback/overview")
@coordinator_required
@serves_site_scopes
def overview():  # noqa: ANN201
    within = scopes.visible_site_ids(db.session, caller())
    mentors, sites = tasks.overdue_overview(db.session, within=within)
    return render_template(
        "feedback/overview.html",
        mentors=mentors,
        sites=sites,
        report=reports.feedback_report(db.session, within),
        mentorships=agreements.mentorships_of(db.session, current_user)[:50],
        names=people.names_by_id(db.session),
    )


@bp.post("/feedback/nudge/<int:mentor_id>")
@login_required
@serves_site_scopes
def nudge(mentor_id: int):  # noqa: ANN201
    try:
        tasks.check_mentor(db.session, mentor_id)
        scopes.check_person(db.session, caller(), mentor_id, what="mentor")
    except ServiceError:
        abort(404)
    if not current_user.is_coordinator:
        abort(403)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        count = tasks.nudge(db.session, mentor_id)
    except ServiceError as exc:
        refused(exc)
    else:
        flash(f"Reminder mailed ({count} overdue task{'s' if count != 1 else ''}).", "success")
    return redirect(url_for("feedback.overview"))


@bp.get("/feedback/report.csv")
@coordinator_required
@serves_site_scopes
def report_csv():  # noqa: ANN201
    within = scopes.visible_site_ids(db.session, caller())
    return download(
        reports.report_csv(reports.feedback_report(db.session, within)), "feedback-report.csv"
    )
