"""Publishing a round's proposal as mentorships, and what participants then see."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from mentor_match.database import begin_write, utcnow
from mentor_match.mail import Mail, queue_many
from mentor_match.models import (
    MatchRound,
    MentorProfile,
    Mentorship,
    ProposedMatch,
    Role,
    RoundStatus,
    User,
)
from mentor_match.services.errors import Conflict
from mentor_match.services.rounds.definition import claim_publication, get_round
from mentor_match.services.rounds.self_select import publish_suggestions


def publish_round(session: Session, round_id: int, base_url: str = "") -> MatchRound:
    """Turn the proposal into mentorships, in one transaction, and mail each pair.

    A self-select round publishes suggestions instead (`self_select.publish_suggestions`).

    The status moves proposed -> published with a conditional UPDATE (so two publishes
    cannot both pass), then each mentor's capacity and each mentee's freedom are checked
    again against the database, with the mentors' profiles locked on PostgreSQL.
    """
    if get_round(session, round_id).mode == "self_select":
        return publish_suggestions(session, round_id, base_url)
    begin_write(session)
    match_round = get_round(session, round_id)
    if match_round.status == RoundStatus.PROPOSED and not session.scalar(
        select(ProposedMatch.id).where(ProposedMatch.round_id == round_id).limit(1)
    ):
        raise Conflict(
            "this round matches nobody, so publishing it would change nothing; adjust the "
            "pins, exclusions or rules and run it again",
            code="nothing_to_publish",
        )
    now = utcnow()
    claim_publication(session, match_round, now)
    pairs = session.execute(
        select(ProposedMatch.mentee_id, ProposedMatch.mentor_id, ProposedMatch.score)
        .where(ProposedMatch.round_id == round_id)
        .order_by(ProposedMatch.mentee_id)
    ).all()
    new_per_mentor: dict[int, int] = defaultdict(int)
    for _, mentor_id, _ in pairs:
        new_per_mentor[mentor_id] += 1
    capacity = dict(
        session.execute(
            select(MentorProfile.user_id, MentorProfile.capacity)
            .where(MentorProfile.user_id.in_(sorted(new_per_mentor)))
            .order_by(MentorProfile.id)
            .with_for_update()
        ).all()
    )
    active = dict(
        session.execute(
            select(Mentorship.mentor_id, func.count())
            .where(Mentorship.ended_at.is_(None))
            .group_by(Mentorship.mentor_id)
        ).all()
    )
    over = [
        m for m, n in sorted(new_per_mentor.items()) if active.get(m, 0) + n > capacity.get(m, 0)
    ]
    if over:
        raise Conflict(
            "publishing would put mentor(s) "
            + ", ".join(map(str, over[:12]))
            + " over capacity (they took mentees since this proposal was made); "
            "run the round again",
            code="over_capacity",
        )
    taken = set(
        session.scalars(select(Mentorship.mentee_id).where(Mentorship.ended_at.is_(None)))
    ) & {p[0] for p in pairs}
    if taken:
        raise Conflict(
            "mentee(s) "
            + ", ".join(map(str, sorted(taken)[:12]))
            + " got a mentor since this proposal was made; run the round again",
            code="mentee_taken",
        )
    if pairs:
        try:
            with session.begin_nested():
                session.execute(
                    insert(Mentorship),
                    [
                        {
                            "mentee_id": mentee_id,
                            "mentor_id": mentor_id,
                            "round_id": round_id,
                            "score": score,
                            "created_at": now,
                        }
                        for mentee_id, mentor_id, score in pairs
                    ],
                )
        except IntegrityError as exc:
            raise Conflict(
                "a pair in this proposal was already matched; run the round again",
                code="pair_repeated",
            ) from exc
        _notify(session, match_round, pairs)
    session.flush()
    session.refresh(match_round)
    return match_round


def _notify(session: Session, match_round: MatchRound, pairs: list) -> None:
    ids = {p[0] for p in pairs} | {p[1] for p in pairs}
    people = {
        u.id: u
        for u in session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    }

    def mail(mentee_id: int, mentor_id: int) -> Mail:
        mentee, mentor = people[mentee_id], people[mentor_id]
        return Mail(
            to=(mentee.email, mentor.email),
            subject=f"You are matched: {mentee.name} and {mentor.name}",
            body=(
                f"Hello {mentee.name} and {mentor.name},\n\n"
                f'The match round "{match_round.name}" has paired you: '
                f"{mentor.name} ({mentor.email}) will mentor {mentee.name} "
                f"({mentee.email}).\n\n"
                "Sign in to mentor_match to see your match, and book or offer "
                "shadowing shifts.\n"
            ),
        )

    # One bulk INSERT into the outbox, in the publish transaction: the worker sends them.
    queue_many(session, (mail(mentee_id, mentor_id) for mentee_id, mentor_id, _ in pairs))


def my_matches(session: Session, user: User) -> list[dict[str, Any]]:
    """A mentor's mentees or a mentee's mentor(s), current ones first."""
    other = aliased(User)
    if user.role == Role.MENTOR:
        mine, theirs = Mentorship.mentor_id, Mentorship.mentee_id
    else:
        mine, theirs = Mentorship.mentee_id, Mentorship.mentor_id
    rows = session.execute(
        select(Mentorship, other)
        .join(other, other.id == theirs)
        .where(mine == user.id)
        .order_by(Mentorship.ended_at.is_not(None), Mentorship.created_at.desc())
    ).all()
    return [
        {
            "name": person.name,
            "email": person.email,
            "since": mentorship.created_at,
            "ended_at": mentorship.ended_at,
            "score": mentorship.score,
        }
        for mentorship, person in rows
    ]
