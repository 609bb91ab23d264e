"""Shadowing hours: attended, mentor-confirmed hours per mentee and specialty (CPD beside CE)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, true
from sqlalchemy.orm import Session, selectinload

from mentor_match.extensions import db
from mentor_match.importing import neutralise_cell
from mentor_match.models import Booking, BookingStatus, Role, Shift, Specialty, User
from mentor_match.services import scopes

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CpdEntry:
    date: date
    mentor: str
    specialty: str
    location: str
    hours: Decimal
    running_total: Decimal


@dataclass(frozen=True)
class CpdLog:
    mentee: User
    entries: list[CpdEntry]

    @property
    def total(self) -> Decimal:
        return self.entries[-1].running_total if self.entries else ZERO


def _attended():  # noqa: ANN202
    return (
        Booking.status == BookingStatus.CONFIRMED,
        Booking.attended.is_(True),
        Booking.hours > 0,
    )


def cpd_log(session: Session, mentee: User) -> CpdLog:
    """Every attended shift of the mentee with its confirmed hours, oldest first.

    Dates are the mentee's own local dates.
    """
    bookings = session.scalars(
        db.select(Booking)
        .join(Booking.shift)
        .where(Booking.mentee_id == mentee.id, *_attended())
        .options(
            selectinload(Booking.shift).selectinload(Shift.mentor),
            selectinload(Booking.shift).selectinload(Shift.specialty),
        )
        .order_by(Shift.start_at, Booking.id)
    ).all()
    try:
        zone = ZoneInfo(mentee.timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    total = ZERO
    entries = []
    for booking in bookings:
        hours = Decimal(booking.hours or 0).quantize(Decimal("0.01"))
        total += hours
        shift = booking.shift
        entries.append(
            CpdEntry(
                date=shift.start_at.astimezone(zone).date(),
                mentor=shift.mentor.name,
                specialty=shift.specialty.name if shift.specialty else "",
                location=shift.location,
                hours=hours,
                running_total=total,
            )
        )
    return CpdLog(mentee, entries)


def cpd_dict(log: CpdLog) -> dict:
    return {
        "mentee_id": log.mentee.id,
        "entries": [
            {
                "date": e.date.isoformat(),
                "mentor": e.mentor,
                "specialty": e.specialty,
                "location": e.location,
                "hours": float(e.hours),
                "running_total": float(e.running_total),
            }
            for e in log.entries
        ],
        "total": float(log.total),
    }


def cpd_csv(log: CpdLog) -> str:
    """The log as CSV; cells a spreadsheet would run as formulas are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "mentor", "specialty", "location", "hours", "running_total"])
    for e in log.entries:
        row = [e.date.isoformat(), e.mentor, e.specialty, e.location, e.hours, e.running_total]
        writer.writerow([neutralise_cell(str(cell)) for cell in row])
    return out.getvalue()


@dataclass(frozen=True)
class HoursRow:
    label: str
    hours: Decimal
    shifts: int
    mentee_id: int | None = None


@dataclass(frozen=True)
class CpdReport:
    by_mentee: list[HoursRow]
    by_specialty: list[HoursRow]

    @property
    def total(self) -> Decimal:
        return sum((row.hours for row in self.by_mentee), ZERO)


def cpd_report(session: Session, within: frozenset[int] | None = None) -> CpdReport:
    """Attended hours per mentee (every active mentee, zero included) and per specialty;
    `within` (site ids) keeps the mentees of those sites and their hours."""
    mine = true() if within is None else scopes.people_of_sites(Booking.mentee_id, within)
    per_mentee = dict(
        (mentee_id, (hours, count))
        for mentee_id, hours, count in session.execute(
            db.select(Booking.mentee_id, func.sum(Booking.hours), func.count(Booking.id))
            .where(*_attended(), mine)
            .group_by(Booking.mentee_id)
        )
    )
    mentee_stmt = db.select(User).where(User.role == Role.MENTEE, User.active.is_(True))
    if within is not None:
        mentee_stmt = mentee_stmt.where(scopes.people_of_sites(User.id, within))
    mentees = session.scalars(mentee_stmt.order_by(User.name)).all()
    by_mentee = [
        HoursRow(
            m.name,
            Decimal(per_mentee.get(m.id, (0, 0))[0] or 0).quantize(Decimal("0.01")),
            per_mentee.get(m.id, (0, 0))[1],
            m.id,
        )
        for m in mentees
    ]
    by_mentee.sort(key=lambda row: (-row.hours, row.label))
    by_specialty = [
        HoursRow(name or "No specialty", Decimal(hours or 0).quantize(Decimal("0.01")), count)
        for name, hours, count in session.execute(
            db.select(Specialty.name, func.sum(Booking.hours), func.count(Booking.id))
            .select_from(Booking)
            .join(Shift, Shift.id == Booking.shift_id)
            .outerjoin(Specialty, Specialty.id == Shift.specialty_id)
            .where(*_attended(), mine)
            .group_by(Specialty.name)
            .order_by(func.sum(Booking.hours).desc())
        )
    ]
    return CpdReport(by_mentee, by_specialty)
