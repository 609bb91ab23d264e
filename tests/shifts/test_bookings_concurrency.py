"""Booking races against a real server: seats and overlaps hold, whatever arrives at once.

One server and one set of 50 mentees serve every test of the module (each test uses its own
stretch of the calendar, so earlier bookings never overlap later shifts); every caller keeps one
keep-alive connection in a thread of its own that lives for the whole module.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import requests
from flask import Flask
from sqlalchemy import func

from tests.servers import gunicorn_server

MENTEES = 50
ROUNDS = 50
SEATS = 3
SECRET_KEY = "live-secret-key"

Call = Callable[[requests.Session], requests.Response]


class Crowd:
    """One thread and one keep-alive HTTP session per caller; each round released together."""

    def __init__(self, size: int) -> None:
        self.sessions = [requests.Session() for _ in range(size)]
        self.pool = ThreadPoolExecutor(max_workers=size)

    def at_once(self, calls: list[Call]) -> list[requests.Response | Exception]:
        barrier = threading.Barrier(len(calls), timeout=30)

        def run(i: int) -> requests.Response | Exception:
            barrier.wait()
            try:
                return calls[i](self.sessions[i])
            except Exception as exc:  # noqa: BLE001 - reported by the assertions
                return exc

        futures = [self.pool.submit(run, i) for i in range(len(calls))]
        return [future.result(timeout=90) for future in futures]

    def close(self) -> None:
        self.pool.shutdown()
        for session in self.sessions:
            session.close()


@dataclass
class Live:
    app: Flask
    base: str
    mentor: int
    mentees: list[int]
    tokens: dict[int, dict[str, str]]
    crowd: Crowd
    cursor: datetime

    def starts(self, n: int, every: timedelta = timedelta(hours=3)) -> list[datetime]:
        """`n` start times `every` apart, after every time an earlier test of the module used."""
        starts = [self.cursor + every * i for i in range(n)]
        self.cursor += every * n + timedelta(days=1)
        return starts


@pytest.fixture(scope="module")
def live(tmp_path_factory, module_postgres_url) -> Iterator[Live]:  # noqa: ANN001
    from mentor_match import create_app
    from mentor_match.extensions import db
    from mentor_match.models import Mentorship
    from mentor_match.services import accounts

    tmp = tmp_path_factory.mktemp("live")
    url = module_postgres_url or f"sqlite:///{tmp / 'live.sqlite3'}"
    config = {
        "TESTING": True,
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": url,
        "OUTBOX_DIR": str(tmp / "outbox"),
        "MAIL_SERVER": None,
        "BASE_URL": None,
    }
    app = create_app(config)
    with app.app_context():
        db.create_all()
        # No passwords: tokens are all the callers need, and hashing 50 passwords is slow.
        mentor = accounts.create_user(db.session, email="m@example.org", name="M", role="mentor")
        mentees = [
            accounts.create_user(
                db.session, email=f"e{i}@example.org", name=f"Mentee {i}", role="mentee"
            )
            for i in range(MENTEES)
        ]
        db.session.add_all(Mentorship(mentor_id=mentor.id, mentee_id=m.id) for m in mentees)
        tokens = {
            m.id: {"Authorization": f"Bearer {accounts.create_api_token(db.session, m)[1]}"}
            for m in mentees
        }
        db.session.commit()
        mentor_id, mentee_ids = mentor.id, [m.id for m in mentees]
    crowd = Crowd(MENTEES)
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    try:
        # 2 workers x 8 threads: 16 transactions in flight against 3 seats at any moment. More
        # threads add no race on 2 cores, only SQLite's busy-wait sleeps (16 threads: +40%).
        with gunicorn_server(url, SECRET_KEY, tmp, workers=2, threads=8) as base:
            try:
                yield Live(app, base, mentor_id, mentee_ids, tokens, crowd, first)
            finally:
                crowd.close()  # before the server stops: it need not wait for idle connections
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _make_shifts(live: Live, starts: list[datetime], seats: int, hours: float = 2) -> list[int]:
    """Shifts of the module's mentor, made in one transaction."""
    from mentor_match.extensions import db
    from mentor_match.models import Shift

    with live.app.app_context():
        shifts = [
            Shift(
                mentor_id=live.mentor,
                start_at=start,
                end_at=start + timedelta(hours=hours),
                seats=seats,
                seats_taken=0,
                location="IV room",
            )
            for start in starts
        ]
        db.session.add_all(shifts)
        db.session.commit()
        return [shift.id for shift in shifts]


def _counts(live: Live, shift_id: int) -> tuple[int, dict[str, int]]:
    from mentor_match.extensions import db
    from mentor_match.models import Booking, Shift

    with live.app.app_context():
        taken = db.session.get(Shift, shift_id).seats_taken
        rows = db.session.execute(
            db.select(Booking.status, func.count())
            .where(Booking.shift_id == shift_id)
            .group_by(Booking.status)
        ).all()
        db.session.rollback()
        return taken, dict(rows)


def _state(live: Live, shift_id: int, results: list) -> dict:
    """What the database holds when an answer surprises: the shift, and each refused mentee's
    confirmed bookings with their shifts' times (a failure explains itself)."""
    from mentor_match.extensions import db
    from mentor_match.models import Booking, BookingStatus, Shift

    refused = [
        r
        for r in results
        if not isinstance(r, Exception)
        and r.status_code == 409
        and r.json()["error"]["code"] != "shift_full"
    ]
    with live.app.app_context():
        shift = db.session.get(Shift, shift_id)
        state = {"shift": (shift.id, str(shift.start_at), str(shift.end_at), shift.status)}
        for r in refused[:3]:
            caller = r.request.headers.get("Authorization")
            mentee = next(m for m, h in live.tokens.items() if h["Authorization"] == caller)
            state[f"{mentee} {r.json()['error']['code']}"] = db.session.execute(
                db.select(Booking.id, Booking.status, Shift.id, Shift.start_at, Shift.end_at)
                .join(Shift, Shift.id == Booking.shift_id)
                .where(Booking.mentee_id == mentee, Booking.status == BookingStatus.CONFIRMED)
            ).all()
        db.session.rollback()
    return state


def _keep_tokens_fresh(live: Live) -> None:
    """Tokens record their last use at most once a minute; keep that write out of the race."""
    from mentor_match.extensions import db
    from mentor_match.models import ApiToken

    with live.app.app_context():
        db.session.execute(db.update(ApiToken).values(last_used_at=datetime.now(UTC)))
        db.session.commit()


def _no_errors(results: list[requests.Response | Exception]) -> None:
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors[:3]
    failures = [r.text for r in results if r.status_code >= 500]
    assert not failures, failures[:2]


@pytest.mark.slow
def test_fifty_mentees_race_for_three_seats(live: Live):
    shift_ids = _make_shifts(live, live.starts(ROUNDS), seats=SEATS)
    for round_number, shift_id in enumerate(shift_ids):
        waitlist = round_number % 2 == 1
        if round_number % 10 == 0:
            _keep_tokens_fresh(live)
        url = f"{live.base}/api/v1/shifts/{shift_id}/bookings"
        calls = [
            (
                lambda http, h=live.tokens[m], url=url, body={"waitlist": waitlist}: http.post(
                    url, json=body, headers=h, timeout=30
                )
            )
            for m in live.mentees
        ]
        results = live.crowd.at_once(calls)
        _no_errors(results)
        outcome = Counter(
            r.json()["status"] if r.status_code == 201 else r.json()["error"]["code"]
            for r in results
        )
        expected = {"confirmed": SEATS, "waitlisted" if waitlist else "shift_full": MENTEES - SEATS}
        assert outcome == expected, (round_number, outcome, _state(live, shift_id, results))
        taken, by_status = _counts(live, shift_id)
        assert taken == by_status.get("confirmed") == SEATS


@pytest.mark.slow
def test_cancellations_racing_bookings_keep_the_counter(live: Live):
    early, late = live.mentees[:20], live.mentees[20:40]
    for shift_id in _make_shifts(live, live.starts(5), seats=SEATS):
        _keep_tokens_fresh(live)
        url = f"{live.base}/api/v1/shifts/{shift_id}/bookings"
        booked = {}
        for m in early:
            r = live.crowd.sessions[0].post(
                url, json={"waitlist": True}, headers=live.tokens[m], timeout=30
            )
            assert r.status_code == 201, (r.text, _state(live, shift_id, [r]))
            booked[m] = r.json()["id"]
        # Twelve booked early cancel while 20 others book: seats free and fill at once.
        calls = [
            (
                lambda http, h=live.tokens[m], booking_id=booked[m]: http.delete(
                    f"{live.base}/api/v1/bookings/{booking_id}", headers=h, timeout=30
                )
            )
            for m in early[:12]
        ] + [
            (
                lambda http, h=live.tokens[m], url=url: http.post(
                    url, json={"waitlist": True}, headers=h, timeout=30
                )
            )
            for m in late
        ]
        results = live.crowd.at_once(calls)
        _no_errors(results)
        assert all(r.status_code in (200, 201) for r in results), [
            r.text for r in results if r.status_code >= 300
        ][:3]
        taken, by_status = _counts(live, shift_id)
        assert by_status.get("cancelled") == 12
        assert taken == by_status.get("confirmed") == SEATS  # 28 live bookings for 3 seats


def _fill(live: Live, shift_id: int, holders: list[int], waiters: list[int]) -> dict[int, int]:
    """Seat `holders` and waitlist `waiters` (in that order) on the shift; their booking ids."""
    from mentor_match.extensions import db
    from mentor_match.models import Booking, BookingStatus, Shift

    now = datetime.now(UTC)
    with live.app.app_context():
        rows = {
            m: Booking(
                shift_id=shift_id,
                mentee_id=m,
                status=(BookingStatus.CONFIRMED if m in holders else BookingStatus.WAITLISTED),
                created_at=now + timedelta(milliseconds=i),
                updated_at=now,
            )
            for i, m in enumerate(holders + waiters)
        }
        db.session.add_all(rows.values())
        db.session.execute(
            db.update(Shift).where(Shift.id == shift_id).values(seats_taken=len(holders))
        )
        db.session.commit()
        return {m: row.id for m, row in rows.items()}


def _overlapping_confirmed_pairs(live: Live, shift_ids: list[int]) -> list[tuple[int, int, int]]:
    """(mentee, shift, shift) for every mentee confirmed on two overlapping shifts."""
    from mentor_match.extensions import db
    from mentor_match.models import Booking, BookingStatus, Shift

    mine, theirs = db.aliased(Booking), db.aliased(Booking)
    one, other = db.aliased(Shift), db.aliased(Shift)
    with live.app.app_context():
        rows = db.session.execute(
            db.select(mine.mentee_id, one.id, other.id)
            .join(one, one.id == mine.shift_id)
            .join(theirs, theirs.mentee_id == mine.mentee_id)
            .join(other, other.id == theirs.shift_id)
            .where(
                one.id.in_(shift_ids),
                one.id < other.id,
                mine.status == BookingStatus.CONFIRMED,
                theirs.status == BookingStatus.CONFIRMED,
                one.start_at < other.end_at,
                other.start_at < one.end_at,
            )
        ).all()
        db.session.rollback()
        return [tuple(row) for row in rows]


@pytest.mark.slow
def test_promotions_racing_bookings_never_double_book_a_mentee(live: Live):
    """Seats free on a full shift (promoting its waitlist) while the waitlisted mentees book
    an overlapping shift: each ends confirmed on one of them at most."""
    holders, waiters = live.mentees[:10], live.mentees[10:30]
    rounds = 12
    starts = live.starts(rounds, every=timedelta(hours=6))
    full_ids = _make_shifts(live, starts, seats=len(holders), hours=3)
    # The overlapping shift starts an hour into the full one and has a seat for everyone.
    other_ids = _make_shifts(live, [s + timedelta(hours=1) for s in starts], seats=50, hours=3)
    promoted_total = 0
    for full_id, other_id in zip(full_ids, other_ids, strict=True):
        _keep_tokens_fresh(live)
        seat_of = _fill(live, full_id, holders, waiters)
        url = f"{live.base}/api/v1/shifts/{other_id}/bookings"
        calls = [
            (
                lambda http, h=live.tokens[m], booking_id=seat_of[m]: http.delete(
                    f"{live.base}/api/v1/bookings/{booking_id}", headers=h, timeout=30
                )
            )
            for m in holders
        ] + [
            (lambda http, h=live.tokens[m], url=url: http.post(url, json={}, headers=h, timeout=30))
            for m in waiters
        ]
        results = live.crowd.at_once(calls)
        _no_errors(results)
        codes = Counter(
            r.status_code if r.status_code < 400 else r.json()["error"]["code"] for r in results
        )
        # Every cancel answers 200; a waiter's booking is 201, or 409 overlap once promoted.
        assert set(codes) <= {200, 201, "overlap"}, codes
        assert _overlapping_confirmed_pairs(live, [full_id, other_id]) == []
        for shift_id in (full_id, other_id):
            taken, by_status = _counts(live, shift_id)
            assert taken == by_status.get("confirmed", 0)
        promoted_total += _counts(live, full_id)[1].get("confirmed", 0)
    # The race was real: promotions happened alongside the bookings.
    assert promoted_total > 0, "no promotion ever won: the test exercised nothing"
