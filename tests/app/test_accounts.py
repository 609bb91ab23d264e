"""Signing in and out, CSRF, roles, sessions that end, and the login limit."""

from __future__ import annotations

from mentor_match.extensions import db
from mentor_match.models import LoginAttempt
from tests.helpers import PASSWORD, csrf_token, login


def test_login_page_renders(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert b'<label class="form-label" for="email">Email</label>' in page.data


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_and_logout(client, make_user):
    make_user("coordinator", email="Boss@Example.org")
    response = login(client, "boss@example.org")
    assert response.status_code == 302
    assert b"Hello, Coordinator" in client.get("/").data
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(client, make_user):
    make_user("mentee", email="m@example.org")
    response = login(client, "m@example.org", "not the password")
    assert response.status_code == 401
    assert b"do not match" in response.data


def test_post_without_csrf_token_is_rejected(client, make_user):
    make_user("mentee", email="m@example.org")
    response = client.post("/login", data={"email": "m@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert b"form expired" in response.data


def test_logout_needs_csrf(client, make_user):
    make_user("mentee", email="m@example.org")
    login(client, "m@example.org")
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_open_redirect_is_not_followed(client, make_user):
    make_user("mentee", email="m@example.org")
    token = csrf_token(client)
    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": "m@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_mentee_gets_403_on_coordinator_page(client, make_user):
    make_user("mentee", email="m@example.org")
    login(client, "m@example.org")
    assert client.get("/participants/").status_code == 403


def test_anonymous_is_sent_to_login_from_coordinator_page(client):
    response = client.get("/participants/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_ends_other_sessions(app, make_user):
    make_user("mentor", email="p@example.org")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "p@example.org")
    login(phone, "p@example.org")
    token = csrf_token(laptop, "/account/")
    response = laptop.post(
        "/account/password",
        data={
            "pw-current": PASSWORD,
            "pw-new": "a brand new passphrase",
            "pw-confirm": "a brand new passphrase",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert laptop.get("/account/").status_code == 200  # this session stays
    assert phone.get("/account/").status_code == 302  # the other one has ended
    assert login(phone, "p@example.org", "a brand new passphrase").status_code == 302


def test_password_change_validation(client, make_user):
    make_user("mentor", email="p@example.org")
    login(client, "p@example.org")
    token = csrf_token(client, "/account/")
    response = client.post(
        "/account/password",
        data={"pw-current": "wrong", "pw-new": "short", "pw-confirm": "other", "csrf_token": token},
    )
    assert response.status_code == 422
    assert b"The two new passwords differ" in response.data


def test_old_cookie_is_useless_after_logout(app, make_user):
    make_user("mentee", email="m@example.org")
    client = app.test_client()
    login(client, "m@example.org")
    cookie = client.get_cookie("session").value
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/").status_code == 200  # a copied cookie works while the session is open
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert replay.get("/").status_code == 302  # and not once it is signed out


def test_login_attempts_are_limited_per_account(app, client, make_user):
    app.config["LOGIN_LIMIT"] = 3
    make_user("mentee", email="m@example.org")
    for _ in range(3):
        assert login(client, "m@example.org", "wrong").status_code == 401
    response = login(client, "m@example.org")  # even the right password waits now
    assert response.status_code == 429
    assert response.headers["Retry-After"]
    with app.app_context():
        assert db.session.query(LoginAttempt).count() == 3
