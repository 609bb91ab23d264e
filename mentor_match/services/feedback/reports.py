"""Coordinators' reports: completion rates, mean session rating per mentor (n ≥ 3 only) and
sign-offs per competency and specialty, on the page and as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from mentor_match.importing import neutralise_cell
from mentor_match.models import (
    Booking,
    BookingStatus,
    Competency,
    Evaluation,
    Mentorship,
    Reflection,
    Role,
    Shift,
    ShiftFeedback,
    SignOff,
    Specialty,
    User,
)
from mentor_match.services import scopes
from mentor_match.services.feedback.common import MIN_RATINGS_SHOWN


@dataclass(frozen=True)
class Completion:
    label: str
    done: int
    expected: int

    @property
    def rate(self) -> float | None:
        return self.done / self.expected if self.expected else None


@dataclass(frozen=True)
class MentorRating:
    mentor: str
    count: int
    average: float | None  # None below MIN_RATINGS_SHOWN


@dataclass(frozen=True)
class SignOffCount:
    code: str
    title: str
    specialty: str
    active: bool
    count: int


@dataclass
class Report:
    completion: list[Completion]
    ratings: list[MentorRating]
    signoffs: list[SignOffCount]
    per_specialty: list[tuple[str, int]]


def feedback_report(session: Session, within: frozenset[int] | None = None) -> Report:
    """Completion, ratings and sign-offs; `within` (site ids) counts those sites only: a shift
    (its bookings, feedback and ratings) and a mentorship belong to the mentor's site, a
    sign-off to the mentee's."""
    at_mentor: Any = true()
    of_pair: Any = true()
    of_mentor: Any = true()
    of_mentee: Any = true()
    if within is not None:
        at_mentor = scopes.people_of_sites(Shift.mentor_id, within)
        of_pair = scopes.people_of_sites(Mentorship.mentor_id, within)
        of_mentor = scopes.people_of_sites(User.id, within)
        of_mentee = scopes.people_of_sites(SignOff.mentee_id, within)
    attended = (
        select(Booking.id)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(Booking.status == BookingStatus.CONFIRMED, Booking.attended.is_(True), at_mentor)
        .subquery()
    )

    def count(stmt: Any) -> int:
        return session.scalar(stmt) or 0

    attended_n = count(select(func.count()).select_from(attended))
    feedback_n = count(
        select(func.count(ShiftFeedback.id)).where(ShiftFeedback.booking_id.in_(select(attended)))
    )
    reflection_n = count(
        select(func.count(Reflection.id)).where(Reflection.booking_id.in_(select(attended)))
    )
    ended = count(
        select(func.count(Mentorship.id)).where(Mentorship.ended_at.is_not(None), of_pair)
    )
    finals = count(
        select(func.count(Evaluation.id))
        .join(Mentorship, Mentorship.id == Evaluation.mentorship_id)
        .where(Evaluation.stage == "final", of_pair)
    )
    completion = [
        Completion("Feedback on attended shifts", feedback_n, attended_n),
        Completion("Reflections on attended shifts", reflection_n, attended_n),
        Completion("Final evaluations of ended mentorships", finals, 2 * ended),
    ]
    ratings = []
    for name, n, average in session.execute(
        select(User.name, func.count(Reflection.id), func.avg(Reflection.session_rating))
        .join(Reflection, Reflection.mentor_id == User.id)
        .where(User.role == Role.MENTOR, of_mentor)
        .group_by(User.id, User.name)
        .order_by(User.name)
    ):
        shown = n >= MIN_RATINGS_SHOWN
        ratings.append(MentorRating(name, n, round(float(average), 2) if shown else None))
    live = (
        select(SignOff.competency_id, func.count().label("n"))
        .where(SignOff.revoked_at.is_(None), of_mentee)
        .group_by(SignOff.competency_id)
        .subquery()
    )
    signoffs = [
        SignOffCount(code, title, specialty or "General", active, n or 0)
        for code, title, specialty, active, n in session.execute(
            select(Competency.code, Competency.title, Specialty.name, Competency.active, live.c.n)
            .outerjoin(Specialty, Specialty.id == Competency.specialty_id)
            .outerjoin(live, live.c.competency_id == Competency.id)
            .order_by(Specialty.name.is_not(None), Specialty.name, Competency.code)
        )
    ]
    per_specialty: dict[str, int] = {}
    for row in signoffs:
        per_specialty[row.specialty] = per_specialty.get(row.specialty, 0) + row.count
    return Report(completion, ratings, signoffs, sorted(per_specialty.items()))


def report_csv(report: Report) -> str:
    """One table: section, item, specialty, count, value."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["section", "item", "specialty", "count", "value"])
    rows: list[list[str]] = []
    for c in report.completion:
        rate = "" if c.rate is None else f"{c.rate:.3f}"
        rows.append(["completion", c.label, "", f"{c.done}/{c.expected}", rate])
    for r in report.ratings:
        rows.append(
            [
                "mean session rating",
                r.mentor,
                "",
                str(r.count),
                "" if r.average is None else f"{r.average:.2f}",
            ]
        )
    for s in report.signoffs:
        rows.append(
            ["sign-offs per competency", f"{s.code} {s.title}", s.specialty, str(s.count), ""]
        )
    for name, n in report.per_specialty:
        rows.append(["sign-offs per specialty", name, name, str(n), ""])
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
    return out.getvalue()
