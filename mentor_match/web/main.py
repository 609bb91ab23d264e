"""The home page: what each kind of user can do next."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from mentor_match.extensions import db
from mentor_match.models import Role, User

bp = Blueprint("main", __name__)


@bp.get("/")
def index():  # noqa: ANN201
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    counts = {}
    if current_user.role == Role.COORDINATOR:
        rows = db.session.execute(select(User.role, func.count()).group_by(User.role)).all()
        counts = {role: n for role, n in rows}
    return render_template("main/index.html", counts=counts)


@bp.get("/healthz")
def health() -> dict[str, str]:
    db.session.execute(select(1))
    return {"status": "ok"}
