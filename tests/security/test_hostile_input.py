"""Hostile input through the API: arbitrary bytes, text and JSON get a clear 4xx, never a 500,
and a refused request writes nothing."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import Programme, shift_times

EXAMPLES_RUN: list[str] = []
FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
MENTEE_HEADER = ["email", "name", "site", "region", "timezone", "specialties", "availability"]
MENTOR_HEADER = MENTEE_HEADER + ["capacity"]
GOOD = {
    "email": "fuzz@example.org",
    "name": "Fuzz",
    "site": "North",
    "region": "Midwest",
    "timezone": "America/Chicago",
    "specialties": "oncology",
    "availability": "Mon 08:00-12:00",
    "capacity": "2",
}
BIG_ID = "99999999999999999999"


@pytest.fixture(autouse=True, scope="module")
def _report_examples():
    yield
    print(f"\nhostile input: {len(EXAMPLES_RUN)} generated examples run")


def _csv(header: list[str], row: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode("utf-8", "surrogatepass")


def _people(app) -> list[tuple[Any, ...]]:
    from mentor_match.extensions import db
    from mentor_match.models import AvailabilityWindow, Site, User

    with app.app_context():
        found = [
            db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (User, Site, AvailabilityWindow)
        ]
        db.session.rollback()
        return found


def _assert_csv_answer(response, before, after) -> None:
    assert response.status_code in (200, 422), (response.status_code, response.get_data()[:300])
    if response.status_code == 422:
        error = response.get_json()["error"]
        assert error["code"] == "invalid_csv"
        assert error["details"], error
        for item in error["details"]:
            assert {"line", "column", "message"} <= set(item), item
            assert isinstance(item["message"], str) and item["message"]
        assert after == before, "a refused import wrote something"


cells = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", " ", '"', "\x00", "=cmd|' /C calc'!A0", "\u202e", "\ufeff", "\r\n"]),
)


@pytest.mark.parametrize("kind", ["mentors", "mentees"])
def test_arbitrary_bytes_as_a_csv_import(app, client, programme: Programme, kind: str):
    headers = programme.api["coordinator"]
    header = MENTOR_HEADER if kind == "mentors" else MENTEE_HEADER

    bodies = st.one_of(
        st.binary(max_size=2000),
        st.builds(
            lambda column, value: _csv(header, {**GOOD, column: value}),
            st.sampled_from(header),
            cells,
        ),
        st.builds(
            lambda prefix, tail: prefix + tail,
            st.sampled_from([b"\xef\xbb\xbf", b"", b"\xff\xfe"]),
            st.binary(max_size=500),
        ),
    )

    @given(body=bodies)
    @FUZZ
    def run(body: bytes) -> None:
        EXAMPLES_RUN.append(f"csv {kind}")
        before = _people(app)
        response = client.post(
            f"/api/v1/imports/{kind}", data=body, content_type="text/csv", headers=headers
        )
        _assert_csv_answer(response, before, _people(app))

    run()


def test_arbitrary_text_as_availability(app, client, programme: Programme):
    from mentor_match.importing.availability import AvailabilityError, parse_availability

    headers = programme.api["coordinator"]

    @given(
        text=st.one_of(
            st.text(max_size=60),
            st.text(alphabet="MonTuWedFriSatSu0123456789:-;. 24", max_size=40),
        )
    )
    @FUZZ
    def run(text: str) -> None:
        EXAMPLES_RUN.append("availability")
        before = _people(app)
        body = _csv(MENTEE_HEADER, {**GOOD, "availability": text})
        response = client.post(
            "/api/v1/imports/mentees", data=body, content_type="text/csv", headers=headers
        )
        _assert_csv_answer(response, before, _people(app))
        try:
            parse_availability(text.strip())
        except AvailabilityError:
            assert response.status_code == 422
            columns = {d["column"] for d in response.get_json()["error"]["details"]}
            assert "availability" in columns or None in columns, columns

    run()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "2026-13-45T99:00:00+00:00",
            "2030-01-01T10:00:00",
            "2030-01-01",
            "not a date",
            2**63,
            -(2**63) - 1,
            10**30,
            1e308,
            -1,
            0,
            "1",
            "true",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=5,
)

FIXED_VALUES = [None, True, 0, -1, 2**63, 1.5, "", "x" * 10_000, [], {}, "2030-01-01T10:00:00"]

# Each JSON field and the kind of value it takes: anything else must be a 4xx.
KINDS = {
    "start": "datetime",
    "end": "datetime",
    "seats": "int",
    "location": "str",
    "specialty": "str",
    "open_to_all": "bool",
    "notes": "str",
    "mentor_id": "int",
    "name": "str",
    "weights": "object",
    "min_overlap_hours": "number",
    "mentee_id": "int",
    "waitlist": "bool",
    "attended": "bool",
    "hours": "number",
    # guidance and feedback
    "ratings": "container",
    "strengths": "str",
    "next_steps": "str",
    "learned": "str",
    "apply": "str",
    "session_rating": "int",
    "comment_to_coordinator": "str",
    "competency_id": "int",
    "note": "str",
    "title": "str",
    "target_date": "str",
    "date": "str",
    "minutes": "int",
    "stage": "str",
    "comment": "str",
    "code": "str",
    "description": "str",
    "active": "bool",
}


def _fits(kind: str, value: Any) -> bool:
    if value is None:
        return True  # optional fields may be null; the status check below still holds
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "container":
        return isinstance(value, list | dict)
    return isinstance(value, str)


def _started_booking(app, p: Programme) -> int:
    from mentor_match.extensions import db
    from mentor_match.models import Booking, Shift

    with app.app_context():
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        shift = Shift(
            mentor_id=p.ids["mentor_b"],
            start_at=start,
            end_at=start + timedelta(hours=3),
            seats=2,
            seats_taken=1,
        )
        db.session.add(shift)
        db.session.flush()
        booking = Booking(shift_id=shift.id, mentee_id=p.ids["mentee_b"], status="confirmed")
        db.session.add(booking)
        db.session.commit()
        return booking.id


def _open_shift(app, p: Programme) -> int:
    from mentor_match.extensions import db
    from mentor_match.models import Shift

    with app.app_context():
        count = db.session.scalar(db.select(db.func.count()).select_from(Shift))
        start, end = shift_times(hours=24 * 40 + 4 * count)
        shift = Shift(
            mentor_id=p.ids["mentor_a"], start_at=start, end_at=end, seats=2, open_to_all=True
        )
        db.session.add(shift)
        db.session.commit()
        return shift.id


def _endpoints(app, p: Programme) -> list[tuple[str, str, str, dict[str, Any], Any]]:
    """(label, method, who, valid body, url maker) for each JSON endpoint we fuzz."""
    start, end = shift_times(hours=24 * 9)
    shift = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "seats": 2,
        "location": "Lab",
        "specialty": "oncology",
        "open_to_all": False,
        "notes": "",
    }
    pair = {"mentee_id": p.ids["mentee_a"], "mentor_id": p.ids["mentor_a"]}
    attendance = _started_booking(app, p)
    return [
        ("create shift", "POST", "mentor_a", shift, lambda: "/api/v1/shifts"),
        (
            "create shift (coordinator)",
            "POST",
            "coordinator",
            shift | {"mentor_id": p.ids["mentor_a"]},
            lambda: "/api/v1/shifts",
        ),
        ("update shift", "PATCH", "mentor_b", shift, lambda: f"/api/v1/shifts/{p.shift_id}"),
        (
            "create round",
            "POST",
            "coordinator",
            {"name": "R", "weights": {}, "min_overlap_hours": 2},
            lambda: "/api/v1/rounds",
        ),
        ("pin", "POST", "coordinator", pair, lambda: f"/api/v1/rounds/{p.round_id}/pins"),
        (
            "exclusion",
            "POST",
            "coordinator",
            pair,
            lambda: f"/api/v1/rounds/{p.round_id}/exclusions",
        ),
        (
            "book",
            "POST",
            "mentee_a",
            {"waitlist": False},
            lambda: f"/api/v1/shifts/{_open_shift(app, p)}/bookings",
        ),
        (
            "attendance",
            "POST",
            "mentor_b",
            {"attended": True, "hours": 1},
            lambda: f"/api/v1/bookings/{attendance}/attendance",
        ),
        *_guidance_endpoints(app, p),
    ]


def _guidance_endpoints(app, p: Programme) -> list[tuple[str, str, str, dict[str, Any], Any]]:
    from mentor_match.extensions import db
    from mentor_match.models import Mentorship
    from mentor_match.services.feedback.agreements import MENTEE_QUESTIONS

    with app.app_context():
        mentorship = db.session.scalar(
            db.select(Mentorship.id).where(Mentorship.mentee_id == p.ids["mentee_b"])
        )

    booking, mentee = p.attended_booking_id, p.ids["mentee_b"]
    feedback = {"ratings": [{"competency_id": p.competency_id, "level": 2}], "strengths": "s"}
    feedback |= {"next_steps": "n"}
    reflection = {"learned": "a", "apply": "b", "session_rating": 3, "comment_to_coordinator": ""}
    evaluation = {"stage": "midpoint", "ratings": dict.fromkeys(MENTEE_QUESTIONS, 4), "comment": ""}
    competency = {"code": "FUZZ-1", "title": "t", "description": "", "specialty": "oncology"}
    return [
        ("feedback", "POST", "mentor_b", feedback, lambda: f"/api/v1/bookings/{booking}/feedback"),
        (
            "edit feedback",
            "PATCH",
            "mentor_b",
            feedback,
            lambda: f"/api/v1/bookings/{booking}/feedback",
        ),
        (
            "reflection",
            "POST",
            "mentee_b",
            reflection,
            lambda: f"/api/v1/bookings/{booking}/reflection",
        ),
        (
            "sign-off",
            "POST",
            "mentor_b",
            {"competency_id": p.competency_id, "note": ""},
            lambda: f"/api/v1/mentees/{mentee}/signoffs",
        ),
        (
            "goal",
            "POST",
            "mentee_b",
            {"title": "t", "target_date": "2027-01-01"},
            lambda: f"/api/v1/mentorships/{mentorship}/goals",
        ),
        (
            "check-in",
            "POST",
            "mentor_b",
            {"date": datetime.now(UTC).date().isoformat(), "minutes": 20, "notes": ""},
            lambda: f"/api/v1/mentorships/{mentorship}/checkins",
        ),
        (
            "evaluation",
            "POST",
            "mentee_b",
            evaluation,
            lambda: f"/api/v1/mentorships/{mentorship}/evaluations",
        ),
        ("competency", "POST", "coordinator", competency, lambda: "/api/v1/competencies"),
        (
            "edit competency",
            "PATCH",
            "coordinator",
            competency | {"active": True},
            lambda: f"/api/v1/competencies/{p.competency_id}",
        ),
    ]


def test_arbitrary_json_values_in_every_field(app, client, programme: Programme):
    p = programme
    cases = [
        (label, method, who, body, url, field)
        for label, method, who, body, url in _endpoints(app, p)
        for field in body
    ]

    def check(case, value) -> None:  # noqa: ANN001
        label, method, who, body, url, field = case
        response = client.open(
            url(),
            method=method,
            data=json.dumps(body | {field: value}),
            content_type="application/json",
            headers=p.api[who],
        )
        answer = f"{label}.{field}={value!r}: {response.status_code} {response.get_data()[:300]}"
        assert response.status_code < 500, answer
        if not _fits(KINDS[field], value):
            assert 400 <= response.status_code < 500, answer
        if response.status_code >= 400:
            assert response.get_json()["error"]["message"], answer

    # Every field first gets each wrong type and some wrong values, then generated ones.
    for case in cases:
        for value in FIXED_VALUES:
            check(case, value)

    @given(case=st.sampled_from(cases), value=json_values)
    @FUZZ
    def run(case, value) -> None:  # noqa: ANN001
        EXAMPLES_RUN.append(f"json {case[0]}.{case[5]}")
        check(case, value)

    run()


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b'"text"',
        b"null",
        b"\xff\xfe",
        b'{"a": ' * 2000 + b"1" + b"}" * 2000,
        b'{"seats": 1e999}',
        b'{"seats": NaN}',
    ],
)
def test_broken_json_bodies(client, programme: Programme, body: bytes):
    p = programme
    for method, url, who in (
        ("POST", "/api/v1/shifts", "mentor_b"),
        ("PATCH", f"/api/v1/shifts/{p.shift_id}", "mentor_b"),
        ("POST", "/api/v1/rounds", "coordinator"),
        ("POST", f"/api/v1/rounds/{p.round_id}/pins", "coordinator"),
        ("POST", f"/api/v1/shifts/{p.shift_id}/bookings", "mentee_b"),
        ("POST", f"/api/v1/bookings/{p.booking_id}/attendance", "mentor_b"),
    ):
        response = client.open(
            url, method=method, data=body, content_type="application/json", headers=p.api[who]
        )
        assert 400 <= response.status_code < 500, (method, url, body[:20], response.status)
        assert response.get_json()["error"]["code"]


def test_an_upload_over_the_limit_is_413_json_on_the_api(app, client, programme: Programme):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    for kind in ("mentors", "mentees"):
        response = client.post(
            f"/api/v1/imports/{kind}",
            data=b"x" * 10_000,
            content_type="text/csv",
            headers=programme.api["coordinator"],
        )
        assert response.status_code == 413
        assert response.get_json()["error"]["code"] == "too_large"
    response = client.post(
        "/api/v1/shifts",
        data=b"{" * 10_000,
        content_type="application/json",
        headers=programme.api["mentor_b"],
    )
    assert response.status_code == 413
    assert response.is_json


def test_an_upload_over_the_limit_gets_the_friendly_page(app, programme: Programme):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    p = programme
    response = p.pages["coordinator"].post(
        "/imports/preview",
        data={
            "csrf_token": p.csrf["coordinator"],
            "kind": "mentees",
            "file": (io.BytesIO(b"x" * 10_000), "big.csv"),
        },
        headers={"X-CSRFToken": p.csrf["coordinator"]},
    )
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "0.00390625 MB" in page or "4 KB" in page or "limit" in page.lower()


def _error_flashed(client) -> bool:
    with client.session_transaction() as session:
        return any(category == "error" for category, _ in session.pop("_flashes", []))


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        if any(name.endswith("_id") for name in rule.arguments):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule, method


@pytest.mark.parametrize("big", [BIG_ID, str(2**31), str(2**63), "0"])
def test_ids_out_of_range_are_404(app, programme: Programme, big: str):
    p = programme
    checked = 0
    for rule, method in _int_rules(app):
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", big)
        if rule.endpoint.startswith("api."):
            coordinator_only = ("round", "mentorships", "/people/", "/outbox/", "/coordinators/")
            who = (
                "coordinator"
                if any(part in path for part in coordinator_only) or method == "GET"
                else "mentor_b"
            )
            if rule.endpoint in ("api.submit_ranking", "api.my_ranking"):
                who = "mentor_b"  # rankings are the participants' own
            if "bookings" in path and method == "POST" and "attendance" not in path:
                who = "mentee_b"
            if "/cpd/" in path:  # a mentee's own activities; coordinators read anyone's
                who = "coordinator" if "/mentees/" in path or method == "GET" else "mentee_b"
            query = {"mentee_id": p.ids["mentee_b"]} if path.endswith("candidates") else {}
            response = p.pages["anonymous"].open(
                path, method=method, json={}, headers=p.api[who], query_string=query
            )
            assert response.status_code == 404, (method, path, response.status)
            assert response.get_json()["error"]["code"] == "not_found"
        else:
            area = rule.endpoint.split(".")[0]
            who = "coordinator" if area in ("rounds", "participants", "outbox") else "mentor_b"
            if rule.endpoint in (
                "shifts.hand_over",
                "preferences.submitted",
                "preferences.close",
            ):
                who = "coordinator"
            if area == "bookings":
                who = "mentee_b"
            if area == "cpd":
                who = "coordinator" if "/mentees/" in path else "mentee_b"
            client = p.pages[who]
            response = client.open(path, method=method, data={"csrf_token": p.csrf[who]})
            if response.status_code == 403 and who != "coordinator":
                # A page only coordinators use (outbox, competencies, reports): ask as one.
                who = "coordinator"
                client = p.pages[who]
                response = client.open(path, method=method, data={"csrf_token": p.csrf[who]})
            refused = response.status_code == 404 or (
                response.status_code == 302 and _error_flashed(client)
            )
            assert refused, (method, path, who, response.status)
        checked += 1
    assert checked > 20


@pytest.mark.parametrize(
    ("url", "who"),
    [
        (f"/api/v1/shifts?mentor_id={BIG_ID}", "coordinator"),
        ("/api/v1/shifts?mentor_id=abc", "coordinator"),
        ("/api/v1/shifts?from=2026-02-30", "mentor_b"),
        ("/api/v1/shifts?from=yesterday", "mentor_b"),
        ("/api/v1/shifts?to=2030-01-01T10:00:00", "mentor_b"),
        ("/api/v1/shifts?bookable=maybe", "mentee_b"),
        (f"/api/v1/rounds/1/candidates?mentee_id={BIG_ID}", "coordinator"),
        ("/api/v1/rounds/1/candidates?mentee_id=-1", "coordinator"),
        ("/api/v1/mentors?per_page=1000000", "coordinator"),
        (f"/api/v1/mentors?per_page={BIG_ID}", "coordinator"),
        ("/api/v1/mentors?per_page=0", "coordinator"),
        ("/api/v1/mentees?page=-1", "coordinator"),
        ("/api/v1/mentees?page=0", "coordinator"),
        (f"/api/v1/mentees?page={BIG_ID}", "coordinator"),
        ("/api/v1/mentees?page=1.5", "coordinator"),
    ],
)
def test_bad_query_values_are_4xx(client, programme: Programme, url: str, who: str):
    response = client.get(url, headers=programme.api[who])
    assert response.status_code in (404, 422), (url, response.status, response.get_data()[:300])
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2030-01-01T10:00:00", "2030-01-01T12:00:00+00:00"),  # naive start
        ("2030-01-01T10:00:00+00:00", "2030-01-01T12:00:00"),  # naive end
        ("2030-13-01T10:00:00+00:00", "2030-13-01T12:00:00+00:00"),
        ("2030-02-30T10:00:00+00:00", "2030-02-30T12:00:00+00:00"),
        ("2030-01-01T25:00:00+00:00", "2030-01-01T26:00:00+00:00"),
        ("2030-01-01T10:00:00+25:00", "2030-01-01T12:00:00+00:00"),
        ("2030-01-01", "2030-01-02"),
        ("10:00", "12:00"),
        ("", ""),
        ("99999-01-01T10:00:00+00:00", "99999-01-01T12:00:00+00:00"),
        ("0001-01-01T00:00:00+14:00", "0001-01-01T02:00:00+14:00"),
        ("9999-12-31T23:00:00-12:00", "9999-12-31T23:30:00-12:00"),
    ],
)
def test_malformed_or_naive_datetimes_are_422(client, programme: Programme, start: str, end: str):
    p = programme
    body = {"start": start, "end": end, "seats": 2, "location": "Lab"}
    response = client.post("/api/v1/shifts", json=body, headers=p.api["mentor_b"])
    assert response.status_code == 422, (start, end, response.status, response.get_data()[:300])
    response = client.patch(
        f"/api/v1/shifts/{p.shift_id}", json={"start": start, "end": end}, headers=p.api["mentor_b"]
    )
    assert response.status_code == 422, (start, end, response.status, response.get_data()[:300])


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("mentee_b", "/bookings/shifts?from=9999-12-31&to=9999-12-31"),
        ("mentee_b", "/bookings/shifts?from=0001-01-01&to=0001-01-01"),
        ("mentee_b", "/bookings/shifts?from=2026-02-30&to=tomorrow"),
        ("coordinator", f"/participants/?page={BIG_ID}"),
        ("coordinator", "/participants/?page=-1&role=admin"),
        ("coordinator", f"/rounds/1?page={BIG_ID}"),
        ("coordinator", "/rounds/1/candidates?mentee_id=abc"),
    ],
)
def test_hostile_page_queries_never_fail(programme: Programme, who: str, url: str):
    response = programme.pages[who].get(url)
    assert response.status_code < 500, (url, response.status)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30", "10000-01-01"])
def test_hostile_dates_in_shift_forms_are_refused(app, programme: Programme, day: str):
    from mentor_match.extensions import db
    from mentor_match.models import Shift

    p = programme
    client, token = p.pages["mentor_b"], p.csrf["mentor_b"]
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(Shift))
        held = db.session.get(Shift, p.shift_id).start_at
    times = {"start": "20:00", "end": "02:00", "seats": "2", "csrf_token": token}
    assert client.post("/shifts/new", data=times | {"day": day}).status_code == 422
    series = {"first_day": day, "last_day": day, "seats": "2", "csrf_token": token}
    assert client.post("/shifts/series", data=series).status_code == 422
    response = client.post(f"/shifts/{p.shift_id}/edit", data=times | {"day": day})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Shift)) == before
        assert db.session.get(Shift, p.shift_id).start_at == held


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_calendar_edge_days_in_the_shift_list_are_422(client, make_user, token_for, zone, day):
    mentee = make_user("mentee", timezone=zone)
    for name in ("from", "to"):
        response = client.get(f"/api/v1/shifts?{name}={day}", headers=token_for(mentee))
        assert response.status_code == 422, (zone, name, day, response.status)
