"""Coordinators' outbox page: mail waiting to go or that could not be delivered, with Retry
(a site-scoped coordinator: the mails to the people of their sites)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm

from mentor_match.auth import caller, coordinator_required, serves_site_scopes
from mentor_match.extensions import db
from mentor_match.services import outbox, scopes
from mentor_match.services.errors import ServiceError
from mentor_match.web.forms import refused
from mentor_match.web.navigation import Link, add_link

bp = Blueprint("outbox", __name__, url_prefix="/outbox")

add_link(
    Link("outbox.index", "Outbox", ("coordinator",), "mail waiting to go out, or that failed.")
)


class RetryForm(FlaskForm):
    pass


@bp.get("/")
@coordinator_required
@serves_site_scopes  # a site-scoped coordinator: the mails to the people of their sites
def index():  # noqa: ANN201
    user = caller()
    return render_template(
        "outbox/index.html",
        counts=outbox.counts(db.session, user),
        mails=outbox.waiting_mail(db.session, caller=user),
        form=RetryForm(),
        programme_wide=not scopes.is_site_scoped(db.session, user),
    )


@bp.post("/<int:mail_id>/retry")
@coordinator_required
@serves_site_scopes  # only the mails they may see
def retry(mail_id: int):  # noqa: ANN201
    if not RetryForm().validate_on_submit():
        flash("That retry was incomplete. Try again.", "error")
        return redirect(url_for("outbox.index"))
    try:
        mail = outbox.retry_mail(db.session, mail_id, caller())
    except ServiceError as exc:
        refused(exc)
        return redirect(url_for("outbox.index"))
    flash(f"The mail to {mail.to} is queued to be sent again.", "success")
    return redirect(url_for("outbox.index"))
