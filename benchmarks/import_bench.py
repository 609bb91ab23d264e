"""Import 4,000 mentors and 10,000 mentees from CSV, then re-import them (all updates).

Runs through the same service and commit as the API, on a SQLite file in a temporary folder and,
when MENTOR_MATCH_TEST_POSTGRES_URL is set, on a PostgreSQL database of its own (created and
dropped here). Prints seconds, the tracemalloc peak and the process's peak RSS for each step.

Timings come from a pass without tracemalloc (it slows Python down several times); the
tracemalloc peaks from a second pass on a fresh database.

    .venv/bin/python benchmarks/import_bench.py [--mentors 4000] [--mentees 10000]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from benchmarks.import_data import mentees_csv, mentors_csv  # noqa: E402
from tests.servers import postgres_database  # noqa: E402


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(url: str, files: dict[str, bytes], outbox: str, *, trace: bool) -> list[tuple]:
    from mentor_match import create_app
    from mentor_match.extensions import db
    from mentor_match.importing import DEFAULT_SPECIALTIES
    from mentor_match.models import AvailabilityWindow, Specialty, User
    from mentor_match.services import imports

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "OUTBOX_DIR": outbox})
    results = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.add_all(Specialty(slug=s.slug, name=s.name) for s in DEFAULT_SPECIALTIES)
        db.session.commit()
        for label in ("import", "re-import"):
            for kind in ("mentors", "mentees"):
                data = files[kind]
                if trace:
                    tracemalloc.start()
                started = time.perf_counter()
                summary = imports.import_people(
                    db.session, kind, data, base_url="https://mm.example.org/", secret_key="bench"
                )
                db.session.commit()
                seconds = time.perf_counter() - started
                peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
                if trace:
                    tracemalloc.stop()
                db.session.remove()
                results.append(
                    (
                        f"{label} {kind}",
                        seconds,
                        peak,
                        max_rss_mb(),
                        summary.created,
                        summary.updated,
                    )
                )
        users = db.session.scalar(select(func.count(User.id)))
        windows = db.session.scalar(select(func.count(AvailabilityWindow.id)))
        # The explicit "send invitations" action, writing one .eml per person into the outbox.
        started = time.perf_counter()
        invited = 0
        imports.invite_everyone_without_password(db.session, "https://mm.example.org/")
        db.session.commit()
        # What the worker then does: the invitations written to the outbox, a batch at a time.
        while count := imports.write_pending_invitations(db.session, secret_key="bench"):
            db.session.commit()
            invited += count
        seconds = time.perf_counter() - started
        results.append(("send invitations", seconds, None, max_rss_mb(), invited, 0))
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    print(f"  ({users} users, {windows} availability windows in the database)")
    return results


def report(backend: str, timed: list[tuple], traced: list[tuple]) -> None:
    print(f"\n== {backend}")
    print(f"{'step':<22}{'seconds':>9}{'tracemalloc MB':>16}{'max RSS MB':>12}  created/updated")
    for (step, seconds, _, rss, created, updated), traced_row in zip(timed, traced, strict=False):
        peak = traced_row[2]
        peak_text = f"{peak:16.1f}" if peak is not None else f"{'—':>16}"
        print(f"{step:<22}{seconds:9.2f}{peak_text}{rss:12.0f}  {created}/{updated}")
    total = sum(row[1] for row in timed if row[0].startswith("import "))
    print(f"{'first import, total':<22}{total:9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=4000)
    parser.add_argument("--mentees", type=int, default=10000)
    args = parser.parse_args()
    files = {
        "mentors": mentors_csv(args.mentors),
        "mentees": mentees_csv(args.mentees, args.mentors),
    }
    print(
        f"{args.mentors} mentors ({len(files['mentors']) / 2**20:.1f} MB),"
        f" {args.mentees} mentees ({len(files['mentees']) / 2**20:.1f} MB)"
    )
    backends: list[tuple[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        backends.append(("SQLite", lambda: f"sqlite:///{folder}/bench.sqlite3"))
        base = os.environ.get("MENTOR_MATCH_TEST_POSTGRES_URL")
        for name, url_of in backends + ([("PostgreSQL", None)] if base else []):
            if url_of is None:
                with postgres_database(base) as url:
                    timed = run(url, files, f"{folder}/outbox-pg-1", trace=False)
                    traced = run(url, files, f"{folder}/outbox-pg-2", trace=True)
            else:
                url = url_of()
                timed = run(url, files, f"{folder}/outbox-1", trace=False)
                Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
                traced = run(url, files, f"{folder}/outbox-2", trace=True)
            report(name, timed, traced)


if __name__ == "__main__":
    main()
