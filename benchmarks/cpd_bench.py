"""CPD figures: the compliance report over many mentees, a portfolio page's query, the transcript.

Run from the repository root: .venv/bin/python benchmarks/cpd_bench.py
On SQLite in a temporary folder: MENTEES mentees with ACTIVITIES CE activities each; the
compliance report (every mentee evaluated), one mentee's portfolio, and the transcript PDF of a
mentee with 40 activities (WeasyPrint). Medians of a few runs; figures only, no assertions.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import render_template  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from mentor_match import create_app  # noqa: E402
from mentor_match.extensions import db  # noqa: E402
from mentor_match.models import CeActivity, Certification, Role, User  # noqa: E402
from mentor_match.reports.transcript import pdf_from_html  # noqa: E402
from mentor_match.services.cpd import portfolio  # noqa: E402

MENTEES = 1000
ACTIVITIES = 12
RUNS = 5
TOPICS = ["01", "03", "04", "05", "07"]


def _median(fn) -> float:  # noqa: ANN001
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cpd-bench-"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "CERTIFICATE_DIR": str(folder / "certificates"),
        }
    )
    today = datetime.now(UTC).date()
    with app.app_context(), app.test_request_context():
        db.create_all()
        now = datetime.now(UTC)
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"m{i}@bench.example",
                    "name": f"Mentee {i:04d}",
                    "role": Role.MENTEE.value,
                    "timezone": "UTC",
                    "active": True,
                    "created_at": now,
                }
                for i in range(MENTEES)
            ],
        )
        ids = list(db.session.scalars(db.select(User.id).order_by(User.id)))
        db.session.execute(
            insert(Certification),
            [
                {
                    "user_id": uid,
                    "cycle_ends_on": today + timedelta(days=i % 700),
                    "updated_at": now,
                }
                for i, uid in enumerate(ids)
            ],
        )
        rows = []
        for i, uid in enumerate(ids):
            for j in range(ACTIVITIES if i else 40):
                done = today - timedelta(days=(i + 37 * j) % 600 + 1)
                rows.append(
                    {
                        "user_id": uid,
                        "title": f"Course {j}",
                        "provider": "Bench provider",
                        "completed_on": done,
                        "hours": Decimal("1.50"),
                        "kind": "college" if j % 7 == 6 else "ce",
                        "uan": f"0175-0000-{done.year % 100:02d}-{j + 1:03d}-L{TOPICS[j % 5]}-"
                        + ("P" if j % 11 == 10 else "T"),
                        "reflection": "",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        db.session.execute(insert(CeActivity), rows)
        db.session.commit()
        first = db.session.get(User, ids[0])

        report = _median(lambda: portfolio.compliance(db.session, today=today))
        short = len(portfolio.compliance(db.session, today=today, short_within=100))
        page = _median(lambda: portfolio.portfolio(db.session, first, today=today))
        p = portfolio.portfolio(db.session, first, today=today)
        html = render_template("cpd/transcript.html", p=p, generated_on=date.today())
        pdf_time = _median(lambda: pdf_from_html(html))
        size = len(pdf_from_html(html))
    print(
        f"compliance report, {MENTEES} mentees x {ACTIVITIES} activities: {report * 1000:.0f} ms"
        f" (median of {RUNS}); {short} within 100 days and short"
    )
    print(f"one portfolio (40 activities): {page * 1000:.1f} ms")
    print(f"transcript PDF (40 activities): {pdf_time * 1000:.0f} ms, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
