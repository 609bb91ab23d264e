"""A series leaves out chosen dates, and can be cancelled from a shift onwards as a whole."""

from __future__ import annotations

from datetime import date, timedelta

from mentor_match.extensions import db
from mentor_match.models import AvailabilityWindow, Booking, Shift
from tests.helpers import csrf_token, login


def _mentor(app, make_user) -> int:
    mentor = make_user("mentor", email="t@example.org")
    with app.app_context():
        for weekday in range(7):
            db.session.add(
                AvailabilityWindow(
                    user_id=mentor, weekday=weekday, start_minute=9 * 60, end_minute=12 * 60
                )
            )
        db.session.commit()
    return mentor


def _publish(client, first: date, last: date, skip: str = ""):
    token = csrf_token(client, "/shifts/series")
    return client.post(
        "/shifts/series",
        data={
            "csrf_token": token,
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "seats": "2",
            "skip": skip,
        },
    )


def test_a_series_leaves_out_the_chosen_dates(app, client, make_user):
    _mentor(app, make_user)
    login(client, "t@example.org")
    first = date.today() + timedelta(days=10)
    skipped = [first + timedelta(days=2), first + timedelta(days=4)]
    done = _publish(client, first, first + timedelta(days=6), ", ".join(map(str, skipped)))
    assert done.status_code == 302
    with app.app_context():
        days = sorted(s.start_at.date() for s in db.session.scalars(db.select(Shift)))
    assert len(days) == 5
    assert not set(skipped) & set(days)


def test_a_bad_skip_date_is_refused_and_nothing_published(app, client, make_user):
    _mentor(app, make_user)
    login(client, "t@example.org")
    first = date.today() + timedelta(days=10)
    answer = _publish(client, first, first + timedelta(days=6), "2026-13-45")
    assert answer.status_code == 422
    assert "is not a date like" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Shift)) == 0


def test_cancelling_the_rest_of_a_series_asks_then_cancels_later_shifts(app, client, make_user):
    _mentor(app, make_user)
    mentee = make_user("mentee", name="Bo Booked")
    login(client, "t@example.org")
    first = date.today() + timedelta(days=10)
    _publish(client, first, first + timedelta(days=3))
    with app.app_context():
        ids = list(db.session.scalars(db.select(Shift.id).order_by(Shift.start_at)))
        db.session.add(Booking(shift_id=ids[3], mentee_id=mentee, status="confirmed"))
        db.session.get(Shift, ids[3]).seats_taken = 1
        db.session.commit()
    page = client.get(f"/shifts/{ids[1]}").get_data(as_text=True)
    assert f'href="/shifts/{ids[1]}/series/cancel"' in page
    question = client.get(f"/shifts/{ids[1]}/series/cancel").get_data(as_text=True)
    assert "3 shifts of this series" in question and "Bo Booked" in question
    with app.app_context():
        assert all(s.status == "scheduled" for s in db.session.scalars(db.select(Shift)))
    token = csrf_token(client, f"/shifts/{ids[1]}/series/cancel")
    done = client.post(f"/shifts/{ids[1]}/series/cancel", data={"csrf_token": token})
    assert done.status_code == 302
    with app.app_context():
        status = {s.id: s.status for s in db.session.scalars(db.select(Shift))}
    assert status[ids[0]] == "scheduled"
    assert [status[i] for i in ids[1:]] == ["cancelled"] * 3
