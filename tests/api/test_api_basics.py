"""The API skeleton: bearer tokens, the error shape, people lists and the OpenAPI document."""

from __future__ import annotations

import re

from mentor_match.extensions import db
from mentor_match.models import ApiToken


def test_no_token_is_401_with_json_error(client):
    response = client.get("/api/v1/mentors")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized" and error["message"] and error["details"] == []


def test_malformed_tokens_are_401(client):
    for header in ["Bearer", "Bearer nope", "Basic abc", "Bearer mm_" + "x" * 300, "mm_abc"]:
        assert client.get("/api/v1/mentors", headers={"Authorization": header}).status_code == 401


def test_valid_token_and_role_check(client, make_user, token_for):
    coordinator = make_user("coordinator")
    mentee = make_user("mentee")
    assert client.get("/api/v1/mentors", headers=token_for(coordinator)).status_code == 200
    response = client.get("/api/v1/mentors", headers=token_for(mentee))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_revoked_token_is_refused(app, client, make_user, token_for):
    coordinator = make_user("coordinator")
    headers = token_for(coordinator)
    assert client.get("/api/v1/mentees", headers=headers).status_code == 200
    with app.app_context():
        token = db.session.query(ApiToken).one()
        assert token.last_used_at is not None
        from mentor_match.database import utcnow

        token.revoked_at = utcnow()
        db.session.commit()
    assert client.get("/api/v1/mentees", headers=headers).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, make_user):
    from tests.helpers import login

    make_user("coordinator", email="c@example.org")
    login(client, "c@example.org")
    assert client.get("/api/v1/mentors").status_code == 401


def test_people_lists_are_paginated(client, make_user, token_for):
    headers = token_for(make_user("coordinator"))
    for i in range(5):
        make_user("mentor", name=f"Mentor {i}", specialties=("oncology", "mtm"), capacity=3)
    make_user("mentee", specialties=("mtm", "oncology"))
    body = client.get("/api/v1/mentors?per_page=2&page=2", headers=headers).get_json()
    assert body["total"] == 5
    assert [p["name"] for p in body["items"]] == ["Mentor 2", "Mentor 3"]
    item = body["items"][0]
    assert item["specialties"] == ["mtm", "oncology"] and item["capacity"] == 3
    assert set(item) >= {"id", "email", "name", "site", "region", "timezone", "availability"}
    mentees = client.get("/api/v1/mentees", headers=headers).get_json()
    assert mentees["items"][0]["specialties"] == ["mtm", "oncology"]  # priority order kept
    assert "capacity" not in mentees["items"][0]


def test_bad_paging_is_422(client, make_user, token_for):
    headers = token_for(make_user("coordinator"))
    for query in ["per_page=0", "per_page=100000", "page=0", "page=abc"]:
        response = client.get(f"/api/v1/mentors?{query}", headers=headers)
        assert response.status_code == 422, query
        assert response.get_json()["error"]["details"]


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_openapi_lists_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} is not in openapi.json"


def test_ids_beyond_the_database_range_are_not_server_errors(client, make_user, token_for):
    headers = token_for(make_user("coordinator"))
    assert client.get("/api/v1/shifts/99999999999999999999", headers=headers).status_code == 404
    assert client.get("/api/v1/rounds/2147483648", headers=headers).status_code == 404
    response = client.get("/api/v1/shifts?mentor_id=2147483648", headers=headers)
    assert response.status_code == 422
    body = {"name": "x", "min_overlap_hours": 1e308}
    assert client.post("/api/v1/rounds", json=body, headers=headers).status_code in (201, 422)
