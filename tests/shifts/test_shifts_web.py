"""The pages: a mentor publishes, a mentee books and cancels, calendars, CPD log and report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.helpers import csrf_token, login


def test_mentor_publishes_and_mentee_books_through_pages(app, make_user, pair):
    mentor_email, mentee_email = "preceptor@example.org", "tech@example.org"
    mentor = make_user("mentor", email=mentor_email, timezone="America/Chicago")
    mentee = make_user("mentee", email=mentee_email)
    pair(mentor, mentee)
    day = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()

    browser = app.test_client()
    login(browser, mentor_email)
    token = csrf_token(browser, "/shifts/new")
    form = {
        "csrf_token": token,
        "day": day,
        "start": "07:00",
        "end": "11:00",
        "seats": "2",
        "location": "IV room",
        "specialty": "oncology",
        "notes": "",
    }
    bad = browser.post("/shifts/new", data={**form, "seats": "99"})
    assert bad.status_code == 422
    response = browser.post("/shifts/new", data=form)
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "07:00" in page and "Nobody has booked" in page
    assert "Shifts" in browser.get("/").get_data(as_text=True)

    other = app.test_client()
    login(other, mentee_email)
    listed = other.get("/bookings/shifts").get_data(as_text=True)
    assert "IV room" in listed and "Book" in listed
    shift_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    token = csrf_token(other, "/bookings/shifts")
    assert (
        other.post(f"/bookings/shifts/{shift_id}/book", data={"csrf_token": token}).status_code
        == 302
    )
    mine = other.get("/bookings/").get_data(as_text=True)
    assert "confirmed" in mine and "invite (.ics)" in mine
    attendees = browser.get(f"/shifts/{shift_id}").get_data(as_text=True)
    assert "tech@example.org" in attendees
    assert other.get("/calendar/").status_code == 200
    assert "webcal://" in other.get("/calendar/").get_data(as_text=True)
    assert other.get("/cpd/").status_code == 200
    assert other.get("/cpd/log.csv").mimetype == "text/csv"
    assert other.get(f"/shifts/{shift_id}").status_code == 403


def test_series_follows_local_time_across_dst(app, make_user):
    from mentor_match.extensions import db
    from mentor_match.models import AvailabilityWindow, Shift
    from mentor_match.services import shifts

    mentor = make_user("mentor", email="series@example.org", timezone="America/Chicago")
    with app.app_context():
        db.session.add(
            AvailabilityWindow(user_id=mentor, weekday=5, start_minute=7 * 60, end_minute=11 * 60)
        )
        db.session.commit()
        # US DST ends on the first Sunday of November: Saturdays either side differ in UTC.
        times = shifts.series_times(
            [(5, 420, 660)], "America/Chicago", date(2031, 10, 25), date(2031, 11, 8)
        )
        assert [t[0].hour for t in times] == [12, 12, 13]  # DST ends Sun 2 Nov 2031
        assert all((end - start) == timedelta(hours=4) for start, end in times)
        _ = Shift

    browser = app.test_client()
    login(browser, "series@example.org")
    today = datetime.now(UTC).date()
    token = csrf_token(browser, "/shifts/series")
    response = browser.post(
        "/shifts/series",
        data={
            "csrf_token": token,
            "first_day": today.isoformat(),
            "last_day": (today + timedelta(days=27)).isoformat(),
            "seats": "1",
            "location": "Lab",
            "specialty": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        made = db.session.scalars(db.select(Shift).where(Shift.mentor_id == mentor)).all()
        assert 3 <= len(made) <= 4 and len({s.series_id for s in made}) == 1


def test_coordinator_cpd_report(app, client, make_user, token_for, pair, new_shift):
    from mentor_match.extensions import db
    from mentor_match.models import Shift

    mentor = make_user("mentor")
    mentee = make_user("mentee", name="Pat Mentee")
    pair(mentor, mentee)
    mh = token_for(mentor)
    shift = new_shift(mh, length=4)
    booking = client.post(
        f"/api/v1/shifts/{shift['id']}/bookings", json={}, headers=token_for(mentee)
    ).get_json()
    with app.app_context():
        row = db.session.get(Shift, shift["id"])
        row.start_at, row.end_at = row.start_at - timedelta(days=5), row.end_at - timedelta(days=5)
        db.session.commit()
    client.post(f"/api/v1/bookings/{booking['id']}/attendance", json={"attended": True}, headers=mh)
    make_user("coordinator", email="boss@example.org")
    browser = app.test_client()
    login(browser, "boss@example.org")
    page = browser.get("/cpd/report").get_data(as_text=True)
    assert "Pat Mentee" in page and "4.00" in page and "Oncology" in page
