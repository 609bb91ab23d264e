"""The home page's summary: what each person should look at next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session, selectinload

from mentor_match.models import (
    Booking,
    BookingStatus,
    MatchRound,
    MentorProfile,
    Mentorship,
    Role,
    Shift,
    ShiftStatus,
    User,
)
from mentor_match.services import cpd, rounds, scopes, shifts
from mentor_match.services.feedback import tasks as feedback_tasks

SHOWN = 3


@dataclass
class Home:
    counts: dict[str, int] = field(default_factory=dict)
    matches: list[dict[str, Any]] = field(default_factory=list)
    next_shifts: list[Shift] = field(default_factory=list)
    next_bookings: list[Booking] = field(default_factory=list)
    latest_rounds: list[MatchRound] = field(default_factory=list)
    cpd_hours: Decimal | None = None
    tasks: list[feedback_tasks.Task] = field(default_factory=list)
    now: datetime | None = None


def _current(mentorship_column: Any) -> Any:
    return select(mentorship_column).where(Mentorship.ended_at.is_(None))


def coordinator_counts(
    session: Session, now: datetime, site_ids: frozenset[int] | None = None
) -> dict[str, int]:
    """The programme's counts; with `site_ids`, only the people (and shifts) of those sites."""

    def count(stmt: Any) -> int:
        return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    active = select(User.id).where(User.active.is_(True))
    shift_filter: Any = true()
    if site_ids is not None:
        active = active.where(scopes.people_of_sites(User.id, site_ids))
        shift_filter = scopes.people_of_sites(Shift.mentor_id, site_ids)
    taken = (
        select(Mentorship.mentor_id, func.count().label("n"))
        .where(Mentorship.ended_at.is_(None))
        .group_by(Mentorship.mentor_id)
        .subquery()
    )
    return {
        "mentors": count(active.where(User.role == Role.MENTOR)),
        "mentees": count(active.where(User.role == Role.MENTEE)),
        "mentees_waiting": count(
            active.where(User.role == Role.MENTEE, User.id.not_in(_current(Mentorship.mentee_id)))
        ),
        "mentors_with_places": count(
            select(MentorProfile.id)
            .join(User, User.id == MentorProfile.user_id)
            .outerjoin(taken, taken.c.mentor_id == User.id)
            .where(
                User.active.is_(True),
                MentorProfile.capacity > func.coalesce(taken.c.n, 0),
                true() if site_ids is None else MentorProfile.site_id.in_(site_ids),
            )
        ),
        "shifts_next_14_days": count(
            select(Shift.id).where(
                Shift.status == ShiftStatus.SCHEDULED,
                Shift.start_at > now,
                Shift.start_at < now + timedelta(days=14),
                shift_filter,
            )
        ),
    }


def home_for(session: Session, user: User, now: datetime | None = None) -> Home:
    now = now or datetime.now(UTC)
    home = Home()
    if user.role == Role.COORDINATOR:
        site_ids = scopes.visible_site_ids(session, user)
        home.counts = coordinator_counts(session, now, site_ids)
        latest = select(MatchRound).order_by(MatchRound.id.desc()).limit(SHOWN)
        theirs = scopes.visible_rounds(session, user, MatchRound.id)
        if theirs is not None:
            latest = latest.where(theirs)
        home.latest_rounds = list(session.scalars(latest))
        return home
    home.matches = [m for m in rounds.my_matches(session, user) if m["ended_at"] is None]
    home.tasks = feedback_tasks.my_tasks(session, user, now=now)
    home.now = now
    if user.role == Role.MENTOR:
        home.next_shifts = shifts.list_shifts(session, user, start_from=now, limit=SHOWN)
    else:
        home.next_bookings = list(
            session.scalars(
                select(Booking)
                .join(Booking.shift)
                .where(
                    Booking.mentee_id == user.id,
                    Booking.status != BookingStatus.CANCELLED,
                    Shift.start_at > now,
                )
                .options(selectinload(Booking.shift).selectinload(Shift.mentor))
                .order_by(Shift.start_at, Booking.id)
                .limit(SHOWN)
            )
        )
        home.cpd_hours = cpd.cpd_log(session, user).total
    return home
