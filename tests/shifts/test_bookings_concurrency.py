"""Booking races against a real server: the seat count holds, whatever arrives at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import requests
from live_server import live_server
from sqlalchemy import func

MENTEES = 50
ROUNDS = 50
SEATS = 3


def _make_shift(app, mentor_id: int, start: datetime, seats: int = SEATS) -> int:
    from mentor_match.extensions import db
    from mentor_match.models import Shift

    with app.app_context():
        shift = Shift(
            mentor_id=mentor_id,
            start_at=start,
            end_at=start + timedelta(hours=2),
            seats=seats,
            seats_taken=0,
            location="IV room",
        )
        db.session.add(shift)
        db.session.commit()
        return shift.id


def _counts(app, shift_id: int) -> tuple[int, dict[str, int]]:
    from mentor_match.extensions import db
    from mentor_match.models import Booking, Shift

    with app.app_context():
        taken = db.session.get(Shift, shift_id).seats_taken
        rows = db.session.execute(
            db.select(Booking.status, func.count())
            .where(Booking.shift_id == shift_id)
            .group_by(Booking.status)
        ).all()
        db.session.rollback()
        return taken, dict(rows)


def _keep_tokens_fresh(app) -> None:
    """Tokens record their last use at most once a minute; keep that write out of the race."""
    from mentor_match.extensions import db
    from mentor_match.models import ApiToken

    with app.app_context():
        db.session.execute(db.update(ApiToken).values(last_used_at=datetime.now(UTC)))
        db.session.commit()


def _at_once(calls) -> list[requests.Response | Exception]:
    """Run every call in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def people(app, make_user, token_for, pair):
    mentor = make_user("mentor")
    mentees = [make_user("mentee") for _ in range(MENTEES)]
    for mentee in mentees:
        pair(mentor, mentee)
    tokens = {m: token_for(m) for m in mentees}
    return mentor, mentees, tokens


@pytest.mark.slow
def test_fifty_mentees_race_for_three_seats(app, app_config, tmp_path, people):
    mentor, mentees, tokens = people
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    with live_server(
        app_config["SQLALCHEMY_DATABASE_URI"], app_config["SECRET_KEY"], tmp_path / "out"
    ) as base:
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=MENTEES, pool_maxsize=MENTEES)
        session.mount("http://", adapter)
        for round_number in range(ROUNDS):
            waitlist = round_number % 2 == 1
            # Shifts do not overlap, so earlier confirmations never block a later round.
            shift_id = _make_shift(app, mentor, first + timedelta(hours=3 * round_number))
            _keep_tokens_fresh(app)
            url = f"{base}/api/v1/shifts/{shift_id}/bookings"
            calls = [
                (
                    lambda h=tokens[m], url=url, body={"waitlist": waitlist}: session.post(
                        url, json=body, headers=h, timeout=30
                    )
                )
                for m in mentees
            ]
            results = _at_once(calls)
            errors = [r for r in results if isinstance(r, Exception)]
            assert not errors, errors[:3]
            statuses = Counter(r.status_code for r in results)
            assert 500 not in statuses, [r.text for r in results if r.status_code >= 500][:2]
            outcome = Counter(
                r.json()["status"] if r.status_code == 201 else r.json()["error"]["code"]
                for r in results
            )
            if waitlist:
                assert outcome == {"confirmed": SEATS, "waitlisted": MENTEES - SEATS}, (
                    round_number,
                    outcome,
                )
            else:
                assert outcome == {"confirmed": SEATS, "shift_full": MENTEES - SEATS}, (
                    round_number,
                    outcome,
                )
            taken, by_status = _counts(app, shift_id)
            assert taken == by_status.get("confirmed") == SEATS


@pytest.mark.slow
def test_cancellations_racing_bookings_keep_the_counter(app, app_config, tmp_path, people):
    mentor, mentees, tokens = people
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    with live_server(
        app_config["SQLALCHEMY_DATABASE_URI"], app_config["SECRET_KEY"], tmp_path / "out"
    ) as base:
        for round_number in range(5):
            shift_id = _make_shift(app, mentor, first + timedelta(hours=3 * round_number))
            _keep_tokens_fresh(app)
            early, late = mentees[:20], mentees[20:40]
            booked = {}
            for m in early:
                r = requests.post(
                    f"{base}/api/v1/shifts/{shift_id}/bookings",
                    json={"waitlist": True},
                    headers=tokens[m],
                    timeout=30,
                )
                assert r.status_code == 201
                booked[m] = r.json()["id"]
            # Everyone booked early cancels while 20 others book: seats free and fill at once.
            calls = [
                (
                    lambda m=m, booking_id=booked[m]: requests.delete(
                        f"{base}/api/v1/bookings/{booking_id}", headers=tokens[m], timeout=30
                    )
                )
                for m in early[:12]
            ] + [
                (
                    lambda m=m, shift_id=shift_id: requests.post(
                        f"{base}/api/v1/shifts/{shift_id}/bookings",
                        json={"waitlist": True},
                        headers=tokens[m],
                        timeout=30,
                    )
                )
                for m in late
            ]
            results = _at_once(calls)
            assert all(
                not isinstance(r, Exception) and r.status_code in (200, 201) for r in results
            ), [
                getattr(r, "text", r)
                for r in results
                if isinstance(r, Exception) or r.status_code >= 300
            ][:3]
            taken, by_status = _counts(app, shift_id)
            assert by_status.get("cancelled") == 12
            assert taken == by_status.get("confirmed") == SEATS  # 28 live bookings for 3 seats
