"""The ranking pages: a number per row, blanks left off, errors that change nothing, and the
coordinator's view of who ranked, the review page's price of stability and blocking pairs."""

from __future__ import annotations

import pytest

from tests.helpers import csrf_token, login
from tests.rounds.rounds_people import add_person


@pytest.fixture
def setting(app, make_user):
    from mentor_match.extensions import db
    from mentor_match.models import User
    from mentor_match.services import rounds

    def person(role, email, **kw):
        return add_person(app, make_user, role, email=email, name=email.split("@")[0], **kw)

    ids = {
        "m1": person("mentor", "m1@example.org", capacity=1, site=("North", "Midwest")),
        "m2": person("mentor", "m2@example.org", capacity=1),
        "e1": person("mentee", "e1@example.org", site=("North", "Midwest")),
        "e2": person("mentee", "e2@example.org"),
        "c": make_user("coordinator", email="boss@example.org"),
    }
    with app.app_context():
        boss = db.session.get(User, ids["c"])
        round_id = rounds.create_round(db.session, boss, "Autumn", mode="stable").id
        db.session.commit()
    return ids, round_id


def _signed_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def test_a_mentee_numbers_rows_and_leaves_one_blank(app, setting):
    ids, rid = setting
    client = _signed_in(app, "e2@example.org")
    assert b"Autumn" in client.get("/preferences/").data
    page = client.get(f"/preferences/{rid}").get_data(as_text=True)
    assert f'name="rank-{ids["m1"]}"' in page and "<script" not in page
    token = csrf_token(client, f"/preferences/{rid}")
    saved = client.post(
        f"/preferences/{rid}",
        data={"csrf_token": token, f"rank-{ids['m2']}": "1", f"rank-{ids['m1']}": ""},
    )
    assert saved.status_code == 302
    page = client.get(f"/preferences/{rid}").get_data(as_text=True)
    assert "submitted" in page
    # Ranked first: m2; m1 (left blank) is listed last with no number.
    assert page.index(f"rank-{ids['m2']}") < page.index(f"rank-{ids['m1']}")

    from mentor_match.extensions import db
    from mentor_match.models import RoundPreference

    with app.app_context():
        (saved_row,) = db.session.scalars(db.select(RoundPreference)).all()
        assert saved_row.ranking == [ids["m2"]]


@pytest.mark.parametrize("values", [("x", ""), ("1", "1"), ("0", "")])
def test_bad_numbers_are_refused_and_change_nothing(app, setting, values):
    ids, rid = setting
    client = _signed_in(app, "e1@example.org")
    token = csrf_token(client, f"/preferences/{rid}")
    response = client.post(
        f"/preferences/{rid}",
        data={"csrf_token": token, f"rank-{ids['m1']}": values[0], f"rank-{ids['m2']}": values[1]},
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    from mentor_match.extensions import db
    from mentor_match.models import RoundPreference

    with app.app_context():
        assert db.session.scalars(db.select(RoundPreference)).all() == []


def test_the_coordinator_sees_who_ranked_closes_and_reviews_the_price(app, setting):
    ids, rid = setting
    mentor = _signed_in(app, "m1@example.org")
    mentor_token = csrf_token(mentor, f"/preferences/{rid}")
    mentor.post(f"/preferences/{rid}", data={"csrf_token": mentor_token, f"rank-{ids['e2']}": "1"})

    boss = _signed_in(app, "boss@example.org")
    page = boss.get(f"/preferences/{rid}/submitted").get_data(as_text=True)
    assert "1 of 2 with places" in page and "not yet (ranks by score)" in page
    token = csrf_token(boss, f"/preferences/{rid}/submitted")
    assert boss.post(f"/preferences/{rid}/close", data={"csrf_token": token}).status_code == 302
    assert "closed" in boss.get(f"/preferences/{rid}/submitted").get_data(as_text=True)
    # Closed: the mentor's form is disabled and a late save is refused.
    late = mentor.post(
        f"/preferences/{rid}", data={"csrf_token": mentor_token, f"rank-{ids['e1']}": "1"}
    )
    assert late.status_code == 409

    boss.post(f"/rounds/{rid}/run", data={"csrf_token": token})
    review = boss.get(f"/rounds/{rid}").get_data(as_text=True)
    assert "Stable:" in review and "Pairs who would both rather swap" in review
    assert "The stable match scores" in review
    listed = boss.get(f"/rounds/{rid}/blocking-pairs")
    assert listed.status_code == 200 and b"blocking pair" in listed.data


def test_the_new_round_form_offers_the_modes(app, setting):
    boss = _signed_in(app, "boss@example.org")
    page = boss.get("/rounds/new").get_data(as_text=True)
    assert 'value="self_select"' in page and "Raise the lowest score first" in page
    token = csrf_token(boss, "/rounds/new")
    form = {
        "csrf_token": token,
        "name": "Fair",
        "min_overlap_hours": "2",
        "specialty": "40",
        "availability": "30",
        "site": "10",
        "region": "5",
        "preference": "15",
        "saturation_hours": "6",
        "mode": "stable",
        "raise_lowest": "y",
        "suggestions": "3",
    }
    refused = boss.post("/rounds/new", data=form)
    assert refused.status_code == 422 and b"for optimal mode" in refused.data
    made = boss.post("/rounds/new", data=form | {"mode": "optimal"})
    assert made.status_code == 302
