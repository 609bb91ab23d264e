"""Rankings from both sides through the API, stable and optimal rounds, blocking pairs listed."""

from __future__ import annotations

import pytest

from tests.rounds.rounds_people import add_person


@pytest.fixture
def people(app, make_user, token_for):
    """Two mentors (one place each) and two mentees who all fit on specialty and time.

    Mentee e1 and mentor m1 share a site, so by score e1 and e2 both prefer m1, and m1 prefers
    e1: without rankings the stable match is e1-m1, e2-m2.
    """

    def person(role, email, **kw):
        return add_person(app, make_user, role, email=email, name=email.split("@")[0], **kw)

    north, south = ("North", "Midwest"), ("South", "East")
    ids = {
        "m1": person("mentor", "m1@example.org", capacity=1, site=north),
        "m2": person("mentor", "m2@example.org", capacity=1, site=south),
        "e1": person("mentee", "e1@example.org", site=north),
        "e2": person("mentee", "e2@example.org"),
        "c": make_user("coordinator", email="boss@example.org"),
    }
    headers = {name: token_for(i) for name, i in ids.items()}
    return ids, headers


def _round(client, headers, **body):
    response = client.post("/api/v1/rounds", json={"name": "Spring", **body}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _run(client, headers, round_id):
    response = client.post(f"/api/v1/rounds/{round_id}/run", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_rankings_steer_a_stable_round_and_are_private(client, people):
    ids, h = people
    created = _round(client, h["c"], mode="stable")
    assert created["mode"] == "stable" and created["preferences_open"]
    rid = created["id"]

    mine = client.get(f"/api/v1/rounds/{rid}/preferences/mine", headers=h["e2"]).get_json()
    assert mine["side"] == "mentee" and not mine["submitted"]
    assert [c["id"] for c in mine["items"]] == [ids["m1"], ids["m2"]]  # by score

    # m1 would rather have e2, and e2 only wants m1: the stable match follows the rankings.
    put = client.put(
        f"/api/v1/rounds/{rid}/preferences", json={"ranking": [ids["e2"]]}, headers=h["m1"]
    )
    assert put.status_code == 200, put.get_json()
    assert [c["rank"] for c in put.get_json()["items"]] == [1, None]
    put = client.put(
        f"/api/v1/rounds/{rid}/preferences",
        json={"ranking": [ids["m1"], ids["m2"]]},
        headers=h["e2"],
    )
    assert put.status_code == 200

    board = client.get(f"/api/v1/rounds/{rid}/preferences", headers=h["c"]).get_json()
    assert (board["mentees_submitted"], board["mentors_submitted"]) == (1, 1)
    # Nobody else's ranking or candidates are visible to a participant.
    assert client.get(f"/api/v1/rounds/{rid}/preferences", headers=h["e1"]).status_code == 403

    result = _run(client, h["c"], rid)
    pairs = {(m["mentee_id"], m["mentor_id"]) for m in result["matches"]}
    # m1 took e2 (e1 is unacceptable to m1); m2 ranks by score and takes e1.
    assert pairs == {(ids["e2"], ids["m1"]), (ids["e1"], ids["m2"])}
    assert result["stats"]["mode"] == "stable"
    assert result["stats"]["blocking_pairs"] == 0
    assert "optimal_total_score" in result["stats"]
    assert result["price_of_stability"].startswith("The stable match scores")

    # The window is over once the round has run.
    late = client.put(f"/api/v1/rounds/{rid}/preferences", json={"ranking": []}, headers=h["e1"])
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "preferences_closed"


def test_an_empty_ranking_means_nobody_is_acceptable(client, people):
    ids, h = people
    rid = _round(client, h["c"], mode="stable")["id"]
    client.put(f"/api/v1/rounds/{rid}/preferences", json={"ranking": []}, headers=h["e1"])
    result = _run(client, h["c"], rid)
    assert ids["e1"] not in {m["mentee_id"] for m in result["matches"]}
    (reason,) = [u for u in result["unmatched"] if u["mentee_id"] == ids["e1"]]
    assert "left off a ranking" in reason["message"]


def test_bad_rankings_are_refused_naming_the_field(client, people):
    ids, h = people
    rid = _round(client, h["c"])["id"]
    url = f"/api/v1/rounds/{rid}/preferences"
    for body in (
        {"ranking": [ids["e1"]]},  # a mentee ranking a mentee
        {"ranking": [ids["m1"], ids["m1"]]},
        {"ranking": ["1"]},
        {"ranking": [True]},
        {"ranking": [2**31]},
        {"ranking": [], "extra": 1},
        {},
    ):
        response = client.put(url, json=body, headers=h["e1"])
        assert response.status_code == 422, (body, response.get_json())
        fields = {d["field"].split(".")[0] for d in response.get_json()["error"]["details"]}
        assert fields <= {"ranking", "extra"} and fields, body
    assert client.put(url, json={"ranking": []}, headers=h["c"]).status_code == 403


def test_closing_the_window(client, people):
    ids, h = people
    rid = _round(client, h["c"])["id"]
    assert (
        client.post(f"/api/v1/rounds/{rid}/preferences/close", headers=h["e1"]).status_code == 403
    )
    closed = client.post(f"/api/v1/rounds/{rid}/preferences/close", headers=h["c"])
    assert closed.status_code == 200 and closed.get_json()["preferences_open"] is False
    response = client.put(
        f"/api/v1/rounds/{rid}/preferences", json={"ranking": [ids["m1"]]}, headers=h["e1"]
    )
    assert response.status_code == 409


def test_every_round_reports_blocking_pairs_and_lists_them(client, people):
    ids, h = people
    created = _round(client, h["c"], raise_lowest=True)
    rid = created["id"]
    # m1 prefers e2 and e2 prefers m1; the optimum may still split them.
    client.put(
        f"/api/v1/rounds/{rid}/preferences",
        json={"ranking": [ids["e2"], ids["e1"]]},
        headers=h["m1"],
    )
    result = _run(client, h["c"], rid)
    stats = result["stats"]
    assert stats["mode"] == "optimal" and stats["raise_lowest"] is True
    assert {"blocking_pairs", "stable_total_score", "plain_total_score"} <= set(stats)
    listed = client.get(f"/api/v1/rounds/{rid}/blocking-pairs", headers=h["c"]).get_json()
    assert listed["blocking_pairs"] == stats["blocking_pairs"] == len(listed["items"])
    assert client.get(f"/api/v1/rounds/{rid}/blocking-pairs", headers=h["e1"]).status_code == 403


def test_mode_settings_are_checked(client, people):
    _, h = people
    for body in (
        {"mode": "lottery"},
        {"mode": "stable", "raise_lowest": True},
        {"suggestions": 0},
        {"suggestions": "3"},
        {"raise_lowest": 1},
    ):
        response = client.post("/api/v1/rounds", json={"name": "x", **body}, headers=h["c"])
        assert response.status_code == 422, body
