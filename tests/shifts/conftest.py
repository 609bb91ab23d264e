"""Fixtures for the shift, booking, calendar and CPD tests: pairs, shifts and a clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient


def iso(moment: datetime) -> str:
    return moment.isoformat()


def soon(hours: float = 48, length: float = 3) -> tuple[str, str]:
    """A start and end (ISO-8601 with offset) `hours` from now, whole hours, UTC."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)
    return iso(start), iso(start + timedelta(hours=length))


@pytest.fixture
def pair(app: Flask) -> Callable[[int, int], None]:
    """Publish a mentorship (as a finished round would)."""
    from mentor_match.extensions import db
    from mentor_match.models import Mentorship

    def make(mentor_id: int, mentee_id: int) -> None:
        with app.app_context():
            db.session.add(Mentorship(mentor_id=mentor_id, mentee_id=mentee_id))
            db.session.commit()

    return make


@pytest.fixture
def new_shift(client: FlaskClient) -> Callable[..., dict]:
    """Create a shift through the API as the mentor with `headers`; returns its JSON."""

    def make(headers: dict[str, str], **fields: object) -> dict:
        start, end = soon(fields.pop("hours", 48), fields.pop("length", 3))  # type: ignore[arg-type]
        body = {
            "start": start,
            "end": end,
            "seats": 3,
            "location": "IV room",
            "specialty": "oncology",
        }
        body.update(fields)
        response = client.post("/api/v1/shifts", json=body, headers=headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make
