"""Time a match round through the app: load the pool from the database, solve, store the proposal.

Seeds a fresh database (a SQLite file; and PostgreSQL too when
``MENTOR_MATCH_TEST_POSTGRES_URL`` is set, in a database of its own that is created and
dropped) with a realistic programme from ``generate_round.generate`` -- 10,000 mentees and
4,000 mentors by default -- using bulk inserts, then runs ``run_round`` in a fresh process
so the peak memory figure is the run's own. Prints load / solve / store seconds, the total,
the peak resident memory, and the ratio to a bare scipy solve of the same round's full graph
(target: at most 2x).

    python benchmarks/round_end_to_end.py [--mentees 10000] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MENTOR_ID_BASE = 100_000  # database ids of mentors start here, mentees at 1


def _app(url: str):  # noqa: ANN202
    from mentor_match import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": url,
            "OUTBOX_DIR": tempfile.mkdtemp(prefix="mm-outbox-"),
            "MAIL_SERVER": None,
        }
    )


def seed(url: str, n_mentees: int, seed_value: int) -> int:
    """Create the schema and the programme; returns the id of a draft round over it."""
    from generate_round import generate
    from sqlalchemy import insert

    from mentor_match.database import utcnow
    from mentor_match.extensions import db
    from mentor_match.importing.specialties import DEFAULT_SPECIALTIES
    from mentor_match.models import (
        AvailabilityWindow,
        MatchRound,
        MenteePreference,
        MenteeProfile,
        MenteeSpecialty,
        MentorProfile,
        Mentorship,
        RoundExclusion,
        Site,
        Specialty,
        User,
        mentor_specialties,
    )

    data = generate(n_mentees, seed_value)
    app = _app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        session = db.session
        session.execute(
            insert(Specialty),
            [
                {"id": i, "slug": s.slug, "name": s.name}
                for i, s in enumerate(DEFAULT_SPECIALTIES, 1)
            ],
        )
        spec_id = {s.slug: i for i, s in enumerate(DEFAULT_SPECIALTIES, 1)}
        sites: dict[str, int] = {}
        zones: dict[str, str] = {}
        for person in [*data.mentors, *data.mentees]:
            if person.site not in sites:
                sites[person.site] = len(sites) + 1
                zones[person.site] = person.timezone
        regions = {p.site: p.region for p in [*data.mentors, *data.mentees]}
        session.execute(
            insert(Site),
            [
                {"id": i, "name": name, "region": regions[name], "timezone": zones[name]}
                for name, i in sites.items()
            ],
        )

        def mentor_db_id(generated: int) -> int:
            return MENTOR_ID_BASE + generated

        now = utcnow()
        users = [
            {
                "id": m.id,
                "email": f"mentee{m.id}@example.org",
                "name": f"Mentee {m.id}",
                "role": "mentee",
                "active": True,
                "timezone": m.timezone,
                "created_at": now,
            }
            for m in data.mentees
        ] + [
            {
                "id": mentor_db_id(m.id),
                "email": f"mentor{m.id}@example.org",
                "name": f"Mentor {m.id}",
                "role": "mentor",
                "active": True,
                "timezone": m.timezone,
                "created_at": now,
            }
            for m in data.mentors
        ]
        session.execute(insert(User), users)
        session.execute(
            insert(MentorProfile),
            [
                {
                    "id": k,
                    "user_id": mentor_db_id(m.id),
                    "site_id": sites[m.site],
                    "capacity": m.capacity,
                }
                for k, m in enumerate(data.mentors, 1)
            ],
        )
        session.execute(
            insert(MenteeProfile),
            [
                {"id": k, "user_id": m.id, "site_id": sites[m.site]}
                for k, m in enumerate(data.mentees, 1)
            ],
        )
        session.execute(
            insert(mentor_specialties),
            [
                {"mentor_profile_id": k, "specialty_id": spec_id[s]}
                for k, m in enumerate(data.mentors, 1)
                for s in m.specialties
            ],
        )
        session.execute(
            insert(MenteeSpecialty),
            [
                {"mentee_profile_id": k, "specialty_id": spec_id[s], "rank": r}
                for k, m in enumerate(data.mentees, 1)
                for r, s in enumerate(m.specialties, 1)
            ],
        )
        prefs = [
            {
                "mentee_profile_id": k,
                "mentor_email": f"mentor{mentor_id}@example.org",
                "rank": r,
            }
            for k, m in enumerate(data.mentees, 1)
            for r, mentor_id in enumerate(m.preferred_mentors, 1)
        ]
        if prefs:
            session.execute(insert(MenteePreference), prefs)
        session.execute(
            insert(AvailabilityWindow),
            [
                {
                    "user_id": uid,
                    "weekday": w.weekday,
                    "start_minute": w.start_minute,
                    "end_minute": w.end_minute,
                }
                for uid, person in [(m.id, m) for m in data.mentees]
                + [(mentor_db_id(m.id), m) for m in data.mentors]
                for w in person.windows
            ],
        )
        # Pairs "matched in an earlier round" are past (ended) mentorships: they use no place.
        if data.past_pairs:
            session.execute(
                insert(Mentorship),
                [
                    {
                        "mentee_id": mentee,
                        "mentor_id": mentor_db_id(mentor),
                        "created_at": now,
                        "ended_at": now,
                    }
                    for mentee, mentor in sorted(data.past_pairs)
                ],
            )
        match_round = MatchRound(name="Benchmark", weights={}, min_overlap_hours=2.0, stats={})
        session.add(match_round)
        session.flush()
        if data.exclusions:
            session.execute(
                insert(RoundExclusion),
                [
                    {
                        "round_id": match_round.id,
                        "mentee_id": mentee,
                        "mentor_id": mentor_db_id(mentor),
                        "created_at": now,
                    }
                    for mentee, mentor in sorted(data.exclusions)
                ],
            )
        session.commit()
        round_id = match_round.id
        db.session.remove()
        db.engine.dispose()
    return round_id


def run(url: str, round_id: int) -> None:
    """The timed part, in its own process: claim, run, commit; print the figures."""
    from mentor_match.extensions import db
    from mentor_match.services import rounds

    app = _app(url)
    with app.app_context():
        started = perf_counter()
        rounds.start_run(db.session, round_id)
        db.session.commit()
        match_round = rounds.run_round(db.session, round_id)
        db.session.commit()
        total = perf_counter() - started
        stats = rounds.get_round(db.session, round_id).stats
        status = match_round.status
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # The yardstick: scipy alone on the same round's full graph (every feasible pair, one
        # column per place and one unmatched column per mentee), timed after the run.
        from scipy.sparse.csgraph import min_weight_full_bipartite_matching

        from mentor_match.matching.solver import prepare
        from mentor_match.services.rounds.pool import load_round_input

        pool = load_round_input(db.session, rounds.get_round(db.session, round_id))
        graph = prepare(pool.data)[2].sparse_graph()
        bare_started = perf_counter()
        min_weight_full_bipartite_matching(graph)
        bare = perf_counter() - bare_started
        db.engine.dispose()
    print(
        f"  status {status}: {stats.get('matched')} of {stats.get('mentees')} mentees matched "
        f"(max {stats.get('max_matchable')}), {stats.get('mentors')} mentors, "
        f"{stats.get('feasible_pairs')} feasible pairs, solver {stats.get('solver')}"
    )
    print(
        f"  load {stats['load_seconds']:.2f} s | solve {stats['solver_total_seconds']:.2f} s "
        f"(scores {stats['score_seconds']:.2f} s, assignment {stats['solve_seconds']:.2f} s) | "
        f"store {stats['store_seconds']:.2f} s | total with commits {total:.2f} s | "
        f"peak RSS {peak_mb:.0f} MB"
    )
    print(
        f"  bare scipy solve of the same round {bare:.2f} s: the whole run is "
        f"{total / bare:.2f}x that (target: at most 2x)"
    )


def bench(url: str, label: str, n_mentees: int, seed_value: int) -> None:
    print(f"{label}: {n_mentees} mentees, {round(n_mentees / 2.5)} mentors")
    started = perf_counter()
    round_id = seed(url, n_mentees, seed_value)
    print(f"  seeded in {perf_counter() - started:.1f} s")
    subprocess.run(
        [sys.executable, __file__, "--run-only", url, str(round_id)],
        check=True,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parent)},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--run-only", nargs=2, metavar=("URL", "ROUND_ID"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_only:
        run(args.run_only[0], int(args.run_only[1]))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{folder}/bench.sqlite3", "SQLite", args.mentees, args.seed)
    base = os.environ.get("MENTOR_MATCH_TEST_POSTGRES_URL")
    if not base:
        return
    from tests.servers import postgres_database

    with postgres_database(base) as url:
        bench(url, "PostgreSQL", args.mentees, args.seed)


if __name__ == "__main__":
    main()
