"""One transaction per request: committed in one place after a successful answer, rolled back
after an error or an exception, and views neither commit nor roll back by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, abort, redirect

from mentor_match.extensions import db
from mentor_match.models import Specialty
from mentor_match.transaction import discard_changes, keep_changes

PACKAGE = Path(__file__).resolve().parents[2] / "mentor_match"

# Where a request's transaction may be ended by hand, and why. Everything else in the pages
# and the API leaves it to mentor_match/transaction.py.
HAND_WRITTEN_TRANSACTIONS: dict[str, str] = {}


def test_pages_and_api_never_commit_or_roll_back_by_hand() -> None:
    found = []
    files = [*PACKAGE.glob("web/**/*.py"), *PACKAGE.glob("api/**/*.py"), PACKAGE / "edge.py"]
    assert len(files) > 10
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\.(commit|rollback)\(", line):
                where = f"{path.relative_to(PACKAGE)}:{number}"
                if path.relative_to(PACKAGE).as_posix() not in HAND_WRITTEN_TRANSACTIONS:
                    found.append(f"{where}: {line.strip()}")
    assert found == []


def test_services_never_commit_but_the_command_lines_foreground_run() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.glob("services/**/*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.commit\(", line)
    ]
    # run_now (`flask rounds run`) commits its claim before solving, so other servers see it.
    assert {f.split(":")[0] for f in found} <= {"services/rounds/running.py"}
    assert len(found) == 2


@pytest.fixture
def routes(app: Flask) -> Flask:
    """Views that add a specialty and then answer in each of the ways a view can."""

    def add(slug: str) -> None:
        db.session.add(Specialty(slug=slug, name=slug.title()))
        db.session.flush()

    @app.post("/_t/ok")
    def ok():  # noqa: ANN202
        add("committed")
        return "done", 201

    @app.post("/_t/refused")
    def refused():  # noqa: ANN202
        add("refused")
        return "no", 422

    @app.post("/_t/raises")
    def raises():  # noqa: ANN202
        add("raised")
        abort(409)

    @app.post("/_t/crashes")
    def crashes():  # noqa: ANN202
        add("crashed")
        raise RuntimeError("boom")

    @app.post("/_t/discarded")
    def discarded():  # noqa: ANN202
        add("discarded")
        discard_changes()
        return redirect("/")

    @app.post("/_t/kept")
    def kept():  # noqa: ANN202
        add("kept")
        keep_changes()
        return "counted", 401

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def _slugs(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(db.select(Specialty.slug)))


@pytest.mark.parametrize(
    ("path", "status", "written"),
    [
        ("/_t/ok", 201, True),
        ("/_t/refused", 422, False),
        ("/_t/raises", 409, False),
        ("/_t/crashes", 500, False),
        ("/_t/discarded", 302, False),
        ("/_t/kept", 401, True),
    ],
)
def test_the_answer_decides_the_transaction(
    routes: Flask, path: str, status: int, written: bool
) -> None:
    slug = {
        "/_t/ok": "committed",
        "/_t/refused": "refused",
        "/_t/raises": "raised",
        "/_t/crashes": "crashed",
        "/_t/discarded": "discarded",
        "/_t/kept": "kept",
    }[path]
    client = routes.test_client()
    assert client.post(path).status_code == status
    assert (slug in _slugs(routes)) is written
