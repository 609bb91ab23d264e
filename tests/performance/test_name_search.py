"""Name search in one pass: the page and the number found agree with counting them apart, on
every page and past the last one; with PostgreSQL's trigram indexes (migration a16000000004)
the same people are found, `%` and `_` still taken literally."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.performance.test_query_counts import _grow


@pytest.fixture
def grown(app):  # noqa: ANN001, ANN201
    _grow(app, 30, 0)  # 30 mentors; per mentor a proposed, an unmatched and a paired mentee
    return app


def _review(app, **kwargs):  # noqa: ANN001, ANN003, ANN202
    from mentor_match.extensions import db
    from mentor_match.services.rounds.review import review_page

    with app.app_context():
        return review_page(db.session, 1, per_page=7, **kwargs)


def test_review_search_pages_and_totals(grown):  # noqa: ANN001
    seen = []
    for page in range(1, 6):
        found = _review(grown, q="mentee", page=page, unmatched_page=page)
        assert (found.total, found.pages, found.page) == (30, 5, page)
        assert found.unmatched_shown == 30 and found.unmatched_pages == 5
        seen += [m["mentee_name"] for m in found.matches]
    assert len(seen) == len(set(seen)) == 30
    assert seen == sorted(seen, key=str.lower)
    past = _review(grown, q="MENTEE", page=99, unmatched_page=99)
    assert (past.page, past.total, len(past.matches)) == (5, 30, 2)  # the last page instead
    assert (past.unmatched_page, len(past.unmatched)) == (5, 2)
    nothing = _review(grown, q="nobody at all", page=3)
    assert (nothing.total, nothing.page, nothing.matches) == (0, 1, [])
    assert (nothing.unmatched_shown, nothing.unmatched) == (0, [])
    one = _review(grown, q="mentee proposed 17")
    assert [m["mentee_name"] for m in one.matches] == ["Mentee proposed 17"]
    assert one.total == 1 and one.unmatched_shown == 0


def test_people_search_pages_and_totals(grown, make_user, token_for):  # noqa: ANN001
    headers = token_for(make_user("coordinator"))
    client = grown.test_client()
    emails = []
    for page in range(1, 5):
        answer = client.get(
            "/api/v1/mentees",
            query_string={"q": "waiting", "page": page, "per_page": 8},
            headers=headers,
        ).get_json()
        assert answer["total"] == 30
        emails += [p["email"] for p in answer["items"]]
    assert len(set(emails)) == 30
    past = client.get(
        "/api/v1/mentees", query_string={"q": "waiting", "page": 9}, headers=headers
    ).get_json()
    assert (past["total"], past["items"]) == (30, [])


def test_trigram_indexes_find_the_same_people(app, make_user, token_for):  # noqa: ANN001
    from mentor_match.database import add_name_search_indexes, drop_name_search_indexes
    from mentor_match.extensions import db

    make_user("mentee", email="ann_lee@example.org", name="Ann Lee")
    make_user("mentee", email="annxlee@example.org", name="Annx Lee")
    make_user("mentee", email="pct@example.org", name="100% Mentee")
    make_user("mentee", email="other@example.org", name="1000 Mentee")
    headers = token_for(make_user("coordinator"))
    with app.app_context():
        with db.engine.begin() as connection:
            made = add_name_search_indexes(connection)
        if db.engine.dialect.name != "postgresql":
            assert made is False  # nothing to do on SQLite
        else:
            assert made is True
            names = db.session.scalars(
                text("SELECT indexname FROM pg_indexes WHERE tablename = 'users'")
            ).all()
            assert {"ix_users_name_trgm", "ix_users_email_trgm"} <= set(names)
    client = app.test_client()
    try:
        for q, emails in (
            ("ann_", ["ann_lee@example.org"]),
            ("100%", ["pct@example.org"]),
            ("ANN LEE", ["ann_lee@example.org"]),
            ("lee@", ["ann_lee@example.org", "annxlee@example.org"]),
        ):
            answer = client.get("/api/v1/mentees", query_string={"q": q}, headers=headers)
            assert sorted(p["email"] for p in answer.get_json()["items"]) == emails, q
    finally:  # the run's other tests keep the schema they were written for
        with app.app_context(), db.engine.begin() as connection:
            drop_name_search_indexes(connection)
