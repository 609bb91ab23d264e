"""Confirmed hours are records: once a shift starts, no cancel erases a booking or its hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.helpers import csrf_token, login


def _setup(make_user, token_for, pair, mentees=1):  # noqa: ANN001, ANN202
    mentor = make_user("mentor", email="mentor@example.org", name="Dana Mentor")
    ids = [make_user("mentee") for _ in range(mentees)]
    for m in ids:
        pair(mentor, m)
    return token_for(mentor), [token_for(m) for m in ids]


def _book(client, shift_id, headers, **body):  # noqa: ANN001, ANN003, ANN202
    return client.post(f"/api/v1/shifts/{shift_id}/bookings", json=body, headers=headers)


def _start_now(app, shift_id: int, minutes_ago: int = 60) -> None:  # noqa: ANN001
    from mentor_match.extensions import db
    from mentor_match.models import Shift

    with app.app_context():
        row = db.session.get(Shift, shift_id)
        length = row.end_at - row.start_at
        row.start_at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        row.end_at = row.start_at + length
        db.session.commit()


def test_a_mentee_cannot_cancel_away_confirmed_hours(
    app, client, make_user, token_for, pair, new_shift
):
    mh, [ah] = _setup(make_user, token_for, pair)
    shift = new_shift(mh, length=4)
    booking = _book(client, shift["id"], ah).get_json()
    _start_now(app, shift["id"], minutes_ago=300)
    url = f"/api/v1/bookings/{booking['id']}/attendance"
    recorded = client.post(url, json={"attended": True, "hours": 3.5}, headers=mh).get_json()
    assert recorded["hours"] == 3.5
    assert recorded["attendance_recorded_by"] == "Dana Mentor"
    assert recorded["attendance_recorded_at"]

    r = client.delete(f"/api/v1/bookings/{booking['id']}", headers=ah)
    assert r.status_code == 409, r.get_json()
    assert r.get_json()["error"]["code"] == "shift_started"
    log = client.get("/api/v1/me/cpd", headers=ah).get_json()
    assert log["total"] == 3.5 and len(log["entries"]) == 1
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers=ah).get_json()["status"] == (
        "confirmed"
    )
    # Hours change only through attendance, which still works and keeps who and when.
    again = client.post(url, json={"attended": True, "hours": 4}, headers=mh)
    assert again.status_code == 200 and again.get_json()["hours"] == 4
    assert client.get("/api/v1/me/cpd", headers=ah).get_json()["total"] == 4


def test_a_started_shift_cannot_be_cancelled_and_keeps_its_hours(
    app, client, make_user, token_for, pair, new_shift
):
    from mentor_match.extensions import db
    from mentor_match.models import Booking

    mh, [ah] = _setup(make_user, token_for, pair)
    coordinator = token_for(make_user("coordinator", name="Casey Coordinator"))
    shift = new_shift(mh, length=3)
    booking = _book(client, shift["id"], ah).get_json()
    _start_now(app, shift["id"], minutes_ago=240)
    url = f"/api/v1/bookings/{booking['id']}/attendance"
    assert client.post(url, json={"attended": True}, headers=coordinator).status_code == 200
    for headers in (mh, coordinator):
        r = client.delete(f"/api/v1/shifts/{shift['id']}", headers=headers)
        assert r.status_code == 409 and r.get_json()["error"]["code"] == "shift_started"
        r = client.delete(f"/api/v1/bookings/{booking['id']}", headers=headers)
        assert r.status_code == 409 and r.get_json()["error"]["code"] == "shift_started"
    assert client.get(f"/api/v1/shifts/{shift['id']}", headers=mh).get_json()["status"] == (
        "scheduled"
    )
    assert client.get("/api/v1/me/cpd", headers=ah).get_json()["total"] == 3
    with app.app_context():
        row = db.session.get(Booking, booking["id"])
        assert row.status == "confirmed" and row.attended is True
        assert row.attendance_recorded_by.name == "Casey Coordinator"
        assert row.attendance_recorded_at is not None


def test_a_seat_on_a_started_shift_stays_even_before_attendance(
    app, client, make_user, token_for, pair, new_shift
):
    mh, [ah, bh] = _setup(make_user, token_for, pair, mentees=2)
    shift = new_shift(mh, seats=1)
    seat = _book(client, shift["id"], ah).get_json()
    waiting = _book(client, shift["id"], bh, waitlist=True).get_json()
    _start_now(app, shift["id"], minutes_ago=10)
    r = client.delete(f"/api/v1/bookings/{seat['id']}", headers=ah)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "shift_started"
    # A place on the waitlist holds no hours: it can still be given up.
    assert client.delete(f"/api/v1/bookings/{waiting['id']}", headers=bh).status_code == 200
    # Before the start, cancelling works as ever.
    later = new_shift(mh, hours=96)
    booked = _book(client, later["id"], ah).get_json()
    assert client.delete(f"/api/v1/bookings/{booked['id']}", headers=ah).status_code == 200


def test_the_pages_offer_no_cancel_after_the_start_and_refuse_one(
    app, client, make_user, token_for, pair, new_shift
):
    mh, [ah] = _setup(make_user, token_for, pair)
    shift = new_shift(mh, length=3)
    booking = _book(client, shift["id"], ah).get_json()
    _start_now(app, shift["id"], minutes_ago=30)
    login(client, "mentor@example.org")
    page = client.get(f"/shifts/{shift['id']}").get_data(as_text=True)
    assert f"/shifts/{shift['id']}/cancel" not in page
    assert f"/bookings/{booking['id']}/cancel" not in page
    token = csrf_token(client, f"/shifts/{shift['id']}")
    for path in (
        f"/shifts/{shift['id']}/cancel",
        f"/shifts/{shift['id']}/bookings/{booking['id']}/cancel",
    ):
        response = client.post(path, data={"csrf_token": token}, follow_redirects=True)
        assert response.status_code == 200
        assert "has started" in response.get_data(as_text=True)
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers=ah).get_json()["status"] == (
        "confirmed"
    )
    assert client.get(f"/api/v1/shifts/{shift['id']}", headers=mh).get_json()["status"] == (
        "scheduled"
    )
