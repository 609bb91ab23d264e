"""Security headers on every kind of answer: pages, JSON, errors, feeds, invites, CSV, files."""

from __future__ import annotations

import io

import pytest

from tests.helpers import _CSRF, PASSWORD, login
from tests.security.conftest import Programme, assert_secure_headers


def _feed_token(app, user_id: int) -> str:
    from mentor_match.extensions import db
    from mentor_match.models import User
    from mentor_match.services import calendars

    with app.app_context():
        token = calendars.feed_token(db.session, db.session.get(User, user_id), app.secret_key)
        db.session.commit()
        return token


def test_every_kind_of_answer_carries_the_headers(app, client, programme: Programme):
    p = programme
    pages = p.pages
    feed = _feed_token(app, p.ids["mentee_b"])
    answers = {
        "sign-in page": client.get("/login"),
        "home page": pages["coordinator"].get("/"),
        "redirect": client.get("/account/"),
        "HTML 404": pages["mentee_a"].get("/nothing-here"),
        "HTML 403": pages["mentee_a"].get("/rounds/"),
        "CSRF 400": pages["mentee_a"].post("/logout"),
        "static file": client.get("/static/app.css"),
        "health JSON": client.get("/healthz"),
        "OpenAPI JSON": client.get("/api/v1/openapi.json"),
        "API JSON": client.get("/api/v1/mentors", headers=p.api["coordinator"]),
        "API 401": client.get("/api/v1/mentors"),
        "API 404": client.get("/api/v1/shifts/424242", headers=p.api["coordinator"]),
        "API 422": client.post("/api/v1/rounds", json={}, headers=p.api["coordinator"]),
        "feed": client.get(f"/calendar/{feed}.ics"),
        "feed 404": client.get("/calendar/not-a-token.ics"),
        "invite (API)": client.get(
            f"/api/v1/bookings/{p.booking_id}/invite.ics", headers=p.api["mentee_b"]
        ),
        "invite (page)": pages["mentee_b"].get(f"/bookings/{p.booking_id}/invite.ics"),
        "CPD CSV (API)": client.get("/api/v1/me/cpd.csv", headers=p.api["mentee_b"]),
        "CPD CSV (page)": pages["mentee_b"].get("/cpd/log.csv"),
        "export CSV (API)": client.get("/api/v1/exports/mentees.csv", headers=p.api["coordinator"]),
        "export CSV (page)": pages["coordinator"].get("/imports/export/mentors.csv"),
        "template CSV": pages["coordinator"].get("/imports/templates/mentees.csv"),
        "subscribe page": pages["mentee_b"].get("/calendar/"),
    }
    expected = {
        "feed": 200,
        "invite (API)": 200,
        "CPD CSV (API)": 200,
        "export CSV (API)": 200,
        "export CSV (page)": 200,
        "HTML 404": 404,
        "API 401": 401,
    }
    answers["static file"].close()
    for label, response in answers.items():
        if label in expected:
            assert response.status_code == expected[label], (label, response.status)
        assert_secure_headers(response, label)
    assert answers["CPD CSV (page)"].mimetype == "text/csv"
    assert answers["export CSV (page)"].mimetype == "text/csv"
    # The feed URL is a secret: it must never travel in a Referer.
    assert answers["feed"].headers["Referrer-Policy"] == "no-referrer"
    assert answers["feed 404"].status_code == 404
    assert answers["subscribe page"].headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in answers["sign-in page"].headers  # plain http


def test_the_too_large_answers_carry_the_headers(app, client, programme: Programme):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    p = programme
    api = client.post(
        "/api/v1/imports/mentees",
        data=b"x" * 5000,
        content_type="text/csv",
        headers=p.api["coordinator"],
    )
    page = p.pages["coordinator"].post(
        "/imports/preview",
        data={"csrf_token": p.csrf["coordinator"], "file": (io.BytesIO(b"x" * 5000), "a.csv")},
    )
    for label, response in (("API 413", api), ("page 413", page)):
        assert response.status_code == 413, label
        assert_secure_headers(response, label)


@pytest.fixture
def https_app(app_config):
    from mentor_match import create_app
    from mentor_match.extensions import db

    https = create_app({**app_config, "BASE_URL": "https://mentors.example.org"})
    yield https
    with https.app_context():
        db.session.remove()
        db.engine.dispose()


def test_https_adds_hsts_and_secure_cookies(app, https_app, make_user):
    make_user("mentee", email="secure@example.org")
    client = https_app.test_client()
    base = "https://mentors.example.org"
    token = _CSRF.search(client.get("/login", base_url=base).get_data(as_text=True)).group(1)
    response = client.post(
        "/login",
        base_url=base,
        data={"email": "secure@example.org", "password": PASSWORD, "csrf_token": token},
        headers={"Referer": f"{base}/login"},  # over https the CSRF check wants our own Referer
    )
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    assert_secure_headers(response, "https login")


def test_plain_http_cookies_are_httponly_and_lax(client, make_user):
    make_user("mentee", email="plain@example.org")
    response = login(client, "plain@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
