"""The home page: what each kind of user can do next."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from mentor_match.extensions import db
from mentor_match.services import dashboard, programme_dashboard

bp = Blueprint("main", __name__)


@bp.get("/")
def index():  # noqa: ANN201
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    home = dashboard.home_for(db.session, current_user)
    fill_rate = None
    if current_user.role == "mentor":
        fill_rate = programme_dashboard.mentor_fill_rate(
            db.session, current_user, programme_dashboard.parse_filters(db.session, {})
        )
    return render_template("main/index.html", home=home, fill_rate=fill_rate)


@bp.get("/accessibility")
def accessibility():  # noqa: ANN201
    """The accessibility statement: open to everyone, signed in or not."""
    return render_template("main/accessibility.html")


@bp.get("/healthz")
def health() -> dict[str, str]:
    db.session.execute(select(1))
    return {"status": "ok"}
