"""Publishing a self-select round: each pool mentee's best mentors stored and mailed."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mentor_match.database import begin_write, utcnow
from mentor_match.mail import Mail, queue
from mentor_match.matching.modes import suggestions as best_mentors
from mentor_match.models import MatchRound, MentorSuggestion, User
from mentor_match.services.rounds.definition import (
    DEFAULT_SUGGESTIONS,
    claim_publication,
    get_round,
)
from mentor_match.services.rounds.pool import load_round_input


def publish_suggestions(session: Session, round_id: int, base_url: str = "") -> MatchRound:
    """Publish a self-select round: store each pool mentee's best mentors and tell them."""
    begin_write(session)
    match_round = get_round(session, round_id)
    claim_publication(session, match_round, utcnow())
    pool = load_round_input(session, match_round)
    found = best_mentors(pool.data, match_round.suggestions or DEFAULT_SUGGESTIONS)
    rows = [
        {
            "round_id": round_id,
            "mentee_id": mentee_id,
            "mentor_id": c.mentor_id,
            "rank": k,
            "score": c.score,
            "breakdown": {name: float(v) for name, v in c.breakdown.items()},
            "overlap_hours": c.overlap_hours,
            "created_at": utcnow(),
        }
        for mentee_id, items in found.items()
        for k, c in enumerate(items, 1)
    ]
    if rows:
        session.execute(insert(MentorSuggestion), rows)
    emails = dict(
        session.execute(
            select(User.id, User.email).where(User.id.in_([i for i, c in found.items() if c]))
        ).all()
    )
    link = f"{base_url.rstrip('/')}/suggestions/" if base_url else "/suggestions/"
    for mentee_id, items in found.items():
        if not items:
            continue
        names = "\n".join(f"- {pool.names.get(c.mentor_id, '')}" for c in items)
        queue(
            session,
            Mail(
                to=(emails[mentee_id],),
                subject="Choose your mentor",
                body=(
                    f"Hello {pool.names.get(mentee_id, '')},\n\n"
                    f'The round "{match_round.name}" suggests these mentors for you:\n'
                    f"{names}\n\nSee why and ask one of them: {link}\n"
                ),
            ),
        )
    session.flush()
    session.refresh(match_round)
    return match_round
