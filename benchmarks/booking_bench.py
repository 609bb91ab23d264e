"""Shadowing figures: a 500-event feed rendered by the app, and booking throughput.

Run from the repository root: .venv/bin/python benchmarks/booking_bench.py
Feed: the feed service (database query + calendar package) for a mentor with 500 shifts,
each with one attendee; median of 20 runs (target < 50 ms).
Throughput: a real gunicorn server (2 workers x 8 threads) on 127.0.0.1; CLIENTS parallel
clients each book a run of shifts; requests/s and p50/p95 latency. On SQLite always, and on
PostgreSQL when MENTOR_MATCH_TEST_POSTGRES_URL is set (a throwaway database is used).
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from mentor_match import create_app  # noqa: E402
from mentor_match.extensions import db  # noqa: E402
from mentor_match.importing.specialties import DEFAULT_SPECIALTIES  # noqa: E402
from mentor_match.models import Booking, Mentorship, Shift, Specialty  # noqa: E402
from mentor_match.services import accounts, calendars  # noqa: E402
from tests.servers import gunicorn_server  # noqa: E402

RUNS = 20
EVENTS = 500
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "12"))
BOOKINGS_PER_CLIENT = 40
SECRET = "bench-secret"


def _app(url: str, outbox: Path):  # noqa: ANN202
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": url,
            "OUTBOX_DIR": str(outbox),
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.add_all(Specialty(slug=s.slug, name=s.name) for s in DEFAULT_SPECIALTIES)
        db.session.commit()
    return app


def _user(role: str, n: int):  # noqa: ANN202
    return accounts.create_user(
        db.session,
        email=f"{role}{n}@example.org",
        name=f"{role.title()} {n}, Jr.",
        role=role,
        password="bench password 123",
        timezone="America/Chicago",
    )


def feed_figure(url: str, outbox: Path) -> float:
    app = _app(url, outbox)
    with app.app_context():
        mentor, mentee = _user("mentor", 0), _user("mentee", 0)
        oncology = db.session.scalar(db.select(Specialty).where(Specialty.slug == "oncology"))
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        for n in range(EVENTS):
            at = start + timedelta(hours=4 * n)
            shift = Shift(
                mentor=mentor,
                start_at=at,
                end_at=at + timedelta(hours=3),
                seats=2,
                seats_taken=1,
                location="Mercy Hospital, Central pharmacy; floor 3",
                specialty=oncology,
                notes="Bring your badge.",
            )
            shift.bookings.append(Booking(mentee=mentee, status="confirmed"))
            db.session.add(shift)
        db.session.commit()
        site = calendars.LinkBase("https://mentor.example.org", "mentor.example.org")
        times = []
        for _ in range(RUNS):
            db.session.expire_all()
            began = time.perf_counter()
            result = calendars.user_feed(db.session, mentor, site)
            times.append((time.perf_counter() - began) * 1000)
            db.session.rollback()
        assert result.text.count("BEGIN:VEVENT") == EVENTS
    return statistics.median(times)


def throughput(url: str, outbox: Path) -> tuple[float, float, float, int]:
    app = _app(url, outbox)
    with app.app_context():
        mentor = _user("mentor", 0)
        tokens = []
        for n in range(CLIENTS):
            mentee = _user("mentee", n)
            db.session.add(Mentorship(mentor=mentor, mentee=mentee))
            _, raw = accounts.create_api_token(db.session, mentee, "bench")
            tokens.append(raw)
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        shifts = []
        for n in range(BOOKINGS_PER_CLIENT):
            at = start + timedelta(hours=3 * n)
            shift = Shift(
                mentor=mentor, start_at=at, end_at=at + timedelta(hours=2), seats=50, seats_taken=0
            )
            db.session.add(shift)
            shifts.append(shift)
        db.session.commit()
        shift_ids = [s.id for s in shifts]
    latencies: list[float] = []
    lock = threading.Lock()
    with gunicorn_server(url, SECRET, outbox.parent, workers=2, threads=8) as base:
        for raw in tokens:  # first use records the token's use; keep it out of the timing
            requests.get(
                f"{base}/api/v1/me/bookings", headers={"Authorization": f"Bearer {raw}"}, timeout=30
            )
        barrier = threading.Barrier(CLIENTS + 1)

        def client(raw: str) -> None:
            session = requests.Session()
            headers = {"Authorization": f"Bearer {raw}"}
            barrier.wait()
            mine = []
            for shift_id in shift_ids:
                began = time.perf_counter()
                r = session.post(
                    f"{base}/api/v1/shifts/{shift_id}/bookings",
                    json={},
                    headers=headers,
                    timeout=30,
                )
                mine.append((time.perf_counter() - began) * 1000)
                assert r.status_code == 201, r.text
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=client, args=(raw,)) for raw in tokens]
        for t in threads:
            t.start()
        barrier.wait()
        began = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
    latencies.sort()
    return (
        len(latencies) / elapsed,
        latencies[len(latencies) // 2],
        latencies[int(len(latencies) * 0.95)],
        len(latencies),
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        sqlite_url = f"sqlite:///{tmp_path / 'feed.sqlite3'}"
        print(
            f"feed of {EVENTS} events (service + calendar), median of {RUNS}: "
            f"{feed_figure(sqlite_url, tmp_path / 'outbox'):.1f} ms (target < 50 ms)"
        )
        backends = [("SQLite", f"sqlite:///{tmp_path / 'bench.sqlite3'}")]
        base = os.environ.get("MENTOR_MATCH_TEST_POSTGRES_URL")
        admin = None
        name = f"mm_bench_{secrets.token_hex(4)}"
        if base:
            admin = create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            backends.append(
                (
                    "PostgreSQL",
                    make_url(base).set(database=name).render_as_string(hide_password=False),
                )
            )
        try:
            for label, url in backends:
                rate, p50, p95, count = throughput(url, tmp_path / "outbox")
                print(
                    f"booking throughput on {label}, {CLIENTS} parallel clients, {count} bookings: "
                    f"{rate:.0f} requests/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms"
                )
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
