"""The demo programme: three sites in two regions, eight mentors, twenty mentees."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentor_match.importing.availability import parse_availability
from mentor_match.importing.specialties import DEFAULT_SPECIALTIES
from mentor_match.models import (
    Booking,
    BookingStatus,
    Competency,
    MenteeProfile,
    MenteeSpecialty,
    MentorProfile,
    Mentorship,
    Role,
    Shift,
    Site,
    Specialty,
    User,
)
from mentor_match.services import rounds, shifts
from mentor_match.services.feedback import agreements, assessments
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
    load_demo_cpd(session)
    return True


# The demo mentee's CE so far: (days ago, title, provider, hours, kind, UAN with its release
# year filled in from the completion date). Half of PTCB's
# 20 hours, patient safety done, pharmacy law still missing, one pharmacist activity that is
# listed but not counted, and a college course under the cap.
DEMO_CE = [
    (
        540,
        "Sterile compounding: USP <797> essentials",
        "Pharmacy Technician CE Center",
        "2",
        "ce",
        "0798-0000-{yy}-041-H07-T",
    ),
    (
        400,
        "Look-alike, sound-alike medications",
        "State Society of Health-System Pharmacists",
        "1.5",
        "ce",
        "0204-9999-{yy}-112-L05-T",
    ),
    (
        250,
        "Immunization basics for technicians",
        "Community Pharmacy Academy",
        "2",
        "ce",
        "0129-0000-{yy}-017-H06-T",
    ),
    (
        120,
        "Anticoagulation therapy update",
        "Community Pharmacy Academy",
        "1.5",
        "ce",
        "0129-0000-{yy}-044-H01-P",
    ),
    (60, "Medical terminology (HIT 110)", "Lakeshore Community College", "3", "college", None),
    (
        20,
        "Opioid stewardship for technicians",
        "Pharmacy Technician CE Center",
        "1.5",
        "ce",
        "0798-0000-{yy}-203-H08-T",
    ),
]


def load_demo_cpd(session: Session, *, today: date | None = None) -> None:
    """The first demo mentee's half-complete cycle, so the CPD page shows progress and gaps."""
    from mentor_match.services.cpd import portfolio  # the demo builds on every area

    today = today or datetime.now(UTC).date()
    mentee = session.scalar(
        select(User).where(User.email == _email(f"{FIRST[0]} {LAST[0]}", "mentee"))
    )
    if mentee is None:
        return
    portfolio.update_certification(
        session,
        mentee,
        ptcb_number="2345678",
        nabp_eprofile_id="1234567",
        cycle_ends=today + timedelta(days=150),
        today=today,
    )
    for days_ago, title, provider, hours, kind, uan in DEMO_CE:
        completed_on = today - timedelta(days=days_ago)
        portfolio.add_activity(
            session,
            mentee,
            {
                "title": title,
                "provider": provider,
                "completed_on": completed_on,
                "hours": hours,
                "kind": kind,
                "uan": uan.format(yy=f"{completed_on.year % 100:02d}") if uan else None,
                "reflection": "",
            },
            today=today,
        )


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


def create_demo_round(session: Session) -> int:
    """A draft round over the demo pool, for the coordinator to run, review and publish."""
    coordinator = session.scalar(select(User).where(User.email == COORDINATOR_EMAIL))
    match_round = rounds.create_round(session, coordinator, DEMO_ROUND)
    session.flush()
    return match_round.id


def _demo_user(session: Session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def add_guidance(session: Session, *, now: datetime | None = None) -> int:
    """Past attended shifts with feedback and reflections, sign-offs (one revoked), a current
    mentorship with goals, check-ins and a midpoint evaluation, and an ended one waiting for
    its final evaluations — so every guidance page has something to show. Returns how many
    attended shifts it made. Run before the demo round, which then leaves these pairs out."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    dana = _demo_user(session, _email(MENTORS[0][0], "mentor"))
    mei = _demo_user(session, _email(MENTORS[5][0], "mentor"))
    ava = _demo_user(session, _email(f"{FIRST[0]} {LAST[0]}", "mentee"))
    ben = _demo_user(session, _email(f"{FIRST[1]} {LAST[1]}", "mentee"))
    chloe = _demo_user(session, _email(f"{FIRST[2]} {LAST[2]}", "mentee"))
    codes = dict(session.execute(select(Competency.code, Competency.id)).all())

    current = Mentorship(mentor_id=dana.id, mentee_id=ava.id, created_at=now - timedelta(days=50))
    ended = Mentorship(
        mentor_id=mei.id,
        mentee_id=ben.id,
        created_at=now - timedelta(days=120),
        ended_at=now - timedelta(days=3),
    )
    session.add_all([current, ended])
    session.flush()

    def attended_shift(mentor: User, mentee: User, days_ago: int) -> Booking:
        end = (now - timedelta(days=days_ago)).replace(minute=0, second=0)
        profile = mentor.mentor_profile
        shift = Shift(
            mentor_id=mentor.id,
            start_at=end - timedelta(hours=4),
            end_at=end,
            seats=2,
            seats_taken=1,
            location=profile.site.name if profile and profile.site else "",
            specialty_id=profile.specialties[0].id if profile and profile.specialties else None,
        )
        session.add(shift)
        session.flush()
        booking = Booking(
            shift_id=shift.id,
            mentee_id=mentee.id,
            status=BookingStatus.CONFIRMED,
            attended=True,
            hours=Decimal(4),
            attendance_recorded_at=end,
        )
        session.add(booking)
        session.flush()
        return booking

    R = assessments.Rating
    visits = [
        (
            35,
            [R(codes["GEN-SAFE"], 1), R(codes["SC-GARB"], 2)],
            4,
            "Asked good questions; followed the garbing order with the poster.",
            "Garb from memory next time.",
            "How the cleanroom pressure cascade works.",
            "I will check the pressure gauges before I start.",
        ),
        (
            21,
            [R(codes["SC-GARB"], 3), R(codes["SC-ASEP"], 2)],
            5,
            "Garbed without help; steady hands in the hood.",
            "Keep first air clear of your hands.",
            "Where first air is and why it matters.",
            "I will plan each manipulation so my hands stay downstream.",
        ),
        (
            9,
            [R(codes["SC-ASEP"], 3), R(codes["GEN-DOC"], 3)],
            5,
            "Clean technique on all six doses, logged them correctly.",
            "Try a batch of syringes on your own with me watching.",
            "Documenting lot numbers as I go.",
            "I will log each lot before I label.",
        ),
    ]
    bookings = []
    for days_ago, ratings, rating, strengths, steps, learned, apply in visits:
        booking = attended_shift(dana, ava, days_ago)
        bookings.append(booking)
        given = booking.shift.end_at + timedelta(hours=20)
        assessments.give_feedback(
            session,
            dana,
            booking.id,
            ratings=ratings,
            strengths=strengths,
            next_steps=steps,
            now=given,
        )
        assessments.give_reflection(
            session,
            ava,
            booking.id,
            learned=learned,
            apply=apply,
            session_rating=rating,
            now=given + timedelta(hours=3),
        )
    # Due soon, not yet done: feedback for Dana, a reflection for Ava.
    attended_shift(dana, ava, 2)
    # Overdue: Dana has not given Chloe feedback, nor Chloe written her reflection.
    attended_shift(dana, chloe, 12)

    signed = bookings[0].shift.end_at + timedelta(days=1)
    assessments.sign_off(session, dana, ava.id, codes["GEN-SAFE"], now=signed)
    assessments.sign_off(
        session,
        dana,
        ava.id,
        codes["SC-GARB"],
        booking_id=bookings[1].id,
        note="Garbed unaided",
        now=bookings[1].shift.end_at + timedelta(days=1),
    )
    early = assessments.sign_off(
        session,
        dana,
        ava.id,
        codes["SC-ASEP"],
        booking_id=bookings[1].id,
        now=bookings[1].shift.end_at + timedelta(days=1, hours=1),
    )
    assessments.revoke_sign_off(
        session,
        dana,
        early.id,
        "Signed off too early: one more observed session first",
        now=bookings[1].shift.end_at + timedelta(days=2),
    )
    assessments.sign_off(
        session,
        dana,
        ava.id,
        codes["SC-ASEP"],
        booking_id=bookings[2].id,
        note="Six clean doses",
        now=bookings[2].shift.end_at + timedelta(days=1),
    )

    start = current.created_at
    goal = agreements.add_goal(
        session,
        ava,
        current.id,
        "Garb and work in the hood without prompts",
        (start + timedelta(days=40)).date(),
        now=start + timedelta(days=1),
    )
    agreements.set_goal_status(session, dana, goal.id, "met", now=start + timedelta(days=41))
    agreements.add_goal(
        session,
        ava,
        current.id,
        "Prepare a batch of syringes on my own",
        (start + timedelta(days=90)).date(),
        now=start + timedelta(days=1),
    )
    for days, minutes, notes in (
        (2, 45, "Agreed goals and a shadowing plan."),
        (30, 30, "Reviewed progress; next: batch work."),
    ):
        agreements.log_checkin(
            session,
            dana,
            current.id,
            (start + timedelta(days=days)).date(),
            minutes,
            notes,
            now=start + timedelta(days=days, hours=8),
        )
    agreements.submit_evaluation(
        session,
        dana,
        current.id,
        "midpoint",
        dict.fromkeys(agreements.MENTOR_QUESTIONS, 4),
        "Keen and careful.",
        now=now,
    )
    agreements.submit_evaluation(
        session,
        mei,
        ended.id,
        "final",
        dict.fromkeys(agreements.MENTOR_QUESTIONS, 5),
        "A pleasure to mentor.",
        now=now,
    )
    session.flush()
    return len(bookings) + 2
