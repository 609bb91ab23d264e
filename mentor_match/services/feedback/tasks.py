"""What each person owes — feedback, reflections, evaluations — the coordinator's overdue
overview, nudges by mail and the daily reminder of overdue tasks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentor_match.mail import Mail, queue
from mentor_match.models import (
    Booking,
    BookingStatus,
    Evaluation,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    Reflection,
    Role,
    Shift,
    ShiftFeedback,
    Site,
    TaskReminder,
    User,
)
from mentor_match.services.errors import Conflict
from mentor_match.services.feedback.common import FEEDBACK_DUE_DAYS, local_date, utc_now
from mentor_match.services.people import get_mentor

FINAL_EVALUATION_DAYS = 14  # after the mentorship ends
MIDPOINT_AFTER_DAYS = 45  # a mentorship this old is asked for its midpoint evaluation…
MIDPOINT_DUE_DAYS = 60  # …due by this age
KINDS = ("feedback", "reflection", "evaluation")


@dataclass(frozen=True)
class Task:
    person_id: int
    kind: str  # feedback | reflection | evaluation
    due_at: datetime
    booking_id: int | None = None
    mentorship_id: int | None = None
    stage: str | None = None
    about: str = ""  # who or what it concerns, for people

    @property
    def key(self) -> str:
        ref = self.booking_id if self.booking_id is not None else self.mentorship_id
        return f"{self.kind}:{ref}:{self.stage or ''}"


def _attended_bookings(person_column: Any, person_id: int | None):  # noqa: ANN202
    stmt = (
        select(Booking.id, person_column, Shift.end_at, Booking.mentee_id, Shift.mentor_id)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(Booking.status == BookingStatus.CONFIRMED, Booking.attended.is_(True))
    )
    if person_id is not None:
        stmt = stmt.where(person_column == person_id)
    return stmt


def open_tasks(
    session: Session, *, person_id: int | None = None, now: datetime | None = None
) -> list[Task]:
    """Every task not yet done (of one person, or of everyone), oldest due first."""
    moment = utc_now(now)
    due = timedelta(days=FEEDBACK_DUE_DAYS)
    # (person, kind, due, booking, mentorship, stage, the other person's id)
    found: list[tuple[int, str, datetime, int | None, int | None, str | None, int]] = []
    no_feedback = ~exists().where(ShiftFeedback.booking_id == Booking.id)
    for booking_id, mentor_id, end_at, mentee_id, _ in session.execute(
        _attended_bookings(Shift.mentor_id, person_id).where(no_feedback)
    ):
        found.append((mentor_id, "feedback", end_at + due, booking_id, None, None, mentee_id))
    no_reflection = ~exists().where(Reflection.booking_id == Booking.id)
    for booking_id, mentee_id, end_at, _, mentor_id in session.execute(
        _attended_bookings(Booking.mentee_id, person_id).where(no_reflection)
    ):
        found.append((mentee_id, "reflection", end_at + due, booking_id, None, None, mentor_id))
    stmt = select(Mentorship).where(
        (Mentorship.ended_at.is_not(None))
        | (Mentorship.created_at <= moment - timedelta(days=MIDPOINT_AFTER_DAYS))
    )
    if person_id is not None:
        stmt = stmt.where((Mentorship.mentor_id == person_id) | (Mentorship.mentee_id == person_id))
    mentorships = list(session.scalars(stmt))
    given = set(
        session.execute(
            select(Evaluation.mentorship_id, Evaluation.stage, Evaluation.author_id).where(
                Evaluation.mentorship_id.in_([m.id for m in mentorships])
            )
        ).all()
    )
    for m in mentorships:
        if m.ended_at is not None:
            stage, due_at = "final", m.ended_at + timedelta(days=FINAL_EVALUATION_DAYS)
        else:
            stage, due_at = "midpoint", m.created_at + timedelta(days=MIDPOINT_DUE_DAYS)
        for party, other in ((m.mentor_id, m.mentee_id), (m.mentee_id, m.mentor_id)):
            if person_id is not None and party != person_id:
                continue
            if (m.id, stage, party) not in given:
                found.append((party, "evaluation", due_at, None, m.id, stage, other))
    others = {row[6] for row in found}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(others))).all())
    tasks = [
        Task(
            person,
            kind,
            due_at,
            booking_id=booking,
            mentorship_id=ms,
            stage=stage,
            about=names.get(other, ""),
        )
        for person, kind, due_at, booking, ms, stage, other in found
    ]
    tasks.sort(key=lambda t: (t.due_at, t.kind, t.booking_id or 0, t.mentorship_id or 0))
    return tasks


def describe_task(task: Task, zone: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": task.kind, "due": local_date(task.due_at, zone).isoformat()}
    if task.booking_id is not None:
        out["booking_id"] = task.booking_id
    if task.mentorship_id is not None:
        out["mentorship_id"] = task.mentorship_id
    if task.stage is not None:
        out["stage"] = task.stage
    out["about"] = task.about
    return out


def my_tasks(session: Session, user: User, now: datetime | None = None) -> list[Task]:
    if user.is_coordinator:
        return []
    return open_tasks(session, person_id=user.id, now=now)


def is_overdue(task: Task, now: datetime) -> bool:
    return task.due_at < now


@dataclass
class OverdueRow:
    label: str
    count: int
    person_id: int | None = None


def overdue_overview(
    session: Session, now: datetime | None = None, within: frozenset[int] | None = None
) -> tuple[list[OverdueRow], list[OverdueRow]]:
    """Overdue task counts per mentor (what mentors owe) and per site (what everyone there
    owes), largest first; `within` (site ids) counts the people of those sites only."""
    moment = utc_now(now)
    overdue = [t for t in open_tasks(session, now=moment) if is_overdue(t, moment)]
    people = {
        u.id: u
        for u in session.scalars(select(User).where(User.role.in_([Role.MENTOR, Role.MENTEE])))
    }
    mentor_site = dict(session.execute(select(MentorProfile.user_id, MentorProfile.site_id)).all())
    mentee_site = dict(session.execute(select(MenteeProfile.user_id, MenteeProfile.site_id)).all())
    site_names = dict(session.execute(select(Site.id, Site.name)).all())
    per_mentor: dict[int, int] = defaultdict(int)
    per_site: dict[str, int] = defaultdict(int)
    for task in overdue:
        person = people.get(task.person_id)
        if person is None:
            continue
        site_id = mentor_site.get(person.id) or mentee_site.get(person.id)
        if within is not None and site_id not in within:
            continue
        if person.role == Role.MENTOR:
            per_mentor[person.id] += 1
        per_site[site_names.get(site_id, "No site")] += 1
    mentors = [
        OverdueRow(people[i].name, n, i)
        for i, n in sorted(per_mentor.items(), key=lambda kv: (-kv[1], people[kv[0]].name))
    ]
    sites = [
        OverdueRow(name, n) for name, n in sorted(per_site.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return mentors, sites


# -- mail ----------------------------------------------------------------------------------

KIND_WORDS = {
    "feedback": "feedback on a shift with {about}",
    "reflection": "your reflection on a shift with {about}",
    "evaluation": "your {stage} evaluation of the mentorship with {about}",
}


def send_mail(session: Session, to: str, subject: str, body: str) -> None:
    """The one place this feature sends mail (sent when the transaction commits)."""
    queue(session, Mail(to=(to,), subject=subject, body=body))


def _task_lines(tasks: list[Task], zone: str | None) -> str:
    return "\n".join(
        f"- {KIND_WORDS[t.kind].format(about=t.about or 'your mentee', stage=t.stage or '')},"
        f" due {local_date(t.due_at, zone).isoformat()}"
        for t in tasks
    )


def _record(session: Session, user_id: int, key: str, day: date) -> bool:
    """Record a reminder; False when one was already sent for this task and day."""
    if session.scalar(
        select(TaskReminder.id).where(
            and_(
                TaskReminder.user_id == user_id,
                TaskReminder.task_key == key,
                TaskReminder.day == day,
            )
        )
    ):
        return False
    try:
        with session.begin_nested():
            session.add(TaskReminder(user_id=user_id, task_key=key, day=day))
            session.flush()
    except IntegrityError:
        return False
    return True


def check_mentor(session: Session, mentor_id: int) -> User:
    return get_mentor(session, mentor_id)


def nudge(session: Session, mentor_id: int, now: datetime | None = None) -> int:
    """Mail a mentor the list of their overdue tasks; once a day. Returns how many tasks."""
    moment = utc_now(now)
    mentor = check_mentor(session, mentor_id)
    overdue = [
        t for t in open_tasks(session, person_id=mentor.id, now=moment) if is_overdue(t, moment)
    ]
    if not overdue:
        raise Conflict(f"{mentor.name} has no overdue tasks", code="nothing_overdue")
    if not _record(session, mentor.id, "nudge", moment.date()):
        raise Conflict(f"{mentor.name} was already nudged today", code="already_nudged")
    send_mail(
        session,
        mentor.email,
        "A reminder from your programme coordinator",
        f"Hello {mentor.name},\n\nYour programme coordinator asks you to catch up on:\n\n"
        f"{_task_lines(overdue, mentor.timezone)}\n\nSign in to mentor_match to complete them."
        " Thank you!\n",
    )
    return len(overdue)


def remind_overdue(session: Session, now: datetime | None = None) -> int:
    """The daily reminder: one mail per person listing the overdue tasks not yet reminded of
    today. Idempotent: each task is reminded at most once per day. Returns mails queued."""
    moment = utc_now(now)
    day = moment.date()
    pending: dict[int, list[Task]] = defaultdict(list)
    for task in open_tasks(session, now=moment):
        if is_overdue(task, moment) and _record(session, task.person_id, task.key, day):
            pending[task.person_id].append(task)
    sent = 0
    for person_id, tasks in pending.items():
        person = session.get(User, person_id)
        if person is None or not person.active:
            continue
        send_mail(
            session,
            person.email,
            "Overdue in mentor_match",
            f"Hello {person.name},\n\nThese are past their due date:\n\n"
            f"{_task_lines(tasks, person.timezone)}\n\nSign in to mentor_match to complete them.\n",
        )
        sent += 1
    session.flush()
    return sent
