"""Shifts, bookings and outbox rows for the background-work tests, made through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from mentor_match.extensions import db
from mentor_match.models import MailState, OutboxMail, User
from mentor_match.services import bookings, shifts
from mentor_match.services.calendars import LinkBase

LINKS = LinkBase("http://mentor-match.test")


def open_shift(app: Flask, mentor_id: int, start: datetime, seats: int = 50) -> int:
    with app.app_context():
        mentor = db.session.get(User, mentor_id)
        shift = shifts.create_shift(
            db.session,
            mentor,
            start_at=start,
            end_at=start + timedelta(hours=2),
            details=shifts.ShiftDetails(seats=seats, location="IV room", open_to_all=True),
        )
        db.session.commit()
        return shift.id


def book(app: Flask, mentee_id: int, shift_id: int) -> int:
    with app.app_context():
        mentee = db.session.get(User, mentee_id)
        booking = bookings.book_shift(db.session, mentee, shift_id, links=LINKS)
        db.session.commit()
        return booking.id


def many_bookings(app: Flask, make_user: Callable[..., int], count: int) -> list[int]:
    """`count` mentees, each booked on one of a mentor's open shifts (50 seats each)."""
    mentor = make_user("mentor")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    shift_ids = [
        open_shift(app, mentor, start + timedelta(hours=3 * i)) for i in range((count + 49) // 50)
    ]
    return [book(app, make_user("mentee"), shift_ids[i // 50]) for i in range(count)]


def outbox_rows(app: Flask) -> list[OutboxMail]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))
        db.session.expunge_all()
        return rows


def count_state(app: Flask, state: MailState) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(OutboxMail).where(OutboxMail.state == state.value)
        )
