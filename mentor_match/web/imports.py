"""Coordinators' spreadsheet page: upload a CSV, preview what it would change, then confirm."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import HiddenField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from mentor_match.auth import coordinator_required, serves_site_scopes
from mentor_match.edge import base_url, download, export_people, invite_limit
from mentor_match.extensions import db
from mentor_match.importing import template_csv
from mentor_match.services import imports, scopes
from mentor_match.services.errors import Invalid, NotFound
from mentor_match.web.forms import refused
from mentor_match.web.navigation import Link, add_link

bp = Blueprint("imports", __name__, url_prefix="/imports")

add_link(
    Link("imports.index", "Import", ("coordinator",), "add mentors and mentees from a spreadsheet.")
)

KIND_CHOICES = [SelectChoice("mentees", "Mentees"), SelectChoice("mentors", "Mentors")]


class UploadForm(FlaskForm):
    kind = RadioField("Who is in the file?", choices=KIND_CHOICES, default="mentees")
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose the CSV file to upload.")],
        description="Saved from your spreadsheet as 'CSV UTF-8 (Comma delimited)'.",
    )
    submit = SubmitField("Check the file")


class ConfirmForm(FlaskForm):
    key = HiddenField(validators=[DataRequired(), Length(max=64)])
    submit = SubmitField("Import")


def _limit_mb() -> str:
    return f"{(current_app.config.get('MAX_CONTENT_LENGTH') or 0) / 1024 / 1024:g}"


def _index(form: UploadForm | None = None, status: int = 200):  # noqa: ANN202
    # A site-scoped coordinator sees (and invites) the people of their sites only.
    within = scopes.visible_site_ids(db.session, current_user)
    return (
        render_template(
            "imports/index.html",
            form=form or UploadForm(),
            programme_wide=within is None,
            without_password=imports.count_people_without_password(db.session, within),
            pending_invitations=imports.count_pending_invitations(db.session, within),
            limit_mb=_limit_mb(),
        ),
        status,
    )


@bp.get("/")
@coordinator_required
@serves_site_scopes
def index():  # noqa: ANN201
    return _index()


@bp.post("/preview")
@coordinator_required
@serves_site_scopes
def preview():  # noqa: ANN201
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    upload = form.file.data
    data = upload.read()
    kind = form.kind.data or "mentees"
    summary = imports.preview_import(db.session, kind, data, current_user)
    confirm = None
    if summary.ok and summary.created + summary.updated:
        confirm = ConfirmForm(
            key=imports.hold_import(db.session, current_user, kind, upload.filename or "", data)
        )
    return (
        render_template(
            "imports/preview.html",
            summary=summary,
            filename=upload.filename or "the file",
            confirm=confirm,
            invite_limit=invite_limit(),
        ),
        200 if summary.ok else 422,
    )


@bp.post("/confirm")
@coordinator_required
@serves_site_scopes
def confirm():  # noqa: ANN201
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("That confirmation was incomplete. Upload the file again.", "error")
        return redirect(url_for("imports.index"))
    try:
        summary = imports.confirm_import(
            db.session,
            current_user,
            form.key.data or "",
            base_url=base_url(),
            secret_key=current_app.config["SECRET_KEY"],
            invite_limit=invite_limit(),
        )
    except NotFound as exc:
        refused(exc)
        return redirect(url_for("imports.index"))
    except Invalid as exc:
        # Someone changed the programme between the preview and now: show what is wrong.
        return (
            render_template(
                "imports/preview.html",
                summary=None,
                problem=exc,
                filename="the file",
                confirm=None,
                invite_limit=invite_limit(),
            ),
            422,
        )
    message = f"Imported {summary.kind}: {summary.created} added, {summary.updated} updated."
    invited = summary.invited + summary.awaiting_invitation
    if invited:
        message += f" {invited} invitation{'s are' if invited != 1 else ' is'} on the way."
    flash(message, "success")
    return redirect(url_for("imports.index"))


@bp.get("/templates/<kind>.csv")
@coordinator_required
@serves_site_scopes
def template(kind: str) -> Response:
    kind = imports.check_kind(kind)
    return download(template_csv(kind), f"{kind}-template.csv")


@bp.get("/export/<kind>.csv")
@coordinator_required
@serves_site_scopes
def export(kind: str) -> Response:
    return export_people(kind, scopes.visible_site_ids(db.session, current_user))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge):  # noqa: ANN201
    return render_template("imports/too_large.html", limit_mb=_limit_mb()), 413
