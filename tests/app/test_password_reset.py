"""Forgot password: a signed, expiring, single-use link by mail; the coordinator's resend."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from mentor_match.extensions import db
from mentor_match.models import User
from mentor_match.services import password_reset
from tests.helpers import PASSWORD, csrf_token, login

LINK = re.compile(r"http://localhost/(password/reset|welcome)/(\S+)")


def _mails(app) -> list:
    folder = Path(app.config["OUTBOX_DIR"])
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [message_from_bytes(f.read_bytes(), policy=default) for f in files]


def _link(mail) -> tuple[str, str]:
    match = LINK.search(mail.get_body(("plain",)).get_content())
    assert match, mail
    return match.group(1), match.group(2)


def _ask(client, email: str):
    token = csrf_token(client, "/password/forgot")
    return client.post("/password/forgot", data={"email": email, "csrf_token": token})


def test_login_page_links_to_forgot_password(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_reset_by_mail_works_once_and_signs_out_elsewhere(app, client, make_user):
    make_user("mentee", email="m@example.org")
    elsewhere = app.test_client()
    login(elsewhere, "m@example.org")
    assert elsewhere.get("/account/").status_code == 200

    answer = _ask(client, "M@Example.org ")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    (mail,) = _mails(app)
    assert mail["To"] == "m@example.org"
    kind, token = _link(mail)
    assert kind == "password/reset"

    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    form = csrf_token(client, f"/password/reset/{token}")
    done = client.post(
        f"/password/reset/{token}",
        data={
            "password": "a brand new password",
            "confirm": "a brand new password",
            "csrf_token": form,
        },
    )
    assert done.status_code == 302
    assert client.get("/account/").status_code == 200  # signed in with the new password
    assert elsewhere.get("/account/").status_code == 302  # the other device is signed out

    # Single use: the same link no longer works.
    again = client.get(f"/password/reset/{token}")
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    fresh = app.test_client()
    login(fresh, "m@example.org", "a brand new password")
    assert fresh.get("/account/").status_code == 200


def test_unknown_address_gets_the_same_answer_and_no_mail(app, client):
    answer = _ask(client, "nobody@example.org")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    assert _mails(app) == []


def test_a_reset_link_expires(app, make_user):
    user_id = make_user("mentee", email="m@example.org")
    with app.app_context():
        user = db.session.get(User, user_id)
        token = password_reset.reset_token(user, app.config["SECRET_KEY"])
        try:
            password_reset.user_for_reset(db.session, token, app.config["SECRET_KEY"], max_age=-1)
        except password_reset.Invalid as exc:
            assert exc.code == "reset_expired"
        else:  # pragma: no cover - the test fails here
            raise AssertionError("an expired link was accepted")


def test_a_tampered_link_is_refused(client, make_user):
    make_user("mentee", email="m@example.org")
    response = client.get("/password/reset/not-a-real-token")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)


def test_coordinator_sends_a_reset_link_or_a_new_invitation(app, client, make_user):
    make_user("coordinator", email="c@example.org")
    with_password = make_user("mentor", email="t@example.org")
    invited = make_user("mentee", email="new@example.org")
    with app.app_context():
        db.session.get(User, invited).password_hash = None
        db.session.commit()
    login(client, "c@example.org", PASSWORD)

    page = client.get(f"/participants/{with_password}").get_data(as_text=True)
    assert "Send a password reset link" in page
    token = csrf_token(client, f"/participants/{with_password}")
    client.post(f"/participants/{with_password}/access-link", data={"csrf_token": token})
    page = client.get(f"/participants/{invited}").get_data(as_text=True)
    assert "Resend the invitation" in page
    client.post(f"/participants/{invited}/access-link", data={"csrf_token": token})

    sent = {m["To"]: _link(m)[0] for m in _mails(app)}
    assert sent == {"t@example.org": "password/reset", "new@example.org": "welcome"}
