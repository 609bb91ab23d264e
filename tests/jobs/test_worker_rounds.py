"""Round runs are jobs on the queue: 202 then polling, one run at a time, and a run that
outlives a restart of the web server."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.jobs.conftest import wait_until
from tests.rounds.rounds_people import add_person
from tests.servers import gunicorn_server

pytestmark = pytest.mark.slow


@pytest.fixture
def coordinator_headers(make_user, token_for):
    return token_for(make_user("coordinator", email="boss@example.org"))


@pytest.fixture
def small_pool(app, make_user):
    mentor = add_person(app, make_user, "mentor", email="m@example.org", capacity=2)
    mentees = [add_person(app, make_user, "mentee", email=f"e{i}@example.org") for i in range(3)]
    return mentor, mentees


def _create(client, headers) -> int:
    response = client.post("/api/v1/rounds", json={"name": "Round"}, headers=headers)
    assert response.status_code == 201
    return response.get_json()["id"]


def test_a_queued_run_answers_202_runs_once_and_finishes_on_the_worker(
    app, client, coordinator_headers, small_pool, make_worker, monkeypatch
):
    from mentor_match.services.rounds import running

    monkeypatch.setattr(running, "RUN_WAIT_SECONDS", 0.2)
    round_id = _create(client, coordinator_headers)
    # No worker yet: the run waits on the queue, and the API says so.
    response = client.post(f"/api/v1/rounds/{round_id}/run", headers=coordinator_headers)
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "running" and body["progress_stage"] == "queued"
    # A second run while one is queued is refused, not queued twice.
    again = client.post(f"/api/v1/rounds/{round_id}/run", headers=coordinator_headers)
    assert again.status_code == 409
    make_worker()

    def proposed() -> bool:
        data = client.get(f"/api/v1/rounds/{round_id}", headers=coordinator_headers).get_json()
        return data["status"] == "proposed"

    wait_until(proposed, 60, "the worker to run the round")
    data = client.get(f"/api/v1/rounds/{round_id}", headers=coordinator_headers).get_json()
    assert data["stats"]["matched"] == 2 and data["progress"] == 1.0


def test_a_round_run_survives_a_restart_of_the_web_server(
    app, app_config, coordinator_headers, small_pool, make_worker, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("TEST_SERVER_QUEUE_URL", app_config["QUEUE_URL"])
    monkeypatch.setenv("TEST_SERVER_QUEUE_NAME", app_config["QUEUE_NAME"])
    database, secret = app_config["SQLALCHEMY_DATABASE_URI"], app_config["SECRET_KEY"]
    with gunicorn_server(database, secret, tmp_path, workers=1, threads=2) as base:
        made = requests.post(
            f"{base}/api/v1/rounds", json={"name": "Round"}, headers=coordinator_headers, timeout=30
        )
        round_id = made.json()["id"]
        started = requests.post(
            f"{base}/api/v1/rounds/{round_id}/run", headers=coordinator_headers, timeout=30
        )
        assert started.status_code == 202  # no worker is running yet: the run is queued
    # gunicorn is stopped; the run is not lost with it. Start it again, then a worker.
    with gunicorn_server(database, secret, tmp_path, workers=1, threads=2) as base:
        make_worker()

        def status() -> str:
            return requests.get(
                f"{base}/api/v1/rounds/{round_id}", headers=coordinator_headers, timeout=30
            ).json()["status"]

        wait_until(lambda: status() == "proposed", 60, "the round to reach proposed")
