"""The home page tells each person what to look at next."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from mentor_match.extensions import db
from mentor_match.models import Booking, Mentorship, Shift
from tests.helpers import login


def test_coordinator_sees_who_is_waiting_and_a_way_to_act(client, make_user):
    make_user("coordinator", email="c@example.org")
    mentor = make_user("mentor", capacity=2)
    matched, _waiting = make_user("mentee"), make_user("mentee")
    with client.application.app_context():
        db.session.add(Mentorship(mentor_id=mentor, mentee_id=matched))
        db.session.commit()
    login(client, "c@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "1 waiting for a mentor" in page
    assert "1 with places free" in page
    assert "Start a match round" in page


def test_empty_programme_points_to_the_import(client, make_user):
    make_user("coordinator", email="c@example.org")
    login(client, "c@example.org")
    assert "importing mentors and mentees" in client.get("/").get_data(as_text=True)


def test_mentee_sees_their_mentor_and_next_shadowing(client, make_user):
    mentor = make_user("mentor", name="Grace Okafor")
    mentee = make_user("mentee", email="m@example.org")
    start = datetime.now(UTC) + timedelta(days=3)
    with client.application.app_context():
        db.session.add(Mentorship(mentor_id=mentor, mentee_id=mentee))
        shift = Shift(
            mentor_id=mentor,
            start_at=start,
            end_at=start + timedelta(hours=4),
            seats=2,
            seats_taken=1,
            location="IV room",
        )
        db.session.add(shift)
        db.session.flush()
        db.session.add(Booking(shift_id=shift.id, mentee_id=mentee, status="confirmed"))
        db.session.commit()
    login(client, "m@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "Your mentor" in page and "Grace Okafor" in page
    assert re.search(r"with Grace Okafor <span class=\"badge[^\"]*\">confirmed</span>", page)


def test_mentor_without_shifts_is_offered_to_publish(client, make_user):
    make_user("mentor", email="p@example.org")
    login(client, "p@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "No mentees yet" in page and "Publish a shift" in page
