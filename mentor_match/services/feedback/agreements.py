"""The mentorship agreement: goals, check-ins, and midpoint and final evaluations both ways."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentor_match.database import add_unique
from mentor_match.models import CheckIn, Evaluation, Goal, Mentorship, User
from mentor_match.services import scopes
from mentor_match.services.errors import Conflict, Forbidden, Invalid, NotFound
from mentor_match.services.feedback.common import COMMENT_MAX, TEXT_MAX, text_field, utc_now

GOAL_TITLE_MAX = 200
GOAL_STATUSES = ("open", "met", "dropped")
CHECKIN_MINUTES = (1, 600)
STAGES = ("midpoint", "final")
EVALUATION_SCALE = (1, 5)
# The short fixed forms: what a mentee rates about their mentor, and a mentor about their mentee.
MENTEE_QUESTIONS: dict[str, str] = {
    "availability": "My mentor was available when I needed them",
    "explanations": "My mentor explained things clearly",
    "feedback": "My mentor's feedback helped me improve",
    "respect": "My mentor treated me with respect",
}
MENTOR_QUESTIONS: dict[str, str] = {
    "preparation": "My mentee came prepared",
    "engagement": "My mentee took part and asked questions",
    "progress": "My mentee made progress toward their goals",
    "professionalism": "My mentee acted professionally",
}


def questions_for(user: User) -> dict[str, str]:
    return MENTOR_QUESTIONS if user.is_mentor else MENTEE_QUESTIONS


def _mentorship(session: Session, mentorship_id: int) -> Mentorship:
    found = session.get(Mentorship, mentorship_id)
    if found is None:
        raise NotFound("no such mentorship")
    return found


def _party(session: Session, user: User, mentorship_id: int) -> Mentorship:
    mentorship = _mentorship(session, mentorship_id)
    if user.id not in (mentorship.mentor_id, mentorship.mentee_id):
        raise Forbidden("only the mentor and the mentee of this mentorship do this")
    return mentorship


def check_party(session: Session, user: User, mentorship_id: int) -> Mentorship:
    """The mentorship, when `user` is its mentor or mentee (404 before 403)."""
    return _party(session, user, mentorship_id)


def get_goal(session: Session, goal_id: int) -> Goal:
    goal = session.get(Goal, goal_id)
    if goal is None:
        raise NotFound("no such goal")
    return goal


def check_goal_party(session: Session, user: User, goal_id: int) -> Goal:
    goal = get_goal(session, goal_id)
    _party(session, user, goal.mentorship_id)
    return goal


def _current(mentorship: Mentorship) -> None:
    if mentorship.ended_at is not None:
        raise Conflict("this mentorship has ended", code="ended")


def add_goal(
    session: Session,
    user: User,
    mentorship_id: int,
    title: str,
    target_date: date | None,
    now: datetime | None = None,
) -> Goal:
    mentorship = _party(session, user, mentorship_id)
    _current(mentorship)
    moment = utc_now(now)
    goal = Goal(
        mentorship_id=mentorship.id,
        title=text_field(title, "title", limit=GOAL_TITLE_MAX),
        target_date=target_date,
        status="open",
        created_by_id=user.id,
        created_at=moment,
        updated_at=moment,
    )
    session.add(goal)
    session.flush()
    return goal


def set_goal_status(
    session: Session, user: User, goal_id: int, status: str, now: datetime | None = None
) -> Goal:
    goal = check_goal_party(session, user, goal_id)
    if status not in GOAL_STATUSES:
        raise Invalid(
            "status is open, met or dropped",
            details=[{"field": "status", "message": "open, met or dropped"}],
        )
    goal.status = status
    goal.updated_at = utc_now(now)
    session.flush()
    return goal


def log_checkin(
    session: Session,
    user: User,
    mentorship_id: int,
    held_on: date,
    minutes: int,
    notes: str | None,
    now: datetime | None = None,
) -> CheckIn:
    mentorship = _party(session, user, mentorship_id)
    low, high = CHECKIN_MINUTES
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
        raise Invalid(
            f"minutes is a whole number from {low} to {high}",
            details=[{"field": "minutes", "message": f"{low} to {high}"}],
        )
    moment = utc_now(now)
    if held_on > moment.date() or held_on < mentorship.created_at.date():
        raise Invalid(
            "the date is between the mentorship's start and today",
            details=[{"field": "date", "message": "not during this mentorship"}],
        )
    checkin = CheckIn(
        mentorship_id=mentorship.id,
        held_on=held_on,
        minutes=minutes,
        notes=text_field(notes, "notes", limit=TEXT_MAX, required=False),
        author_id=user.id,
        created_at=moment,
    )
    session.add(checkin)
    session.flush()
    return checkin


def submit_evaluation(
    session: Session,
    user: User,
    mentorship_id: int,
    stage: str,
    ratings: dict[str, int],
    comment: str | None,
    now: datetime | None = None,
) -> Evaluation:
    """Each party evaluates the other once per stage; the midpoint only while it runs."""
    mentorship = _party(session, user, mentorship_id)
    if stage not in STAGES:
        raise Invalid(
            "stage is midpoint or final",
            details=[{"field": "stage", "message": "midpoint or final"}],
        )
    if stage == "midpoint":
        _current(mentorship)
    questions = questions_for(user)
    low, high = EVALUATION_SCALE
    missing = [name for name in questions if name not in ratings]
    unknown = [name for name in ratings if name not in questions]
    details = [{"field": f"ratings.{n}", "message": "is required"} for n in missing] + [
        {"field": f"ratings.{n}", "message": "not a question of this form"} for n in unknown
    ]
    for name, value in ratings.items():
        if name in questions and (
            isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
        ):
            details.append({"field": f"ratings.{name}", "message": f"{low} to {high}"})
    if details:
        raise Invalid(f"rate each of {', '.join(questions)} from {low} to {high}", details=details)
    taken = session.scalar(
        select(Evaluation.id).where(
            Evaluation.mentorship_id == mentorship.id,
            Evaluation.stage == stage,
            Evaluation.author_id == user.id,
        )
    )
    if taken is not None:
        raise Conflict(f"you have already given your {stage} evaluation", code="already_given")
    evaluation = Evaluation(
        mentorship_id=mentorship.id,
        stage=stage,
        author_id=user.id,
        ratings={name: ratings[name] for name in questions},
        comment=text_field(comment, "comment", limit=COMMENT_MAX, required=False),
        created_at=utc_now(now),
    )
    add_unique(
        session,
        evaluation,
        Conflict(f"you have already given your {stage} evaluation", code="already_given"),
    )
    return evaluation


def describe_evaluation(e: Evaluation) -> dict[str, Any]:
    return {
        "id": e.id,
        "mentorship_id": e.mentorship_id,
        "stage": e.stage,
        "author_id": e.author_id,
        "ratings": dict(e.ratings),
        "comment": e.comment,
        "created_at": e.created_at.isoformat(),
    }


def describe_goal(g: Goal) -> dict[str, Any]:
    return {
        "id": g.id,
        "mentorship_id": g.mentorship_id,
        "title": g.title,
        "target_date": g.target_date.isoformat() if g.target_date else None,
        "status": g.status,
        "created_by": g.created_by_id,
        "updated_at": g.updated_at.isoformat(),
    }


def describe_checkin(c: CheckIn) -> dict[str, Any]:
    return {
        "id": c.id,
        "mentorship_id": c.mentorship_id,
        "date": c.held_on.isoformat(),
        "minutes": c.minutes,
        "notes": c.notes,
        "author_id": c.author_id,
    }


@dataclass
class Agreement:
    mentorship: Mentorship
    goals: list[Goal] = field(default_factory=list)
    checkins: list[CheckIn] = field(default_factory=list)
    # What the viewer may read: their own, and the other party's once they gave theirs for
    # that stage (neither sees the other's first: no answer is shaped by the other's).
    evaluations: list[Evaluation] = field(default_factory=list)
    given: set[str] = field(default_factory=set)  # stages the viewer has evaluated


def agreement(session: Session, viewer: User, mentorship_id: int) -> Agreement:
    """The parties and coordinators read it."""
    mentorship = _mentorship(session, mentorship_id)
    if not viewer.is_coordinator and viewer.id not in (
        mentorship.mentor_id,
        mentorship.mentee_id,
    ):
        raise Forbidden("only the mentor, the mentee and coordinators see this agreement")
    scopes.check_pair(session, viewer, mentorship.mentor_id, mentorship.mentee_id, "mentorship")
    found = Agreement(mentorship)
    found.goals = list(
        session.scalars(select(Goal).where(Goal.mentorship_id == mentorship.id).order_by(Goal.id))
    )
    found.checkins = list(
        session.scalars(
            select(CheckIn)
            .where(CheckIn.mentorship_id == mentorship.id)
            .order_by(CheckIn.held_on.desc(), CheckIn.id.desc())
        )
    )
    evaluations = list(
        session.scalars(
            select(Evaluation)
            .where(Evaluation.mentorship_id == mentorship.id)
            .order_by(Evaluation.stage, Evaluation.id)
        )
    )
    found.given = {e.stage for e in evaluations if e.author_id == viewer.id}
    found.evaluations = [
        e
        for e in evaluations
        if viewer.is_coordinator or e.author_id == viewer.id or e.stage in found.given
    ]
    return found


def describe_agreement(found: Agreement) -> dict[str, Any]:
    m = found.mentorship
    return {
        "mentorship_id": m.id,
        "mentor_id": m.mentor_id,
        "mentee_id": m.mentee_id,
        "current": m.ended_at is None,
        "goals": [describe_goal(g) for g in found.goals],
        "checkins": [describe_checkin(c) for c in found.checkins],
        "evaluations": [describe_evaluation(e) for e in found.evaluations],
    }


def mentorships_of(session: Session, user: User) -> list[Mentorship]:
    """The user's mentorships (all of them for coordinators), current first, newest first."""
    stmt = select(Mentorship).order_by(
        Mentorship.ended_at.is_not(None), Mentorship.created_at.desc(), Mentorship.id.desc()
    )
    if not user.is_coordinator:
        stmt = stmt.where((Mentorship.mentor_id == user.id) | (Mentorship.mentee_id == user.id))
    theirs = scopes.visible_pairs(session, user, Mentorship.mentor_id, Mentorship.mentee_id)
    if theirs is not None:  # a site-scoped coordinator: the pairs of their sites
        stmt = stmt.where(theirs)
    return list(session.scalars(stmt))
