"""Participants: filters (site, specialty, matched or waiting), sorting, pagination that keeps
them, and a coordinator editing a person's profile."""

from __future__ import annotations

import re

from mentor_match.extensions import db
from mentor_match.models import Mentorship, Site, User
from tests.helpers import csrf_token, login
from tests.rounds.rounds_people import add_person


def _names(page: str) -> list[str]:
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r'/participants/\d+">([^<]+)</a>', table)


def _people(app, make_user):
    make_user("coordinator", email="c@example.org")
    mentor = add_person(app, make_user, "mentor", name="Maya Mentor", specialties=("oncology",))
    add_person(
        app,
        make_user,
        "mentee",
        name="Abe Onc",
        specialties=("oncology",),
        site=("North Clinic", "Midwest"),
    )
    matched = add_person(
        app,
        make_user,
        "mentee",
        name="Cleo Matched",
        specialties=("mtm",),
        site=("South Clinic", "South"),
    )
    add_person(
        app,
        make_user,
        "mentee",
        name="Bea Waiting",
        specialties=("mtm", "oncology"),
        site=("North Clinic", "Midwest"),
    )
    with app.app_context():
        db.session.add(Mentorship(mentor_id=mentor, mentee_id=matched))
        db.session.commit()
        north = db.session.scalar(db.select(Site.id).where(Site.name == "North Clinic"))
    return mentor, matched, north


def test_filters_and_sorting(app, client, make_user):
    _, _, north = _people(app, make_user)
    login(client, "c@example.org")
    everyone = client.get("/participants/?role=mentee").get_data(as_text=True)
    assert _names(everyone) == ["Abe Onc", "Bea Waiting", "Cleo Matched"]
    backwards = client.get("/participants/?role=mentee&sort=-name").get_data(as_text=True)
    assert _names(backwards) == ["Cleo Matched", "Bea Waiting", "Abe Onc"]
    site = client.get(f"/participants/?role=mentee&site={north}").get_data(as_text=True)
    assert _names(site) == ["Abe Onc", "Bea Waiting"]
    mtm = client.get("/participants/?role=mentee&specialty=mtm").get_data(as_text=True)
    assert _names(mtm) == ["Bea Waiting", "Cleo Matched"]
    waiting = client.get("/participants/?role=mentee&status=waiting").get_data(as_text=True)
    assert _names(waiting) == ["Abe Onc", "Bea Waiting"]
    matched = client.get("/participants/?role=mentee&status=matched").get_data(as_text=True)
    assert _names(matched) == ["Cleo Matched"]
    mentors = client.get("/participants/?role=mentor&status=matched").get_data(as_text=True)
    assert _names(mentors) == ["Maya Mentor"]
    # Unknown values are ignored, never an error.
    odd = client.get("/participants/?role=mentee&site=999999999999&sort=evil&status=x")
    assert odd.status_code == 200 and len(_names(odd.get_data(as_text=True))) == 3


def test_pagination_keeps_the_filters(app, client, make_user):
    make_user("coordinator", email="c@example.org")
    for i in range(55):
        make_user("mentee", name=f"Mentee {i:02d}", specialties=("mtm",))
    login(client, "c@example.org")
    page = client.get("/participants/?role=mentee&specialty=mtm&sort=-name").get_data(as_text=True)
    assert _names(page)[0] == "Mentee 54"
    assert re.search(r'href="/participants/\?[^"]*page=2[^"]*"', page)
    link = re.search(r'href="(/participants/\?[^"]*page=2[^"]*)"', page).group(1)
    assert "specialty=mtm" in link and "sort=-name" in link


def test_coordinator_edits_a_profile(app, client, make_user):
    _, matched, _ = _people(app, make_user)
    login(client, "c@example.org")
    person = client.get(f"/participants/{matched}").get_data(as_text=True)
    assert f'href="/participants/{matched}/profile"' in person
    form = client.get(f"/participants/{matched}/profile").get_data(as_text=True)
    assert "Profile of Cleo Matched" in form
    token = csrf_token(client, f"/participants/{matched}/profile")
    saved = client.post(
        f"/participants/{matched}/profile",
        data={
            "csrf_token": token,
            "name": "Cleo Renamed",
            "timezone": "America/New_York",
            "site_id": "0",
            "ranked-0": "1",
            "windows-0-day": "Tue",
            "windows-0-start": "09:00",
            "windows-0-end": "13:00",
        },
    )
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/participants/{matched}")
    with app.app_context():
        user = db.session.get(User, matched)
        assert (user.name, user.timezone) == ("Cleo Renamed", "America/New_York")
