"""No page or API route of a big programme asks the database once per row.

Each route is requested with 10 rows of everything it lists and again with 200; the number
of SQL statements it runs (counted with SQLAlchemy's `before_cursor_execute` event) must be
the same. CSV exports must stream: the answer is a generator, and the file arrives in parts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from tests.helpers import login

SITES = ("North", "South")


def _grow(app, n: int, start: int) -> None:  # noqa: ANN001
    """Add n mentors, and for each one a mentee in a mentorship with them, a mentee the round
    proposes for them, an unmatched mentee, a shift with a booking, and weekly availability."""
    from mentor_match.extensions import db
    from mentor_match.models import (
        AvailabilityWindow,
        Booking,
        MatchRound,
        MenteeProfile,
        MenteeSpecialty,
        MentorProfile,
        Mentorship,
        ProposedMatch,
        Shift,
        Site,
        Specialty,
        UnmatchedMentee,
        User,
    )

    with app.app_context():
        session = db.session
        sites = {s.name: s for s in session.query(Site)}
        for name in SITES:
            if name not in sites:
                sites[name] = Site(name=name, region="Midwest", timezone="America/Chicago")
                session.add(sites[name])
        specialties = session.query(Specialty).order_by(Specialty.id).limit(3).all()
        match_round = session.get(MatchRound, 1)
        if match_round is None:
            match_round = MatchRound(id=1, name="Autumn", status="proposed", stats={"matched": 0})
            session.add(match_round)
        now = datetime.now(UTC).replace(microsecond=0)
        for i in range(start, start + n):
            site = sites[SITES[i % 2]]
            mentor = User(email=f"mentor{i}@example.org", name=f"Mentor {i}", role="mentor")
            mentor.mentor_profile = MentorProfile(
                capacity=3, site=site, specialties=[specialties[i % 3]]
            )
            mentees = []
            for kind in ("paired", "proposed", "waiting"):
                mentee = User(email=f"{kind}{i}@example.org", name=f"Mentee {kind} {i}")
                mentee.role = "mentee"
                profile = MenteeProfile(site=site)
                profile.ranked_specialties = [MenteeSpecialty(specialty=specialties[i % 3], rank=1)]
                mentee.mentee_profile = profile
                mentees.append(mentee)
            session.add_all([mentor, *mentees])
            session.flush()
            for user in (mentor, *mentees):
                session.add(
                    AvailabilityWindow(
                        user_id=user.id, weekday=i % 5, start_minute=540, end_minute=1020
                    )
                )
            paired, proposed, waiting = mentees
            session.add(Mentorship(mentor_id=mentor.id, mentee_id=paired.id))
            session.add(
                ProposedMatch(
                    round_id=1,
                    mentee_id=proposed.id,
                    mentor_id=mentor.id,
                    score=0.5 + (i % 7) / 20,
                    breakdown={"specialty": 0.3, "availability": 0.2},
                )
            )
            session.add(
                UnmatchedMentee(
                    round_id=1,
                    mentee_id=waiting.id,
                    reason="mentors_full",
                    message="",
                    mentor_ids=[mentor.id],
                )
            )
            shift = Shift(
                mentor_id=mentor.id,
                start_at=now + timedelta(days=1 + i % 20, hours=i % 5),
                end_at=now + timedelta(days=1 + i % 20, hours=i % 5 + 3),
                seats=2,
                seats_taken=1,
                location="Main pharmacy",
                specialty_id=specialties[i % 3].id,
            )
            session.add(shift)
            session.flush()
            session.add(Booking(shift_id=shift.id, mentee_id=paired.id, status="confirmed"))
        session.commit()


def _first_waiting(app) -> int:  # noqa: ANN001
    from mentor_match.extensions import db
    from mentor_match.models import User

    with app.app_context():
        return db.session.query(User.id).filter_by(email="waiting0@example.org").scalar()


@contextmanager
def _counting(app) -> Iterator[list[str]]:  # noqa: ANN001
    from mentor_match.extensions import db

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


ROUTES = [
    ("participants, mentees", "/participants/?role=mentee"),
    ("participants, mentors", "/participants/?role=mentor&sort=site"),
    ("participants, waiting at a site", "/participants/?role=mentee&status=waiting&site=1"),
    ("participants, search a name", "/participants/?role=mentee&q=mentee+waiting"),
    ("round review", "/rounds/1"),
    ("round review, by score", "/rounds/1?sort=-score&q=Mentee"),
    ("round review, search, page 2", "/rounds/1?q=mentee&page=2&upage=2"),
    ("candidates", "/rounds/1/candidates?mentee_id={waiting}"),
    ("dashboard", "/dashboard"),
    ("export mentees", "/imports/export/mentees.csv"),
    ("export mentors", "/imports/export/mentors.csv"),
    ("API mentees", "/api/v1/mentees?per_page=100"),
    ("API mentees, search a name", "/api/v1/mentees?q=waiting&per_page=100"),
    ("API mentees, search, page 2", "/api/v1/mentees?q=mentee&page=2&per_page=10"),
    ("API mentors", "/api/v1/mentors?per_page=100"),
    ("API round", "/api/v1/rounds/1"),
    ("API round, one page", "/api/v1/rounds/1?per_page=50"),
    ("API candidates", "/api/v1/rounds/1/candidates?mentee_id={waiting}"),
    ("API dashboard", "/api/v1/dashboard"),
    ("API export mentees", "/api/v1/exports/mentees.csv"),
    ("API export mentors", "/api/v1/exports/mentors.csv"),
]


def _counts(app, client, api: dict[str, str], waiting: int) -> dict[str, int]:  # noqa: ANN001
    counts = {}
    for label, path in ROUTES:
        url = path.format(waiting=waiting)
        kwargs = {"headers": api} if url.startswith("/api/") else {}
        assert client.get(url, **kwargs).status_code == 200, label  # warm: caches filled
        with _counting(app) as statements:
            response = client.get(url, **kwargs)
            response.get_data()
        assert response.status_code == 200, label
        counts[label] = len(statements)
    return counts


def test_no_page_asks_once_per_row(app, client, make_user, token_for):  # noqa: ANN001
    coordinator = make_user("coordinator", email="coord@example.org")
    api = token_for(coordinator)
    login(client, "coord@example.org")
    _grow(app, 10, 0)
    waiting = _first_waiting(app)
    small = _counts(app, client, api, waiting)
    _grow(app, 190, 10)
    large = _counts(app, client, api, waiting)
    grew = {k: (small[k], large[k]) for k in small if large[k] > small[k]}
    assert not grew, f"queries grow with the rows (10 rows → 200 rows): {grew}"
    assert all(n < 40 for n in large.values()), large


@pytest.mark.parametrize(
    "path", ["/imports/export/mentees.csv", "/api/v1/exports/mentors.csv"], ids=["page", "API"]
)
def test_csv_exports_stream_in_parts(app, client, make_user, token_for, path):  # noqa: ANN001
    coordinator = make_user("coordinator", email="coord@example.org")
    api = token_for(coordinator)
    login(client, "coord@example.org")
    _grow(app, 60, 0)
    app.config["EXPORT_PAGE_SIZE"] = 25  # three mentee kinds a mentor: 180 mentees, 8 pages
    kwargs = {"headers": api} if path.startswith("/api/") else {}
    response = client.get(path, buffered=False, **kwargs)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Content-Length" not in response.headers
    chunks = [c for c in response.response if c]
    response.close()
    assert len(chunks) >= 3, "the file comes in parts, a page of rows at a time"
    text = b"".join(chunks).decode()
    lines = text.splitlines()
    people = 60 if "mentors" in path else 180
    assert len(lines) == people + 1  # the header, then one line a person
    emails = [line.split(",")[0] for line in lines[1:]]
    assert emails == sorted(emails), "ordered by email across pages"
    assert len(set(emails)) == people


def test_a_round_is_reviewed_a_page_at_a_time(app, client, make_user, token_for):  # noqa: ANN001
    coordinator = make_user("coordinator", email="coord@example.org")
    api = token_for(coordinator)
    login(client, "coord@example.org")
    _grow(app, 130, 0)
    whole = client.get("/api/v1/rounds/1", headers=api).get_json()
    assert len(whole["matches"]) == 130 and "matches_total" not in whole  # the contract's answer

    page = client.get("/api/v1/rounds/1?per_page=50&page=3&sort=-score", headers=api).get_json()
    assert (page["page"], page["per_page"]) == (3, 50)
    assert (page["matches_total"], page["unmatched_total"]) == (130, 130)
    assert len(page["matches"]) == 30 and len(page["unmatched"]) == 30
    best_first = sorted(whole["matches"], key=lambda m: (-m["score"], -m["mentee_id"]))
    assert [m["mentee_id"] for m in page["matches"]] == [m["mentee_id"] for m in best_first[100:]]

    found = client.get("/api/v1/rounds/1?q=proposed+12", headers=api).get_json()
    names = {m["mentee_name"] for m in found["matches"]}
    assert names == {"Mentee proposed 12"} | {f"Mentee proposed 12{n}" for n in range(10)}
    assert found["matches_total"] == 11 and found["unmatched_total"] == 0

    for query, field in (("page=0", "page"), ("per_page=501", "per_page"), ("sort=x", "sort")):
        refused = client.get(f"/api/v1/rounds/1?{query}", headers=api)
        assert refused.status_code == 422, query
        assert [d["field"] for d in refused.get_json()["error"]["details"]] == [field]

    html = client.get("/rounds/1?upage=2&sort=score").get_data(as_text=True)
    assert "Not matched (130)" in html
    assert "Page 2 of 2" in html and "Mentee waiting 129" in html
    assert "Mentee waiting 0<" not in html  # the first page of unmatched mentees is not shown
