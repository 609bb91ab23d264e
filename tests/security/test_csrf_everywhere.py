"""Every state-changing HTML route refuses a request without a CSRF token, for every role."""

from __future__ import annotations

import re

import pytest

from tests.helpers import login

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Routes whose POST is reachable without a session but still needs the token.
ANONYMOUS = {"auth.login"}


def _fill(rule: str) -> str:
    return re.sub(r"<(?:int:)?(\w+)>", "1", re.sub(r"<(?:string:|path:)?(\w+)>", "x", rule))


def _html_state_changing_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") or rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) & STATE_CHANGING):
            yield rule, method


@pytest.mark.parametrize("role", ["coordinator", "mentor", "mentee"])
def test_every_html_write_needs_a_csrf_token(app, make_user, role):
    make_user(role, email=f"{role}@example.org")
    client = app.test_client()
    login(client, f"{role}@example.org")
    checked = 0
    for rule, method in _html_state_changing_rules(app):
        response = client.open(_fill(rule.rule), method=method, data={"anything": "1"})
        assert response.status_code == 400, f"{method} {rule.rule} as {role}: {response.status}"
        assert b"form expired" in response.data
        checked += 1
    assert checked >= 5  # logout, password, tokens, profile, … at the least


def test_anonymous_writes_need_a_csrf_token(client):
    for rule, method in _html_state_changing_rules(client.application):
        response = client.open(_fill(rule.rule), method=method, data={"anything": "1"})
        assert response.status_code in (400, 404), f"{method} {rule.rule}: {response.status}"
        if rule.endpoint in ANONYMOUS:
            assert response.status_code == 400
