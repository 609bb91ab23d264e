"""Schemathesis drives every documented /api/v1 operation in-process with generated input:
no server errors, and every answer matches the status codes and schemas the document declares."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mentor_match import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CASES_RUN: list[str] = []


def _operations() -> list[str]:
    """Every operation the document declares, read once at collection time."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    labels = [f"{op.ok().method.upper()} {op.ok().path}" for op in schema.get_all_operations()]
    with app.app_context():
        from mentor_match.extensions import db

        db.engine.dispose()
    return sorted(labels)


@pytest.fixture
def api_headers(app, make_user, token_for):
    """A small programme, and a coordinator's token (the role that may call the most)."""
    coordinator = make_user("coordinator", email="coordinator@example.org")
    make_user("mentor", email="mentor@example.org", specialties=("oncology", "mtm"))
    make_user("mentee", email="mentee@example.org", specialties=("mtm",))
    return token_for(coordinator)


@pytest.mark.parametrize("label", _operations())
def test_api_operation(app, api_headers, label):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    method, path = label.split(" ", 1)
    operation = next(
        op.ok()
        for op in schema.get_all_operations()
        if op.ok().method.upper() == method and op.ok().path == path
    )

    @given(case=operation.as_strategy())
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case) -> None:  # noqa: ANN001
        CASES_RUN.append(label)
        case.call_and_validate(headers=api_headers, checks=CHECKS)

    run()
