"""JSON request bodies: the status says what is wrong (400 broken, 415 not JSON, 422 wrong
values), its code agrees with it, and numbers are JSON numbers, never text that looks like one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentor_match.errors import CODES

NOT_JSON = [
    ("text/plain", b'{"name": "Spring"}'),
    ("application/x-www-form-urlencoded", b"name=Spring"),
    (None, b'{"name": "Spring"}'),
    ("text/csv", b"name\nSpring\n"),
]
BROKEN = [b"{", b'{"name": "Spring",}', b"\xff\xfe{}", b'{"name": NaN}', b'{"x": Infinity}', b""]


@pytest.fixture
def coordinator(make_user, token_for):  # noqa: ANN001
    return token_for(make_user("coordinator"))


def _send(client, headers, body: bytes, content_type: str | None, path="/api/v1/rounds"):  # noqa: ANN001
    return client.post(path, data=body, content_type=content_type, headers=headers)


def _assert_error(response, status: int, code: str) -> None:  # noqa: ANN001
    assert response.status_code == status, response.get_data()[:300]
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    assert CODES[status] == code  # the code every answer with this status carries


@pytest.mark.parametrize(("content_type", "body"), NOT_JSON)
def test_a_body_that_is_not_json_is_415(client, coordinator, content_type, body):
    _assert_error(_send(client, coordinator, body, content_type), 415, "unsupported_media_type")


@pytest.mark.parametrize("body", BROKEN)
def test_broken_json_is_400(client, coordinator, body):
    _assert_error(_send(client, coordinator, body, "application/json"), 400, "bad_request")


@pytest.mark.parametrize("body", [b"[]", b'"Spring"', b"null", b"3"])
def test_json_that_is_not_an_object_is_422_naming_the_body(client, coordinator, body):
    response = _send(client, coordinator, body, "application/json")
    _assert_error(response, 422, "invalid")
    assert response.get_json()["error"]["details"][0]["field"] == "body"


def test_every_json_endpoint_answers_the_same_way(app, client, make_user, token_for):
    mentor = token_for(make_user("mentor"))
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    shift = client.post(
        "/api/v1/shifts",
        json={
            "start": start.isoformat(),
            "end": (start + timedelta(hours=2)).isoformat(),
            "seats": 1,
        },
        headers=mentor,
    ).get_json()
    for method, path in (
        ("POST", "/api/v1/shifts"),
        ("PATCH", f"/api/v1/shifts/{shift['id']}"),
    ):
        for content_type, body in NOT_JSON[:3]:
            response = client.open(
                path, method=method, data=body, content_type=content_type, headers=mentor
            )
            _assert_error(response, 415, "unsupported_media_type")
        response = client.open(
            path, method=method, data=b"{", content_type="application/json", headers=mentor
        )
        _assert_error(response, 400, "bad_request")


def test_the_openapi_document_declares_400_and_415_for_json_bodies(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                assert {"400", "415", "422"} <= set(operation["responses"]), (method, path)


def test_booking_body_is_optional_and_ids_are_bounded_in_the_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    book = document["paths"]["/api/v1/shifts/{shift_id}/bookings"]["post"]
    assert book["requestBody"]["required"] is False
    body = document["paths"]["/api/v1/shifts"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["properties"]["mentor_id"]["maximum"] == 2**31 - 1
    pins = document["paths"]["/api/v1/rounds/{round_id}/pins"]["post"]["requestBody"]["content"]
    for name in ("mentee_id", "mentor_id"):
        schema = pins["application/json"]["schema"]["properties"][name]
        assert schema["minimum"] == 1 and schema["maximum"] == 2**31 - 1
    listing = document["paths"]["/api/v1/shifts"]["get"]["parameters"]
    mentor = next(p for p in listing if p["name"] == "mentor_id")
    assert mentor["schema"]["minimum"] == 1


# -- strict numbers ------------------------------------------------------------------------


def _started_booking(app, client, make_user, token_for):  # noqa: ANN001, ANN202
    from mentor_match.extensions import db
    from mentor_match.models import Mentorship, Shift

    mentor, mentee = make_user("mentor"), make_user("mentee")
    with app.app_context():
        db.session.add(Mentorship(mentor_id=mentor, mentee_id=mentee))
        db.session.commit()
    mh, ah = token_for(mentor), token_for(mentee)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    shift = client.post(
        "/api/v1/shifts",
        json={
            "start": start.isoformat(),
            "end": (start + timedelta(hours=3)).isoformat(),
            "seats": 1,
        },
        headers=mh,
    ).get_json()
    booking = client.post(f"/api/v1/shifts/{shift['id']}/bookings", headers=ah).get_json()
    with app.app_context():
        row = db.session.get(Shift, shift["id"])
        row.start_at, row.end_at = row.start_at - timedelta(days=3), row.end_at - timedelta(days=3)
        db.session.commit()
    return mh, booking["id"]


@pytest.mark.parametrize("hours", ["2", "2.5", "", "0x2", [2], {"h": 2}, True])
def test_hours_must_be_a_json_number(app, client, make_user, token_for, hours):
    mh, booking_id = _started_booking(app, client, make_user, token_for)
    url = f"/api/v1/bookings/{booking_id}/attendance"
    response = client.post(url, json={"attended": True, "hours": hours}, headers=mh)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"][0]["field"] == "hours"
    assert client.get(f"/api/v1/bookings/{booking_id}", headers=mh).get_json()["hours"] is None
    ok = client.post(url, json={"attended": True, "hours": 2}, headers=mh)
    assert ok.status_code == 200 and ok.get_json()["hours"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "R", "min_overlap_hours": "2"}, "min_overlap_hours"),
        ({"name": "R", "weights": {"specialty": "0.4"}}, "weights"),
        ({"start": "x", "end": "y", "seats": "2"}, None),
    ],
)
def test_numbers_as_text_are_refused_everywhere(client, make_user, token_for, body, field):
    coordinator = token_for(make_user("coordinator"))
    path = "/api/v1/rounds" if "name" in body else "/api/v1/shifts"
    if path == "/api/v1/shifts":
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        body = {
            "start": start.isoformat(),
            "end": (start + timedelta(hours=2)).isoformat(),
            "seats": "2",
            "mentor_id": make_user("mentor"),
        }
        field = "seats"
    response = client.post(path, json=body, headers=coordinator)
    assert response.status_code == 422, response.get_json()
    # A nested value is named by its path: "weights.specialty" names the weights.
    named = {d.get("field", "").split(".")[0] for d in response.get_json()["error"]["details"]}
    assert field in named


def test_each_error_code_belongs_to_one_status():
    """Read from the source: every `code=` given to a service error names one kind of error
    (one status), and none reuses a code the HTTP layer gives to another status."""
    import ast
    from pathlib import Path

    import mentor_match
    from mentor_match.services import errors

    classes = {
        name: cls.status
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, errors.ServiceError)
    }
    statuses: dict[str, set[int]] = {}
    for path in Path(mentor_match.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in classes:
                continue
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    statuses.setdefault(keyword.value.value, set()).add(classes[name])
    assert "shift_started" in statuses
    mixed = {code: found for code, found in statuses.items() if len(found) > 1}
    assert not mixed, mixed
    for status, code in CODES.items():
        assert statuses.get(code, {status}) == {status}, (code, statuses[code])
