"""Reminders before each shift: one per booking and start, one for the mentor; a rescheduled
shift gets another, a cancelled one none; and the same on a real worker's sweeps."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mentor_match.extensions import db
from mentor_match.models import OutboxMail, User
from mentor_match.services import reminders, shifts
from tests.jobs.conftest import wait_until
from tests.jobs.jobs_builders import LINKS, book, open_shift


def _reminders(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (to, body)
            for to, body in db.session.execute(
                select(OutboxMail.to, OutboxMail.body)
                .where(OutboxMail.subject.startswith("Reminder:"))
                .order_by(OutboxMail.id)
            )
        ]


def _sweep(app, now: datetime, hours: float = 24) -> int:
    with app.app_context():
        count = reminders.send_due_reminders(db.session, links=LINKS, hours=hours, now=now)
        db.session.commit()
        return count


def _move(app, mentor_id: int, shift_id: int, start: datetime) -> None:
    with app.app_context():
        shifts.update_shift(
            db.session,
            db.session.get(User, mentor_id),
            shift_id,
            links=LINKS,
            start_at=start,
            end_at=start + timedelta(hours=2),
        )
        db.session.commit()


def _cancel(app, mentor_id: int, shift_id: int) -> None:
    with app.app_context():
        shifts.cancel_shift(db.session, db.session.get(User, mentor_id), shift_id, links=LINKS)
        db.session.commit()


def test_one_reminder_per_booking_and_start_in_the_recipients_zone(app, make_user):
    mentor = make_user("mentor", email="mentor@example.org", timezone="America/Chicago")
    ana = make_user("mentee", email="ana@example.org", timezone="Europe/London")
    ben = make_user("mentee", email="ben@example.org", timezone="America/New_York")
    cy = make_user("mentee", email="cy@example.org")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    shift = open_shift(app, mentor, start, seats=5)
    other = open_shift(app, mentor, start + timedelta(hours=4), seats=5)
    book(app, ana, shift)
    book(app, ben, shift)
    book(app, cy, other)

    assert _sweep(app, start - timedelta(hours=25)) == 0  # not due yet
    assert _sweep(app, start - timedelta(hours=23)) == 3  # ana, ben and the mentor
    assert _sweep(app, start - timedelta(hours=22)) == 0  # exactly once
    sent = _reminders(app)
    assert sorted(to for to, _ in sent) == [
        "ana@example.org",
        "ben@example.org",
        "mentor@example.org",
    ]
    bodies = dict(sent)
    assert "(Europe/London)" in bodies["ana@example.org"]
    assert "(America/New_York)" in bodies["ben@example.org"]
    assert "(America/Chicago)" in bodies["mentor@example.org"]
    with app.app_context():
        invite = db.session.scalar(
            select(OutboxMail.ics).where(
                OutboxMail.subject.startswith("Reminder:"), OutboxMail.to == "ana@example.org"
            )
        )
    assert invite and "METHOD:REQUEST" in invite

    # Rescheduled: a new reminder for the new time; cancelled: none.
    _move(app, mentor, shift, start + timedelta(hours=1))
    _cancel(app, mentor, other)
    assert _sweep(app, start - timedelta(hours=21)) == 3
    assert _sweep(app, start - timedelta(hours=20)) == 0
    recipients = [to for to, _ in _reminders(app)]
    assert recipients.count("ana@example.org") == 2
    assert "cy@example.org" not in recipients


def test_a_cancelled_booking_gets_no_reminder(app, make_user, client, token_for):
    mentor = make_user("mentor")
    mentee = make_user("mentee", email="gone@example.org")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    shift = open_shift(app, mentor, start)
    booking = book(app, mentee, shift)
    response = client.delete(f"/api/v1/bookings/{booking}", headers=token_for(mentee))
    assert response.status_code == 200
    _sweep(app, start - timedelta(hours=1))
    assert "gone@example.org" not in [to for to, _ in _reminders(app)]


@pytest.mark.slow
def test_a_real_worker_sends_reminders_exactly_once(app, make_user, make_worker, inbox):
    mentor = make_user("mentor", email="mentor@example.org")
    ana = make_user("mentee", email="ana@example.org", timezone="Europe/London")
    cy = make_user("mentee", email="cy@example.org")
    # Due in a few seconds: one hour ahead with REMINDER_HOURS = 1, plus a little.
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1, seconds=5)
    shift = open_shift(app, mentor, start, seats=3)
    doomed = open_shift(app, mentor, start + timedelta(minutes=5), seats=3)
    book(app, ana, shift)
    book(app, cy, doomed)
    _cancel(app, mentor, doomed)
    inbox.start()
    make_worker(inbox, REMINDER_HOURS="1")

    def subjects() -> list[tuple[str, str]]:
        return [(m["To"], m["Subject"]) for m in list(inbox.messages)]

    def reminded() -> list[str]:
        return [to for to, subject in subjects() if subject.startswith("Reminder:")]

    wait_until(lambda: len(reminded()) >= 2, 60, "the first reminders")
    time.sleep(3)  # three more sweeps: nothing more
    assert sorted(reminded()) == ["ana@example.org", "mentor@example.org"]
    _move(app, mentor, shift, start - timedelta(minutes=10))  # still within the hour
    wait_until(lambda: len(reminded()) >= 4, 60, "the reminders of the new time")
    time.sleep(3)
    assert sorted(reminded()) == [
        "ana@example.org",
        "ana@example.org",
        "mentor@example.org",
        "mentor@example.org",
    ]
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(OutboxMail))
    wait_until(lambda: len(inbox.messages) == total, 30, "every outbox mail to arrive")
