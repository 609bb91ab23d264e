"""An unmatched mentee whose only specialty-sharing mentors are full is told so, by name."""

from __future__ import annotations

from mentor_match.extensions import db
from mentor_match.models import Mentorship
from tests.rounds.rounds_people import add_person


def test_full_mentors_are_named_not_reported_as_no_shared_specialty(
    app, client, make_user, token_for
):
    headers = token_for(make_user("coordinator", email="boss@example.org"))
    full = add_person(
        app, make_user, "mentor", name="Fiona Full", specialties=("oncology",), capacity=1
    )
    add_person(app, make_user, "mentor", name="Other Field", specialties=("mtm",))
    already = add_person(app, make_user, "mentee", specialties=("oncology",))
    with app.app_context():
        db.session.add(Mentorship(mentor_id=full, mentee_id=already))
        db.session.commit()
    waiting = add_person(app, make_user, "mentee", specialties=("oncology",))

    created = client.post("/api/v1/rounds", json={"name": "Second"}, headers=headers)
    round_id = created.get_json()["id"]
    data = client.post(f"/api/v1/rounds/{round_id}/run", headers=headers).get_json()
    assert data["status"] == "proposed"
    (reason,) = [u for u in data["unmatched"] if u["mentee_id"] == waiting]
    assert reason["reason"] == "mentors_full"
    assert "Fiona Full" in reason["message"]
    # A full mentor is not counted among the mentors with places.
    assert data["stats"]["mentors"] == 1 and data["stats"]["places"] == 2


def test_reasons_name_specialties_not_their_slugs(app, client, make_user, token_for):
    headers = token_for(make_user("coordinator", email="boss@example.org"))
    add_person(app, make_user, "mentor", specialties=("oncology",))
    lonely = add_person(app, make_user, "mentee", specialties=("mtm",))
    created = client.post("/api/v1/rounds", json={"name": "Names"}, headers=headers)
    round_id = created.get_json()["id"]
    data = client.post(f"/api/v1/rounds/{round_id}/run", headers=headers).get_json()
    assert data["status"] == "proposed", data
    (reason,) = [u for u in data["unmatched"] if u["mentee_id"] == lonely]
    assert reason["reason"] == "no_shared_specialty"
    assert "Medication therapy management" in reason["message"]
    assert "mtm" not in reason["message"]
