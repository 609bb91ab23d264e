"""Fixtures for guidance and feedback: a mentor, their mentee, a mentorship and past shifts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask


@dataclass
class Circle:
    mentor: int
    mentee: int
    other_mentor: int
    other_mentee: int
    coordinator: int
    mentorship: int
    api: dict[str, dict[str, str]]


@pytest.fixture
def circle(app: Flask, make_user: Callable[..., int], token_for) -> Circle:
    from mentor_match.extensions import db
    from mentor_match.models import Mentorship

    ids = {
        "mentor": make_user("mentor", specialties=("sterile-compounding",)),
        "mentee": make_user("mentee", specialties=("sterile-compounding", "oncology")),
        "other_mentor": make_user("mentor"),
        "other_mentee": make_user("mentee"),
        "coordinator": make_user("coordinator"),
    }
    with app.app_context():
        m = Mentorship(mentor_id=ids["mentor"], mentee_id=ids["mentee"])
        db.session.add(m)
        db.session.add(Mentorship(mentor_id=ids["other_mentor"], mentee_id=ids["other_mentee"]))
        db.session.commit()
        mentorship = m.id
    return Circle(**ids, mentorship=mentorship, api={name: token_for(i) for name, i in ids.items()})


@pytest.fixture
def past_booking(app: Flask) -> Callable[..., int]:
    """A booking on a shift that ended `days_ago` days ago; attended unless told otherwise."""
    from mentor_match.extensions import db
    from mentor_match.models import Booking, Shift

    def make(mentor: int, mentee: int, *, days_ago: float = 1, attended: bool | None = True) -> int:
        end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
        with app.app_context():
            shift = Shift(
                mentor_id=mentor,
                start_at=end - timedelta(hours=3),
                end_at=end,
                seats=2,
                seats_taken=1,
                location="Cleanroom",
            )
            db.session.add(shift)
            db.session.flush()
            booking = Booking(
                shift_id=shift.id,
                mentee_id=mentee,
                status="confirmed",
                attended=attended,
                hours=3 if attended else None,
            )
            db.session.add(booking)
            db.session.commit()
            return booking.id

    return make


@pytest.fixture
def competency_ids(app: Flask) -> dict[str, int]:
    from mentor_match.extensions import db
    from mentor_match.models import Competency

    with app.app_context():
        return dict(db.session.execute(db.select(Competency.code, Competency.id)).all())
