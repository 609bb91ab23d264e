"""A mentee's candidates are read from the mentors who could be them, with the same answer as
from the whole pool."""

from __future__ import annotations

from mentor_match.extensions import db
from mentor_match.matching import candidates
from mentor_match.models import MatchRound, MenteePreference, RoundPin, User
from mentor_match.services import demo
from mentor_match.services.rounds import candidates_for, load_round_input


def _from_whole_pool(match_round: MatchRound, mentee_id: int) -> list[tuple]:
    pool = load_round_input(db.session, match_round, mentee_ids=[mentee_id])
    return [(c.mentor_id, c.score, c.breakdown) for c in candidates(pool.data, mentee_id)]


def test_candidates_equal_those_from_the_whole_pool(app):  # noqa: ANN001
    with app.app_context():
        demo.load_demo(db.session)
        match_round = db.session.get(MatchRound, demo.create_demo_round(db.session))
        pool = load_round_input(db.session, match_round)
        mentees = [m.id for m in pool.data.mentees]
        mentors = [m.id for m in pool.data.mentors]
        assert mentees and mentors
        # A pin and a preference for a mentor of no shared specialty change nothing either.
        first = db.session.get(User, mentees[0])
        db.session.add(RoundPin(round_id=match_round.id, mentee_id=first.id, mentor_id=mentors[-1]))
        mentor = db.session.get(User, mentors[0])
        db.session.add(
            MenteePreference(
                mentee_profile_id=first.mentee_profile.id, mentor_email=mentor.email, rank=9
            )
        )
        db.session.flush()
        checked = 0
        for mentee_id in mentees:
            narrowed = [
                (c["mentor_id"], c["score"], c["breakdown"])
                for c in candidates_for(db.session, match_round, mentee_id)
            ]
            assert narrowed == _from_whole_pool(match_round, mentee_id), mentee_id
            checked += bool(narrowed)
        assert checked
