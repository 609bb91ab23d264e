"""The coordinator's home page offers the next step the programme is at."""

from __future__ import annotations

from tests.helpers import login
from tests.rounds.rounds_people import add_person


def test_the_main_action_follows_the_rounds(app, client, make_user, token_for):
    headers = token_for(make_user("coordinator", email="c@example.org"))
    add_person(app, make_user, "mentor", capacity=1)
    add_person(app, make_user, "mentee")
    add_person(app, make_user, "mentee")
    login(client, "c@example.org")
    home = client.get("/").get_data(as_text=True)
    assert "Start a match round" in home

    round_id = client.post("/api/v1/rounds", json={"name": "Spring"}, headers=headers).get_json()[
        "id"
    ]
    client.post(f"/api/v1/rounds/{round_id}/run", headers=headers)
    home = client.get("/").get_data(as_text=True)
    assert "Review the proposed round “Spring”" in home
    assert f'href="/rounds/{round_id}"' in home
    assert "Start a match round" not in home  # review before starting another
    assert "1 of 2 mentees matched" in home

    client.post(f"/api/v1/rounds/{round_id}/publish", headers=headers)
    home = client.get("/").get_data(as_text=True)
    assert "Review the proposed round" not in home
