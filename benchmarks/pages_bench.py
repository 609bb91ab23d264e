"""Pages and API routes with 100,000 people (prints; never asserts).

Run from the repository root: .venv/bin/python benchmarks/pages_bench.py
Generates, with bulk inserts (the dashboard benchmark's generator, scaled up), 70,000 mentees
and 30,000 mentors on 12 sites, their specialties and weekly availability, mentorships, a
proposed round of about 13,000 pairs and a year of shifts; then times each page and API route
through the test client: the median and 95th percentile of RUNS requests (after one first,
cold request), and for the CSV exports the time to the first byte as well as the whole file.
Target: every page within 500 ms. On SQLite always, and on PostgreSQL too when
MENTOR_MATCH_TEST_POSTGRES_URL is set (a throwaway database is created and dropped).
BENCH_MENTEES / BENCH_MENTORS / BENCH_RUNS change the sizes.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_MENTEES", "70000")
os.environ.setdefault("BENCH_MENTORS", "30000")

from sqlalchemy import select, text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import postgres_database  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))

import dashboard_bench  # noqa: E402

from mentor_match.database import add_name_search_indexes  # noqa: E402
from mentor_match.extensions import db  # noqa: E402
from mentor_match.models import (  # noqa: E402
    AvailabilityWindow,
    MenteeProfile,
    MenteeSpecialty,
    ProposedMatch,
    Specialty,
    UnmatchedMentee,
    User,
)
from tests.helpers import login  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
SLOW_MS, SLOW_RUNS = 2000, 5


def add_profiles(app) -> None:  # noqa: ANN001
    """What the dashboard's generator leaves out and the pages show: the mentees' specialties
    (in priority order) and everyone's weekly availability."""
    rng = random.Random(16)
    with app.app_context():
        specialty_ids = list(db.session.scalars(select(Specialty.id)))
        profiles = db.session.execute(select(MenteeProfile.id)).scalars().all()
        dashboard_bench._bulk(
            MenteeSpecialty,
            [
                {"mentee_profile_id": pid, "specialty_id": s, "rank": rank}
                for pid in profiles
                for rank, s in enumerate(rng.sample(specialty_ids, k=rng.randint(1, 3)), 1)
            ],
        )
        users = db.session.scalars(select(User.id).where(User.role != "coordinator")).all()
        windows = []
        for uid in users:
            for day in rng.sample(range(7), k=rng.randint(1, 3)):
                start = rng.randrange(6, 14) * 60
                windows.append(
                    {
                        "user_id": uid,
                        "weekday": day,
                        "start_minute": start,
                        "end_minute": start + rng.choice((4, 6, 8)) * 60,
                    }
                )
        dashboard_bench._bulk(AvailabilityWindow, windows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:  # what migration a16000000004 adds on PostgreSQL
                add_name_search_indexes(conn)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()  # else the statistics are rolled back with the connection


def _timed(client, path: str, runs: int, **kwargs) -> tuple[float, float, float, float, int]:  # noqa: ANN001
    """(cold, median, p95, median time to the first byte in milliseconds, requests timed);
    every answer must be a 200. The body is read to its end, chunk by chunk, as a browser
    would. A route whose first request takes over SLOW_MS is timed SLOW_RUNS times only."""
    timings, first_bytes = [], []
    for n in range(runs + 1):
        if n == 2 and timings[0] > SLOW_MS:
            runs = min(runs, SLOW_RUNS)
        if n > runs:
            break
        started = time.perf_counter()
        response = client.get(path, buffered=False, **kwargs)
        first = None
        for _chunk in response.response:
            if first is None:
                first = time.perf_counter()
        ended = time.perf_counter()
        response.close()
        assert response.status_code == 200, (path, response.status_code)
        timings.append((ended - started) * 1000)
        first_bytes.append(((first or ended) - started) * 1000)
    warm = sorted(timings[1:])
    p95 = warm[min(len(warm) - 1, round(0.95 * (len(warm) - 1)))]
    return timings[0], statistics.median(warm), p95, statistics.median(first_bytes[1:]), len(warm)


def measure(url: str, tmp: Path, label: str) -> None:
    started = time.perf_counter()
    app = dashboard_bench._app(url, tmp)
    if os.environ.get("BENCH_REUSE"):  # a database a previous run generated (BENCH_SQLITE_FILE)
        with app.app_context():
            site = db.session.scalar(select(db.func.min(MenteeProfile.site_id)))
        counts = {"site": site}
        print(f"[{label}] reusing the generated programme in {url}")
    else:
        counts = dashboard_bench.generate(app)
        add_profiles(app)
        took = time.perf_counter() - started
        print(
            f"[{label}] generated {counts['users']:,} people, {counts['mentorships']:,}"
            f" mentorships, {counts['shifts']:,} shifts, {counts['bookings']:,} bookings in"
            f" {took:.1f} s"
        )
    app = dashboard_bench._app(url, tmp)  # a new app: cold engine, cold template cache
    client = app.test_client()
    login(client, "coordinator@example.org")
    with app.app_context():
        from mentor_match.services import accounts

        user = db.session.scalar(select(User).where(User.role == "coordinator"))
        _, raw = accounts.create_api_token(db.session, user, "bench")
        db.session.commit()
        pairs = db.session.scalar(select(db.func.count()).select_from(ProposedMatch))
        waiting = db.session.scalar(
            select(UnmatchedMentee.mentee_id).order_by(UnmatchedMentee.mentee_id).limit(1)
        )
        mentee = db.session.scalar(select(User.name).where(User.id == waiting))
    api = {"headers": {"Authorization": f"Bearer {raw}"}}
    print(f"[{label}] round 1: {pairs:,} proposed pairs; candidates for {mentee} (#{waiting})")
    site = str(counts["site"])
    rows = [
        ("page participants, mentees", "/participants/?role=mentee", {}),
        ("page participants, mentees, page 700", "/participants/?role=mentee&page=700", {}),
        (
            "page participants, waiting at a site",
            f"/participants/?role=mentee&status=waiting&site={site}",
            {},
        ),
        ("page participants, search a name", "/participants/?role=mentee&q=Mentee+4242", {}),
        ("page participants, mentors", "/participants/?role=mentor&sort=site", {}),
        ("API /api/v1/mentees page 1", "/api/v1/mentees", api),
        ("API /api/v1/mentors page 300", "/api/v1/mentors?page=300&per_page=100", api),
        ("page round review", "/rounds/1", {}),
        ("page round review, lowest score, p.50", "/rounds/1?sort=score&page=50", {}),
        ("page round review, search a name", "/rounds/1?q=Mentee+6", {}),
        ("API /api/v1/rounds/1 (summary)", "/api/v1/rounds/1?per_page=100", api),
        ("API /api/v1/rounds/1 (every pair)", "/api/v1/rounds/1", api),
        ("page candidates", f"/rounds/1/candidates?mentee_id={waiting}", {}),
        ("API candidates", f"/api/v1/rounds/1/candidates?mentee_id={waiting}", api),
        ("page dashboard", "/dashboard", {}),
        ("API /api/v1/dashboard", "/api/v1/dashboard", api),
        ("export mentees.csv (page)", "/imports/export/mentees.csv", {}),
        ("export mentors.csv (API)", "/api/v1/exports/mentors.csv", api),
    ]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"[{label}] load average before timing: {load} (on {os.cpu_count()} CPUs)")
    print(
        f"[{label}] {'route':<40} {'cold':>8} {'median':>8} {'p95':>8} {'1st byte':>9} {'n':>3}"
        "  (ms; n requests after the cold one)"
    )
    for name, path, kwargs in rows:
        runs = RUNS if "export" not in name else max(3, RUNS // 4)
        cold, median, p95, first, n = _timed(client, path, runs, **kwargs)
        flag = "" if median <= 500 or "every pair" in name or "export" in name else "  > 500 ms"
        print(
            f"[{label}] {name:<40} {cold:8.1f} {median:8.1f} {p95:8.1f} {first:9.1f} {n:3d}{flag}"
        )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[{label}] load average after timing: {load}; peak memory of this process {peak:.0f} MB")


def main() -> None:
    if os.environ.get("BENCH_BACKEND", "both") in ("both", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            # BENCH_SQLITE_FILE keeps the generated database (BENCH_REUSE=1 times it again).
            file = os.environ.get("BENCH_SQLITE_FILE") or str(Path(tmp) / "bench.sqlite3")
            measure(f"sqlite:///{file}", Path(tmp), "SQLite")
    base = os.environ.get("MENTOR_MATCH_TEST_POSTGRES_URL")
    if base and os.environ.get("BENCH_BACKEND", "both") in ("both", "postgres"):
        with postgres_database(base) as url, tempfile.TemporaryDirectory() as tmp:
            measure(url, Path(tmp), "PostgreSQL")


if __name__ == "__main__":
    main()
