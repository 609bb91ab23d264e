"""The demo programme: three sites in two regions, eight mentors, twenty mentees."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentor_match.importing.availability import parse_availability
from mentor_match.importing.specialties import DEFAULT_SPECIALTIES
from mentor_match.models import (
    Booking,
    MenteeProfile,
    MenteeSpecialty,
    MentorProfile,
    Role,
    Shift,
    Site,
    Specialty,
    User,
)
from mentor_match.services import rounds, shifts
from mentor_match.services.people import replace_windows, set_preferences

DEMO_PASSWORD = "mentor-match-demo"  # noqa: S105 — published on purpose: demo accounts only
COORDINATOR_EMAIL = "coordinator@demo.mentor-match.org"

SITES = [
    ("Lakeshore General Hospital", "Midwest", "America/Chicago"),
    ("Riverside Community Pharmacy", "Midwest", "America/Chicago"),
    ("Harbor Oncology Center", "Northeast", "America/New_York"),
]

MENTORS = [
    (
        "Dana Whitfield, PharmD",
        0,
        ["sterile-compounding", "hazardous-drugs"],
        "Mon-Fri 07:00-15:00",
        3,
    ),
    ("Luis Ortega, CPhT-Adv", 0, ["inventory", "informatics"], "Mon-Thu 09:00-17:00", 2),
    ("Priya Raman, PharmD", 1, ["mtm", "immunizations"], "Tue-Sat 10:00-18:00", 2),
    ("Grace Okafor, RPh", 1, ["nonsterile-compounding", "geriatrics"], "Mon-Fri 08:00-12:00", 2),
    ("Tom Becker, CPhT", 1, ["billing", "med-rec"], "Mon-Fri 12:00-20:00", 3),
    ("Mei Chen, BCOP", 2, ["oncology", "hazardous-drugs"], "Mon-Fri 08:00-16:00", 3),
    ("Samuel Idowu, PharmD", 2, ["nuclear", "sterile-compounding"], "Mon-Wed 06:00-14:00", 1),
    ("Rachel Stein, CPhT-Adv", 2, ["med-rec", "informatics", "oncology"], "Wed-Sun 11:00-19:00", 2),
]

FIRST = [
    "Ava",
    "Ben",
    "Chloe",
    "Diego",
    "Emma",
    "Farah",
    "Gabe",
    "Hana",
    "Isaac",
    "Jada",
    "Kofi",
    "Lena",
    "Marco",
    "Nia",
    "Omar",
    "Paige",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
]
LAST = [
    "Nguyen",
    "Patel",
    "Kim",
    "Garcia",
    "Brown",
    "Haddad",
    "Lopez",
    "Sato",
    "Miller",
    "Owens",
    "Mensah",
    "Fischer",
    "Rossi",
    "Johnson",
    "Ali",
    "Turner",
    "Reyes",
    "Silva",
    "Cohen",
    "Baker",
]
MENTEE_BLOCKS = [
    "Mon-Fri 07:00-11:00",
    "Mon-Wed 13:00-17:00",
    "Tue-Thu 09:00-15:00",
    "Sat-Sun 10:00-16:00",
    "Mon-Fri 15:00-19:00",
    "Wed-Fri 08:00-12:00",
]


def _email(name: str, kind: str) -> str:
    handle = name.split(",")[0].lower().replace(" ", ".")
    return f"{handle}@{kind}.demo.mentor-match.org"


def demo_logins() -> list[tuple[str, str, str]]:
    return [
        ("coordinator", COORDINATOR_EMAIL, DEMO_PASSWORD),
        ("mentor", _email(MENTORS[0][0], "mentor"), DEMO_PASSWORD),
        ("mentee", _email(f"{FIRST[0]} {LAST[0]}", "mentee"), DEMO_PASSWORD),
    ]


def load_demo(session: Session) -> bool:
    """Load the demo programme unless it is there already. Returns True when it loaded."""
    if session.scalar(select(User.id).where(User.email == COORDINATOR_EMAIL)) is not None:
        return False
    specialties = {s.slug: s for s in session.scalars(select(Specialty))}
    for item in DEFAULT_SPECIALTIES:
        if item.slug not in specialties:
            specialties[item.slug] = Specialty(slug=item.slug, name=item.name)
            session.add(specialties[item.slug])
    sites = []
    for name, region, zone in SITES:
        site = session.scalar(select(Site).where(Site.name == name)) or Site(
            name=name, region=region, timezone=zone
        )
        session.add(site)
        sites.append(site)

    def person(name: str, email: str, role: str, zone: str) -> User:
        user = User(email=email, name=name, role=role, timezone=zone)
        user.set_password(DEMO_PASSWORD)
        session.add(user)
        return user

    person("Jordan Alvarez", COORDINATOR_EMAIL, Role.COORDINATOR, "America/Chicago")
    mentor_emails = []
    for name, site_index, slugs, availability, capacity in MENTORS:
        site = sites[site_index]
        user = person(name, _email(name, "mentor"), Role.MENTOR, site.timezone)
        user.mentor_profile = MentorProfile(
            site=site,
            capacity=capacity,
            credentials=name.split(", ")[-1],
            years_experience=4 + len(name) % 15,
            bio=f"Preceptor at {site.name}.",
            specialties=[specialties[s] for s in slugs],
        )
        replace_windows(user, parse_availability(availability))
        mentor_emails.append(user.email)

    rng = random.Random(2026)  # the same demo every time
    slugs = sorted(specialties)
    for i in range(20):
        name = f"{FIRST[i]} {LAST[i]}"
        site = sites[i % len(sites)]
        user = person(name, _email(name, "mentee"), Role.MENTEE, site.timezone)
        wanted = rng.sample(slugs, k=1 + i % 3)
        profile = MenteeProfile(site=site, goals="Grow toward an advanced technician role.")
        profile.ranked_specialties = [
            MenteeSpecialty(specialty=specialties[s], rank=r) for r, s in enumerate(wanted, 1)
        ]
        user.mentee_profile = profile
        if i % 4 == 0:
            set_preferences(profile, rng.sample(mentor_emails, k=2))
        blocks = {MENTEE_BLOCKS[i % len(MENTEE_BLOCKS)], MENTEE_BLOCKS[(i * 7 + 3) % 6]}
        windows = sorted({w for block in blocks for w in parse_availability(block)})
        replace_windows(user, _without_overlaps(windows))
    session.flush()
    return True


def _without_overlaps(windows):  # noqa: ANN001, ANN202
    """Merge touching or overlapping windows of the same day into one."""
    merged = []
    for w in sorted(windows):
        last = merged[-1] if merged else None
        if last and last.weekday == w.weekday and w.start_minute <= last.end_minute:
            merged[-1] = type(w)(w.weekday, last.start_minute, max(last.end_minute, w.end_minute))
        else:
            merged.append(w)
    return merged


DEMO_ROUND = "Demo round — review me"


def schedule_demo_shifts(session: Session, *, today: date | None = None) -> int:
    """Two weeks of shifts from each demo mentor's availability, from next Monday.

    Two mentors open theirs to every mentee, so mentees can book before any round is
    published; the others' shifts become bookable for their mentees once one is.
    """
    today = today or datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())
    mentors = list(
        session.scalars(
            select(User)
            .where(User.role == Role.MENTOR, User.email.like("%@mentor.demo.%"))
            .order_by(User.id)
        )
    )
    made = 0
    for index, mentor in enumerate(mentors):
        profile = mentor.mentor_profile
        site = profile.site.name if profile and profile.site else ""
        specialty = profile.specialties[0].slug if profile and profile.specialties else None
        made += len(
            shifts.create_series(
                session,
                mentor,
                first_day=monday,
                last_day=monday + timedelta(days=11),
                weekdays={1, 3},  # Tuesdays and Thursdays: enough to try booking
                details=shifts.ShiftDetails(
                    seats=2,
                    location=site,
                    specialty=specialty,
                    open_to_all=index < 2,
                    notes="Wear closed-toe shoes; meet at the pharmacy front desk.",
                ),
            )
        )
    return made


def record_demo_history(session: Session, *, today: date | None = None) -> int:
    """Past shifts of the two open mentors, attended by a few mentees with confirmed hours, so
    the CPD log and report have something to show; last week's shift still waits for its
    mentor to record attendance. Returns the number of attended bookings."""
    today = today or datetime.now(UTC).date()
    mentors = list(
        session.scalars(
            select(User)
            .where(User.role == Role.MENTOR, User.email.like("%@mentor.demo.%"))
            .order_by(User.id)
            .limit(2)
        )
    )
    mentees = list(
        session.scalars(
            select(User)
            .where(User.role == Role.MENTEE, User.email.like("%@mentee.demo.%"))
            .order_by(User.id)
            .limit(4)
        )
    )
    attended = 0
    for weeks_ago, mentor in ((3, mentors[0]), (2, mentors[1]), (1, mentors[0])):
        profile = mentor.mentor_profile
        day = today - timedelta(days=7 * weeks_ago)
        start = datetime(day.year, day.month, day.day, 14, 0, tzinfo=UTC)
        shift = Shift(
            mentor_id=mentor.id,
            start_at=start,
            end_at=start + timedelta(hours=4),
            seats=2,
            seats_taken=2,
            location=profile.site.name if profile.site else "",
            specialty=profile.specialties[0] if profile.specialties else None,
            open_to_all=True,
            notes="Wear closed-toe shoes; meet at the pharmacy front desk.",
        )
        session.add(shift)
        session.flush()
        recorded = weeks_ago > 1
        for offset, hours in ((0, 4), (1, 3.5)):
            mentee = mentees[(weeks_ago + offset) % len(mentees)]
            session.add(
                Booking(
                    shift_id=shift.id,
                    mentee_id=mentee.id,
                    status="confirmed",
                    created_at=start - timedelta(days=3),
                    attended=True if recorded else None,
                    hours=hours if recorded else None,
                    attendance_recorded_at=start + timedelta(hours=5) if recorded else None,
                )
            )
            attended += int(recorded)
    session.flush()
    return attended


def create_demo_round(session: Session) -> int:
    """A draft round over the demo pool, for the coordinator to run, review and publish."""
    coordinator = session.scalar(select(User).where(User.email == COORDINATOR_EMAIL))
    match_round = rounds.create_round(session, coordinator, DEMO_ROUND)
    session.flush()
    return match_round.id
