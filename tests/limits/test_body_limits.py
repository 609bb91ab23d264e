"""Size limits for bodies of unknown length, in process: read whole within the limit, or 413."""

from __future__ import annotations

import io

import pytest

from mentor_match.bodies import read_at_most

LIMIT = 2048


def test_read_at_most_stops_one_byte_past_the_limit():
    assert read_at_most(io.BytesIO(b"x" * 10), 10) == b"x" * 10
    assert read_at_most(io.BytesIO(b"x" * 11), 10) == b"x" * 11
    assert read_at_most(io.BytesIO(b"x" * 500_000), 10) == b"x" * 11
    assert read_at_most(io.BytesIO(b""), 10) == b""


def _post(client, path: str, body: bytes, content_type: str, headers=None):  # noqa: ANN001
    # Chunked, so no length, and a terminated input: what gunicorn hands over.
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        headers={**(headers or {}), "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.fixture
def coordinator(app, make_user, token_for):  # noqa: ANN001
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    return token_for(make_user("coordinator"))


def test_json_of_unknown_length_up_to_the_limit_is_read_whole(client, coordinator):
    for total in (LIMIT - 1, LIMIT):
        body = b'{"name": "Spring"' + b" " * (total - 18) + b"}"
        assert len(body) == total
        response = _post(client, "/api/v1/rounds", body, "application/json", coordinator)
        assert response.status_code == 201, response.get_json()


def test_json_of_unknown_length_over_the_limit_is_413(client, coordinator):
    for total in (LIMIT + 1, 10 * LIMIT):
        body = b'{"name": "Spring"' + b" " * (total - 18) + b"}"
        response = _post(client, "/api/v1/rounds", body, "application/json", coordinator)
        assert response.status_code == 413
        assert response.get_json()["error"]["code"] == "too_large"
    assert client.get("/api/v1/rounds", headers=coordinator).get_json()["items"] == []


def test_a_form_of_unknown_length_over_the_limit_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    body = b"email=a%40example.org&password=x&pad=" + b"p" * LIMIT
    response = _post(client, "/login", body, "application/x-www-form-urlencoded")
    assert response.status_code == 413
