"""The match-round API end to end: create, run, review, adjust, publish, and the next round."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rounds.rounds_people import add_person

CONTRACT_KEYS = {"id", "name", "status", "matches", "unmatched", "stats"}
MATCH_KEYS = {"mentee_id", "mentor_id", "score", "breakdown", "pinned"}
STATS_KEYS = {
    "mentees",
    "matched",
    "max_matchable",
    "total_score",
    "mean_score",
    "min_score",
    "solve_seconds",
}
WEEKEND = tuple((d, 9 * 60, 17 * 60) for d in (5, 6))


@pytest.fixture
def programme(app, make_user, token_for):
    """A coordinator, three mentors and five mentees with known fits."""

    def person(role, email, **kw):
        return add_person(app, make_user, role, email=email, name=email.split("@")[0], **kw)

    ids = {
        "m1": person("mentor", "m1@example.org", specialties=("oncology",), capacity=1),
        "m2": person("mentor", "m2@example.org", specialties=("oncology",), capacity=2),
        "m3": person("mentor", "m3@example.org", specialties=("geriatrics",), capacity=1),
        "e1": person("mentee", "e1@example.org", specialties=("oncology",)),
        "e2": person("mentee", "e2@example.org", specialties=("oncology",)),
        "e3": person("mentee", "e3@example.org", specialties=("oncology",)),
        "e4": person("mentee", "e4@example.org", specialties=("nuclear",)),
        "e5": person("mentee", "e5@example.org", specialties=("geriatrics",), windows=WEEKEND),
    }
    coordinator = make_user("coordinator", email="boss@example.org")
    return ids, token_for(coordinator)


def _create(client, headers, **body):
    body.setdefault("name", "Spring")
    response = client.post("/api/v1/rounds", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _run(client, headers, round_id):
    response = client.post(f"/api/v1/rounds/{round_id}/run", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_create_validates_and_changes_nothing(client, programme):
    _, headers = programme
    bad = [
        {"name": ""},
        {"name": "x" * 201},
        {"name": "ok", "weights": {"specialty": -1}},
        {"name": "ok", "weights": {"charm": 1}},
        {"name": "ok", "weights": "heavy"},
        {"name": "ok", "min_overlap_hours": 41},
        {"name": "ok", "min_overlap_hours": "two"},
    ]
    for body in bad:
        response = client.post("/api/v1/rounds", json=body, headers=headers)
        assert response.status_code == 422, body
        error = response.get_json()["error"]
        assert error["code"] == "invalid" and error["details"], body
    assert client.get("/api/v1/rounds", headers=headers).get_json()["items"] == []


def test_full_flow(app, client, programme, make_user, tmp_path: Path):
    ids, headers = programme
    created = _create(client, headers, min_overlap_hours=2)
    assert created["status"] == "draft" and created["matches"] == []
    assert set(created["stats"]) >= STATS_KEYS

    result = _run(client, headers, created["id"])
    assert result["status"] == "proposed"
    assert set(result) >= CONTRACT_KEYS
    fetched = client.get(f"/api/v1/rounds/{created['id']}", headers=headers).get_json()
    assert set(fetched) >= CONTRACT_KEYS
    assert set(fetched["stats"]) >= STATS_KEYS
    for match in fetched["matches"]:
        assert set(match) >= MATCH_KEYS
        assert 0 <= match["score"] <= 1
        assert set(match["breakdown"]) == {"specialty", "availability", "site", "preference"}
        assert match["score"] == pytest.approx(sum(match["breakdown"].values()))
    matched = {m["mentee_id"]: m["mentor_id"] for m in fetched["matches"]}
    assert set(matched) == {ids["e1"], ids["e2"], ids["e3"]}
    assert sorted(matched.values()) == sorted([ids["m1"], ids["m2"], ids["m2"]])
    reasons = {u["mentee_id"]: u["reason"] for u in fetched["unmatched"]}
    assert reasons == {ids["e4"]: "no_shared_specialty", ids["e5"]: "no_shared_availability"}
    stats = fetched["stats"]
    assert stats["mentees"] == 5 and stats["matched"] == 3 and stats["max_matchable"] == 3
    assert stats["min_score"] <= stats["mean_score"]
    assert stats["total_score"] == pytest.approx(sum(m["score"] for m in fetched["matches"]))

    # Candidates: every feasible mentor, best first, with the solver's own scores.
    url = f"/api/v1/rounds/{created['id']}/candidates?mentee_id={ids['e1']}"
    items = client.get(url, headers=headers).get_json()["items"]
    assert {c["mentor_id"] for c in items} == {ids["m1"], ids["m2"]}
    assert [c["score"] for c in items] == sorted((c["score"] for c in items), reverse=True)
    proposed = next(m for m in fetched["matches"] if m["mentee_id"] == ids["e1"])
    same = next(c for c in items if c["mentor_id"] == proposed["mentor_id"])
    assert same["score"] == pytest.approx(proposed["score"])
    assert same["breakdown"] == pytest.approx(proposed["breakdown"])
    assert (
        client.get(
            f"/api/v1/rounds/{created['id']}/candidates?mentee_id={ids['m1']}", headers=headers
        ).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/rounds/{created['id']}/candidates", headers=headers).status_code == 422
    )

    # Pin e1 to the mentor they did not get; exclude e2 from theirs; re-run keeps both.
    other = ids["m1"] if matched[ids["e1"]] == ids["m2"] else ids["m2"]
    pair = {"mentee_id": ids["e1"], "mentor_id": other}
    response = client.post(f"/api/v1/rounds/{created['id']}/pins", json=pair, headers=headers)
    assert response.status_code == 201
    excluded = {"mentee_id": ids["e2"], "mentor_id": matched[ids["e2"]]}
    if excluded["mentor_id"] == other:
        excluded = {"mentee_id": ids["e3"], "mentor_id": matched[ids["e3"]]}
    response = client.post(
        f"/api/v1/rounds/{created['id']}/exclusions", json=excluded, headers=headers
    )
    assert response.status_code == 201
    # A pin onto an excluded pair is refused, and so is an exclusion of a pinned pair.
    assert (
        client.post(
            f"/api/v1/rounds/{created['id']}/pins", json=excluded, headers=headers
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"/api/v1/rounds/{created['id']}/exclusions", json=pair, headers=headers
        ).status_code
        == 409
    )
    for body in ({"mentee_id": ids["m1"], "mentor_id": ids["m2"]}, {"mentee_id": "x"}):
        assert (
            client.post(
                f"/api/v1/rounds/{created['id']}/pins", json=body, headers=headers
            ).status_code
            == 422
        )

    rerun = _run(client, headers, created["id"])
    pairs = {m["mentee_id"]: m for m in rerun["matches"]}
    assert pairs[ids["e1"]]["mentor_id"] == other and pairs[ids["e1"]]["pinned"] is True
    assert pairs.get(excluded["mentee_id"], {}).get("mentor_id") != excluded["mentor_id"]
    assert rerun["stats"]["matched"] == rerun["stats"]["max_matchable"]

    # Publish: mentorships created, each pair mailed, and only once.
    response = client.post(f"/api/v1/rounds/{created['id']}/publish", headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "published"
    assert (
        client.post(f"/api/v1/rounds/{created['id']}/publish", headers=headers).status_code == 409
    )
    assert client.post(f"/api/v1/rounds/{created['id']}/run", headers=headers).status_code == 409
    assert (
        client.post(f"/api/v1/rounds/{created['id']}/pins", json=pair, headers=headers).status_code
        == 409
    )
    from mentor_match.database import utcnow
    from mentor_match.extensions import db
    from mentor_match.models import Mentorship

    with app.app_context():
        made = {
            (m.mentee_id, m.mentor_id)
            for m in db.session.scalars(db.select(Mentorship).filter_by(round_id=created["id"]))
        }
        assert made == {(m["mentee_id"], m["mentor_id"]) for m in rerun["matches"]}
    outbox = list((tmp_path / "outbox").glob("*.eml"))
    assert len(outbox) == 3
    assert any("e1@example.org" in p.read_text() for p in outbox)

    # The next round: e1's mentorship ended, so e1 is back; a new mentor and mentee arrive.
    with app.app_context():
        ended = db.session.scalars(db.select(Mentorship).filter_by(mentee_id=ids["e1"])).one()
        ended.ended_at = utcnow()
        db.session.commit()
    m4 = add_person(
        app, make_user, "mentor", email="m4@example.org", specialties=("oncology",), capacity=1
    )
    e6 = add_person(app, make_user, "mentee", email="e6@example.org", specialties=("oncology",))
    second = _create(client, headers, name="Autumn")
    second = _run(client, headers, second["id"])
    pairs = {m["mentee_id"]: m["mentor_id"] for m in second["matches"]}
    assert second["stats"]["mentees"] == 4  # e1, e4, e5, e6: matched mentees stay out
    assert set(pairs) == {ids["e1"], e6}
    assert pairs[ids["e1"]] != other  # never the same pair twice
    assert ids["m1"] not in pairs.values()  # full: capacity 1, one current mentee
    # other's remaining places: m2 had two; one freed by e1 if other is m2.
    assert set(pairs.values()) <= {m4, ids["m2"]}
