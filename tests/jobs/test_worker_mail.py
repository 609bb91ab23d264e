"""A real worker process delivers the outbox: through an SMTP outage, and through a kill -9."""

from __future__ import annotations

import time

import pytest

from mentor_match import mail
from mentor_match.extensions import db
from mentor_match.models import MailState
from tests.jobs.conftest import wait_until
from tests.jobs.jobs_builders import count_state, many_bookings, outbox_rows

pytestmark = pytest.mark.slow


def test_smtp_down_then_up_every_booking_mail_arrives_exactly_once(
    app, make_user, make_worker, inbox, queue_kind, capsys
):
    booking_ids = many_bookings(app, make_user, 200)
    assert len(booking_ids) == 200
    rows = outbox_rows(app)
    assert len(rows) == 200  # one confirmation per booking, to the mentee and the mentor
    # Each booking's commit enqueued a delivery job; the worker finds them on the queue.
    worker = make_worker(inbox)  # the SMTP server is down: nothing listens on its port yet
    # The worker tries, is refused, and keeps the mails queued with the error.
    wait_until(
        lambda: all(r.attempts >= 1 for r in outbox_rows(app)), 60, "a first attempt at each"
    )
    tried = outbox_rows(app)
    assert all(r.state == "queued" and r.last_error for r in tried), tried[0].last_error
    inbox.start()
    inbox.wait_for(200, timeout=90)
    wait_until(lambda: count_state(app, MailState.SENT) == 200, 30, "every row marked sent")
    received = inbox.outbox_ids()
    assert set(received) == {r.id for r in rows}
    assert max(received.values()) == 1, "a mail arrived twice"
    assert count_state(app, MailState.FAILED) == 0
    attempts = max(r.attempts for r in outbox_rows(app))
    assert attempts >= 2
    with capsys.disabled():
        print(
            f"\n{queue_kind} queue: 200 booking mails through an SMTP outage: 200 arrived once "
            f"each, up to {attempts} attempts"
        )
    worker.stop()


def test_kill_9_mid_delivery_then_restart_loses_nothing(app, make_worker, inbox, capsys):
    inbox.delay = 0.004  # a server that takes a moment per mail, so the kill lands mid-way
    inbox.start()
    with app.app_context():
        mail.queue_many(
            db.session,
            (
                mail.Mail(to=(f"person{i}@example.org",), subject=f"Mail {i}", body="Hello")
                for i in range(500)
            ),
        )
        db.session.commit()
    worker = make_worker(inbox)
    wait_until(lambda: len(inbox.messages) >= 120, 60, "the worker to be mid-way")
    worker.kill()
    with app.app_context():
        in_flight = sum(1 for r in outbox_rows(app) if r.state == "queued" and r.claim is not None)
    delivered_before = len(inbox.outbox_ids())
    assert delivered_before < 500, "the worker finished before it was killed"
    make_worker(inbox)  # the claims of the dead worker expire (3 s here) and are taken over
    inbox.wait_for(500, timeout=120)
    wait_until(lambda: count_state(app, MailState.SENT) == 500, 30, "every row marked sent")
    time.sleep(0.5)
    received = inbox.outbox_ids()
    duplicates = sum(received.values()) - len(received)
    with capsys.disabled():
        print(
            f"\nkill -9 after {delivered_before} of 500 mails: 500 arrived, {duplicates} "
            f"duplicate(s), {in_flight} mail(s) in flight at the kill"
        )
    assert len(received) == 500
    assert duplicates <= in_flight
