"""Properties of the import service through the API: export → import is the identity on the
database, and bad rows anywhere in a good file are reported on exactly their lines."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from mentor_match.extensions import db
from mentor_match.importing import (
    DEFAULT_SPECIALTIES,
    MenteeRecord,
    MentorRecord,
    Window,
    mentees_to_csv,
    mentors_to_csv,
)
from mentor_match.models import (
    AvailabilityWindow,
    MenteePreference,
    MenteeProfile,
    MenteeSpecialty,
    MentorProfile,
    PendingImport,
    Site,
    User,
    mentor_specialties,
)
from tests.imports.imports_builders import mentee_line, mentees_file, people_state, table_counts

EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SLUGS = sorted(s.slug for s in DEFAULT_SPECIALTIES)
SITES = {"Lakeside General": "Midwest", "Harbor Center": "Northeast", "=Formula Site": "West"}
ZONES = ["America/Chicago", "America/New_York", "Europe/London", "Asia/Kolkata", "UTC"]

# Names and free text a spreadsheet may hold: punctuation, quotes, commas, formula starts.
text = (
    st.text(
        st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=30
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def windows(draw) -> tuple[Window, ...]:
    days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=4, unique=True))
    found = []
    for day in sorted(days):
        start = draw(st.integers(0, 22)) * 60
        end = draw(st.integers(start // 60 + 1, 24)) * 60
        found.append(Window(day, start, end))
    return tuple(found)


def _common(draw, index: int) -> dict:
    site = draw(st.sampled_from(sorted(SITES)))
    return {
        "line": 0,
        "email": f"person{index}@example.org",
        "name": draw(text),
        "site": site,
        "region": SITES[site],
        "timezone": draw(st.sampled_from(ZONES)),
        "availability": draw(windows()),
    }


@st.composite
def mentors(draw) -> list[MentorRecord]:
    count = draw(st.integers(1, 8))
    return [
        MentorRecord(
            **_common(draw, i),
            specialties=tuple(sorted(draw(st.sets(st.sampled_from(SLUGS), min_size=1)))),
            capacity=draw(st.integers(1, 10)),
            credentials=draw(st.one_of(st.just(""), text)),
            years_experience=draw(st.one_of(st.none(), st.integers(0, 70))),
            bio=draw(st.one_of(st.just(""), text)),
        )
        for i in range(count)
    ]


@st.composite
def mentees(draw) -> list[MenteeRecord]:
    count = draw(st.integers(1, 8))
    return [
        MenteeRecord(
            **_common(draw, 100 + i),
            specialties=tuple(draw(st.lists(st.sampled_from(SLUGS), min_size=1, unique=True))),
            goals=draw(st.one_of(st.just(""), text)),
            preferred_mentors=tuple(
                f"person{j}@example.org"
                for j in draw(st.lists(st.integers(0, 7), max_size=3, unique=True))
            ),
        )
        for i in range(count)
    ]


def _reset() -> None:
    for statement in (
        delete(MenteePreference),
        delete(MenteeSpecialty),
        delete(mentor_specialties),
        delete(AvailabilityWindow),
        delete(MentorProfile),
        delete(MenteeProfile),
        delete(PendingImport),
        delete(User).where(User.role != "coordinator"),
        delete(Site),
    ):
        db.session.execute(statement)
    db.session.commit()


@pytest.fixture
def headers(make_user, token_for):
    token = token_for(make_user("coordinator", email="coord@example.org"))
    return {**token, "Content-Type": "text/csv"}


def _expected(record: MentorRecord | MenteeRecord) -> dict:
    data = {
        "email": record.email,
        "name": record.name,
        "site": record.site,
        "region": record.region,
        "timezone": record.timezone,
        "specialties": list(record.specialties),
        "availability": [str(w) for w in record.availability],
    }
    if isinstance(record, MentorRecord):
        data.update(
            capacity=record.capacity,
            credentials=record.credentials,
            years_experience=record.years_experience,
            bio=record.bio,
        )
    else:
        data.update(goals=record.goals, preferred_mentors=list(record.preferred_mentors))
    return data


@EXAMPLES
@given(mentor_records=mentors(), mentee_records=mentees())
def test_export_then_import_leaves_the_database_unchanged(
    app, client, headers, mentor_records, mentee_records
):
    with app.app_context():
        _reset()
    for kind, to_csv, records in (
        ("mentors", mentors_to_csv, mentor_records),
        ("mentees", mentees_to_csv, mentee_records),
    ):
        role = kind[:-1]
        response = client.post(f"/api/v1/imports/{kind}", data=to_csv(records), headers=headers)
        assert response.status_code == 200, response.get_json()
        with app.app_context():
            expected = sorted((_expected(r) for r in records), key=lambda r: r["email"])
            state = [{key: row[key] for key in expected[0]} for row in people_state(role)]
            assert state == expected
            before, counts = people_state(role), table_counts()
        exported = client.get(f"/api/v1/exports/{kind}.csv", headers=headers).data
        again = client.post(f"/api/v1/imports/{kind}", data=exported, headers=headers)
        assert again.get_json()["created"] == 0
        assert again.get_json()["updated"] == len(records)
        with app.app_context():
            assert people_state(role) == before
            assert table_counts() == counts
        assert client.get(f"/api/v1/exports/{kind}.csv", headers=headers).data == exported


BAD_CELLS = [
    {"timezone": "Mars/Olympus"},
    {"availability": "Someday 09:00-10:00"},
    {"availability": "Mon 10:00-09:00"},
    {"email": "not-an-email"},
    {"email": "coord@example.org"},  # a coordinator's email
    {"specialties": "astrology"},
    {"name": ""},
    {"site": "Lakeside General", "region": "Atlantis"},  # the site is in the Midwest
]


@EXAMPLES
@given(
    good=st.integers(1, 12),
    injected=st.lists(
        st.tuples(st.integers(0, 12), st.sampled_from(range(len(BAD_CELLS)))),
        min_size=1,
        max_size=5,
    ),
)
def test_bad_rows_are_reported_on_exactly_their_lines(app, client, headers, good, injected):
    with app.app_context():
        _reset()
    first = client.post(
        "/api/v1/imports/mentees",
        data=mentees_file(mentee_line(0, site="Lakeside General")),
        headers=headers,
    )
    assert first.status_code == 200
    rows = [(mentee_line(n), False) for n in range(1, good + 1)]
    for position, bad in sorted(injected, reverse=True):
        line = mentee_line(1000 + position * 10 + bad, **BAD_CELLS[bad])
        rows.insert(min(position, len(rows)), (line, True))
    lines = [line for line, _ in rows]
    bad_lines = {index + 2 for index, (_, is_bad) in enumerate(rows) if is_bad}
    with app.app_context():
        before = table_counts()
    response = client.post("/api/v1/imports/mentees", data=mentees_file(*lines), headers=headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_csv"
    assert {detail["line"] for detail in error["details"]} == bad_lines
    with app.app_context():
        assert table_counts() == before
