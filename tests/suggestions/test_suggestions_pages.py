"""Self-select pages: a mentee asks from their suggestions, the mentor answers from the page the
mail links to, and the coordinator's board counts every status."""

from __future__ import annotations

import pytest

from tests.helpers import csrf_token, login
from tests.rounds.rounds_people import add_person


@pytest.fixture
def published(app, make_user):
    from mentor_match.extensions import db
    from mentor_match.models import User
    from mentor_match.services import rounds

    def person(role, email, **kw):
        return add_person(app, make_user, role, email=email, name=email.split("@")[0], **kw)

    ids = {
        "m1": person("mentor", "m1@example.org", capacity=1),
        "e1": person("mentee", "e1@example.org"),
        "e2": person("mentee", "e2@example.org"),
        "c": make_user("coordinator", email="boss@example.org"),
    }
    with app.app_context():
        boss = db.session.get(User, ids["c"])
        round_id = rounds.create_round(db.session, boss, "Pick", mode="self_select").id
        db.session.commit()
        rounds.start_run(db.session, round_id)
        db.session.commit()
        rounds.run_round(db.session, round_id)
        db.session.commit()
        rounds.publish_round(db.session, round_id)
        db.session.commit()
    return ids


def _signed_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def test_ask_accept_and_the_board(app, published):
    ids = published
    mentee = _signed_in(app, "e1@example.org")
    page = mentee.get("/suggestions/").get_data(as_text=True)
    assert "m1" in page and "Ask m1" in page
    token = csrf_token(mentee, "/suggestions/")
    asked = mentee.post("/suggestions/ask", data={"csrf_token": token, "mentor_id": ids["m1"]})
    assert asked.status_code == 302
    assert "open" in mentee.get("/suggestions/").get_data(as_text=True)
    # Nonsense is refused with a message, nothing changes.
    mentee.post("/suggestions/ask", data={"csrf_token": token, "mentor_id": "abc"})

    other = _signed_in(app, "e2@example.org")
    token2 = csrf_token(other, "/suggestions/")
    other.post("/suggestions/ask", data={"csrf_token": token2, "mentor_id": ids["m1"]})

    mentor = _signed_in(app, "m1@example.org")
    page = mentor.get("/suggestions/requests").get_data(as_text=True)
    assert "e1" in page and "e2" in page and "Accept" in page
    token3 = csrf_token(mentor, "/suggestions/requests")
    from mentor_match.extensions import db
    from mentor_match.models import MentorRequest

    with app.app_context():
        first, second = db.session.scalars(db.select(MentorRequest).order_by("id")).all()
        first_id, second_id = first.id, second.id
    assert (
        mentor.post(f"/suggestions/requests/{first_id}/accept", data={"csrf_token": token3})
    ).status_code == 302
    mentor.post(f"/suggestions/requests/{second_id}/accept", data={"csrf_token": token3})
    with mentor.session_transaction() as session:
        flashes = [m for c, m in session.get("_flashes", []) if c == "error"]
    assert any("no place left" in m for m in flashes)
    mentor.post(f"/suggestions/requests/{second_id}/decline", data={"csrf_token": token3})

    boss = _signed_in(app, "boss@example.org")
    board = boss.get("/suggestions/board").get_data(as_text=True)
    assert "<dt>Accepted</dt><dd>1</dd>" in board and "<dt>Declined</dt><dd>1</dd>" in board
    assert "<dt>Open</dt><dd>0</dd>" in board
    assert "You have a mentor" in mentee.get("/suggestions/").get_data(as_text=True)
