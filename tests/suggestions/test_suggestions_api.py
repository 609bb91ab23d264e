"""Self-select rounds through the API: suggestions, one request at a time, answers, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.rounds.rounds_people import add_person


@pytest.fixture
def published(app, client, make_user, token_for):
    """A published self-select round: mentors m1 (1 place), m2, m3 (no shared specialty)."""

    def person(role, email, **kw):
        return add_person(app, make_user, role, email=email, name=email.split("@")[0], **kw)

    ids = {
        "m1": person("mentor", "m1@example.org", capacity=1, site=("North", "Midwest")),
        "m2": person("mentor", "m2@example.org", capacity=2),
        "m3": person("mentor", "m3@example.org", specialties=("geriatrics",)),
        "e1": person("mentee", "e1@example.org", site=("North", "Midwest")),
        "e2": person("mentee", "e2@example.org"),
        "c": make_user("coordinator", email="boss@example.org"),
    }
    h = {name: token_for(i) for name, i in ids.items()}
    created = client.post(
        "/api/v1/rounds",
        json={"name": "Pick", "mode": "self_select", "suggestions": 2},
        headers=h["c"],
    ).get_json()
    assert client.post(f"/api/v1/rounds/{created['id']}/run", headers=h["c"]).status_code == 200
    response = client.post(f"/api/v1/rounds/{created['id']}/publish", headers=h["c"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "published"
    return ids, h, created["id"]


def test_publishing_suggests_the_best_feasible_mentors_and_creates_no_mentorship(
    app, client, published
):
    from mentor_match.extensions import db
    from mentor_match.models import Mentorship

    ids, h, _ = published
    mine = client.get("/api/v1/me/suggestions", headers=h["e1"]).get_json()
    assert [s["mentor_id"] for s in mine["items"]] == [ids["m1"], ids["m2"]]
    assert mine["can_ask"] and not mine["has_mentor"]
    assert all(s["breakdown"] for s in mine["items"])
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Mentorship)) == 0
    # Only mentees have suggestions.
    assert client.get("/api/v1/me/suggestions", headers=h["m1"]).status_code == 403


def test_request_accept_full_and_decline(app, client, published):
    ids, h, _ = published
    ask = client.post("/api/v1/requests", json={"mentor_id": ids["m1"]}, headers=h["e1"])
    assert ask.status_code == 201, ask.get_json()
    first = ask.get_json()
    assert first["status"] == "open"
    # One open request at a time, and only suggested mentors.
    again = client.post("/api/v1/requests", json={"mentor_id": ids["m2"]}, headers=h["e1"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "request_open"
    stranger = client.post("/api/v1/requests", json={"mentor_id": ids["m3"]}, headers=h["e2"])
    assert stranger.status_code == 422
    assert stranger.get_json()["error"]["details"][0]["field"] == "mentor_id"

    second = client.post(
        "/api/v1/requests", json={"mentor_id": ids["m1"]}, headers=h["e2"]
    ).get_json()
    # Another mentor cannot answer m1's request; it looks like it does not exist.
    assert client.post(f"/api/v1/requests/{first['id']}/accept", headers=h["m2"]).status_code == 404
    accepted = client.post(f"/api/v1/requests/{first['id']}/accept", headers=h["m1"])
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["request"]["status"] == "accepted"
    full = client.post(f"/api/v1/requests/{second['id']}/accept", headers=h["m1"])
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "mentor_full"
    declined = client.post(f"/api/v1/requests/{second['id']}/decline", headers=h["m1"])
    assert declined.status_code == 200 and declined.get_json()["request"]["status"] == "declined"
    # Declined: e2 may ask the next suggested mentor.
    nxt = client.post("/api/v1/requests", json={"mentor_id": ids["m2"]}, headers=h["e2"])
    assert nxt.status_code == 201
    board = client.get("/api/v1/requests", headers=h["c"]).get_json()
    assert board["counts"] == {"open": 1, "accepted": 1, "declined": 1, "expired": 0}
    mine = client.get("/api/v1/me/suggestions", headers=h["e1"]).get_json()
    assert mine["has_mentor"] and not mine["can_ask"]


def test_requests_expire_after_seven_days_and_the_mentee_asks_the_next(app, client, published):
    from mentor_match.database import utcnow
    from mentor_match.extensions import db
    from mentor_match.models import MentorRequest
    from mentor_match.services.suggestions import expire_requests

    ids, h, _ = published
    made = client.post("/api/v1/requests", json={"mentor_id": ids["m1"]}, headers=h["e2"])
    request_id = made.get_json()["id"]
    with app.app_context():
        request = db.session.get(MentorRequest, request_id)
        assert request.expires_at - request.created_at == timedelta(days=7)
        request.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    # Expired on read, before any sweep.
    listed = client.get("/api/v1/requests", headers=h["e2"]).get_json()
    assert listed["items"][0]["status"] == "expired"
    late = client.post(f"/api/v1/requests/{request_id}/accept", headers=h["m1"])
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "request_expired"
    assert (
        client.post("/api/v1/requests", json={"mentor_id": ids["m2"]}, headers=h["e2"]).status_code
        == 201
    )
    with app.app_context():
        assert expire_requests(db.session, utcnow()) == 1
        assert expire_requests(db.session, utcnow()) == 0  # idempotent
        db.session.commit()
        assert db.session.get(MentorRequest, request_id).status == "expired"


def test_the_periodic_sweep_expires_unanswered_requests(app, client, published):
    from mentor_match.database import utcnow
    from mentor_match.extensions import db
    from mentor_match.jobs.tasks import sweep_once
    from mentor_match.models import MentorRequest

    ids, h, _ = published
    made = client.post("/api/v1/requests", json={"mentor_id": ids["m1"]}, headers=h["e2"])
    request_id = made.get_json()["id"]
    with app.app_context():
        db.session.get(MentorRequest, request_id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert sweep_once()["expired_requests"] == 1
        assert db.session.get(MentorRequest, request_id).status == "expired"


def test_the_mentor_gets_a_mail_linking_to_the_page(app, client, published):
    ids, h, _ = published
    client.post("/api/v1/requests", json={"mentor_id": ids["m2"]}, headers=h["e1"])
    from pathlib import Path

    outbox = Path(app.config["OUTBOX_DIR"])
    texts = [p.read_text() for p in outbox.glob("*.eml")]
    assert any("m2@example.org" in t and "/suggestions/requests" in t for t in texts)
    assert any("e1@example.org" in t and "/suggestions/" in t for t in texts)
