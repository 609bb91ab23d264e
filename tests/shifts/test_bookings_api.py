"""Booking, the waitlist, cancellation, access rules, attendance and the CPD log."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta


def _book(client, shift_id, headers, **body):
    return client.post(f"/api/v1/shifts/{shift_id}/bookings", json=body, headers=headers)


def _setup(make_user, token_for, pair, mentees=1):
    mentor = make_user("mentor")
    ids = [make_user("mentee") for _ in range(mentees)]
    for m in ids:
        pair(mentor, m)
    return mentor, token_for(mentor), [(m, token_for(m)) for m in ids]


def test_book_full_waitlist_and_promotion(client, make_user, token_for, pair, new_shift):
    mentor, mh, people = _setup(make_user, token_for, pair, mentees=4)
    shift = new_shift(mh, seats=2)
    (a, ah), (b, bh), (c, ch), (d, dh) = people
    assert _book(client, shift["id"], ah).get_json()["status"] == "confirmed"
    assert _book(client, shift["id"], bh).get_json()["status"] == "confirmed"
    full = _book(client, shift["id"], ch)
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "shift_full"
    waiting_c = _book(client, shift["id"], ch, waitlist=True)
    assert waiting_c.status_code == 201 and waiting_c.get_json()["status"] == "waitlisted"
    waiting_d = _book(client, shift["id"], dh, waitlist=True).get_json()
    again = _book(client, shift["id"], ch, waitlist=True)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_booked"
    # c now holds a confirmed booking that overlaps, so d goes first when a seat frees.
    other = new_shift(mh, seats=1, hours=49)
    assert _book(client, other["id"], ch).get_json()["status"] == "confirmed"
    booking_a = client.get("/api/v1/me/bookings", headers=ah).get_json()["items"][0]
    r = client.delete(f"/api/v1/bookings/{booking_a['id']}", headers=ah)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    assert (
        client.get(f"/api/v1/bookings/{waiting_d['id']}", headers=dh).get_json()["status"]
        == "confirmed"
    )
    assert (
        client.get(f"/api/v1/bookings/{waiting_c.get_json()['id']}", headers=ch).get_json()[
            "status"
        ]
        == "waitlisted"
    )
    detail = client.get(f"/api/v1/shifts/{shift['id']}", headers=mh).get_json()
    assert detail["seats_taken"] == 2


def test_overlap_and_permissions(client, make_user, token_for, pair, new_shift):
    mentor, mh, [(a, ah)] = _setup(make_user, token_for, pair)
    first = new_shift(mh)
    second = new_shift(mh, hours=49)  # overlaps first by two hours
    assert _book(client, first["id"], ah).status_code == 201
    r = _book(client, second["id"], ah)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "overlap"
    stranger = token_for(make_user("mentee"))
    assert _book(client, first["id"], stranger).status_code == 403
    assert _book(client, first["id"], mh).status_code == 403
    assert _book(client, 99999, ah).status_code == 404
    open_shift = new_shift(token_for(make_user("mentor")), open_to_all=True, hours=100)
    assert _book(client, open_shift["id"], stranger).status_code == 201


def test_past_and_cancelled_shifts_cannot_be_booked(
    app, client, make_user, token_for, pair, new_shift
):
    from mentor_match.extensions import db
    from mentor_match.models import Shift

    mentor, mh, [(a, ah)] = _setup(make_user, token_for, pair)
    shift = new_shift(mh)
    with app.app_context():
        row = db.session.get(Shift, shift["id"])
        row.start_at = datetime.now(UTC) - timedelta(hours=1)
        db.session.commit()
    r = _book(client, shift["id"], ah)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "shift_started"
    cancelled = new_shift(mh, hours=80)
    client.delete(f"/api/v1/shifts/{cancelled['id']}", headers=mh)
    r = _book(client, cancelled["id"], ah)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "shift_cancelled"


def test_nobody_else_reads_or_cancels_a_booking(client, make_user, token_for, pair, new_shift):
    mentor, mh, [(a, ah), (b, bh)] = _setup(make_user, token_for, pair, mentees=2)
    booking = _book(client, new_shift(mh)["id"], ah).get_json()
    other_mentor = token_for(make_user("mentor"))
    for headers in (bh, other_mentor):
        assert client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).status_code == 404
        assert (
            client.get(f"/api/v1/bookings/{booking['id']}/invite.ics", headers=headers).status_code
            == 404
        )
        assert (
            client.delete(f"/api/v1/bookings/{booking['id']}", headers=headers).status_code == 404
        )
    assert (
        client.get(f"/api/v1/bookings/{booking['id']}", headers=ah).get_json()["status"]
        == "confirmed"
    )
    assert client.delete(f"/api/v1/bookings/{booking['id']}").status_code == 401
    # The mentor and a coordinator may cancel it.
    coordinator = token_for(make_user("coordinator"))
    assert (
        client.delete(f"/api/v1/bookings/{booking['id']}", headers=coordinator).status_code == 200
    )


def test_attendance_and_cpd(app, client, make_user, token_for, pair, new_shift):
    from mentor_match.extensions import db
    from mentor_match.models import Shift

    mentor, mh, [(a, ah)] = _setup(make_user, token_for, pair)
    shift = new_shift(mh, length=4, location="=HYPERLINK(1)")
    booking = _book(client, shift["id"], ah).get_json()
    url = f"/api/v1/bookings/{booking['id']}/attendance"
    r = client.post(url, json={"attended": True, "hours": 3}, headers=mh)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_started"
    with app.app_context():
        row = db.session.get(Shift, shift["id"])
        row.start_at, row.end_at = row.start_at - timedelta(days=3), row.end_at - timedelta(days=3)
        db.session.commit()
    assert client.post(url, json={"attended": True, "hours": 5}, headers=mh).status_code == 422
    assert client.post(url, json={"attended": True, "hours": -1}, headers=mh).status_code == 422
    assert client.post(url, json={"attended": "yes"}, headers=mh).status_code == 422
    assert client.post(url, json={"attended": True, "hours": 3}, headers=ah).status_code == 403
    assert (
        client.post(
            url, json={"attended": True, "hours": 3}, headers=token_for(make_user("mentor"))
        ).status_code
        == 404
    )
    r = client.post(url, json={"attended": True, "hours": 3.5}, headers=mh)
    assert r.status_code == 200 and r.get_json()["hours"] == 3.5
    log = client.get("/api/v1/me/cpd", headers=ah).get_json()
    assert log["total"] == 3.5 and len(log["entries"]) == 1
    entry = log["entries"][0]
    assert (
        entry["hours"] == 3.5 and entry["running_total"] == 3.5 and entry["specialty"] == "Oncology"
    )
    response = client.get("/api/v1/me/cpd.csv", headers=ah)
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:2] == ["date", "mentor"] and rows[1][3] == "'=HYPERLINK(1)"
    assert client.get("/api/v1/me/cpd", headers=mh).status_code == 403
