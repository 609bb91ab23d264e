"""Two sites and two coordinators: Boss looks after the whole programme, North Lead after the
site North (region Midwest); Harbour (region East) is another site's."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mentor_match.extensions import db
from mentor_match.models import User
from tests.rounds.rounds_people import add_person


@dataclass
class Sites:
    boss: int  # programme-wide coordinator
    north: int  # coordinator of the North site
    people: dict[str, int]
    api: dict[str, dict[str, str]]


@pytest.fixture
def sites(app, make_user, token_for) -> Sites:
    from mentor_match.services import scopes

    boss = make_user("coordinator", email="boss@example.org", name="Boss")
    north = make_user("coordinator", email="north@example.org", name="North Lead")
    people = {}
    for key, role, site in (
        ("north_mentee", "mentee", ("North", "Midwest")),
        ("north_mentor", "mentor", ("North", "Midwest")),
        ("harbour_mentee", "mentee", ("Harbour", "East")),
        ("harbour_mentor", "mentor", ("Harbour", "East")),
    ):
        people[key] = add_person(
            app,
            make_user,
            role,
            email=f"{key.replace('_', '.')}@example.org",
            name=key.replace("_", " ").title(),
            site=site,
        )
    with app.app_context():
        scopes.set_scope(db.session, db.session.get(User, boss), north, sites=["North"], regions=[])
        db.session.commit()
    return Sites(boss, north, people, {"boss": token_for(boss), "north": token_for(north)})
