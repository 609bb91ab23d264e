"""Load test: two app servers on one PostgreSQL database, a worker on the Redis queue, and a
mixed workload from Locust for a bounded time; then the checks (prints; exits 1 when a check
fails).

Run from the repository root:

    .venv/bin/python benchmarks/load_test.py [--minutes 15] [--users 30]

It needs PostgreSQL (`MENTOR_MATCH_TEST_POSTGRES_URL`, default
postgresql+psycopg://postgres@127.0.0.1:5432/test: a database of its own is created there and
dropped at the end) and Redis (`--redis`, default redis://127.0.0.1:6379/0, with a queue name
of its own); everything listens on 127.0.0.1 at free ports. Steps:

1. `flask db upgrade` on the new database, then a programme is seeded: 4 sites, 40 mentors,
   400 mentees (each with an API token and a calendar feed), 160 shifts open to every mentee
   over the next three weeks (a third within a day, so reminders go out during the test) and
   a draft match round of everyone.
2. Two gunicorn servers (2 processes x 2 threads each), one worker (`flask worker`) and an
   SMTP server that accepts every mail.
3. Locust (benchmarks/load/locustfile.py) for `--minutes`: mentees browse and book shifts,
   cancel bookings, list their bookings, fetch their calendar feeds and open pages;
   coordinators open participant lists, the round's review, the dashboard, shifts and the
   outbox; one coordinator runs the round on the worker about once a minute.
4. Checks: no 5xx answer; no overbooked shift (confirmed bookings ≤ seats, and `seats_taken`
   equal to the confirmed bookings); no lost mail (once the worker has caught up, every
   outbox row is `sent` and the SMTP server received each one). Throughput and latency
   (p50/p95/p99) per route and overall, the machine's load average before and after.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import (  # noqa: E402
    TEST_PASSWORD_HASH_METHOD,
    free_port,
    gunicorn_server,
    postgres_database,  # noqa: E402
)

PASSWORD = "load-test-password"  # noqa: S105 - the seeded accounts of a throwaway database
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def seed(url: str, secret: str, rng: random.Random) -> dict:
    """The programme the workload runs against; returns the plan the locustfile reads."""
    from mentor_match import create_app
    from mentor_match.extensions import db
    from mentor_match.models import (
        AvailabilityWindow,
        MenteeProfile,
        MenteeSpecialty,
        MentorProfile,
        Shift,
        Site,
        Specialty,
        User,
    )
    from mentor_match.services import accounts, calendars, rounds

    app = create_app(
        {
            "SECRET_KEY": secret,
            "SQLALCHEMY_DATABASE_URI": url,
            "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
            "QUEUE_URL": "immediate",
        }
    )
    with app.app_context():
        session = db.session
        specialties = list(session.query(Specialty).order_by(Specialty.id))
        sites = [
            Site(name=f"Load site {i}", region=f"Region {i % 2}", timezone="America/Chicago")
            for i in range(4)
        ]
        session.add_all(sites)
        hashed = User(email="x@example.org", name="x", role="mentee")
        hashed.set_password(PASSWORD)  # one hash, shared: 440 accounts sign in with it

        def person(email: str, name: str, role: str) -> User:
            user = User(email=email, name=name, role=role, timezone="America/Chicago")
            user.password_hash = hashed.password_hash
            for day in rng.sample(range(7), k=3):
                start = rng.randrange(7, 12) * 60
                user.windows.append(
                    AvailabilityWindow(weekday=day, start_minute=start, end_minute=start + 360)
                )
            return user

        coordinator = person("coordinator@load.example.org", "Casey Coordinator", "coordinator")
        session.add(coordinator)
        mentors = []
        for n in range(40):
            mentor = person(f"mentor{n}@load.example.org", f"Mentor {n:02d}", "mentor")
            mentor.mentor_profile = MentorProfile(
                capacity=rng.randint(2, 5),
                site=sites[n % 4],
                specialties=rng.sample(specialties, k=rng.randint(1, 3)),
            )
            mentors.append(mentor)
        mentees = []
        for n in range(400):
            mentee = person(f"mentee{n}@load.example.org", f"Mentee {n:03d}", "mentee")
            profile = MenteeProfile(site=sites[n % 4])
            profile.ranked_specialties = [
                MenteeSpecialty(specialty=s, rank=i)
                for i, s in enumerate(rng.sample(specialties, k=rng.randint(1, 2)), 1)
            ]
            mentee.mentee_profile = profile
            mentees.append(mentee)
        session.add_all(mentors + mentees)
        session.flush()
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        shifts = []
        for n in range(160):
            mentor = mentors[n % 40]
            hours = rng.randrange(3, 24) if n % 3 == 0 else rng.randrange(24, 21 * 24)
            start = now + timedelta(hours=hours)
            shifts.append(
                Shift(
                    mentor_id=mentor.id,
                    start_at=start,
                    end_at=start + timedelta(hours=3),
                    seats=rng.randint(1, 3),
                    seats_taken=0,
                    location="Main pharmacy",
                    specialty_id=mentor.mentor_profile.specialties[0].id,
                    open_to_all=True,
                )
            )
        session.add_all(shifts)
        match_round = rounds.create_round(
            session,
            coordinator,
            "Load test cohort",
            None,
            rounds.DEFAULT_MIN_OVERLAP,
            "optimal",
            False,
            rounds.DEFAULT_SUGGESTIONS,
        )
        _, coordinator_token = accounts.create_api_token(session, coordinator, "load test")
        plan_mentees = []
        for mentee in mentees:
            _, token = accounts.create_api_token(session, mentee, "load test")
            feed = calendars.feed_token(session, mentee, secret)
            plan_mentees.append({"email": mentee.email, "token": token, "feed": feed})
        session.flush()
        plan = {
            "password": PASSWORD,
            "coordinator": coordinator.email,
            "coordinator_token": coordinator_token,
            "mentees": plan_mentees,
            "shifts": [s.id for s in shifts],
            "round": match_round.id,
        }
        session.commit()
        db.engine.dispose()
    return plan


class MailSink:
    """An SMTP server on 127.0.0.1 that accepts every mail and counts them."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received = 0
        self.port = free_port()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
                sink.received += 1
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class Worker:
    """`flask --app mentor_match worker` on the shared database and queue."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log_path = env, log

    def __enter__(self) -> Worker:
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and app
            [sys.executable, "-m", "flask", "--app", "mentor_match", "worker", "--threads", "2"],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _outbox(engine) -> dict[str, int]:  # noqa: ANN001
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT state, count(*) FROM outbox_mails GROUP BY state"))
        return {state: n for state, n in rows}


def _overbooked(engine) -> list[tuple]:  # noqa: ANN001
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    """
                    SELECT s.id, s.seats, s.seats_taken,
                           count(b.id) FILTER (WHERE b.status = 'confirmed') AS confirmed
                    FROM shifts s LEFT JOIN bookings b ON b.shift_id = s.id
                    GROUP BY s.id, s.seats, s.seats_taken
                    HAVING count(b.id) FILTER (WHERE b.status = 'confirmed') > s.seats
                        OR count(b.id) FILTER (WHERE b.status = 'confirmed') <> s.seats_taken
                    """
                )
            )
        )


def _bookings(engine) -> dict[str, int]:  # noqa: ANN001
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM bookings GROUP BY status"))
        return {status: n for status, n in rows}


def _round(engine, round_id: int) -> tuple[str, int]:  # noqa: ANN001
    with engine.connect() as conn:
        status = conn.scalar(
            text("SELECT status FROM match_rounds WHERE id = :id"), {"id": round_id}
        )
        pairs = conn.scalar(
            text("SELECT count(*) FROM proposed_matches WHERE round_id = :id"), {"id": round_id}
        )
        return status, pairs


def _report(stats_csv: Path, seconds: float) -> dict[str, float]:
    rows = list(csv.DictReader(stats_csv.open()))
    print(
        f"{'route':<40} {'requests':>8} {'fail':>5} {'req/s':>6} {'p50':>6} {'p95':>6}"
        f" {'p99':>6} {'max':>7}  (ms)"
    )
    total = {}
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        line = (
            f"{(row['Type'] + ' ' + name if name != 'ALL' else 'ALL')[:40]:<40}"
            f" {int(row['Request Count']):>8} {int(row['Failure Count']):>5}"
            f" {float(row['Requests/s']):>6.2f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
            f" {float(row['Max Response Time']):>7.0f}"
        )
        print(line)
        if row["Name"] == "Aggregated":
            total = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": int(row["Request Count"]) / seconds,
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
    return total


def run(args: argparse.Namespace, url: str, work: Path) -> bool:
    rng = random.Random(args.seed)
    secret = secrets.token_hex(16)
    queue_name = f"mm_load_{secrets.token_hex(4)}"
    base_env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MENTOR_MATCH_DATABASE_URL": url,
        "MENTOR_MATCH_SECRET_KEY": secret,
        "MENTOR_MATCH_PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
    }
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and app
        [sys.executable, "-m", "flask", "--app", "mentor_match", "db", "upgrade"],
        env=base_env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    plan = seed(url, secret, rng)
    print(
        f"migrated and seeded {len(plan['mentees'])} mentees, 40 mentors, {len(plan['shifts'])}"
        f" shifts, round {plan['round']} in {time.perf_counter() - started:.1f} s"
    )
    engine = create_engine(url)
    ok = True
    with ExitStack() as stack:
        inbox = stack.enter_context(MailSink())
        worker_env = {
            **base_env,
            "MENTOR_MATCH_QUEUE_URL": args.redis,
            "MENTOR_MATCH_QUEUE_NAME": queue_name,
            "MENTOR_MATCH_SWEEP_SECONDS": "15",
            "MENTOR_MATCH_MAIL_SERVER": "127.0.0.1",
            "MENTOR_MATCH_MAIL_PORT": str(inbox.port),
        }
        stack.enter_context(Worker(worker_env, work / "worker.log"))
        server_env = {"TEST_SERVER_QUEUE_URL": args.redis, "TEST_SERVER_QUEUE_NAME": queue_name}
        for i in range(2):
            (work / f"server{i}").mkdir()
        hosts = [
            stack.enter_context(
                gunicorn_server(
                    url, secret, work / f"server{i}", workers=2, threads=2, env=server_env
                )
            )
            for i in range(2)
        ]
        plan["hosts"] = hosts
        (work / "plan.json").write_text(json.dumps(plan))
        print(f"servers {', '.join(hosts)}; worker on {args.redis} queue {queue_name}")
        print(f"load average before: {_load()} (on {os.cpu_count()} CPUs)")
        locust_env = {
            **base_env,
            "LOAD_PLAN": str(work / "plan.json"),
            "LOAD_STATUS_FILE": str(work / "statuses.json"),
        }
        began = time.perf_counter()
        with (work / "locust.log").open("wb") as log:
            subprocess.run(  # noqa: S603 - our own interpreter and locust
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(ROOT / "benchmarks" / "load" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(args.spawn_rate),
                    "--run-time",
                    f"{args.minutes * 60:.0f}s",
                    "--stop-timeout",
                    "30",
                    "--csv",
                    str(work / "load"),
                    "--only-summary",
                ],
                env=locust_env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        seconds = time.perf_counter() - began
        print(f"load average after: {_load()}; workload ran {seconds / 60:.1f} min")
        # The worker catches up with the mail the last requests wrote.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            states = _outbox(engine)
            if not states.get("queued"):
                break
            time.sleep(2)
        time.sleep(2)  # the SMTP server has answered the last one
        states = _outbox(engine)
        received = inbox.received
    total = _report(work / "load_stats.csv", seconds)
    statuses = json.loads((work / "statuses.json").read_text())
    server_errors = sum(n for code, n in statuses.items() if code.startswith("5"))
    overbooked = _overbooked(engine)
    round_status, pairs = _round(engine, plan["round"])
    bookings = _bookings(engine)
    engine.dispose()
    print(f"statuses: {json.dumps(dict(sorted(statuses.items())))}")
    print(f"bookings at the end: {json.dumps(bookings)}")
    print(f"round {plan['round']}: {round_status}, {pairs} proposed pairs")
    if total:
        print(
            f"throughput {total['rps']:.1f} requests/s ({total['requests']:,} requests);"
            f" latency p50 {total['p50']:.0f} ms, p95 {total['p95']:.0f} ms,"
            f" p99 {total['p99']:.0f} ms; {total['failures']} failed"
        )
    checks = [
        ("no 5xx answer", server_errors == 0, f"{server_errors} answers 5xx"),
        (
            "no overbooked shift",
            not overbooked,
            f"{len(overbooked)} shifts (id, seats, seats_taken, confirmed): {overbooked[:5]}",
        ),
        (
            "no lost mail",
            set(states) <= {"sent"} and received >= states.get("sent", 0),
            f"outbox {states}, {received} mails received by the SMTP server",
        ),
        (
            "every request answered as expected",
            bool(total) and total["failures"] == 0,
            f"{total.get('failures')} failures (see {work / 'load_failures.csv'})",
        ),
        ("the round ran", round_status == "proposed", f"round status {round_status}"),
    ]
    for name, passed, detail in checks:
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {detail}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=15.0, help="how long the load runs")
    parser.add_argument("--users", type=int, default=30, help="simulated people at once")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="people started a second")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="the queue's Redis")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--keep", action="store_true", help="keep the logs even when every check passes"
    )
    args = parser.parse_args()
    base = os.environ.get("MENTOR_MATCH_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    work = Path(tempfile.mkdtemp(prefix="mm_load_"))
    ok = False
    try:
        with postgres_database(base, prefix="mm_load") as url:
            ok = run(args, url, work)
    finally:
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs: {work}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
