"""Guidance figures: a person's tasks, the coordinator's overdue overview and report, and a
mentee's progress, on a large programme.

Run from the repository root: .venv/bin/python benchmarks/feedback_bench.py
Programme: 100 mentors, 1,000 mentees (each with a mentorship, a third of them ended), 20,000
attended shifts; feedback on half, reflections on half, 5,000 sign-offs. SQLite in a temporary
file. Median of 5 runs for each figure (the home page and the overview call these).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from mentor_match import create_app  # noqa: E402
from mentor_match.extensions import db  # noqa: E402
from mentor_match.importing.specialties import DEFAULT_SPECIALTIES  # noqa: E402
from mentor_match.models import (  # noqa: E402
    Booking,
    Competency,
    Mentorship,
    Reflection,
    Shift,
    ShiftFeedback,
    SignOff,
    Specialty,
    User,
)
from mentor_match.services.feedback import assessments, reports, tasks  # noqa: E402
from mentor_match.services.feedback.competencies import seed_default_framework  # noqa: E402

MENTORS, MENTEES, SHIFTS, SIGNOFFS, RUNS = 100, 1000, 20_000, 5000, 5


def timed(label: str, call) -> None:  # noqa: ANN001
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - start)
    size = len(result) if hasattr(result, "__len__") else ""
    print(f"{label:<46} median {statistics.median(samples) * 1000:8.1f} ms  {size}")


def main() -> None:
    folder = tempfile.mkdtemp()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
            "OUTBOX_DIR": f"{folder}/outbox",
        }
    )
    rng = random.Random(12)
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        db.create_all()
        db.session.add_all(Specialty(slug=s.slug, name=s.name) for s in DEFAULT_SPECIALTIES)
        db.session.flush()
        seed_default_framework(db.session)
        people = [
            {
                "email": f"p{i}@example.org",
                "name": f"Person {i}",
                "role": "mentor" if i < MENTORS else "mentee",
                "timezone": "UTC",
                "active": True,
                "created_at": now,
            }
            for i in range(MENTORS + MENTEES)
        ]
        db.session.execute(insert(User), people)
        ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        mentors, mentees = ids[:MENTORS], ids[MENTORS:]
        db.session.execute(
            insert(Mentorship),
            [
                {
                    "mentor_id": mentors[i % MENTORS],
                    "mentee_id": m,
                    "created_at": now - timedelta(days=80),
                    "ended_at": now - timedelta(days=5) if i % 3 == 0 else None,
                }
                for i, m in enumerate(mentees)
            ],
        )
        shifts = []
        for i in range(SHIFTS):
            end = now - timedelta(days=rng.randint(1, 200), hours=rng.randint(0, 23))
            shifts.append(
                {
                    "mentor_id": mentors[i % MENTORS],
                    "start_at": end - timedelta(hours=3),
                    "end_at": end,
                    "seats": 1,
                    "seats_taken": 1,
                    "location": "",
                    "status": "scheduled",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        db.session.execute(insert(Shift), shifts)
        shift_ids = list(db.session.scalars(select(Shift.id).order_by(Shift.id)))
        db.session.execute(
            insert(Booking),
            [
                {
                    "shift_id": s,
                    "mentee_id": mentees[i % MENTEES],
                    "status": "confirmed",
                    "attended": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, s in enumerate(shift_ids)
            ],
        )
        booking_ids = list(db.session.scalars(select(Booking.id).order_by(Booking.id)))
        db.session.execute(
            insert(ShiftFeedback),
            [
                {
                    "booking_id": b,
                    "author_id": mentors[i % MENTORS],
                    "strengths": "",
                    "next_steps": "",
                    "created_at": now,
                    "updated_at": now,
                }
                for i, b in enumerate(booking_ids)
                if i % 2 == 0
            ],
        )
        db.session.execute(
            insert(Reflection),
            [
                {
                    "booking_id": b,
                    "mentee_id": mentees[i % MENTEES],
                    "mentor_id": mentors[i % MENTORS],
                    "learned": "x",
                    "apply": "y",
                    "session_rating": rng.randint(1, 5),
                    "comment_to_coordinator": "",
                    "created_at": now,
                }
                for i, b in enumerate(booking_ids)
                if i % 2 == 1
            ],
        )
        competencies = list(db.session.scalars(select(Competency.id)))
        pairs = {(rng.choice(mentees), rng.choice(competencies)) for _ in range(SIGNOFFS)}
        db.session.execute(
            insert(SignOff),
            [
                {
                    "mentee_id": m,
                    "competency_id": c,
                    "signed_by_id": mentors[0],
                    "note": "",
                    "signed_at": now,
                    "revoke_reason": "",
                }
                for m, c in pairs
            ],
        )
        db.session.commit()
        print(
            f"programme: {MENTORS} mentors, {MENTEES} mentees, {SHIFTS} attended shifts, "
            f"{len(pairs)} sign-offs"
        )
        mentor = db.session.get(User, mentors[0])
        mentee = db.session.get(User, mentees[0])
        coordinator = User(email="c@example.org", name="C", role="coordinator", timezone="UTC")
        db.session.add(coordinator)
        db.session.commit()
        timed("a mentor's tasks (home page)", lambda: tasks.my_tasks(db.session, mentor))
        timed("a mentee's tasks (home page)", lambda: tasks.my_tasks(db.session, mentee))
        timed("everyone's open tasks", lambda: tasks.open_tasks(db.session))
        timed("overdue overview per mentor and site", lambda: tasks.overdue_overview(db.session)[0])
        timed("coordinator report", lambda: reports.feedback_report(db.session).signoffs)
        timed(
            "a mentee's progress",
            lambda: assessments.progress(db.session, coordinator, mentee.id).items,
        )
        timed(
            "a mentor's rating summary (k >= 3)",
            lambda: assessments.rating_summary(db.session, mentor.id),
        )


if __name__ == "__main__":
    main()
