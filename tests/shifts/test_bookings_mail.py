"""Booking mail goes out over real SMTP after the commit, with the invite as text/calendar."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.calendar.calendar_rules import check_section6


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(app):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = controller.port
    yield handler
    controller.stop()


def _wait_for(inbox: Inbox, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox.messages) >= count, f"{len(inbox.messages)} of {count} messages arrived"


def _calendar_part(message: EmailMessage) -> tuple[str, str]:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_param("method"), part.get_content()
    raise AssertionError("no text/calendar part")


def _sequence(text: str) -> int:
    return int(check_section6(text, method=_method(text)).walk("VEVENT")[0]["SEQUENCE"])


def _method(text: str) -> str:
    return "CANCEL" if "METHOD:CANCEL" in text else "REQUEST"


def test_confirmation_and_cancellation_mails(client, make_user, token_for, pair, new_shift, inbox):
    mentor = make_user("mentor", email="jane@example.org", name="Smith, Jane")
    mentee = make_user("mentee", email="alex@example.org")
    pair(mentor, mentee)
    shift = new_shift(token_for(mentor))
    ah = token_for(mentee)
    booking = client.post(f"/api/v1/shifts/{shift['id']}/bookings", json={}, headers=ah).get_json()
    _wait_for(inbox, 1)
    confirmed = inbox.messages[0]
    assert {a.strip() for a in confirmed["To"].split(",")} == {
        "jane@example.org",
        "alex@example.org",
    }
    method, text = _calendar_part(confirmed)
    assert method == "REQUEST" and "METHOD:REQUEST\r\n" in text
    first = _sequence(text)

    client.delete(f"/api/v1/bookings/{booking['id']}", headers=ah)
    _wait_for(inbox, 2)
    method, text = _calendar_part(inbox.messages[1])
    assert method == "CANCEL" and "METHOD:CANCEL\r\n" in text and "STATUS:CANCELLED" in text
    assert _sequence(text) > first


def test_failed_booking_sends_nothing(client, make_user, token_for, pair, new_shift, inbox):
    mentor = make_user("mentor")
    mentee = make_user("mentee")
    shift = new_shift(token_for(mentor))
    response = client.post(
        f"/api/v1/shifts/{shift['id']}/bookings", json={}, headers=token_for(mentee)
    )
    assert response.status_code == 403
    time.sleep(0.3)
    assert inbox.messages == []
