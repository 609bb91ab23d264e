"""Who may touch rounds, and publishing guarded against doubles and over-full mentors."""

from __future__ import annotations

import threading

import pytest

from tests.rounds.rounds_people import add_person

ENDPOINTS = [
    ("post", "/api/v1/rounds", {"name": "x"}),
    ("get", "/api/v1/rounds", None),
    ("get", "/api/v1/rounds/{id}", None),
    ("post", "/api/v1/rounds/{id}/run", None),
    ("get", "/api/v1/rounds/{id}/candidates?mentee_id=1", None),
    ("post", "/api/v1/rounds/{id}/pins", {"mentee_id": 1, "mentor_id": 2}),
    ("delete", "/api/v1/rounds/{id}/pins", {"mentee_id": 1, "mentor_id": 2}),
    ("post", "/api/v1/rounds/{id}/exclusions", {"mentee_id": 1, "mentor_id": 2}),
    ("delete", "/api/v1/rounds/{id}/exclusions", {"mentee_id": 1, "mentor_id": 2}),
    ("post", "/api/v1/rounds/{id}/publish", None),
]
PAGES = [
    "/rounds/",
    "/rounds/new",
    "/rounds/{id}",
    "/rounds/{id}/candidates?mentee_id=1",
    "/rounds/{id}/publish",
]


@pytest.fixture
def proposed_round(app, client, make_user, token_for):
    headers = token_for(make_user("coordinator", email="boss@example.org"))
    add_person(app, make_user, "mentor", email="m@example.org", capacity=2)
    for i in range(2):
        add_person(app, make_user, "mentee", email=f"e{i}@example.org")
    round_id = client.post("/api/v1/rounds", json={"name": "R"}, headers=headers).get_json()["id"]
    assert client.post(f"/api/v1/rounds/{round_id}/run", headers=headers).status_code == 200
    return round_id, headers


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_participants_get_403_on_every_round_endpoint(
    app, client, make_user, token_for, proposed_round, role
):
    round_id, _ = proposed_round
    headers = token_for(make_user(role, email=f"someone-{role}@example.org"))
    for method, path, body in ENDPOINTS:
        response = getattr(client, method)(path.format(id=round_id), json=body, headers=headers)
        assert response.status_code == 403, (method, path)
    for method, path, body in ENDPOINTS:
        response = getattr(client, method)(path.format(id=round_id), json=body)
        assert response.status_code == 401, (method, path)


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_participants_get_403_on_round_pages(app, client, make_user, proposed_round, role):
    from tests.helpers import login

    round_id, _ = proposed_round
    make_user(role, email=f"page-{role}@example.org")
    login(client, f"page-{role}@example.org")
    for path in PAGES:
        assert client.get(path.format(id=round_id)).status_code == 403, path


def test_openapi_describes_the_round_endpoints(client, proposed_round):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/rounds",
        "/api/v1/rounds/{round_id}",
        "/api/v1/rounds/{round_id}/run",
        "/api/v1/rounds/{round_id}/candidates",
        "/api/v1/rounds/{round_id}/pins",
        "/api/v1/rounds/{round_id}/exclusions",
        "/api/v1/rounds/{round_id}/publish",
    ):
        assert path in paths


def test_two_concurrent_publishes_create_the_mentorships_once(app, proposed_round):
    from mentor_match.extensions import db
    from mentor_match.models import Mentorship
    from mentor_match.services import rounds
    from mentor_match.services.errors import Conflict

    round_id, _ = proposed_round
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def publish() -> None:
        with app.app_context():
            barrier.wait()
            try:
                rounds.publish_round(db.session, round_id)
                db.session.commit()
                outcomes.append("published")
            except Conflict as exc:
                db.session.rollback()
                outcomes.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["already_published", "published"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Mentorship)) == 2


def test_publish_rechecks_capacity_and_writes_nothing_when_over(app, client, proposed_round):
    from mentor_match.extensions import db
    from mentor_match.models import MatchRound, MentorProfile, Mentorship

    round_id, headers = proposed_round
    with app.app_context():
        profile = db.session.scalars(db.select(MentorProfile)).one()
        profile.capacity = 1  # the mentor cut their places after the proposal was made
        db.session.commit()
    response = client.post(f"/api/v1/rounds/{round_id}/publish", headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "over_capacity"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Mentorship)) == 0
        assert db.session.get(MatchRound, round_id).status == "proposed"
