"""The demo programme's past: a pilot cohort that has ended and six weeks of shadowing.

So that the coordinator's dashboard has something to show in every chart on first start: four
demo mentees had a pilot mentorship with a demo mentor (ended a few weeks ago, so they are back
in the pool, and the pairs are never proposed again), six weeks of past shifts with attendance,
confirmed hours, no-shows and a waitlist, bookings on the coming weeks' open shifts, and one
mentee short of CE two months before the end of their recertification cycle. Written
straight to the tables, like last season's records: nothing is mailed for the past.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentor_match.models import (
    Booking,
    BookingStatus,
    Mentorship,
    Role,
    Shift,
    ShiftStatus,
    User,
)

# (mentor's place in the demo's mentor list, mentee's place in its mentee list, started and
# ended, in days ago)
PILOT_PAIRS = [(1, 4, 100, 20), (1, 9, 100, 20), (5, 2, 100, 20), (5, 14, 100, 45)]
WEEKS_BACK = 6


def _at(day: date, hour: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(zone)).astimezone(UTC)


def add_demo_history(session: Session, *, today: date | None = None) -> int:
    """Add the pilot mentorships and their shadowing; returns how many bookings were written."""
    today = today or datetime.now(UTC).date()
    now = datetime.now(UTC)
    rng = random.Random(14)  # the same history every time

    def people(kind: str, role: Role) -> list[User]:
        return list(
            session.scalars(
                select(User)
                .where(User.role == role, User.email.like(f"%@{kind}.demo.mentor-match.org"))
                .order_by(User.id)
            )
        )

    mentors, mentees = people("mentor", Role.MENTOR), people("mentee", Role.MENTEE)
    if not mentors or not mentees:
        return 0
    pairs = []
    for mentor_index, mentee_index, started, ended in PILOT_PAIRS:
        mentor, mentee = mentors[mentor_index], mentees[mentee_index]
        session.add(
            Mentorship(
                mentor_id=mentor.id,
                mentee_id=mentee.id,
                created_at=now - timedelta(days=started),
                ended_at=now - timedelta(days=ended),
            )
        )
        pairs.append((mentor, mentee, now - timedelta(days=ended)))

    # Each pilot mentor hosted their mentees on Tuesdays and Thursdays while the pilot ran; the
    # demo's first mentor (whose shifts are open to everyone) hosts any mentee on Wednesdays.
    open_host = mentors[0]
    monday = today - timedelta(days=today.weekday())
    written = 0
    attended: list[tuple[Booking, Shift]] = []
    for week in range(WEEKS_BACK, 0, -1):
        start_of_week = monday - timedelta(weeks=week)
        for mentor in dict.fromkeys(m for m, _, _ in pairs):
            for weekday in (1, 3):
                day = start_of_week + timedelta(days=weekday)
                attendees = [
                    e for m, e, ended in pairs if m is mentor and _at(day, 9, m.timezone) < ended
                ]
                if attendees:
                    written += _past_shift(
                        session, rng, mentor, day, attendees, attended, open_to_all=False
                    )
        day = start_of_week + timedelta(days=2)
        written += _past_shift(
            session, rng, open_host, day, rng.sample(mentees, k=3), attended, open_to_all=True
        )
    written += _book_upcoming(session, rng, open_host, mentees, now)
    _feedback_and_reflections(session, rng, attended, now)
    _short_near_cycle_end(session, mentees[5], today)
    session.flush()
    return written


def _feedback_and_reflections(
    session: Session, rng: random.Random, attended: list[tuple[Booking, Shift]], now: datetime
) -> None:
    """Most attended shifts got their mentor's feedback (rating the shift's specialty's
    competencies, rising over the weeks) and the mentee's reflection; a few are still owed."""
    from mentor_match.models import Competency, CompetencyRating, Reflection, ShiftFeedback

    session.flush()
    framework: dict[int | None, list[int]] = {}
    for index, (booking, shift) in enumerate(attended):
        if shift.specialty_id not in framework:
            framework[shift.specialty_id] = list(
                session.scalars(
                    select(Competency.id)
                    .where(Competency.specialty_id == shift.specialty_id, Competency.active)
                    .order_by(Competency.id)
                    .limit(2)
                )
            )
        given = shift.end_at + timedelta(days=1)
        if given > now:
            continue
        competencies = framework[shift.specialty_id]
        if competencies and rng.random() < 0.8:
            level = min(4, 1 + index * 4 // max(len(attended), 1) + rng.randint(0, 1))
            session.add(
                ShiftFeedback(
                    booking_id=booking.id,
                    author_id=shift.mentor_id,
                    strengths="Careful, methodical work; asked before acting.",
                    next_steps="Lead the next preparation with me watching.",
                    ratings=[CompetencyRating(competency_id=c, level=level) for c in competencies],
                    created_at=given,
                    updated_at=given,
                )
            )
        if rng.random() < 0.7:
            session.add(
                Reflection(
                    booking_id=booking.id,
                    mentee_id=booking.mentee_id,
                    mentor_id=shift.mentor_id,
                    learned="How the checks before release fit together.",
                    apply="I will use the same checklist at my own site.",
                    session_rating=rng.randint(3, 5),
                    created_at=given,
                )
            )


def _short_near_cycle_end(session: Session, mentee: User, today: date) -> None:
    """A mentee two months from the end of their cycle with 7 of 20 CE hours: the dashboard's
    "short near the end of the cycle" list has someone to name."""
    from mentor_match.services.cpd import portfolio  # the demo builds on every area

    portfolio.update_certification(
        session, mentee, ptcb_number="3141592", cycle_ends=today + timedelta(days=60), today=today
    )
    done = today - timedelta(days=40)
    year = f"{done.year % 100:02d}"
    for title, hours, topic in (
        ("Sterile compounding refresher", "6", "07"),
        ("Pharmacy law update", "1", "03"),
    ):
        portfolio.add_activity(
            session,
            mentee,
            {
                "title": title,
                "provider": "Pharmacy Technician CE Center",
                "completed_on": done,
                "hours": hours,
                "uan": f"0175-0000-{year}-311-L{topic}-T",
            },
            today=today,
        )


def _past_shift(
    session: Session,
    rng: random.Random,
    host: User,
    day: date,
    attendees: list[User],
    attended: list[tuple[Booking, Shift]],
    *,
    open_to_all: bool,
) -> int:
    profile = host.mentor_profile
    specialty = profile.specialties[0] if profile and profile.specialties else None
    start = _at(day, 9, host.timezone)
    shift = Shift(
        mentor_id=host.id,
        start_at=start,
        end_at=start + timedelta(hours=4),
        seats=2,
        seats_taken=0,
        location=profile.site.name if profile and profile.site else "",
        specialty_id=specialty.id if specialty else None,
        open_to_all=open_to_all,
        status=ShiftStatus.SCHEDULED,
        created_at=start - timedelta(days=14),
        updated_at=start - timedelta(days=14),
    )
    session.add(shift)
    session.flush()
    for place, mentee in enumerate(attendees):
        if place >= shift.seats:
            session.add(
                Booking(shift_id=shift.id, mentee_id=mentee.id, status=BookingStatus.WAITLISTED)
            )
            continue
        shift.seats_taken += 1
        came = rng.random() > 0.12
        booking = Booking(
            shift_id=shift.id,
            mentee_id=mentee.id,
            status=BookingStatus.CONFIRMED,
            attended=came,
            hours=Decimal(rng.choice(["3.50", "4.00", "4.00"])) if came else None,
            attendance_recorded_at=start + timedelta(hours=5),
            created_at=start - timedelta(days=7),
            updated_at=start + timedelta(hours=5),
        )
        session.add(booking)
        if came:
            attended.append((booking, shift))
    return len(attendees)


BOOKED_AHEAD = 2  # upcoming open shifts the demo's other mentees have booked


def _book_upcoming(
    session: Session, rng: random.Random, host: User, mentees: list[User], now: datetime
) -> int:
    """Mentees book the host's next open shifts: the first two fill, the first has a waitlist."""
    upcoming = list(
        session.scalars(
            select(Shift)
            .where(Shift.mentor_id == host.id, Shift.start_at > now)
            .order_by(Shift.start_at, Shift.id)
        )
    )
    written = 0
    # Only the next few shifts, and never the mentees the demo's sign-ins show (the first
    # three): whoever tries the demo still finds open shifts with free seats to book.
    others = mentees[3:]
    for index, shift in enumerate(upcoming[:BOOKED_AHEAD]):
        # The next shift is full with a waitlist, the one after full; the rest stay open.
        wanted = shift.seats + 1 if index == 0 else shift.seats
        for place, mentee in enumerate(rng.sample(others, k=wanted)):
            full = place >= shift.seats
            session.add(
                Booking(
                    shift_id=shift.id,
                    mentee_id=mentee.id,
                    status=BookingStatus.WAITLISTED if full else BookingStatus.CONFIRMED,
                )
            )
            if not full:
                shift.seats_taken += 1
            written += 1
    return written
