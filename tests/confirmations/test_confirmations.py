"""Actions that cannot be undone ask first, saying who is told; a reload never creates twice."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from mentor_match.extensions import db
from mentor_match.models import ApiToken, Booking, Mentorship, Shift
from tests.helpers import csrf_token, login


def _shift(app, mentor_id: int, *, hours_from_now: float = 48, seats: int = 1, **extra) -> int:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
        hours=hours_from_now
    )
    with app.app_context():
        shift = Shift(
            mentor_id=mentor_id,
            start_at=start,
            end_at=start + timedelta(hours=3),
            seats=seats,
            location=extra.pop("location", "IV room"),
            **extra,
        )
        db.session.add(shift)
        db.session.commit()
        return shift.id


def _book(app, shift_id: int, mentee_id: int, status: str = "confirmed") -> int:
    with app.app_context():
        booking = Booking(shift_id=shift_id, mentee_id=mentee_id, status=status)
        db.session.add(booking)
        if status == "confirmed":
            db.session.get(Shift, shift_id).seats_taken += 1
        db.session.commit()
        return booking.id


def _danger_button(page: str) -> bool:
    return bool(re.search(r'<button type="submit" class="btn btn-danger">', page))


def test_cancelling_a_booking_asks_first_and_names_who_is_told(app, client, make_user):
    mentor = make_user("mentor", name="Dana Mentor")
    mentee = make_user("mentee", email="m@example.org", name="Ava Mentee")
    other = make_user("mentee", name="Wanda Waiting")
    shift = _shift(app, mentor)
    booking = _book(app, shift, mentee)
    _book(app, shift, other, status="waitlisted")
    login(client, "m@example.org")

    mine = client.get("/bookings/").get_data(as_text=True)
    assert f'href="/bookings/{booking}/cancel"' in mine  # a link to the question, not a POST
    page = client.get(f"/bookings/{booking}/cancel")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Cancel this booking?" in text and _danger_button(text)
    assert "Who will be told" in text
    for name in ("Ava Mentee", "Dana Mentor", "Wanda Waiting"):
        assert name in text
    # Looking at the question changed nothing.
    with app.app_context():
        assert db.session.get(Booking, booking).status == "confirmed"

    token = csrf_token(client, f"/bookings/{booking}/cancel")
    done = client.post(f"/bookings/{booking}/cancel", data={"csrf_token": token})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Booking, booking).status == "cancelled"


def test_leaving_a_waitlist_is_its_own_question(app, client, make_user):
    mentor = make_user("mentor")
    first = make_user("mentee")
    mentee = make_user("mentee", email="w@example.org")
    shift = _shift(app, mentor)
    _book(app, shift, first)
    waiting = _book(app, shift, mentee, status="waitlisted")
    login(client, "w@example.org")
    mine = client.get("/bookings/").get_data(as_text=True)
    assert "number 1 on the waitlist" in mine
    assert "Leave the waitlist" in mine
    text = client.get(f"/bookings/{waiting}/cancel").get_data(as_text=True)
    assert "Leave the waitlist?" in text and "Nobody is sent a message" in text


def test_cancelling_a_shift_asks_first_and_lists_the_booked(app, client, make_user):
    mentor = make_user("mentor", email="t@example.org")
    mentee = make_user("mentee", name="Bo Booked")
    shift = _shift(app, mentor)
    _book(app, shift, mentee)
    login(client, "t@example.org")
    page = client.get(f"/shifts/{shift}").get_data(as_text=True)
    assert f'href="/shifts/{shift}/cancel"' in page
    assert 'class="btn btn-outline-danger' in page  # styled as dangerous
    text = client.get(f"/shifts/{shift}/cancel").get_data(as_text=True)
    assert "Cancel this shift?" in text and "Bo Booked" in text and _danger_button(text)
    with app.app_context():
        assert db.session.get(Shift, shift).status == "scheduled"


def test_rotating_the_calendar_link_and_revoking_a_token_ask_first(app, client, make_user):
    make_user("mentee", email="m@example.org")
    login(client, "m@example.org")
    subscribe = client.get("/calendar/").get_data(as_text=True)
    assert 'href="/calendar/rotate"' in subscribe
    rotate = client.get("/calendar/rotate").get_data(as_text=True)
    assert "Make a new calendar link?" in rotate and _danger_button(rotate)

    token = csrf_token(client, "/account/")
    client.post("/account/tokens", data={"tok-name": "sync", "tok-csrf_token": token})
    with app.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.name == "sync"))
    settings = client.get("/account/").get_data(as_text=True)
    assert f'href="/account/tokens/{token_id}/revoke"' in settings
    question = client.get(f"/account/tokens/{token_id}/revoke").get_data(as_text=True)
    assert "Revoke this token?" in question and "sync" in question
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]+)"', question))
    done = client.post("/account/tokens/revoke", data=fields)
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is not None
    # Someone else's or an already revoked token has no question page.
    assert client.get(f"/account/tokens/{token_id}/revoke").status_code == 404


def test_ending_a_mentorship_asks_first(app, client, make_user):
    make_user("coordinator", email="c@example.org")
    mentor = make_user("mentor", name="Tess Mentor")
    mentee = make_user("mentee", name="Milo Mentee")
    with app.app_context():
        mentorship = Mentorship(mentor_id=mentor, mentee_id=mentee)
        db.session.add(mentorship)
        db.session.commit()
        mentorship_id = mentorship.id
    login(client, "c@example.org")
    person = client.get(f"/participants/{mentee}").get_data(as_text=True)
    assert f"/participants/mentorships/{mentorship_id}/end?person_id={mentee}" in person
    text = client.get(f"/participants/mentorships/{mentorship_id}/end?person_id={mentee}").get_data(
        as_text=True
    )
    assert "End this mentorship?" in text and "Milo Mentee" in text and "Tess Mentor" in text
    assert "never proposed again" in text and _danger_button(text)
    with app.app_context():
        assert db.session.get(Mentorship, mentorship_id).ended_at is None


def test_reloading_after_creating_a_token_never_creates_a_second(app, client, make_user):
    make_user("mentee", email="m@example.org")
    login(client, "m@example.org")
    token = csrf_token(client, "/account/")
    created = client.post("/account/tokens", data={"tok-name": "once", "tok-csrf_token": token})
    assert created.status_code == 302 and created.headers["Location"].endswith("/account/")
    shown = client.get("/account/").get_data(as_text=True)
    assert "Copy your new token now" in shown
    # A reload is a GET of the page it was redirected to: the token is not shown again and no
    # second one is made.
    again = client.get("/account/").get_data(as_text=True)
    assert "Copy your new token now" not in again
    with app.app_context():
        count = db.session.scalar(
            db.select(db.func.count()).select_from(ApiToken).where(ApiToken.name == "once")
        )
    assert count == 1


def test_a_booking_links_to_its_shift_with_place_notes_and_waitlist_place(app, client, make_user):
    mentor = make_user("mentor", name="Dana Mentor")
    first = make_user("mentee")
    mentee = make_user("mentee", email="m@example.org")
    shift = _shift(app, mentor, location="Lakeshore IV room", notes="Closed-toe shoes.")
    _book(app, shift, first)
    waiting = _book(app, shift, mentee, status="waitlisted")
    login(client, "m@example.org")
    mine = client.get("/bookings/").get_data(as_text=True)
    assert f'href="/bookings/{waiting}"' in mine
    page = client.get(f"/bookings/{waiting}").get_data(as_text=True)
    assert "Lakeshore IV room" in page and "Closed-toe shoes." in page
    assert "number 1 on the waitlist" in page and "Leave the waitlist" in page
    other = make_user("mentee", email="o@example.org")
    assert other
    stranger = app.test_client()
    login(stranger, "o@example.org")
    assert stranger.get(f"/bookings/{waiting}").status_code in (403, 404)
