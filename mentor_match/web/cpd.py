"""CPD pages: a mentee's log of attended shadowing hours, and the coordinator's report."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_login import current_user

from mentor_match.auth import coordinator_required, roles_required
from mentor_match.edge import download
from mentor_match.extensions import db
from mentor_match.services import cpd
from mentor_match.web.navigation import Link, add_link

bp = Blueprint("cpd", __name__, url_prefix="/cpd")

add_link(
    Link("cpd.log", "CPD log", ("mentee",), "your attended shadowing hours, with a CSV export.")
)
add_link(
    Link("cpd.report", "CPD report", ("coordinator",), "shadowing hours per mentee and specialty.")
)


@bp.route("/")
@roles_required("mentee")
def log():  # noqa: ANN201
    return render_template("cpd/log.html", log=cpd.cpd_log(db.session, current_user))


@bp.route("/log.csv")
@roles_required("mentee")
def log_csv() -> Response:
    return download(cpd.cpd_csv(cpd.cpd_log(db.session, current_user)), "cpd-log.csv")


@bp.route("/report")
@coordinator_required
def report():  # noqa: ANN201
    return render_template("cpd/report.html", report=cpd.cpd_report(db.session))
