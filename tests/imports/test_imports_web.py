"""The coordinator's import page: upload, preview with row errors, confirm; invitations."""

from __future__ import annotations

import io
import re
from email import message_from_bytes, policy
from pathlib import Path

from mentor_match.extensions import db
from mentor_match.models import PendingImport, User
from tests.helpers import PASSWORD, csrf_token, login
from tests.imports.imports_builders import (
    mentee_line,
    mentees_file,
    mentor_line,
    mentors_file,
    people_state,
    table_counts,
)

KEY = re.compile(r'name="key"[^>]*value="([^"]+)"')


def _coordinator(client, make_user):
    make_user("coordinator", email="coord@example.org")
    login(client, "coord@example.org")


def _upload(client, kind, data, token=None):
    token = token or csrf_token(client, "/imports/")
    return client.post(
        "/imports/preview",
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), "people.csv")},
        content_type="multipart/form-data",
    )


def _outbox(app):
    folder = Path(app.config["OUTBOX_DIR"])
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def test_upload_preview_confirm(app, client, make_user):
    _coordinator(client, make_user)
    page = client.get("/imports/")
    assert page.status_code == 200 and b"Import mentors and mentees" in page.data
    preview = _upload(client, "mentors", mentors_file(mentor_line(1), mentor_line(2)))
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "will add" in text and "<strong>2</strong>" in text
    with app.app_context():
        assert people_state("mentor") == []  # the preview writes no people
    key = KEY.search(text).group(1)
    token = csrf_token(client, "/imports/")
    done = client.post("/imports/confirm", data={"csrf_token": token, "key": key})
    assert done.status_code == 302
    follow = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "2 added, 0 updated" in follow and "2 invitations are on the way" in follow
    with app.app_context():
        assert len(people_state("mentor")) == 2
        assert db.session.scalar(db.select(db.func.count(PendingImport.id))) == 0
    assert len(_outbox(app)) == 2
    # The same confirmation twice does nothing more.
    again = client.post("/imports/confirm", data={"csrf_token": token, "key": key})
    assert "no longer waiting" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_preview_lists_every_error_and_offers_no_import(app, client, make_user):
    _coordinator(client, make_user)
    data = mentees_file(
        mentee_line(1), mentee_line(2, availability="Mon 17:00-09:00"), mentee_line(3, email="nope")
    )
    with app.app_context():
        before = table_counts()
    response = _upload(client, "mentees", data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Nothing was imported" in text and 'name="key"' not in text
    assert "<td>3</td><td>availability</td>" in text and "<td>4</td><td>email</td>" in text
    with app.app_context():
        assert table_counts() == before


def test_confirm_needs_csrf_and_the_uploader(app, client, make_user):
    _coordinator(client, make_user)
    text = _upload(client, "mentors", mentors_file(mentor_line(1))).get_data(as_text=True)
    key = KEY.search(text).group(1)
    assert client.post("/imports/confirm", data={"key": key}).status_code == 400
    assert client.post("/imports/preview", data={"kind": "mentors"}).status_code == 400
    # Another coordinator cannot confirm this upload.
    other = app.test_client()
    make_user("coordinator", email="other@example.org")
    login(other, "other@example.org")
    token = csrf_token(other, "/imports/")
    response = other.post("/imports/confirm", data={"csrf_token": token, "key": key})
    assert "no longer waiting" in other.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert people_state("mentor") == []


def test_upload_without_file_is_explained(client, make_user):
    _coordinator(client, make_user)
    token = csrf_token(client, "/imports/")
    response = client.post("/imports/preview", data={"csrf_token": token, "kind": "mentors"})
    assert response.status_code == 400 and b"Choose the CSV file" in response.data


def test_too_large_upload_gets_a_friendly_page(app, client, make_user):
    _coordinator(client, make_user)
    token = csrf_token(client, "/imports/")
    app.config["MAX_CONTENT_LENGTH"] = 2000
    response = _upload(client, "mentors", mentors_file(*(mentor_line(i) for i in range(60))), token)
    assert response.status_code == 413
    assert b"That file is too large" in response.data and b"Split the spreadsheet" in response.data


def test_pages_are_for_coordinators_only(client, make_user):
    make_user("mentee", email="m@example.org")
    login(client, "m@example.org")
    for path in ["/imports/", "/imports/templates/mentors.csv", "/imports/export/mentees.csv"]:
        assert client.get(path).status_code == 403, path
    anonymous = client.application.test_client()
    assert anonymous.get("/imports/").status_code == 302


def test_downloads_from_the_page(client, make_user):
    _coordinator(client, make_user)
    template = client.get("/imports/templates/mentees.csv")
    assert template.status_code == 200 and template.data.startswith(b"email,name,site")
    export = client.get("/imports/export/mentors.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert client.get("/imports/templates/other.csv").status_code == 404


def test_large_imports_send_invitations_in_batches_after_the_import(app, client, make_user):
    from mentor_match.models import PendingInvitation

    app.config["IMPORT_INVITE_LIMIT"] = 1
    _coordinator(client, make_user)
    text = _upload(client, "mentees", mentees_file(mentee_line(1), mentee_line(2))).get_data(
        as_text=True
    )
    assert "in batches sent in the background" in text
    token = csrf_token(client, "/imports/")
    done = client.post(
        "/imports/confirm", data={"csrf_token": token, "key": KEY.search(text).group(1)}
    )
    assert "2 invitations are on the way" in client.get(done.headers["Location"]).get_data(
        as_text=True
    )
    # The worker (here: at once, in this process) wrote both invitations and sent them.
    assert len(_outbox(app)) == 2
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PendingInvitation)) == 0
    page = client.get("/imports/").get_data(as_text=True)
    assert "Send invitations" not in page
    assert client.post("/imports/invitations", data={"csrf_token": token}).status_code == 404


def test_invitation_link_sets_the_password_once(app, client, make_user):
    headers = {"Content-Type": "text/csv"}
    from tests.imports.imports_builders import mentor_line as line

    coordinator = make_user("coordinator", email="coord@example.org")
    with app.app_context():
        from mentor_match.services import accounts

        _, raw = accounts.create_api_token(db.session, db.session.get(User, coordinator))
        db.session.commit()
    headers["Authorization"] = f"Bearer {raw}"
    assert (
        client.post(
            "/api/v1/imports/mentors", data=mentors_file(line(7)), headers=headers
        ).status_code
        == 200
    )
    (mail,) = _outbox(app)
    body = message_from_bytes(mail.read_bytes(), policy=policy.default).get_body().get_content()
    link = re.search(r"(http://localhost/welcome/\S+)", body).group(1)
    path = link.removeprefix("http://localhost")
    page = client.get(path)
    assert page.status_code == 200 and b"Welcome, Mentor 7" in page.data
    token = csrf_token(client, path)
    short = client.post(path, data={"csrf_token": token, "password": "short", "confirm": "short"})
    assert short.status_code == 400
    done = client.post(path, data={"csrf_token": token, "password": PASSWORD, "confirm": PASSWORD})
    assert done.status_code == 302
    assert "Your password is set" in client.get("/").get_data(as_text=True)
    # Spent: the link no longer works, and the password signs in.
    fresh = app.test_client()
    assert fresh.get(path).status_code == 400
    assert b"already been used" in fresh.get(path).data
    assert login(fresh, "mentor7@example.org").status_code == 302
    assert fresh.get("/welcome/not-a-token").status_code == 400
