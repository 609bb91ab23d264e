"""CPD pages: a mentee's portfolio (CE activities, certificates, cycle progress, shadowing hours,
transcript), and the coordinator's compliance report, mentee view and rule set."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from mentor_match.auth import caller, coordinator_required, roles_required, serves_site_scopes
from mentor_match.edge import (
    certificate_download,
    certificate_folder,
    download,
    transcript_download,
)
from mentor_match.extensions import db
from mentor_match.recertification import KINDS, TOPICS
from mentor_match.recertification.activities import MAX_PROVIDER, MAX_REFLECTION, MAX_TITLE
from mentor_match.recertification.requirements import MAX_RULE_NAME
from mentor_match.services import cpd, people, scopes
from mentor_match.services.cpd import portfolio as cpd_portfolio
from mentor_match.services.cpd.certificates import MAX_BYTES
from mentor_match.services.errors import Invalid
from mentor_match.web.forms import programme_setting
from mentor_match.web.navigation import Link, add_link

if TYPE_CHECKING:
    from mentor_match.models import User

bp = Blueprint("cpd", __name__, url_prefix="/cpd")

add_link(
    Link(
        "cpd.log",
        "CPD",
        ("mentee",),
        "your CE activities, recertification progress, shadowing hours and transcript.",
    )
)
add_link(
    Link(
        "cpd.report",
        "CPD report",
        ("coordinator",),
        "who is on track for recertification, shadowing hours per mentee and specialty.",
    )
)
SHORT_WINDOW = cpd_portfolio.SHORT_WINDOW_DAYS


class CertificationForm(FlaskForm):
    ptcb_number = StringField(
        "PTCB certification number",
        validators=[Length(max=20)],
        description="5 to 8 digits, as on your PTCB certificate.",
    )
    nabp_eprofile_id = StringField(
        "NABP e-Profile ID",
        validators=[Length(max=20)],
        description="6 or 7 digits; it links your CE to CPE Monitor.",
    )
    cycle_ends = DateField(
        "Your current cycle ends on",
        validators=[Optional()],
        description="Your certification's expiration date; the cycle is the two years before it.",
    )


class ActivityForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=MAX_TITLE)])
    provider = StringField("Provider", validators=[Length(max=MAX_PROVIDER)])
    completed_on = DateField("Completed on", validators=[Optional()])
    hours = StringField(
        "Hours",
        description="Contact hours, e.g. 1.5 (more than 0, at most 40).",
        render_kw={"inputmode": "decimal"},
    )
    kind = SelectField("Kind", choices=[SelectChoice(k, label) for k, label in KINDS.items()])
    uan = StringField(
        "ACPE activity number (UAN)",
        validators=[Length(max=40)],
        description="Optional, as on the certificate: 0175-0000-14-105-L05-T.",
    )
    reflection = TextAreaField(
        "Reflection",
        validators=[Length(max=MAX_REFLECTION)],
        description="Optional: what you learnt.",
    )
    certificate = FileField(
        "Certificate of completion",
        description=f"Optional: PDF, PNG or JPEG, at most {MAX_BYTES // (1024 * 1024)} MB.",
    )
    remove_certificate = BooleanField("Remove the certificate kept with this activity")


class ImportForm(FlaskForm):
    file = FileField("CSV file")


class RulesForm(FlaskForm):
    name = StringField("Name of the rule set", validators=[Length(max=MAX_RULE_NAME)])
    total_hours = StringField("CE hours needed per cycle")
    cycle_years = IntegerField("Years per cycle", validators=[Optional()])
    college_cap = StringField(
        "Most hours counted from college courses", description="Leave empty for no cap."
    )
    other_cap = StringField(
        "Most hours counted from other activities", description="0 counts none; empty, no cap."
    )


def _topic_field(code: str) -> str:
    return f"topic_{code}"


for _code, _name in TOPICS.items():
    setattr(
        RulesForm,
        _topic_field(_code),
        StringField(f"At least … hours of {_name} ({_code})", description="Empty: not required."),
    )


def _number(value: Decimal) -> str:
    """1.50 → '1.5', 20.00 → '20': as a person would type it."""
    return format(Decimal(value).normalize(), "f")


@bp.app_template_filter("hours")
def hours_filter(value: Decimal | float | int) -> str:
    """Hours as people write them: 10, 1.5, 0.25."""
    return _number(Decimal(str(value)).quantize(Decimal("0.01")))


def _attach_errors(
    form: FlaskForm, exc: Invalid, fallback: str, aliases: dict[str, str] | None = None
) -> None:
    """Show each problem of the service beside the field it names."""
    for problem in exc.details:
        name = str(problem.get("field", ""))
        name = (aliases or {}).get(name, name)
        target = getattr(form, name, None) or getattr(form, fallback)
        target.errors = list(target.errors or []) + [problem["message"]]


def _needs_attention(template: str, **context: Any) -> tuple[str, int]:
    """The form again, answered 422, with its problems beside the fields."""
    flash("Some fields need attention; see the messages below.", "error")
    return render_template(template, **context), 422


@bp.route("/")
@roles_required("mentee")
def log():  # noqa: ANN201
    p = cpd_portfolio.portfolio(db.session, caller())
    return render_template("cpd/log.html", p=p, log=p.shadowing, owner=True)


@bp.route("/log.csv")
@roles_required("mentee")
def log_csv() -> Response:
    return download(cpd.cpd_csv(cpd.cpd_log(db.session, caller())), "cpd-log.csv")


@bp.route("/transcript.pdf")
@roles_required("mentee")
def transcript_pdf() -> Response:
    return transcript_download(
        cpd_portfolio.portfolio(db.session, caller()), cpd_portfolio.today_utc()
    )


@bp.route("/transcript.csv")
@roles_required("mentee")
def transcript_csv() -> Response:
    p = cpd_portfolio.portfolio(db.session, caller())
    return download(cpd_portfolio.transcript_csv(p), "cpd-transcript.csv")


@bp.route("/certification", methods=["GET", "POST"])
@roles_required("mentee")
def certification():  # noqa: ANN201
    user = caller()
    form = CertificationForm()
    if not form.is_submitted():
        record = cpd_portfolio.certification_of(db.session, user)
        if record:
            form.ptcb_number.data = record.ptcb_number
            form.nabp_eprofile_id.data = record.nabp_eprofile_id
            form.cycle_ends.data = record.cycle_ends_on
        return render_template("cpd/certification.html", form=form)
    if form.validate():
        try:
            cpd_portfolio.update_certification(
                db.session,
                user,
                ptcb_number=form.ptcb_number.data or "",
                nabp_eprofile_id=form.nabp_eprofile_id.data or "",
                cycle_ends=form.cycle_ends.data,
            )
        except Invalid as exc:
            _attach_errors(form, exc, "cycle_ends")
        else:
            flash("Your certification details are saved.", "success")
            return redirect(url_for("cpd.log"))
    return _needs_attention("cpd/certification.html", form=form)


def _activity_values(form: ActivityForm) -> dict[str, Any]:
    return {
        "title": form.title.data or "",
        "provider": form.provider.data or "",
        "completed_on": form.completed_on.data,
        "hours": (form.hours.data or "").strip(),
        "kind": form.kind.data,
        "uan": (form.uan.data or "").strip() or None,
        "reflection": form.reflection.data or "",
    }


def _save_certificate(form: ActivityForm, user: User, activity_id: int) -> None:
    upload = form.certificate.data
    if upload is not None and getattr(upload, "filename", ""):
        cpd_portfolio.attach_certificate(
            db.session,
            user,
            activity_id,
            upload.stream.read(MAX_BYTES + 1),
            upload.filename or "",
            certificate_folder(),
        )


@bp.route("/activities/new", methods=["GET", "POST"])
@roles_required("mentee")
def new_activity():  # noqa: ANN201
    user = caller()
    form = ActivityForm()
    if not form.is_submitted():
        return render_template("cpd/activity.html", form=form, activity=None)
    if form.validate():
        try:
            activity = cpd_portfolio.add_activity(db.session, user, _activity_values(form))
            _save_certificate(form, user, activity.id)
        except Invalid as exc:
            _attach_errors(form, exc, "title")
        else:
            flash(f"“{activity.title}” is in your portfolio.", "success")
            return redirect(url_for("cpd.log"))
    return _needs_attention("cpd/activity.html", form=form, activity=None)


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@roles_required("mentee")
def edit_activity(activity_id: int):  # noqa: ANN201
    user = caller()
    activity = cpd_portfolio.own_activity(db.session, user, activity_id)
    form = ActivityForm()
    if not form.is_submitted():
        form.title.data = activity.title
        form.provider.data = activity.provider
        form.completed_on.data = activity.completed_on
        form.hours.data = _number(activity.hours) if activity.hours is not None else ""
        form.kind.data = activity.kind
        form.uan.data = activity.uan or ""
        form.reflection.data = activity.reflection
        return render_template("cpd/activity.html", form=form, activity=activity)
    if form.validate():
        try:
            cpd_portfolio.update_activity(db.session, user, activity_id, _activity_values(form))
            if form.remove_certificate.data:
                cpd_portfolio.remove_certificate(
                    db.session, user, activity_id, certificate_folder()
                )
            _save_certificate(form, user, activity_id)
        except Invalid as exc:
            _attach_errors(form, exc, "title")
        else:
            flash("The activity is saved.", "success")
            return redirect(url_for("cpd.log"))
    return _needs_attention("cpd/activity.html", form=form, activity=activity)


@bp.route("/activities/<int:activity_id>/delete", methods=["POST"])
@roles_required("mentee")
def delete_activity(activity_id: int) -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400)
    cpd_portfolio.delete_activity(db.session, caller(), activity_id, certificate_folder())
    flash("The activity is deleted.", "success")
    return redirect(url_for("cpd.log"))


@bp.route("/activities/<int:activity_id>/certificate")
@roles_required("mentee", "coordinator")
@serves_site_scopes  # a mentee of their sites only
def certificate(activity_id: int) -> Response:
    data, mimetype, name = cpd_portfolio.certificate_of(
        db.session, caller(), activity_id, certificate_folder()
    )
    return certificate_download(data, mimetype, name)


def _import_into(person: User, back: str):  # noqa: ANN202
    """The import form for `person`'s activities: all rows or none, every problem listed."""
    form = ImportForm()
    shown = {"person": person, "for_self": person.id == caller().id, "back": back}
    if not form.is_submitted():
        return render_template("cpd/import.html", form=form, errors=[], **shown)
    errors = []
    if form.validate():
        upload = form.file.data
        raw = upload.read() if upload is not None else b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            form.file.errors = ["The file is not UTF-8 text: save it as “CSV UTF-8”."]
        else:
            try:
                created = cpd_portfolio.import_activities(db.session, person, text)
            except Invalid as exc:
                errors = cpd_portfolio.csv_errors(exc)
            else:
                flash(f"{created} activities imported.", "success")
                return redirect(back)
    flash("Nothing was imported; see the problems below.", "error")
    return render_template("cpd/import.html", form=form, errors=errors, **shown), 422


@bp.route("/import", methods=["GET", "POST"])
@roles_required("mentee")
def import_activities():  # noqa: ANN201
    return _import_into(caller(), url_for("cpd.log"))


@bp.route("/report")
@coordinator_required
@serves_site_scopes
def report():  # noqa: ANN201
    short = request.args.get("short") == "1"
    within = scopes.visible_site_ids(db.session, caller())
    rows = cpd_portfolio.compliance(
        db.session, short_within=SHORT_WINDOW if short else None, within=within
    )
    return render_template(
        "cpd/report.html",
        report=cpd.cpd_report(db.session, within),
        rows=rows,
        short=short,
        window=SHORT_WINDOW,
        rules=cpd_portfolio.current_rules(db.session),
    )


@bp.route("/report.csv")
@coordinator_required
@serves_site_scopes
def report_csv() -> Response:
    short = request.args.get("short") == "1"
    rows = cpd_portfolio.compliance(
        db.session,
        short_within=SHORT_WINDOW if short else None,
        within=scopes.visible_site_ids(db.session, caller()),
    )
    return download(cpd_portfolio.compliance_csv(rows), "cpd-compliance.csv")


@bp.route("/mentees/<int:user_id>")
@coordinator_required
@serves_site_scopes
def mentee(user_id: int):  # noqa: ANN201
    p = cpd_portfolio.portfolio(db.session, people.get_mentee(db.session, user_id, caller()))
    return render_template("cpd/log.html", p=p, log=p.shadowing, owner=False)


@bp.route("/mentees/<int:user_id>/transcript.pdf")
@coordinator_required
@serves_site_scopes
def mentee_transcript(user_id: int) -> Response:
    p = cpd_portfolio.portfolio(db.session, people.get_mentee(db.session, user_id, caller()))
    return transcript_download(p, cpd_portfolio.today_utc())


@bp.route("/mentees/<int:user_id>/import", methods=["GET", "POST"])
@coordinator_required
@serves_site_scopes
def import_for_mentee(user_id: int):  # noqa: ANN201
    person = people.get_mentee(db.session, user_id, caller())
    return _import_into(person, url_for("cpd.mentee", user_id=person.id))


@bp.route("/rules", methods=["GET", "POST"])
@coordinator_required
@serves_site_scopes  # read only for a site-scoped coordinator: the rules are the programme's
def rules():  # noqa: ANN201
    form = RulesForm()
    current = cpd_portfolio.current_rules(db.session)
    setting = programme_setting("change the recertification rules", "cpd.rules")
    if setting.turned_back:
        return setting.turned_back
    if not form.is_submitted():
        form.name.data = current.name
        form.total_hours.data = _number(current.total_hours)
        form.cycle_years.data = current.cycle_years
        caps = dict(current.caps)
        form.college_cap.data = _number(caps["college"]) if "college" in caps else ""
        form.other_cap.data = _number(caps["other"]) if "other" in caps else ""
        for category in current.categories:
            getattr(form, _topic_field(category.topic)).data = _number(category.hours)
        return render_template(
            "cpd/rules.html",
            form=form,
            topics=TOPICS,
            rules=current,
            read_only=setting.read_only,
            refusal=setting.refusal,
        )
    if form.validate():
        data: dict[str, Any] = {
            "name": form.name.data or "",
            "total_hours": (form.total_hours.data or "").strip(),
            "cycle_years": form.cycle_years.data or 2,
            "categories": [
                {"topic": code, "hours": value.strip()}
                for code in TOPICS
                if (value := getattr(form, _topic_field(code)).data or "").strip()
            ],
            "caps": {
                kind: value.strip()
                for kind, value in (
                    ("college", form.college_cap.data or ""),
                    ("other", form.other_cap.data or ""),
                )
                if value.strip()
            },
        }
        if "reset" in request.form:
            data = cpd_portfolio.PTCB_RULES.as_dict()
        try:
            cpd_portfolio.save_rules(db.session, caller(), data)
        except Invalid as exc:
            _attach_errors(form, exc, "name", {"categories": "total_hours", "caps": "college_cap"})
        else:
            flash("The recertification rules are saved.", "success")
            return redirect(url_for("cpd.rules"))
    return _needs_attention("cpd/rules.html", form=form, topics=TOPICS, rules=current)
