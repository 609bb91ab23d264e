"""A page view's images and tables come from the charts it computed, never from stale ones."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date

from sqlalchemy import update

from mentor_match.extensions import db
from mentor_match.models import Shift
from mentor_match.reports.charts import Chart, Column
from mentor_match.services.programme_dashboard import (
    BuiltSection,
    Dashboard,
    Filters,
    PageCharts,
)
from tests.helpers import login

FEBRUARY = {"from": "2026-02-01", "to": "2026-02-28"}


def _link(page: str, key: str, ext: str) -> str:
    found = re.search(rf'"(/dashboard/charts/{key}\.{ext}\?[^"]*)"', page)
    assert found, f"no {key}.{ext} link"
    return html_lib.unescape(found.group(1))


def _cancel_every_shift(app) -> None:  # noqa: ANN001
    with app.app_context():
        db.session.execute(update(Shift).values(status="cancelled"))
        db.session.commit()


def test_the_page_links_its_charts_by_its_own_key(app, client, programme):
    login(client, "coordinator@example.org")
    page = client.get("/dashboard", query_string=FEBRUARY).get_data(as_text=True)
    csv_link = _link(page, "hours_by_specialty", "csv")
    svg_link = _link(page, "hours_by_specialty", "svg")
    assert "v=" in csv_link and "v=" in svg_link
    shown = client.get(csv_link).get_data(as_text=True)
    assert shown == client.get(
        "/dashboard/charts/hours_by_specialty.csv", query_string=FEBRUARY
    ).get_data(as_text=True)
    assert len(shown.splitlines()) > 1
    first_image = client.get(svg_link)
    assert first_image.status_code == 200 and "<svg" in first_image.get_data(as_text=True)
    assert client.get(svg_link).get_data() == first_image.get_data()

    _cancel_every_shift(app)
    # The links of the page already shown still show its numbers (its table says the same) ...
    assert client.get(csv_link).get_data(as_text=True) == shown
    # ... but anything asked afresh, and the next page view, count again.
    fresh = client.get("/dashboard/charts/hours_by_specialty.csv", query_string=FEBRUARY)
    assert fresh.get_data(as_text=True).splitlines() == ["specialty,hours,shifts,mentees"]
    again = client.get("/dashboard", query_string=FEBRUARY).get_data(as_text=True)
    new_link = _link(again, "hours_by_specialty", "csv")
    assert new_link != csv_link
    assert client.get(new_link).get_data(as_text=True).splitlines() == [
        "specialty,hours,shifts,mentees"
    ]


def test_a_key_never_answers_for_other_filters_or_when_unknown(app, client, programme):
    login(client, "coordinator@example.org")
    page = client.get("/dashboard", query_string=FEBRUARY).get_data(as_text=True)
    key = re.search(r"v=([\w-]+)", page).group(1)
    _cancel_every_shift(app)
    empty = ["specialty,hours,shifts,mentees"]
    for query in (
        {"from": "2026-01-01", "to": "2026-03-31", "v": key},
        {**FEBRUARY, "site": str(programme.ids["North"]), "v": key},
        {**FEBRUARY, "v": "not-a-kept-key"},
    ):
        response = client.get("/dashboard/charts/hours_by_specialty.csv", query_string=query)
        assert response.status_code == 200
        assert response.get_data(as_text=True).splitlines() == empty, query
    assert client.get("/dashboard/charts/nothing.svg", query_string={"v": key}).status_code == 404


def _board(start: date) -> Dashboard:
    chart = Chart(
        key="funnel",
        title="Funnel",
        summary="",
        kind="bar",
        columns=(Column("stage", "Stage", "text"), Column("n", "N")),
        rows=(("enrolled", 1),),
        series=("n",),
        axis_label="",
        empty_text="",
    )
    return Dashboard(Filters(start, start), [BuiltSection("matching", "", "", [chart])])


def test_kept_charts_expire_and_are_bounded():
    kept = PageCharts(size=2, seconds=600)
    days = [date(2026, 1, d) for d in (1, 2, 3)]
    keys = [kept.keep(_board(d)) for d in days]
    assert kept.chart(keys[0], Filters(days[0], days[0]), "funnel") is None  # pushed out
    assert kept.chart(keys[2], Filters(days[2], days[2]), "funnel") is not None
    assert kept.chart(keys[2], Filters(days[2], days[2]), "scores") is None
    drawn = []
    for _ in range(2):
        kept.drawing(keys[2], Filters(days[2], days[2]), "funnel", lambda c: drawn.append(1) or "x")
    assert drawn == [1]
    gone = PageCharts(seconds=-1)
    key = gone.keep(_board(days[0]))
    assert gone.chart(key, Filters(days[0], days[0]), "funnel") is None
