"""After a re-run from the review page: who gained, lost or changed mentor, and a warning when
the pins lowered the most-matchable count."""

from __future__ import annotations

import re

from tests.helpers import csrf_token, login
from tests.rounds.rounds_people import add_person
from tests.rounds.test_rounds_review import _round


def _section(page: str) -> str:
    if 'id="changes-heading"' not in page:
        return ""
    return page.split('id="changes-heading"', 1)[1].split("</section>", 1)[0]


def test_a_rerun_shows_what_changed_and_warns_about_pins(app, client, make_user):
    make_user("coordinator", email="c@example.org")
    first = add_person(
        app, make_user, "mentor", name="Mo One", specialties=("oncology",), capacity=1
    )
    both = add_person(
        app, make_user, "mentor", name="Bo Both", specialties=("oncology", "mtm"), capacity=1
    )
    only_mtm = add_person(app, make_user, "mentee", name="Ann Mtm", specialties=("mtm",))
    onc = add_person(app, make_user, "mentee", name="Ben Onc", specialties=("oncology",))
    login(client, "c@example.org")
    token = csrf_token(client, "/rounds/new")
    round_id = _round(client, token)
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert _section(page) == ""  # the first run has nothing to compare with
    assert re.search(r"2 of 2 in the pool", page)

    # Pin Ben to the only mentor Ann can have: Ann loses her mentor, Ben changes mentor, and
    # fewer mentees can be matched than before.
    client.post(
        f"/rounds/{round_id}/pins",
        data={"csrf_token": token, "mentee_id": onc, "mentor_id": both},
    )
    client.post(f"/rounds/{round_id}/run", data={"csrf_token": token})
    changes = _section(client.get(f"/rounds/{round_id}").get_data(as_text=True))
    assert "What the last run changed" in changes
    assert "Ann Mtm (was with Bo Both)" in changes
    assert "Ben Onc: Mo One → Bo Both" in changes
    assert "The pins lowered the most mentees this round can match from 2 to 1" in changes
    assert first and only_mtm


def test_a_rerun_through_the_api_is_compared_on_the_page_too(app, client, make_user, token_for):
    coordinator = make_user("coordinator", email="c@example.org")
    add_person(app, make_user, "mentor", name="Mo One", specialties=("oncology",), capacity=1)
    both = add_person(
        app, make_user, "mentor", name="Bo Both", specialties=("oncology", "mtm"), capacity=1
    )
    add_person(app, make_user, "mentee", name="Ann Mtm", specialties=("mtm",))
    onc = add_person(app, make_user, "mentee", name="Ben Onc", specialties=("oncology",))
    headers = token_for(coordinator)
    round_id = client.post("/api/v1/rounds", json={"name": "By API"}, headers=headers).get_json()[
        "id"
    ]
    assert client.post(f"/api/v1/rounds/{round_id}/run", headers=headers).status_code == 200
    pin = {"mentee_id": onc, "mentor_id": both}
    assert client.post(f"/api/v1/rounds/{round_id}/pins", json=pin, headers=headers).status_code
    assert client.post(f"/api/v1/rounds/{round_id}/run", headers=headers).status_code == 200
    login(client, "c@example.org")
    changes = _section(client.get(f"/rounds/{round_id}").get_data(as_text=True))
    assert "Ann Mtm (was with Bo Both)" in changes
    assert "Ben Onc: Mo One → Bo Both" in changes
