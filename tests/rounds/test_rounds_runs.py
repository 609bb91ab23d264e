"""The command line, empty pools, stale runs and time zones (long runs on a real worker:
tests/jobs/test_worker_rounds.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.rounds.rounds_people import add_person


@pytest.fixture
def coordinator_headers(make_user, token_for):
    return token_for(make_user("coordinator", email="boss@example.org"))


@pytest.fixture
def small_pool(app, make_user):
    mentor = add_person(app, make_user, "mentor", email="m@example.org", capacity=2)
    mentees = [add_person(app, make_user, "mentee", email=f"e{i}@example.org") for i in range(3)]
    return mentor, mentees


def _create(client, headers, **body):
    body.setdefault("name", "Round")
    response = client.post("/api/v1/rounds", json=body, headers=headers)
    assert response.status_code == 201
    return response.get_json()["id"]


def test_stale_running_round_is_shown_failed_and_can_run_again(
    app, client, coordinator_headers, small_pool
):
    from mentor_match.database import utcnow
    from mentor_match.extensions import db
    from mentor_match.models import MatchRound

    round_id = _create(client, coordinator_headers)
    with app.app_context():
        match_round = db.session.get(MatchRound, round_id)
        match_round.status = "running"
        match_round.started_at = utcnow() - timedelta(minutes=30)
        db.session.commit()
    data = client.get(f"/api/v1/rounds/{round_id}", headers=coordinator_headers).get_json()
    assert data["status"] == "failed" and "Run it again" in data["error"]
    response = client.post(f"/api/v1/rounds/{round_id}/run", headers=coordinator_headers)
    assert response.status_code == 200 and response.get_json()["status"] == "proposed"


def test_cli_run_shows_progress_and_gives_the_api_result(
    app, client, runner, coordinator_headers, small_pool
):
    first = _create(client, coordinator_headers)
    result = runner.invoke(args=["rounds", "run", str(first)])
    assert result.exit_code == 0, result.output
    assert "Matching" in result.output
    assert "2 of 3 mentees matched" in result.output
    via_cli = client.get(f"/api/v1/rounds/{first}", headers=coordinator_headers).get_json()
    second = _create(client, coordinator_headers)
    client.post(f"/api/v1/rounds/{second}/run", headers=coordinator_headers)
    via_api = client.get(f"/api/v1/rounds/{second}", headers=coordinator_headers).get_json()
    assert via_cli["matches"] == via_api["matches"]
    assert via_cli["unmatched"] == via_api["unmatched"]

    listing = runner.invoke(args=["rounds", "list"])
    assert listing.exit_code == 0 and "proposed" in listing.output
    missing = runner.invoke(args=["rounds", "run", "999"])
    assert missing.exit_code != 0 and "no match round 999" in missing.output


def test_empty_pool_gives_a_clear_result(client, coordinator_headers):
    round_id = _create(client, coordinator_headers)
    response = client.post(f"/api/v1/rounds/{round_id}/run", headers=coordinator_headers)
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] in ("proposed", "failed")
    if data["status"] == "failed":
        assert data["error"]
    else:
        assert data["matches"] == [] and data["stats"]["mentees"] == 0


def test_mentees_without_mentors_are_explained(app, client, make_user, coordinator_headers):
    mentee = add_person(app, make_user, "mentee", email="alone@example.org")
    round_id = _create(client, coordinator_headers)
    data = client.post(f"/api/v1/rounds/{round_id}/run", headers=coordinator_headers).get_json()
    assert data["status"] == "proposed"
    assert data["unmatched"][0]["mentee_id"] == mentee
    assert data["unmatched"][0]["reason"] == "no_mentors"


def test_chicago_mentor_and_new_york_mentee_share_exactly_two_hours(
    app, client, make_user, coordinator_headers
):
    # Mon 09:00-13:00 in Chicago is 15:00-19:00 UTC in January; Mon 12:00-16:00 in New York
    # is 17:00-21:00 UTC: two hours together (a naive local comparison would say one).
    mentor = add_person(
        app,
        make_user,
        "mentor",
        email="chicago@example.org",
        timezone="America/Chicago",
        windows=[(0, 9 * 60, 13 * 60)],
    )
    mentee = add_person(
        app,
        make_user,
        "mentee",
        email="newyork@example.org",
        timezone="America/New_York",
        windows=[(0, 12 * 60, 16 * 60)],
    )
    round_id = _create(client, coordinator_headers, min_overlap_hours=2)
    items = client.get(
        f"/api/v1/rounds/{round_id}/candidates?mentee_id={mentee}", headers=coordinator_headers
    ).get_json()["items"]
    assert [c["mentor_id"] for c in items] == [mentor]
    assert items[0]["overlap_hours"] == pytest.approx(2.0)
    # Default weights: availability 0.30 of 0.95 (region is part of site), full at 6 hours.
    assert items[0]["breakdown"]["availability"] == pytest.approx(2 / 6 * 0.30 / 0.95)
    data = client.post(f"/api/v1/rounds/{round_id}/run", headers=coordinator_headers).get_json()
    assert [(m["mentee_id"], m["mentor_id"]) for m in data["matches"]] == [(mentee, mentor)]

    stricter = _create(client, coordinator_headers, min_overlap_hours=2.5)
    data = client.post(f"/api/v1/rounds/{stricter}/run", headers=coordinator_headers).get_json()
    assert data["matches"] == []
    assert data["unmatched"][0]["reason"] == "no_shared_availability"
