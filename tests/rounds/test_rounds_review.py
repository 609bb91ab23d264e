"""Reviewing a round: sort and filter pairs, places left in Alternatives, pinning an unmatched
mentee, a publish confirmation that names who stays unmatched, and no publishing of nothing."""

from __future__ import annotations

import re

from mentor_match.extensions import db
from mentor_match.models import MatchRound, Mentorship
from tests.helpers import csrf_token, login
from tests.rounds.rounds_people import add_person


def _round(client, token: str) -> int:
    created = client.post(
        "/rounds/new",
        data={
            "csrf_token": token,
            "name": "Review",
            "min_overlap_hours": "2",
            "specialty": "0.4",
            "availability": "0.3",
            "site": "0.1",
            "region": "0.05",
            "preference": "0.15",
            "saturation_hours": "6",
        },
    )
    round_id = int(re.search(r"/rounds/(\d+)", created.headers["Location"]).group(1))
    client.post(f"/rounds/{round_id}/run", data={"csrf_token": token})
    return round_id


def _setup(app, client, make_user):
    make_user("coordinator", email="c@example.org")
    add_person(app, make_user, "mentor", name="Maria Mentor", capacity=2)
    for name in ("Zed Last", "Amy First", "Kim Middle"):
        add_person(app, make_user, "mentee", name=name)
    login(client, "c@example.org")
    token = csrf_token(client, "/rounds/new")
    return _round(client, token), token


def _order(page: str, names: list[str]) -> list[str]:
    pairs = page.split('class="table table-sm pairs"', 1)[1].split("</table>", 1)[0]
    return sorted(names, key=lambda n: pairs.find(n) if n in pairs else 10**9)


def test_pairs_sort_and_filter(app, client, make_user):
    round_id, _ = _setup(app, client, make_user)
    names = ["Zed Last", "Amy First", "Kim Middle"]
    page = client.get(f"/rounds/{round_id}?sort=mentee").get_data(as_text=True)
    matched = [n for n in names if n in page.split("Not matched", 1)[0].split("pairs", 1)[1]]
    assert len(matched) == 2  # capacity 2: one mentee waits
    assert _order(page, matched) == sorted(matched)
    descending = client.get(f"/rounds/{round_id}?sort=mentor&q=amy").get_data(as_text=True)
    pairs = descending.split('id="pairs-heading"', 1)[1].split('id="unmatched-heading"', 1)[0]
    assert "Zed Last" not in pairs and "Kim Middle" not in pairs
    assert "matching “amy”" in descending


def test_unmatched_reason_filter(app, client, make_user):
    round_id, _ = _setup(app, client, make_user)
    page = client.get(f"/rounds/{round_id}?reason=mentors_full").get_data(as_text=True)
    unmatched = page.split('id="unmatched-heading"', 1)[1]
    assert "Every compatible mentor is full" in unmatched or "full" in unmatched
    none = client.get(f"/rounds/{round_id}?reason=no_shared_specialty").get_data(as_text=True)
    assert "No unmatched mentee matches these filters" in none


def test_alternatives_show_places_left_and_pin_an_unmatched_mentee(app, client, make_user):
    round_id, token = _setup(app, client, make_user)
    other = add_person(app, make_user, "mentor", name="Olga Other", capacity=1)
    with app.app_context():
        waiting = db.session.scalar(
            db.select(db.text("mentee_id")).select_from(db.text("unmatched_mentees"))
        )
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert f"/rounds/{round_id}/candidates?mentee_id={waiting}" in page
    alternatives = client.get(f"/rounds/{round_id}/candidates?mentee_id={waiting}")
    text = alternatives.get_data(as_text=True)
    assert "Places left" in text and "Olga Other" in text
    row = text.split("Olga Other", 1)[1].split("</tr>", 1)[0]
    assert re.search(r"<td>1</td>", row)
    pinned = client.post(
        f"/rounds/{round_id}/pins",
        data={"csrf_token": token, "mentee_id": waiting, "mentor_id": other},
        follow_redirects=True,
    )
    assert "Pair pinned" in pinned.get_data(as_text=True)


def test_publish_confirmation_names_who_stays_unmatched(app, client, make_user):
    round_id, _ = _setup(app, client, make_user)
    page = client.get(f"/rounds/{round_id}/publish").get_data(as_text=True)
    assert "1 mentee will stay without a mentor" in page
    assert "Creates 2 mentorships".lower() in page.lower() or "creates 2 mentorships" in page


def test_a_round_that_matches_nobody_cannot_be_published(app, client, make_user):
    make_user("coordinator", email="c@example.org")
    mentor = add_person(app, make_user, "mentor", capacity=1)
    taken = add_person(app, make_user, "mentee")
    with app.app_context():
        db.session.add(Mentorship(mentor_id=mentor, mentee_id=taken))
        db.session.commit()
    add_person(app, make_user, "mentee")
    login(client, "c@example.org")
    token = csrf_token(client, "/rounds/new")
    round_id = _round(client, token)
    page = client.get(f"/rounds/{round_id}/publish").get_data(as_text=True)
    assert "This round matches nobody" in page and "Yes, publish" not in page
    refused = client.post(
        f"/rounds/{round_id}/publish", data={"csrf_token": token}, follow_redirects=True
    )
    assert "matches nobody" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MatchRound, round_id).status == "proposed"


def test_a_pair_pinned_since_the_run_offers_no_exclude(app, client, make_user):
    round_id, token = _setup(app, client, make_user)
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    first = re.search(
        r'name="mentee_id" value="(\d+)"><input type="hidden" name="mentor_id" '
        r'value="(\d+)">\s*<button type="submit" class="[^"]*">Exclude',
        page,
    )
    assert first
    mentee, mentor = first.groups()
    client.post(
        f"/rounds/{round_id}/pins",
        data={"csrf_token": token, "mentee_id": mentee, "mentor_id": mentor},
    )
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert not re.search(
        rf'name="mentee_id" value="{mentee}"><input type="hidden" name="mentor_id" '
        rf'value="{mentor}">\s*<button type="submit" class="[^"]*">Exclude',
        page,
    )
