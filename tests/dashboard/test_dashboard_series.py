"""Every dashboard series equals what counting the fixture's lists by hand gives, per filter.

The expected figures come from `tests/dashboard/conftest.py`'s lists with plain Python; the
actual ones from `GET /api/v1/dashboard` (and the page, CSV and image of the same query layer).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from mentor_match.importing.specialties import DEFAULT_SPECIALTIES
from mentor_match.services.programme_dashboard import REASON_LABELS
from tests.dashboard.conftest import (
    BOOKINGS,
    MENTEES,
    MENTORS,
    MENTORSHIPS,
    PROPOSED,
    ROUNDS,
    SHIFTS,
    UNMATCHED,
    at,
)
from tests.helpers import login

NAMES = {s.slug: s.name for s in DEFAULT_SPECIALTIES}
RANGES = {
    "january": ("2026-01-01", "2026-01-31"),
    "february": ("2026-02-01", "2026-02-28"),
    "first-quarter": ("2026-01-01", "2026-03-31"),
    "spring": ("2026-02-01", "2026-04-30"),
}
FILTERS = [(r, site) for r in RANGES for site in (None, "North", "South")]


def window(start: str, end: str):  # noqa: ANN201
    return at(f"{start}T00:00"), at(f"{end}T00:00") + timedelta(days=1)


def here(person_site: str, site: str | None) -> bool:
    return site is None or person_site == site


def mondays(start: str, end: str) -> list[str]:
    first = date.fromisoformat(start)
    first -= timedelta(days=first.weekday())
    out = []
    while first <= date.fromisoformat(end):
        out.append(first.isoformat())
        first += timedelta(days=7)
    return out


def monday_of(moment) -> str:  # noqa: ANN001
    day = moment.date()
    return (day - timedelta(days=day.weekday())).isoformat()


# --- expectations, by hand -------------------------------------------------------------------


def expect_funnel(start, end, site):  # noqa: ANN001, ANN201
    s, e = window(start, end)
    enrolled = {
        k
        for k, (where, active, created) in MENTEES.items()
        if active and created < e and here(where, site)
    }
    mine = [m for m in MENTORSHIPS if m[1] in enrolled]
    matched = {m[1] for m in mine if m[2] < e}
    active = {m[1] for m in mine if m[2] < e and (m[3] is None or m[3] >= e)}
    ended = {m[1] for m in mine if m[3] is not None and s <= m[3] < e}
    return [
        {"stage": "Enrolled", "mentees": len(enrolled)},
        {"stage": "Matched", "mentees": len(matched)},
        {"stage": "Active", "mentees": len(active)},
        {"stage": "Ended", "mentees": len(ended)},
    ]


def latest(start, end):  # noqa: ANN001, ANN201
    _, e = window(start, end)
    live = [
        (created, k)
        for k, (status, created) in ROUNDS.items()
        if status in ("proposed", "published") and created < e
    ]
    return max(live)[1] if live else None


def expect_unmatched(start, end, site):  # noqa: ANN001, ANN201
    found = latest(start, end)
    counts = Counter(
        REASON_LABELS[reason]
        for r, mentee, reason in UNMATCHED
        if r == found and here(MENTEES[mentee][0], site)
    )
    return sorted(
        ({"reason": k, "mentees": n} for k, n in counts.items()),
        key=lambda d: (-d["mentees"], d["reason"]),
    )


def _used(mentor: str, e) -> int:  # noqa: ANN001
    live = sum(
        1 for m in MENTORSHIPS if m[0] == mentor and m[2] < e and (m[3] is None or m[3] >= e)
    )
    return min(live, MENTORS[mentor][1])


def expect_capacity(start, end, site, by):  # noqa: ANN001, ANN201
    _, e = window(start, end)
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, (where, capacity, slugs, active) in MENTORS.items():
        if not active or not here(where, site):
            continue
        labels = [where] if by == "site" else [NAMES[s] for s in slugs]
        for label in labels:
            groups[label][0] += 1
            groups[label][1] += _used(key, e)
            groups[label][2] += capacity
    return [
        {by: label, "mentors": n, "used": used, "free": cap - used, "capacity": cap}
        for label, (n, used, cap) in sorted(groups.items())
    ]


def expect_scores(start, end, site):  # noqa: ANN001, ANN201
    found = latest(start, end)
    pairs = [p for p in PROPOSED if p[0] == found and here(MENTEES[p[1]][0], site)]
    if not pairs:
        return [], []
    bins = Counter(min(int(p[3] * 10 + 1e-9), 9) for p in pairs)
    rows = [
        {"score": f"{i / 10:.1f}–{(i + 1) / 10:.1f}", "pairs": bins.get(i, 0)} for i in range(10)
    ]
    factors = [
        ("Specialty", "specialty"),
        ("Availability", "availability"),
        ("Site", "site"),
        ("Preference", "preference"),
    ]
    means = [
        {"factor": label, "mean": round(sum(p[4][key] for p in pairs) / len(pairs), 3)}
        for label, key in factors
    ]
    return rows, means


def _shift_in(key: str, start, end, site) -> bool:  # noqa: ANN001
    s, e = window(start, end)
    mentor, begins, _, _, _, status = SHIFTS[key]
    return status == "scheduled" and s <= begins < e and here(MENTORS[mentor][0], site)


def expect_shifts(start, end, site):  # noqa: ANN001, ANN201
    weeks = {w: [0, 0, 0, 0, 0] for w in mondays(start, end)}
    for key, (_, begins, _, seats, _, _) in SHIFTS.items():
        if _shift_in(key, start, end, site):
            weeks[monday_of(begins)][0] += seats
    for shift, _, status, attended, _ in BOOKINGS:
        if not _shift_in(shift, start, end, site):
            continue
        row = weeks[monday_of(SHIFTS[shift][1])]
        row[1] += status == "confirmed"
        row[2] += status == "confirmed" and attended is True
        row[3] += status == "confirmed" and attended is False
        row[4] += status == "waitlisted"
    if not any(r[0] or r[4] for r in weeks.values()):
        return []
    keys = ("offered", "booked", "attended", "no_shows", "waitlisted")
    return [{"week": w, **dict(zip(keys, r, strict=True))} for w, r in weeks.items()]


def _attended(start, end, site):  # noqa: ANN001, ANN202
    return [
        b
        for b in BOOKINGS
        if _shift_in(b[0], start, end, site) and b[2] == "confirmed" and b[3] is True and b[4] > 0
    ]


def expect_hours(start, end, site):  # noqa: ANN001, ANN201
    done = _attended(start, end, site)
    by_week: dict[str, list] = {w: [Decimal(0), 0, set()] for w in mondays(start, end)}
    by_specialty: dict[str, list] = defaultdict(lambda: [Decimal(0), 0, set()])
    for shift, mentee, _, _, hours in done:
        slug = SHIFTS[shift][4]
        for row in (
            by_week[monday_of(SHIFTS[shift][1])],
            by_specialty[NAMES[slug] if slug else "No specialty"],
        ):
            row[0] += hours
            row[1] += 1
            row[2].add(mentee)
    weeks = [{"week": w, "hours": float(h), "shifts": n} for w, (h, n, p) in by_week.items()]
    specialties = [
        {"specialty": k, "hours": float(h), "shifts": n, "mentees": len(p)}
        for k, (h, n, p) in sorted(by_specialty.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]
    return (weeks if done else []), specialties


# --- the checks ------------------------------------------------------------------------------


def _coordinator_headers(app, token_for):  # noqa: ANN001, ANN202
    from mentor_match.extensions import db
    from mentor_match.models import User

    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.role == "coordinator"))
    return token_for(user_id)


def _query(range_key: str, site: str | None, ids: dict[str, int]) -> dict[str, str]:
    start, end = RANGES[range_key]
    query = {"from": start, "to": end}
    if site:
        query["site"] = str(ids[site])
    return query


@pytest.mark.parametrize(("range_key", "site"), FILTERS)
def test_every_series_matches_the_hand_count(app, client, programme, token_for, range_key, site):
    headers = _coordinator_headers(app, token_for)
    response = client.get(
        "/api/v1/dashboard", headers=headers, query_string=_query(range_key, site, programme.ids)
    )
    assert response.status_code == 200, response.get_json()
    charts = response.get_json()["charts"]
    start, end = RANGES[range_key]

    assert charts["funnel"]["rows"] == expect_funnel(start, end, site)
    assert charts["unmatched"]["rows"] == expect_unmatched(start, end, site)
    assert charts["capacity_by_site"]["rows"] == expect_capacity(start, end, site, "site")
    assert charts["capacity_by_specialty"]["rows"] == expect_capacity(start, end, site, "specialty")
    scores, factors = expect_scores(start, end, site)
    assert charts["scores"]["rows"] == scores
    assert charts["score_factors"]["rows"] == [
        {"factor": f["factor"], "mean": pytest.approx(f["mean"], abs=1e-3)} for f in factors
    ]
    assert charts["shifts_by_week"]["rows"] == expect_shifts(start, end, site)
    weeks, specialties = expect_hours(start, end, site)
    assert charts["hours_by_week"]["rows"] == weeks
    assert charts["hours_by_specialty"]["rows"] == specialties
    for chart in charts.values():
        assert chart["summary"] and chart["title"]


def test_the_fixture_exercises_what_the_filters_change(app, client, programme, token_for):
    """Guard against a fixture so small that a wrong filter could still pass: the hand counts
    differ between ranges and sites, and are not all zero."""
    feb, q1 = RANGES["february"], RANGES["first-quarter"]
    assert expect_funnel(*feb, None) != expect_funnel(*q1, None)
    assert expect_funnel(*feb, "North") != expect_funnel(*feb, "South")
    assert (
        latest(*RANGES["january"]) == "r1"
        and latest(*feb) == "r2"
        and latest(*RANGES["spring"]) == "r4"
    )
    assert expect_shifts(*feb, "North") != expect_shifts(*feb, "South")
    assert expect_hours(*feb, None)[1] and expect_scores(*q1, None)[0]


def test_the_summary_sentence_carries_the_numbers(app, client, programme, token_for):
    headers = _coordinator_headers(app, token_for)
    query = _query("february", None, programme.ids)
    charts = client.get("/api/v1/dashboard", headers=headers, query_string=query).get_json()[
        "charts"
    ]
    # February: 8 enrolled (e9 left, e10 joins in June); e1 and e2 matched and active, e2's
    # first mentorship ended on the 15th, e6's is still running.
    assert charts["funnel"]["summary"].startswith(
        "3 of 8 mentees matched; 3 in an active mentorship"
    )
    assert "1 ended within them; 5 waiting for a mentor" in charts["funnel"]["summary"]
    assert charts["unmatched"]["summary"] == (
        "Round “Round r2” left 3 mentees unmatched: 1 every suitable mentor is full;"
        " 1 no mentor shares a specialty; 1 no shared availability."
    )
    assert charts["shifts_by_week"]["summary"] == (
        "8 seats offered and 6 booked (75% filled); 4 attended, 1 no-show; 2 on a waitlist."
    )


def test_the_page_shows_each_chart_with_its_table_and_links(app, client, programme):
    login(client, "coordinator@example.org")
    query = _query("february", "North", programme.ids)
    page = client.get("/dashboard", query_string=query)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for key in (
        "funnel",
        "unmatched",
        "capacity_by_site",
        "scores",
        "shifts_by_week",
        "hours_by_specialty",
    ):
        assert f'id="{key}-title"' in html
        assert (
            f"/dashboard/charts/{key}.svg?from=2026-02-01&amp;to=2026-02-28&amp;site={programme.ids['North']}"
            in html
        )
        assert f"/dashboard/charts/{key}.csv?" in html
    # Nothing inline for the CSP to block: no style, and only the site-wide scripts by src.
    assert "<style" not in html and " style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    # North's oncology hours in February: s1 (3 + 2.5); s5's attendance has no hours.
    assert '<th scope="row">Oncology</th><td class="num">5.5</td><td class="num">2</td>' in html


def test_each_table_downloads_as_csv_with_the_same_numbers(app, client, programme):
    login(client, "coordinator@example.org")
    query = _query("february", None, programme.ids)
    response = client.get("/dashboard/charts/hours_by_specialty.csv", query_string=query)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "specialty,hours,shifts,mentees"
    _, specialties = expect_hours(*RANGES["february"], None)
    assert lines[1:] == [
        f"{r['specialty']},{r['hours']:g},{r['shifts']},{r['mentees']}" for r in specialties
    ]


def test_each_chart_is_an_svg_image_without_styles_or_scripts(app, client, programme):
    login(client, "coordinator@example.org")
    query = _query("first-quarter", None, programme.ids)
    for key in ("funnel", "capacity_by_specialty", "scores", "shifts_by_week", "hours_by_week"):
        response = client.get(f"/dashboard/charts/{key}.svg", query_string=query)
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
        assert "<svg" in svg and "<title>" in svg and "<desc>" in svg
        assert "<style" not in svg and "style=" not in svg and "<script" not in svg
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ({"site": "abc"}, "site"),
        ({"site": "99999999999"}, "site"),
        ({"site": "424242"}, "site"),
    ],
)
def test_bad_filters_are_a_422_naming_the_field(app, client, programme, token_for, query, field):
    headers = _coordinator_headers(app, token_for)
    response = client.get("/api/v1/dashboard", headers=headers, query_string=query)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == field
    login(client, "coordinator@example.org")
    page = client.get("/dashboard", query_string=query)
    assert page.status_code == 422
    assert 'role="alert"' in page.get_data(as_text=True)
    assert client.get("/dashboard/charts/funnel.svg", query_string=query).status_code == 422


def test_an_unknown_chart_is_not_found(app, client, programme):
    login(client, "coordinator@example.org")
    assert client.get("/dashboard/charts/nothing.svg").status_code == 404
    assert client.get("/dashboard/charts/nothing.csv").status_code == 404


def test_a_mentor_sees_their_own_shifts_fill_rate(app, client, programme):
    login(client, "m1@example.org")
    query = {"from": "2026-01-01", "to": "2026-03-31"}
    lines = (
        client.get("/dashboard/my-fill-rate.csv", query_string=query)
        .get_data(as_text=True)
        .splitlines()
    )
    # m1's scheduled shifts: s1 (3 seats, 2 confirmed, both attended) and s6 (2 seats, 1).
    expected = []
    for key in ("s1", "s6"):
        _, begins, _, seats, _, _ = SHIFTS[key]
        confirmed = [b for b in BOOKINGS if b[0] == key and b[2] == "confirmed"]
        attended = sum(1 for b in confirmed if b[3] is True)
        rate = round(len(confirmed) * 100 / seats)
        expected.append(f"{monday_of(begins)},{seats},{len(confirmed)},{attended},{rate}")
    assert lines == ["week,seats,booked,attended,fill_rate", *expected]
    svg = client.get("/dashboard/my-fill-rate.svg", query_string=query)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "3 of 5 seats on your shifts booked (60%)" in svg.get_data(as_text=True)


def test_the_mentor_home_page_shows_the_fill_rate_when_there_are_shifts(app, client, programme):
    from datetime import UTC, datetime

    from mentor_match.extensions import db
    from mentor_match.models import Booking, Shift

    with app.app_context():
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        shift = Shift(
            mentor_id=programme.ids["m2"],
            start_at=start,
            end_at=start + timedelta(hours=3),
            seats=4,
            seats_taken=1,
        )
        db.session.add(shift)
        db.session.flush()
        db.session.add(
            Booking(shift_id=shift.id, mentee_id=programme.ids["e3"], status="confirmed")
        )
        db.session.commit()
    login(client, "m2@example.org")
    html = client.get("/").get_data(as_text=True)
    assert "How full your shifts are, by week" in html
    assert "1 of 4 seats on your shifts booked (25%)" in html
    assert "/dashboard/my-fill-rate.svg" in html
    login_other = app.test_client()
    login(login_other, "m3@example.org")
    assert "How full your shifts are" not in login_other.get("/").get_data(as_text=True)


def test_the_coordinator_reaches_the_dashboard_from_home_and_menu(app, client, programme):
    login(client, "coordinator@example.org")
    html = client.get("/").get_data(as_text=True)
    assert html.count('href="/dashboard"') >= 2  # the menu and the home page's links
