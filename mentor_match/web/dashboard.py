"""The programme dashboard page, its chart images and CSV tables; a mentor's own fill rate."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from mentor_match.auth import coordinator_required, roles_required, serves_site_scopes
from mentor_match.edge import download
from mentor_match.extensions import db
from mentor_match.reports.charts import Chart, chart_csv, format_value, render_svg
from mentor_match.services import programme_dashboard as board
from mentor_match.services import scopes
from mentor_match.services.errors import Invalid
from mentor_match.web.navigation import Link, add_link

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

add_link(
    Link(
        "dashboard.index",
        "Dashboard",
        ("coordinator",),
        "charts of matching, mentor capacity, shifts and shadowing hours, by dates and site.",
    )
)


def svg_response(chart: Chart | str) -> Response:
    """A chart as an image of its own: the page's CSP never has to allow inline SVG styles."""
    drawn = chart if isinstance(chart, str) else render_svg(chart)
    response = Response(drawn, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


def _within() -> frozenset[int] | None:
    """The caller's sites when site-scoped: the dashboard shows those (all by default)."""
    return scopes.visible_site_ids(db.session, current_user)


@bp.get("")
@coordinator_required
@serves_site_scopes
def index():  # noqa: ANN201
    error = None
    within = _within()
    try:
        filters = board.parse_filters(db.session, request.args, within=within)
    except Invalid as exc:
        error = exc
        filters = board.parse_filters(db.session, {}, within=within)
    found = board.dashboard(db.session, filters)
    # The images and tables linked from this page are drawn from the charts it shows.
    kept = board.page_charts.keep(found)
    page = render_template(
        "dashboard/index.html",
        board=found,
        filters=filters,
        sites=board.sites(db.session, within),
        every_site=within is None,
        error=error,
        args=filters.query_args(),
        chart_args={**filters.query_args(), "v": kept},
    )
    return page, 422 if error else 200


@bp.get("/charts/<chart>.svg")
@coordinator_required
@serves_site_scopes
def chart_svg(chart: str) -> Response:
    filters = board.parse_filters(db.session, request.args, within=_within())
    drawn = board.page_charts.drawing(request.args.get("v"), filters, chart, render_svg)
    return svg_response(drawn or board.one_chart(db.session, filters, chart))


@bp.get("/charts/<chart>.csv")
@coordinator_required
@serves_site_scopes
def chart_table(chart: str) -> Response:
    filters = board.parse_filters(db.session, request.args, within=_within())
    found = board.page_charts.chart(request.args.get("v"), filters, chart) or board.one_chart(
        db.session, filters, chart
    )
    name = f"{found.key.replace('_', '-')}-{filters.start}-to-{filters.end}.csv"
    return download(chart_csv(found), name)


@bp.get("/my-fill-rate.svg")
@roles_required("mentor")
def my_fill_rate_svg() -> Response:
    filters = board.parse_filters(db.session, request.args)
    return svg_response(board.mentor_fill_rate(db.session, current_user, filters))


@bp.get("/my-fill-rate.csv")
@roles_required("mentor")
def my_fill_rate_csv() -> Response:
    filters = board.parse_filters(db.session, request.args)
    chart = board.mentor_fill_rate(db.session, current_user, filters)
    return download(chart_csv(chart), f"my-fill-rate-{filters.start}-to-{filters.end}.csv")


@bp.app_template_filter("chart_value")
def chart_value(value: object, kind: str) -> str:
    return format_value(value, kind)
