"""The CPD compliance section against hand-worked standings, per site.

Three mentees get a certification and CE (through the CPD portfolio's own services); everyone
else has none, so is short of everything. Worked by hand against the PTCB rules (20 hours, at
least 1 of pharmacy law and 1 of patient safety):
- e1 (North): 18 h general + 1 h law + 1 h patient safety → every requirement met;
- e6 (South): 2 h law, cycle ends in 50 days → law met; short and within 100 days;
- e2 (North): nothing, cycle ends in 300 days → short, but not yet within 100 days.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.dashboard.test_dashboard_series import _coordinator_headers

ACTIVE = {"North": 6, "South": 3, None: 9}  # e1–e8 and e10 are active; e9 left
# (requirement, met) per site; short = active − met
MET = {
    None: {"CE hours in all": 1, "Pharmacy law": 2, "Patient safety": 1},
    "North": {"CE hours in all": 1, "Pharmacy law": 1, "Patient safety": 1},
    "South": {"CE hours in all": 0, "Pharmacy law": 1, "Patient safety": 0},
}
DUE_SOON = {None: ["Mentee e6"], "North": [], "South": ["Mentee e6"]}


@pytest.fixture
def standings(app, programme):  # noqa: ANN001, ANN201
    from mentor_match.extensions import db
    from mentor_match.models import User
    from mentor_match.services.cpd import portfolio

    today = datetime.now(UTC).date()
    recent = today - timedelta(days=10)

    def ce(user, hours: str, topic: str) -> None:  # noqa: ANN001
        portfolio.add_activity(
            db.session,
            user,
            {
                "title": f"CE topic {topic}",
                "provider": "Board",
                "completed_on": recent,
                "hours": hours,
                "uan": f"0175-0000-24-105-L{topic}-T",
            },
        )

    with app.app_context():
        e1, e2, e6 = (db.session.get(User, programme.ids[k]) for k in ("e1", "e2", "e6"))
        portfolio.update_certification(db.session, e1, cycle_ends=today + timedelta(days=50))
        ce(e1, "18", "04")
        ce(e1, "1", "03")
        ce(e1, "1", "05")
        portfolio.update_certification(db.session, e6, cycle_ends=today + timedelta(days=50))
        ce(e6, "2", "03")
        portfolio.update_certification(db.session, e2, cycle_ends=today + timedelta(days=300))
        db.session.commit()
    return programme


@pytest.mark.parametrize("site", [None, "North", "South"])
def test_requirements_met_and_due_soon_per_site(app, client, standings, token_for, site):
    query = {"site": str(standings.ids[site])} if site else {}
    response = client.get(
        "/api/v1/dashboard", headers=_coordinator_headers(app, token_for), query_string=query
    )
    charts = response.get_json()["charts"]
    assert charts["cpd_requirements"]["rows"] == [
        {"requirement": name, "met": met, "short": ACTIVE[site] - met}
        for name, met in MET[site].items()
    ]
    due = charts["cpd_due_soon"]["rows"]
    assert [row["mentee"] for row in due] == DUE_SOON[site]
    if due:
        assert due[0]["days_left"] == 50 and due[0]["ce_hours"] == 2  # the law hours count
        assert "patient safety" in due[0]["missing"]
    every = MET[site]["CE hours in all"]
    assert charts["cpd_requirements"]["summary"].startswith(f"{every} of {ACTIVE[site]} mentees")


def test_standings_agree_with_the_cpd_compliance_report(app, standings):
    from mentor_match.extensions import db
    from mentor_match.services.cpd import portfolio
    from mentor_match.services.programme_dashboard import cpd_standings

    with app.app_context():
        report = {
            (r.name, r.met, r.days_left, r.ce_hours) for r in portfolio.compliance(db.session)
        }
        mine = {(r.name, r.met, r.days_left, r.ce_hours) for r in cpd_standings(db.session, None)}
    assert mine == report


@pytest.mark.parametrize("site", [None, "North", "South"])
def test_section_counts_agree_with_every_standing(app, standings, site):
    """The section evaluates only mentees with a cycle end or CE and counts the rest in SQL;
    its figures are those of evaluating every mentee one by one."""
    from datetime import date

    from mentor_match.extensions import db
    from mentor_match.services import programme_dashboard as dash
    from mentor_match.services.cpd.portfolio import SHORT_WINDOW_DAYS

    site_ids = (standings.ids[site],) if site else ()
    with app.app_context():
        every = dash.cpd_standings(db.session, site_ids)
        requirements, soon = dash.cpd_section(
            db.session, dash.Filters(date(2020, 1, 1), date(2020, 2, 1), site_ids)
        )
    expected = tuple(
        (
            "CE hours in all" if i == 0 else name.capitalize(),
            sum(1 for r in every if r.requirements[i][1]),
            sum(1 for r in every if not r.requirements[i][1]),
        )
        for i, (name, _) in enumerate(every[0].requirements)
    )
    assert requirements.rows == expected
    short = [r.name for r in every if r.short_within(SHORT_WINDOW_DAYS)]
    assert [row[0] for row in soon.rows] == short
    assert requirements.summary.startswith(f"{sum(r.met for r in every)} of {len(every)} ")
