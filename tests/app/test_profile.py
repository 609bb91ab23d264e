"""A mentor or mentee edits their own profile and weekly availability."""

from __future__ import annotations

from mentor_match.extensions import db
from mentor_match.models import Specialty, User
from tests.helpers import csrf_token, login


def _specialty_id(app, slug):
    with app.app_context():
        return db.session.query(Specialty).filter_by(slug=slug).one().id


def _windows(rows):
    data = {}
    for i, (day, start, end) in enumerate(rows):
        data[f"windows-{i}-day"] = day
        data[f"windows-{i}-start"] = start
        data[f"windows-{i}-end"] = end
    return data


def test_mentee_saves_profile_with_ranked_specialties(app, client, make_user):
    user_id = make_user("mentee", email="m@example.org")
    login(client, "m@example.org")
    page = client.get("/profile/")
    assert page.status_code == 200 and b"Weekly availability" in page.data
    data = {
        "csrf_token": csrf_token(client, "/profile/"),
        "name": "Mia Mentee",
        "timezone": "America/New_York",
        "site_id": "0",
        "ranked-0": str(_specialty_id(app, "mtm")),
        "ranked-1": str(_specialty_id(app, "oncology")),
        "ranked-2": "0",
        "ranked-3": "0",
        "ranked-4": "0",
        "goals": "Learn MTM",
        **_windows([("Mon", "08:00", "12:00"), ("Tue", "13:00", "24:00"), ("", "", "")]),
    }
    response = client.post("/profile/", data=data)
    assert response.status_code == 302, response.data
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.name == "Mia Mentee" and user.timezone == "America/New_York"
        assert [s.slug for s in user.mentee_profile.specialties] == ["mtm", "oncology"]
        assert [(w.weekday, w.start_minute, w.end_minute) for w in user.windows] == [
            (0, 480, 720),
            (1, 780, 1440),
        ]


def test_bad_windows_are_explained_and_nothing_changes(app, client, make_user):
    user_id = make_user("mentor", email="p@example.org")
    login(client, "p@example.org")
    data = {
        "csrf_token": csrf_token(client, "/profile/"),
        "name": "Changed Name",
        "timezone": "America/Chicago",
        "site_id": "0",
        "specialties": [str(_specialty_id(app, "oncology"))],
        "capacity": "2",
        **_windows([("Mon", "08:00", "25:00"), ("Wed", "12:00", "09:00")]),
    }
    response = client.post("/profile/", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "25:00" in text and "ends before it starts" in text
    with app.app_context():
        assert db.session.get(User, user_id).name != "Changed Name"


def test_overlapping_windows_are_refused(app, client, make_user):
    make_user("mentor", email="p@example.org")
    login(client, "p@example.org")
    data = {
        "csrf_token": csrf_token(client, "/profile/"),
        "name": "P",
        "timezone": "America/Chicago",
        "site_id": "0",
        "specialties": [str(_specialty_id(app, "oncology"))],
        "capacity": "2",
        **_windows([("Mon", "08:00", "12:00"), ("Mon", "11:00", "13:00")]),
    }
    response = client.post("/profile/", data=data)
    assert response.status_code == 422
    assert b"overlap" in response.data


def test_mentor_capacity_and_specialties_are_required(app, client, make_user):
    make_user("mentor", email="p@example.org")
    login(client, "p@example.org")
    data = {
        "csrf_token": csrf_token(client, "/profile/"),
        "name": "P",
        "timezone": "America/Chicago",
        "site_id": "0",
        "capacity": "11",
    }
    response = client.post("/profile/", data=data)
    assert response.status_code == 422
    assert b"Choose a number from 1 to 10" in response.data


def test_coordinator_has_no_profile_page(client, make_user):
    make_user("coordinator", email="c@example.org")
    login(client, "c@example.org")
    assert client.get("/profile/").status_code == 403


def test_coordinator_lists_and_opens_participants(app, client, make_user):
    make_user("coordinator", email="c@example.org")
    mentee = make_user("mentee", name="Zed Findme")
    make_user("mentor", name="Other Person")
    login(client, "c@example.org")
    page = client.get("/participants/?role=mentee&q=findme").get_data(as_text=True)
    assert "Zed Findme" in page and "Other Person" not in page
    assert client.get(f"/participants/{mentee}").status_code == 200
    assert client.get("/participants/999999").status_code == 404
    empty = client.get("/participants/?role=mentee&q=nobody").get_data(as_text=True)
    assert "Nobody matches" in empty
