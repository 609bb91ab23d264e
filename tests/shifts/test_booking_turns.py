"""Two transactions that could confirm one mentee take turns, so both cannot end confirmed.

Each test holds the first transaction open by hand (a cancel that promotes a waitlisted mentee,
or a booking) while a second thread books that mentee onto an overlapping shift. The second
must wait for the first (PostgreSQL: the mentee's booking lock; SQLite: the write lock), then
see what it committed and answer 409 `overlap`.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from mentor_match.services.calendars import LinkBase

LINKS = LinkBase("http://localhost")


def _shift(db, mentor_id: int, start: datetime, seats: int):  # noqa: ANN001, ANN202
    from mentor_match.models import Shift

    shift = Shift(
        mentor_id=mentor_id,
        start_at=start,
        end_at=start + timedelta(hours=3),
        seats=seats,
        seats_taken=0,
        location="IV room",
    )
    db.session.add(shift)
    db.session.flush()
    return shift


def test_a_booking_waits_for_a_promotion_of_the_same_mentee(app, make_user, pair):
    from mentor_match.extensions import db
    from mentor_match.models import Booking, BookingStatus, User
    from mentor_match.services import bookings
    from mentor_match.services.errors import Conflict

    mentor, holder, waiter = make_user("mentor"), make_user("mentee"), make_user("mentee")
    pair(mentor, holder)
    pair(mentor, waiter)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    with app.app_context():
        full = _shift(db, mentor, start, seats=1)
        other = _shift(db, mentor, start + timedelta(hours=1), seats=5)  # overlaps `full`
        full_id, other_id = full.id, other.id
        db.session.commit()
        seat = bookings.book_shift(db.session, db.session.get(User, holder), full_id, links=LINKS)
        db.session.commit()
        bookings.book_shift(
            db.session, db.session.get(User, waiter), full_id, links=LINKS, waitlist=True
        )
        db.session.commit()
        seat_id = seat.id

    outcome: dict[str, object] = {}

    def book_the_waiter_elsewhere() -> None:
        with app.app_context():
            try:
                booking = bookings.book_shift(
                    db.session, db.session.get(User, waiter), other_id, links=LINKS
                )
                db.session.commit()
                outcome["result"] = booking.status
            except Conflict as exc:
                db.session.rollback()
                outcome["result"] = exc.code
            except Exception as exc:  # noqa: BLE001 - reported by the assertion
                db.session.rollback()
                outcome["result"] = exc

    with app.app_context():
        promoted = bookings.cancel_booking(
            db.session, db.session.get(User, holder), seat_id, links=LINKS
        )
        assert promoted.status == BookingStatus.CANCELLED
        waiting = db.session.scalar(
            db.select(Booking).where(Booking.shift_id == full_id, Booking.mentee_id == waiter)
        )
        assert waiting.status == BookingStatus.CONFIRMED  # promoted, not yet committed
        racer = threading.Thread(target=book_the_waiter_elsewhere)
        racer.start()
        racer.join(timeout=1.5)
        still_waiting = racer.is_alive()
        db.session.commit()
    racer.join(timeout=10)
    assert still_waiting, f"the booking did not wait for the promotion: {outcome}"
    assert outcome["result"] == "overlap"
    with app.app_context():
        confirmed = db.session.scalars(
            db.select(Booking.shift_id).where(
                Booking.mentee_id == waiter, Booking.status == BookingStatus.CONFIRMED
            )
        ).all()
        assert confirmed == [full_id]


def test_two_bookings_of_one_mentee_on_overlapping_shifts_take_turns(app, make_user, pair):
    from mentor_match.extensions import db
    from mentor_match.models import Booking, BookingStatus, User
    from mentor_match.services import bookings
    from mentor_match.services.errors import Conflict

    mentor, mentee = make_user("mentor"), make_user("mentee")
    pair(mentor, mentee)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    with app.app_context():
        first_id = _shift(db, mentor, start, seats=2).id
        second_id = _shift(db, mentor, start + timedelta(hours=2), seats=2).id
        db.session.commit()

    outcome: dict[str, object] = {}

    def book_the_second() -> None:
        with app.app_context():
            try:
                bookings.book_shift(
                    db.session, db.session.get(User, mentee), second_id, links=LINKS
                )
                db.session.commit()
                outcome["result"] = "confirmed"
            except Conflict as exc:
                db.session.rollback()
                outcome["result"] = exc.code

    with app.app_context():
        bookings.book_shift(db.session, db.session.get(User, mentee), first_id, links=LINKS)
        racer = threading.Thread(target=book_the_second)
        racer.start()
        racer.join(timeout=1.5)
        still_waiting = racer.is_alive()
        db.session.commit()
    racer.join(timeout=10)
    assert still_waiting, f"the second booking did not wait for the first: {outcome}"
    assert outcome["result"] == "overlap"
    with app.app_context():
        confirmed = db.session.scalars(
            db.select(Booking.shift_id).where(
                Booking.mentee_id == mentee, Booking.status == BookingStatus.CONFIRMED
            )
        ).all()
        assert confirmed == [first_id]
