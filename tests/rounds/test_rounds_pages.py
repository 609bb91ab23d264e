"""The coordinator's round pages, and participants' own matches."""

from __future__ import annotations

import re

from tests.helpers import csrf_token, login
from tests.rounds.rounds_people import add_person

WEEKEND = tuple((d, 9 * 60, 17 * 60) for d in (5, 6))


def _setup(app, make_user):
    make_user("coordinator", email="boss@example.org")
    add_person(app, make_user, "mentor", email="m@example.org", name="Maria Mentor", capacity=1)
    add_person(app, make_user, "mentee", email="a@example.org", name="Ann Mentee")
    add_person(
        app,
        make_user,
        "mentee",
        email="b@example.org",
        name="Ben Mentee",
        specialties=("nuclear",),
    )


def test_create_run_review_and_publish(app, client, make_user, tmp_path):
    _setup(app, make_user)
    login(client, "boss@example.org")
    assert "Match rounds" in client.get("/").get_data(as_text=True)
    page = client.get("/rounds/")
    assert page.status_code == 200 and "No rounds yet" in page.get_data(as_text=True)

    form = client.get("/rounds/new").get_data(as_text=True)
    assert "Shared weekly availability" in form and 'value="0.4"' in form
    token = csrf_token(client, "/rounds/new")
    fields = {
        "csrf_token": token,
        "name": "",
        "min_overlap_hours": "2",
        "specialty": "0.4",
        "availability": "0.3",
        "site": "0.1",
        "region": "0.05",
        "preference": "0.15",
        "saturation_hours": "6",
    }
    bad = client.post("/rounds/new", data=fields)
    assert bad.status_code == 422 and "Give the round a name." in bad.get_data(as_text=True)
    zero = client.post(
        "/rounds/new",
        data=fields
        | {"name": "x", "specialty": "0", "availability": "0", "site": "0", "preference": "0"},
    )
    assert zero.status_code == 422 and "at least one of the weights" in zero.get_data(as_text=True)
    created = client.post("/rounds/new", data=fields | {"name": "Spring cohort"})
    assert created.status_code == 302
    show_url = created.headers["Location"]
    round_id = int(re.search(r"/rounds/(\d+)", show_url).group(1))
    draft = client.get(show_url).get_data(as_text=True)
    assert "Not run yet" in draft and "Spring cohort" in draft

    ran = client.post(f"/rounds/{round_id}/run", data={"csrf_token": token})
    assert ran.status_code == 302
    review = client.get(show_url).get_data(as_text=True)
    assert "Ann Mentee" in review and "Maria Mentor" in review
    assert "1 of 2 in the pool" in review
    assert "No mentor shares any of the mentee&#39;s specialties." in review
    assert "Alternatives" in review and "Exclude" in review and "greedy" in review

    confirm = client.get(f"/rounds/{round_id}/publish").get_data(as_text=True)
    assert "Yes, publish" in confirm
    assert client.post(f"/rounds/{round_id}/publish").status_code == 400  # no CSRF token
    done = client.post(f"/rounds/{round_id}/publish", data={"csrf_token": token})
    assert done.status_code == 302
    published = client.get(show_url).get_data(as_text=True)
    assert "published" in published and "Run the round" not in published
    assert list((tmp_path / "outbox").glob("*.eml"))

    client.post("/logout", data={"csrf_token": token})
    login(client, "a@example.org")
    mine = client.get("/rounds/my-matches").get_data(as_text=True)
    assert "Your mentor" in mine and "Maria Mentor" in mine


def test_alternatives_pin_and_exclude_from_the_page(app, client, make_user):
    _setup(app, make_user)
    other = add_person(app, make_user, "mentor", email="o@example.org", name="Olga Other")
    login(client, "boss@example.org")
    token = csrf_token(client, "/rounds/new")
    created = client.post(
        "/rounds/new",
        data={
            "csrf_token": token,
            "name": "R",
            "min_overlap_hours": "2",
            "specialty": "0.4",
            "availability": "0.3",
            "site": "0.1",
            "region": "0.05",
            "preference": "0.15",
            "saturation_hours": "6",
        },
    )
    show_url = created.headers["Location"]
    round_id = int(re.search(r"/rounds/(\d+)", show_url).group(1))
    client.post(f"/rounds/{round_id}/run", data={"csrf_token": token})
    from mentor_match.extensions import db
    from mentor_match.models import User

    with app.app_context():
        ann = db.session.scalars(db.select(User).filter_by(email="a@example.org")).one().id
    page = client.get(f"/rounds/{round_id}/candidates?mentee_id={ann}").get_data(as_text=True)
    assert "Olga Other" in page and "Maria Mentor" in page and ">Pin<" in page
    pinned = client.post(
        f"/rounds/{round_id}/pins",
        data={"csrf_token": token, "mentee_id": ann, "mentor_id": other},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Pair pinned" in pinned
    client.post(f"/rounds/{round_id}/run", data={"csrf_token": token})
    review = client.get(show_url).get_data(as_text=True)
    assert re.search(r'Olga Other <span class="badge[^"]*">pinned</span>', review)
    refused = client.post(
        f"/rounds/{round_id}/exclusions",
        data={"csrf_token": token, "mentee_id": ann, "mentor_id": other},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "remove the pin first" in refused


def test_participant_without_matches_sees_a_helpful_empty_state(app, client, make_user):
    make_user("mentor", email="lonely@example.org")
    login(client, "lonely@example.org")
    page = client.get("/rounds/my-matches").get_data(as_text=True)
    assert "You have no mentees yet" in page
