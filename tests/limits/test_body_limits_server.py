"""Size limits hold for bodies sent without a length (chunked), on a real gunicorn server.

gunicorn marks its input as terminated, so werkzeug reads a chunked body only up to
MAX_CONTENT_LENGTH and stops there without a word: a CSV import took the rows that fitted and
a JSON body ended mid-value. Every body is sent here chunked, just under, at and over the
limit, with the cut falling on a row boundary and inside a row; over the limit must answer 413
and change nothing, at or under it must work as if the length had been sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.helpers import PASSWORD
from tests.imports.imports_builders import MENTEE_HEADER, mentee_line
from tests.servers import gunicorn_server

pytestmark = pytest.mark.slow

LIMIT = 16_384
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def chunked(body: bytes, size: int = 1000) -> Iterator[bytes]:
    """The body as a generator: requests then sends it chunked, with no Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _size(rows: list[str]) -> int:
    return len(("\r\n".join(rows) + "\r\n").encode())


def _fill(lines: list[str], upto: int) -> None:
    """Add rows while they fit in `upto` bytes, then pad the last one to end exactly there."""
    added = 0
    while _size([*lines, mentee_line(len(lines), goals="g")]) <= upto:
        lines.append(mentee_line(len(lines), goals="g"))
        added += 1
    assert added, "no room for a row"
    lines[-1] = mentee_line(len(lines) - 1, goals="g" * (1 + upto - _size(lines)))
    assert _size(lines) == upto


def csv_of_size(total: int, *, boundary_at: int | None = None) -> tuple[bytes, int]:
    """A mentees CSV of exactly `total` bytes, and how many rows it holds.

    With `boundary_at`, a row ends exactly at that offset (a cut there falls on a row
    boundary); otherwise rows are padded only at the end of the file."""
    lines = [MENTEE_HEADER]
    if boundary_at is not None:
        _fill(lines, boundary_at)
    _fill(lines, total)
    body = ("\r\n".join(lines) + "\r\n").encode()
    if boundary_at is not None:
        assert body[:boundary_at].endswith(b"\r\n")
    return body, len(lines) - 1


@pytest.fixture
def server(app, database_url, tmp_path: Path) -> Iterator[str]:
    with gunicorn_server(
        database_url,
        app.config["SECRET_KEY"],
        tmp_path,
        env={"MENTOR_MATCH_MAX_CONTENT_LENGTH": str(LIMIT)},
    ) as base:
        yield base


def _mentees(app) -> int:  # noqa: ANN001
    from mentor_match.extensions import db
    from mentor_match.models import Role, User

    with app.app_context():
        return db.session.query(User).filter_by(role=Role.MENTEE).count()


def test_a_chunked_csv_import_over_the_limit_is_413_and_imports_nothing(
    app, server, make_user, token_for
):
    headers = {**token_for(make_user("coordinator")), "Content-Type": "text/csv"}
    url = f"{server}/api/v1/imports/mentees"
    over_at_boundary, _ = csv_of_size(LIMIT + 300, boundary_at=LIMIT)
    over_inside_a_row, _ = csv_of_size(LIMIT + 1)
    assert not over_inside_a_row[:LIMIT].endswith(b"\n")
    for label, body in (("row boundary", over_at_boundary), ("inside a row", over_inside_a_row)):
        response = requests.post(url, data=chunked(body), headers=headers, timeout=30)
        assert response.status_code == 413, (label, response.status_code, response.text[:300])
        assert response.json()["error"]["code"] == "too_large"
        assert _mentees(app) == 0, label
    # The same over-size file in a multipart upload, chunked: refused too.
    response = requests.post(
        url,
        files={"file": ("mentees.csv", over_at_boundary, "text/csv")},
        headers={"Authorization": headers["Authorization"]},
        timeout=30,
    )
    assert response.status_code == 413
    assert _mentees(app) == 0


def test_a_chunked_csv_import_up_to_the_limit_imports_every_row(app, server, make_user, token_for):
    headers = {**token_for(make_user("coordinator")), "Content-Type": "text/csv"}
    for total in (LIMIT - 1, LIMIT):
        body, rows = csv_of_size(total)
        response = requests.post(
            f"{server}/api/v1/imports/mentees", data=chunked(body, 777), headers=headers, timeout=30
        )
        assert response.status_code == 200, response.text[:500]
        summary = response.json()
        assert summary["created"] + summary["updated"] == rows
        assert _mentees(app) == rows


def _json_of_size(total: int) -> bytes:
    """A valid round body padded with spaces to exactly `total` bytes."""
    body = b'{"name": "Spring round"}'
    return body[:-1] + b" " * (total - len(body)) + b"}"


def test_chunked_json_bodies_under_at_and_over_the_limit(server, make_user, token_for):
    headers = {**token_for(make_user("coordinator")), "Content-Type": "application/json"}
    url = f"{server}/api/v1/rounds"
    for total in (LIMIT - 1, LIMIT):
        response = requests.post(
            url, data=chunked(_json_of_size(total)), headers=headers, timeout=30
        )
        assert response.status_code == 201, (total, response.text[:300])
    for total in (LIMIT + 1, 3 * LIMIT):
        response = requests.post(
            url, data=chunked(_json_of_size(total)), headers=headers, timeout=30
        )
        assert response.status_code == 413, (total, response.text[:300])
        assert response.json()["error"]["code"] == "too_large"
    rounds = requests.get(url, headers=headers, timeout=30).json()
    assert len(rounds["items"]) == 2


def _signed_in(server: str, email: str) -> requests.Session:
    client = requests.Session()
    token = _CSRF.search(client.get(f"{server}/login", timeout=30).text).group(1)
    response = client.post(
        f"{server}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302
    return client


def test_chunked_form_posts_and_uploads_on_pages(app, server, make_user):
    make_user("coordinator", email="coordinator@example.org")
    # A sign-in form padded past the limit: 413, never parsed.
    client = requests.Session()
    token = _CSRF.search(client.get(f"{server}/login", timeout=30).text).group(1)
    form = f"email=coordinator%40example.org&password=x&csrf_token={token}&pad=".encode()
    response = client.post(
        f"{server}/login",
        data=chunked(form + b"p" * (LIMIT + 1 - len(form))),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 413
    assert "text/html" in response.headers["Content-Type"]
    # A file upload on the import page, chunked: the preview under the limit, 413 over it.
    client = _signed_in(server, "coordinator@example.org")
    page = client.get(f"{server}/imports/", timeout=30).text
    token = _CSRF.search(page).group(1)
    fitting, rows = csv_of_size(LIMIT - 600)
    too_big, _ = csv_of_size(LIMIT + 300, boundary_at=LIMIT - 200)
    for body, expected in ((fitting, 200), (too_big, 413)):
        prepared = requests.Request(
            "POST",
            f"{server}/imports/preview",
            data={"kind": "mentees", "csrf_token": token},
            files={"file": ("mentees.csv", body, "text/csv")},
        ).prepare()
        multipart, content_type = prepared.body, prepared.headers["Content-Type"]
        response = client.post(
            f"{server}/imports/preview",
            data=chunked(multipart),
            headers={"Content-Type": content_type},
            timeout=30,
        )
        assert response.status_code == expected, (expected, response.text[:300])
        if expected == 200:
            assert f"<strong>{rows}</strong> new mentees" in response.text
    assert _mentees(app) == 0
