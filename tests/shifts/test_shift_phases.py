"""A shift that has started reads "in progress" then "ended", cannot be rescheduled, and asks
for attendance; "mark all attended"; a blank hours box is refused, not taken as the whole shift."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from mentor_match.extensions import db
from mentor_match.models import Booking
from tests.confirmations.test_confirmations import _book, _shift
from tests.helpers import csrf_token, login


def test_a_started_shift_is_in_progress_and_cannot_be_rescheduled(app, client, make_user):
    mentor = make_user("mentor", email="t@example.org")
    mentee = make_user("mentee")
    shift = _shift(app, mentor, hours_from_now=-1)
    _book(app, shift, mentee)
    login(client, "t@example.org")
    page = client.get(f"/shifts/{shift}").get_data(as_text=True)
    assert ">in progress</span>" in page
    assert "Reschedule or change seats" not in page
    assert "can no longer be rescheduled" in page
    assert "Record attendance" in page and "1 of 1 mentee not recorded yet" in page
    listing = client.get("/shifts/").get_data(as_text=True)
    assert ">in progress</span>" in listing


def test_an_ended_shift_reads_ended(app, client, make_user):
    mentor = make_user("mentor", email="t@example.org")
    shift = _shift(app, mentor, hours_from_now=-5)
    login(client, "t@example.org")
    assert ">ended</span>" in client.get(f"/shifts/{shift}").get_data(as_text=True)


def test_a_future_shift_can_be_rescheduled(app, client, make_user):
    mentor = make_user("mentor", email="t@example.org")
    shift = _shift(app, mentor)
    login(client, "t@example.org")
    page = client.get(f"/shifts/{shift}").get_data(as_text=True)
    assert ">scheduled</span>" in page and "Reschedule or change seats" in page


def test_mark_all_attended_records_everyone_not_yet_recorded(app, client, make_user):
    mentor = make_user("mentor", email="t@example.org")
    one, two, three = (make_user("mentee") for _ in range(3))
    shift = _shift(app, mentor, hours_from_now=-4, seats=3)
    first, second, third = (_book(app, shift, m) for m in (one, two, three))
    login(client, "t@example.org")
    token = csrf_token(client, f"/shifts/{shift}")
    # One mentee's attendance is already recorded as "did not attend": it stays so.
    client.post(
        f"/shifts/{shift}/bookings/{third}/attendance",
        data={"csrf_token": token, "attended": "no", "hours": ""},
    )
    done = client.post(f"/shifts/{shift}/attendance/all", data={"csrf_token": token})
    assert done.status_code == 302
    with app.app_context():
        rows = {b.id: (b.attended, b.hours) for b in db.session.scalars(db.select(Booking))}
    assert rows[first] == (True, Decimal("3.00"))
    assert rows[second] == (True, Decimal("3.00"))
    assert rows[third] == (False, Decimal("0.00"))
    page = client.get(f"/shifts/{shift}").get_data(as_text=True)
    assert "Attendance is recorded for everyone confirmed" in page


def test_blank_hours_are_refused_not_taken_as_the_whole_shift(app, client, make_user):
    mentor = make_user("mentor", email="t@example.org")
    mentee = make_user("mentee")
    shift = _shift(app, mentor, hours_from_now=-4)
    booking = _book(app, shift, mentee)
    login(client, "t@example.org")
    token = csrf_token(client, f"/shifts/{shift}")
    response = client.post(
        f"/shifts/{shift}/bookings/{booking}/attendance",
        data={"csrf_token": token, "attended": "yes", "hours": ""},
        follow_redirects=True,
    )
    assert "Give the hours attended" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Booking, booking).attended is None
    # The box comes filled with the shift's length, so recording the whole shift is one click.
    page = client.get(f"/shifts/{shift}").get_data(as_text=True)
    assert (
        f'id="hours-{booking}" name="hours" type="number" min="0" max="24" step="0.25" value="3"'
        in page
    )


def test_saving_an_unchanged_shift_says_nobody_was_told(app, client, make_user):
    mentor = make_user("mentor", email="t@example.org")
    mentee = make_user("mentee")
    shift = _shift(app, mentor, hours_from_now=72)
    _book(app, shift, mentee)
    login(client, "t@example.org")
    page = client.get(f"/shifts/{shift}").get_data(as_text=True)
    token = csrf_token(client, f"/shifts/{shift}")
    fields = dict(re.findall(r'name="(day|start|end|seats|location)"[^>]*value="([^"]*)"', page))
    answer = client.post(
        f"/shifts/{shift}/edit", data={**fields, "csrf_token": token}, follow_redirects=True
    )
    text = answer.get_data(as_text=True)
    assert "Nothing changed, so nobody was told." in text
    outbox = Path(app.config["OUTBOX_DIR"])
    assert not outbox.exists() or not list(outbox.glob("*.eml"))
    fields["location"] = "Room 2"
    answer = client.post(
        f"/shifts/{shift}/edit", data={**fields, "csrf_token": token}, follow_redirects=True
    )
    assert "everyone booked has been sent the change" in answer.get_data(as_text=True)
    assert len(list(outbox.glob("*.eml"))) == 1
