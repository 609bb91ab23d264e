"""Background-work figures: publishing a 10,000-pair round (its 10,000 mails are written to the
outbox in the publish transaction) and the worker's delivery rate to a local SMTP server.

Run from the repository root: .venv/bin/python benchmarks/outbox_bench.py
Publish: 10,000 mentees, 2,500 mentors (capacity 4), a proposed round of 10,000 pairs;
the time of `publish_round` + commit (target <= 3 s). Delivery: MAILS outbox rows delivered
by the worker's delivery loop over one SMTP connection to aiosmtpd on 127.0.0.1 (target
>= 200 mails/s), then the same with a real `flask worker` process (2 threads), timed from
its first to its last mail at the server. On SQLite (a temporary file).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mentor_match import create_app, mail  # noqa: E402
from mentor_match.database import utcnow  # noqa: E402
from mentor_match.extensions import db  # noqa: E402
from mentor_match.importing.specialties import DEFAULT_SPECIALTIES  # noqa: E402
from mentor_match.jobs.tasks import deliver_outbox  # noqa: E402
from mentor_match.models import (  # noqa: E402
    MatchRound,
    MentorProfile,
    OutboxMail,
    ProposedMatch,
    Specialty,
    User,
)
from mentor_match.services.rounds import publish_round  # noqa: E402

PAIRS = 10_000
CAPACITY = 4
MAILS = int(os.environ.get("BENCH_MAILS", "3000"))
SECRET = "bench-secret"


class Sink:
    def __init__(self) -> None:
        self.times: list[float] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.times.append(time.perf_counter())
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _app(url: str, folder: Path, port: int):  # noqa: ANN202
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": url,
            "QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite3'}",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
        }
    )
    with app.app_context():
        db.create_all()
        db.session.add_all(Specialty(slug=s.slug, name=s.name) for s in DEFAULT_SPECIALTIES)
        db.session.commit()
    return app


def _proposed_round() -> int:
    now = utcnow()
    mentors = PAIRS // CAPACITY
    rows = [
        {
            "email": f"mentor{i}@bench.test",
            "name": f"Mentor {i}",
            "role": "mentor",
            "active": True,
            "timezone": "America/Chicago",
            "created_at": now,
        }
        for i in range(mentors)
    ] + [
        {
            "email": f"mentee{i}@bench.test",
            "name": f"Mentee {i}",
            "role": "mentee",
            "active": True,
            "timezone": "America/New_York",
            "created_at": now,
        }
        for i in range(PAIRS)
    ]
    db.session.execute(insert(User), rows)
    ids = dict(db.session.execute(select(User.email, User.id)).all())
    mentor_ids = [ids[f"mentor{i}@bench.test"] for i in range(mentors)]
    db.session.execute(
        insert(MentorProfile), [{"user_id": m, "capacity": CAPACITY} for m in mentor_ids]
    )
    match_round = MatchRound(name="Bench", status="proposed")
    db.session.add(match_round)
    db.session.flush()
    db.session.execute(
        insert(ProposedMatch),
        [
            {
                "round_id": match_round.id,
                "mentee_id": ids[f"mentee{i}@bench.test"],
                "mentor_id": mentor_ids[i // CAPACITY],
                "score": 0.8,
                "breakdown": {"specialty": 0.4},
                "pinned": False,
            }
            for i in range(PAIRS)
        ],
    )
    db.session.commit()
    return match_round.id


def bench_publish(app) -> None:  # noqa: ANN001
    with app.app_context():
        round_id = _proposed_round()
        db.session.info.clear()
        started = time.perf_counter()
        publish_round(db.session, round_id)
        # The commit enqueues one delivery job (no worker runs here).
        db.session.commit()
        seconds = time.perf_counter() - started
        queued = db.session.scalar(select(func.count()).select_from(OutboxMail))
    print(
        f"publish: {PAIRS} pairs published, {queued} mails written to the outbox in the same "
        f"transaction, in {seconds:.2f} s (target <= 3 s)"
    )
    with app.app_context():
        db.session.execute(OutboxMail.__table__.delete())
        db.session.commit()


def _queue_mails(app, count: int) -> None:  # noqa: ANN001
    with app.app_context():
        mail.queue_many(
            db.session,
            (
                mail.Mail(
                    to=(f"person{i}@bench.test",),
                    subject=f"Shadowing is confirmed {i}",
                    body="The calendar entry is attached.\n" * 5,
                    ics="BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
                )
                for i in range(count)
            ),
        )
        db.session.info.clear()
        db.session.commit()


def bench_delivery(app, sink: Sink) -> None:  # noqa: ANN001
    _queue_mails(app, MAILS)
    with app.app_context():
        started = time.perf_counter()
        result = deliver_outbox()
        seconds = time.perf_counter() - started
    print(
        f"delivery loop (one thread, one SMTP connection): {result['sent']} mails in "
        f"{seconds:.2f} s = {result['sent'] / seconds:.0f} mails/s (target >= 200)"
    )


def bench_worker(app, sink: Sink, folder: Path, url: str, port: int) -> None:  # noqa: ANN001
    sink.times.clear()
    _queue_mails(app, MAILS)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MENTOR_MATCH_DATABASE_URL": url,
        "MENTOR_MATCH_SECRET_KEY": SECRET,
        "MENTOR_MATCH_QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite3'}",
        "MENTOR_MATCH_MAIL_SERVER": "127.0.0.1",
        "MENTOR_MATCH_MAIL_PORT": str(port),
        "MENTOR_MATCH_SWEEP_SECONDS": "1",
    }
    log = (folder / "worker.log").open("wb")
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "mentor_match", "worker", "--threads", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 300
        while len(sink.times) < MAILS and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)
        log.close()
    arrived = len(sink.times)
    seconds = sink.times[-1] - sink.times[0] if arrived > 1 else float("nan")
    print(
        f"flask worker (2 threads): {arrived} mails, first to last in {seconds:.2f} s = "
        f"{arrived / seconds:.0f} mails/s (target >= 200)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        sink = Sink()
        port = _free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            app = _app(url, folder, port)
            bench_publish(app)
            bench_delivery(app, sink)
            bench_worker(app, sink, folder, url, port)
        finally:
            controller.stop()


if __name__ == "__main__":
    main()
