"""Searching participants: % and _ are letters like any other, and a NUL is a clear 422."""

from __future__ import annotations

import pytest

from tests.helpers import login


@pytest.fixture
def people(make_user, token_for):  # noqa: ANN001
    make_user("mentee", email="ann_lee@example.org", name="Ann Lee")
    make_user("mentee", email="annxlee@example.org", name="Annx Lee")
    make_user("mentee", email="pct@example.org", name="100% Mentee")
    make_user("mentee", email="other@example.org", name="1000 Mentee")
    make_user("mentee", email="back@example.org", name="Back\\slash")
    make_user("coordinator", email="coordinator@example.org")
    return token_for(make_user("coordinator"))


@pytest.mark.parametrize(
    ("q", "emails"),
    [
        ("ann_", ["ann_lee@example.org"]),
        ("_", ["ann_lee@example.org"]),
        ("100%", ["pct@example.org"]),
        ("%", ["pct@example.org"]),
        ("\\", ["back@example.org"]),
        ("ANN", ["ann_lee@example.org", "annxlee@example.org"]),
    ],
)
def test_wildcards_are_taken_literally(client, people, q, emails):
    response = client.get("/api/v1/mentees", query_string={"q": q}, headers=people)
    assert response.status_code == 200
    assert sorted(p["email"] for p in response.get_json()["items"]) == emails


@pytest.mark.parametrize("q", ["\x00", "ann\x00", "%\x00_"])
def test_a_nul_in_the_search_is_422_naming_q(client, people, q):
    for path in ("/api/v1/mentees", "/api/v1/mentors"):
        response = client.get(path, query_string={"q": q}, headers=people)
        assert response.status_code == 422, response.get_data()[:200]
        error = response.get_json()["error"]
        assert error["code"] == "invalid" and error["details"][0]["field"] == "q"


def test_the_participants_page_searches_the_same_way(client, people):
    login(client, "coordinator@example.org")
    page = client.get("/participants/", query_string={"q": "ann_"}).get_data(as_text=True)
    assert "ann_lee@example.org" in page and "annxlee@example.org" not in page
    response = client.get("/participants/", query_string={"q": "a\x00"})
    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True)
