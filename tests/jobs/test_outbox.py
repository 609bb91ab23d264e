"""The outbox: refusals for now and for good, the retry horizon, and what coordinators see
(`flask outbox status`, GET /api/v1/outbox, the Outbox page) and retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update

from mentor_match import mail
from mentor_match.database import utcnow
from mentor_match.extensions import db
from mentor_match.jobs.tasks import deliver_outbox
from mentor_match.models import OutboxMail
from tests.helpers import csrf_token, login
from tests.jobs.jobs_builders import outbox_rows
from tests.servers import free_port


class Picky:
    """Accepts every mail but those whose subject says to refuse it."""

    def __init__(self) -> None:
        self.subjects: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        text = envelope.content.decode(errors="replace")
        if "Subject: bad" in text:
            return "550 5.1.1 no such mailbox"
        if "Subject: later" in text:
            return "451 4.3.0 try again later"
        self.subjects.append(text.split("Subject: ", 1)[1].split("\r\n", 1)[0])
        return "250 OK"


@pytest.fixture
def smtp(app):
    handler = Picky()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = controller.port
    yield handler
    controller.stop()


def _queue(app, *subjects: str) -> None:
    with app.app_context():
        for subject in subjects:
            mail.queue(db.session, mail.Mail(to=("a@example.org",), subject=subject, body="x"))
        db.session.commit()


def _deliver(app) -> dict[str, int]:
    with app.app_context():
        return deliver_outbox()


def _by_subject(app) -> dict[str, OutboxMail]:
    return {row.subject: row for row in outbox_rows(app)}


def test_refused_for_now_is_retried_later_and_refused_for_good_fails(app, smtp):
    _queue(app, "fine", "bad", "later")
    assert _deliver(app) == {"sent": 1, "retried": 1, "failed": 1}
    rows = _by_subject(app)
    assert rows["fine"].state == "sent" and rows["fine"].sent_at is not None
    assert rows["bad"].state == "failed" and "550" in rows["bad"].last_error
    later = rows["later"]
    assert later.state == "queued" and later.attempts == 1 and "451" in later.last_error
    assert later.next_attempt_at > utcnow()  # backing off
    assert _deliver(app) == {"sent": 0, "retried": 0, "failed": 0}  # not due yet
    assert smtp.subjects == ["fine"]


def test_retries_stop_after_the_horizon(app, smtp):
    _queue(app, "later")
    with app.app_context():
        # Written a day ago: the next refusal is the last.
        db.session.execute(
            update(OutboxMail).values(created_at=utcnow() - timedelta(hours=24, minutes=1))
        )
        db.session.commit()
    assert _deliver(app)["failed"] == 1
    assert _by_subject(app)["later"].state == "failed"


def test_a_server_that_is_down_keeps_the_mail_queued(app):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    _queue(app, "one", "two")
    assert _deliver(app) == {"sent": 0, "retried": 2, "failed": 0}
    assert all(r.state == "queued" and r.last_error for r in outbox_rows(app))


def test_outbox_status_command(app, runner, smtp):
    _queue(app, "fine", "bad", "later", "fine too")
    _deliver(app)
    result = runner.invoke(args=["outbox", "status"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["queued\t1", "sent\t2", "failed\t1"]


def test_api_lists_waiting_mail_and_retries_it(app, client, make_user, token_for, smtp):
    _queue(app, "fine", "bad", "later")
    _deliver(app)
    headers = token_for(make_user("coordinator"))
    listing = client.get("/api/v1/outbox", headers=headers)
    assert listing.status_code == 200
    data = listing.get_json()
    assert (data["queued"], data["sent"], data["failed"]) == (1, 1, 1)
    assert [i["subject"] for i in data["items"]] == ["bad", "later"]  # failed first
    failed = data["items"][0]
    assert set(failed) >= {"id", "to", "subject", "state", "attempts", "last_error"}
    assert failed["state"] == "failed" and "550" in failed["last_error"]

    # The mailbox was fixed: retry it.
    with app.app_context():
        db.session.execute(
            update(OutboxMail).where(OutboxMail.id == failed["id"]).values(subject="fixed")
        )
        db.session.commit()
    retried = client.post(f"/api/v1/outbox/{failed['id']}/retry", headers=headers)
    assert retried.status_code == 200 and retried.get_json()["state"] == "queued"
    _deliver(app)
    assert _by_subject(app)["fixed"].state == "sent"
    again = client.post(f"/api/v1/outbox/{failed['id']}/retry", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_sent"
    assert client.post("/api/v1/outbox/99999/retry", headers=headers).status_code == 404
    mentor = token_for(make_user("mentor"))
    assert client.get("/api/v1/outbox", headers=mentor).status_code == 403


def test_outbox_page_shows_failed_mail_with_a_retry_button(app, client, make_user, smtp):
    _queue(app, "bad")
    _deliver(app)
    make_user("coordinator", email="boss@example.org")
    login(client, "boss@example.org")
    page = client.get("/outbox/").get_data(as_text=True)
    assert "bad" in page and "550" in page and "Retry" in page
    mail_id = outbox_rows(app)[0].id
    done = client.post(
        f"/outbox/{mail_id}/retry", data={"csrf_token": csrf_token(client, "/outbox/")}
    )
    assert done.status_code == 302
    assert "queued to be sent again" in client.get("/outbox/").get_data(as_text=True)
    assert outbox_rows(app)[0].state == "queued"
