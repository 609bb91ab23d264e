"""Changing a booked shift: moves that would double-book, seats, waitlists and cancelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.helpers import csrf_token, login
from tests.shifts.conftest import soon


def _setup(make_user, token_for, pair, mentees=1, **names):  # noqa: ANN001, ANN003, ANN202
    mentor = make_user("mentor")
    ids = [make_user("mentee", name=names.get(f"m{i}")) for i in range(mentees)]
    for m in ids:
        pair(mentor, m)
    return token_for(mentor), [token_for(m) for m in ids]


def _book(client, shift_id, headers, **body):  # noqa: ANN001, ANN003, ANN202
    return client.post(f"/api/v1/shifts/{shift_id}/bookings", json=body, headers=headers)


def _status(client, booking, headers) -> str:  # noqa: ANN001
    return client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).get_json()["status"]


def test_a_move_that_would_double_book_a_mentee_is_refused_and_changes_nothing(
    client, make_user, token_for, pair, new_shift
):
    mh, [ah, bh] = _setup(make_user, token_for, pair, mentees=2, m0="Ortiz, Ana")
    moving = new_shift(mh, hours=48, seats=3)
    elsewhere = new_shift(mh, hours=72, seats=3)
    _book(client, moving["id"], ah)
    _book(client, moving["id"], bh)
    _book(client, elsewhere["id"], ah)  # Ana is booked at +72h; the other mentee is not
    start, end = soon(73)
    r = client.patch(
        f"/api/v1/shifts/{moving['id']}",
        json={"start": start, "end": end, "location": "Clean room", "seats": 5},
        headers=mh,
    )
    assert r.status_code == 409
    error = r.get_json()["error"]
    assert error["code"] == "overlap" and "Ortiz, Ana" in error["message"]
    assert [d["message"] for d in error["details"]] == [
        "Ortiz, Ana holds an overlapping confirmed booking"
    ]
    after = client.get(f"/api/v1/shifts/{moving['id']}", headers=mh).get_json()
    for key in ("start", "end", "location", "seats", "sequence"):
        assert after[key] == moving[key], key
    # Once Ana cancels the other booking, the same move goes through.
    other = client.get("/api/v1/me/bookings", headers=ah).get_json()["items"]
    [clash] = [b for b in other if b["shift_id"] == elsewhere["id"]]
    assert client.delete(f"/api/v1/bookings/{clash['id']}", headers=ah).status_code == 200
    r = client.patch(
        f"/api/v1/shifts/{moving['id']}", json={"start": start, "end": end}, headers=mh
    )
    assert r.status_code == 200 and r.get_json()["sequence"] == moving["sequence"] + 1


def test_waitlisted_and_cancelled_bookings_do_not_block_a_move(
    client, make_user, token_for, pair, new_shift
):
    mh, [ah, bh] = _setup(make_user, token_for, pair, mentees=2)
    moving = new_shift(mh, hours=48, seats=1)
    elsewhere = new_shift(mh, hours=72, seats=1)
    _book(client, moving["id"], ah)
    _book(client, elsewhere["id"], bh)
    _book(client, moving["id"], bh, waitlist=True)  # b waits on the moving shift only
    start, end = soon(73)
    r = client.patch(
        f"/api/v1/shifts/{moving['id']}", json={"start": start, "end": end}, headers=mh
    )
    assert r.status_code == 200


def test_a_move_into_the_past_or_of_a_started_shift_is_refused(
    app, client, make_user, token_for, pair, new_shift
):
    from mentor_match.extensions import db
    from mentor_match.models import Shift

    mh, [ah] = _setup(make_user, token_for, pair)
    shift = new_shift(mh)
    past_start, past_end = soon(-5)
    r = client.patch(
        f"/api/v1/shifts/{shift['id']}", json={"start": past_start, "end": past_end}, headers=mh
    )
    assert r.status_code == 422 and r.get_json()["error"]["details"][0]["field"] == "start"
    with app.app_context():
        row = db.session.get(Shift, shift["id"])
        row.start_at = datetime.now(UTC) - timedelta(minutes=30)
        row.end_at = row.start_at + timedelta(hours=3)
        db.session.commit()
    later_start, later_end = soon(24)
    r = client.patch(
        f"/api/v1/shifts/{shift['id']}", json={"start": later_start, "end": later_end}, headers=mh
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "shift_started"


def test_a_move_with_too_few_seats_changes_nothing(client, make_user, token_for, pair, new_shift):
    mh, [ah, bh] = _setup(make_user, token_for, pair, mentees=2)
    shift = new_shift(mh, seats=3)
    _book(client, shift["id"], ah)
    _book(client, shift["id"], bh)
    start, end = soon(96)
    r = client.patch(
        f"/api/v1/shifts/{shift['id']}",
        json={"start": start, "end": end, "seats": 1, "location": "Pharmacy"},
        headers=mh,
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "seats_below_booked"
    after = client.get(f"/api/v1/shifts/{shift['id']}", headers=mh).get_json()
    assert (after["start"], after["seats"], after["location"], after["sequence"]) == (
        shift["start"],
        3,
        "IV room",
        0,
    )


def test_more_seats_promote_the_waitlist_in_order_skipping_overlaps(
    client, make_user, token_for, pair, new_shift
):
    mh, [ah, bh, ch, dh] = _setup(make_user, token_for, pair, mentees=4)
    shift = new_shift(mh, seats=1)
    _book(client, shift["id"], ah)
    waiting = [_book(client, shift["id"], h, waitlist=True).get_json() for h in (bh, ch, dh)]
    # b, first in line, meanwhile holds an overlapping confirmed booking: c and d go first.
    _book(client, new_shift(mh, hours=49, seats=1)["id"], bh)
    r = client.patch(f"/api/v1/shifts/{shift['id']}", json={"seats": 3}, headers=mh)
    assert r.status_code == 200 and r.get_json()["seats_taken"] == 3
    assert [_status(client, w, mh) for w in waiting] == ["waitlisted", "confirmed", "confirmed"]
    # One more seat: b still overlaps, so it stays free.
    r = client.patch(f"/api/v1/shifts/{shift['id']}", json={"seats": 4}, headers=mh)
    assert r.get_json()["seats_taken"] == 3 and _status(client, waiting[0], mh) == "waitlisted"


def test_nobody_is_promoted_onto_a_started_shift(
    app, client, make_user, token_for, pair, new_shift
):
    from mentor_match.extensions import db
    from mentor_match.models import Shift

    mh, [ah, bh] = _setup(make_user, token_for, pair, mentees=2)
    shift = new_shift(mh, seats=1)
    seat = _book(client, shift["id"], ah).get_json()
    waiting = _book(client, shift["id"], bh, waitlist=True).get_json()
    with app.app_context():
        row = db.session.get(Shift, shift["id"])
        row.start_at = datetime.now(UTC) - timedelta(minutes=30)
        db.session.commit()
    r = client.patch(f"/api/v1/shifts/{shift['id']}", json={"seats": 2}, headers=mh)
    assert r.status_code == 200
    # The seat is part of the attendance record now: it stays, and the waitlist stays put.
    r = client.delete(f"/api/v1/bookings/{seat['id']}", headers=mh)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "shift_started"
    assert _status(client, seat, mh) == "confirmed"
    assert _status(client, waiting, mh) == "waitlisted"


def test_cancelling_a_shift_cancels_its_waitlist_and_mails_after_commit(
    app, make_user, token_for, pair, new_shift, client, tmp_path
):
    from mentor_match.extensions import db
    from mentor_match.models import Booking, User
    from mentor_match.services import shifts
    from mentor_match.services.calendars import LinkBase

    mh, [ah, bh] = _setup(make_user, token_for, pair, mentees=2)
    shift = new_shift(mh, seats=1)
    seat = _book(client, shift["id"], ah).get_json()
    waiting = _book(client, shift["id"], bh, waitlist=True).get_json()
    outbox = tmp_path / "outbox"
    before = set(outbox.glob("*.eml"))
    with app.app_context():
        mentor = db.session.scalar(db.select(User).where(User.role == "mentor"))
        shifts.cancel_shift(db.session, mentor, shift["id"], links=LinkBase("http://localhost"))
        assert set(outbox.glob("*.eml")) == before  # nothing leaves inside the transaction
        db.session.rollback()
    assert set(outbox.glob("*.eml")) == before  # nor when it rolls back
    assert _status(client, seat, mh) == "confirmed"
    r = client.delete(f"/api/v1/shifts/{shift['id']}", headers=mh)
    assert r.status_code == 200 and r.get_json()["seats_taken"] == 0
    with app.app_context():
        rows = {
            b.id: (b.status, b.sequence)
            for b in db.session.scalars(db.select(Booking).where(Booking.shift_id == shift["id"]))
        }
    assert rows == {seat["id"]: ("cancelled", 1), waiting["id"]: ("cancelled", 1)}
    sent = [p.read_text() for p in set(outbox.glob("*.eml")) - before]
    assert len(sent) == 2
    [invite] = [m for m in sent if "METHOD:CANCEL" in m]
    [notice] = [m for m in sent if "METHOD:CANCEL" not in m]
    assert "waitlist" in notice and "text/calendar" not in notice  # no seat, so no invite
    assert "(America/Chicago)" in invite  # times in the mentor's own zone, not UTC


def test_the_page_refuses_a_double_booking_move_with_the_same_message(
    app, make_user, token_for, pair, new_shift
):
    mentor = make_user("mentor", email="mentor@example.org")
    mentee = make_user("mentee", name="Ortiz, Ana")
    pair(mentor, mentee)
    mh, ah = token_for(mentor), token_for(mentee)
    client = app.test_client()
    moving = new_shift(mh, hours=48)
    elsewhere = new_shift(mh, hours=72)
    _book(client, moving["id"], ah)
    _book(client, elsewhere["id"], ah)
    login(client, "mentor@example.org")
    path = f"/shifts/{moving['id']}"
    page = client.get(path)
    assert page.status_code == 200
    start = datetime.fromisoformat(elsewhere["start"]).astimezone(ZoneInfo("America/Chicago"))
    r = client.post(
        f"{path}/edit",
        data={
            "csrf_token": csrf_token(client, path),
            "day": start.date().isoformat(),
            "start": (start + timedelta(hours=1)).strftime("%H:%M"),
            "end": (start + timedelta(hours=2)).strftime("%H:%M"),
            "seats": 3,
            "location": "IV room",
        },
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert "would double-book Ortiz, Ana" in r.get_data(as_text=True)
    after = client.get(f"/api/v1/shifts/{moving['id']}", headers=mh).get_json()
    assert after["start"] == moving["start"]
