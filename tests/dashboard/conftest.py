"""A small programme whose every dashboard figure can be counted by hand from the lists below.

The lists are the single source of the fixture: the `programme` fixture writes them to the
database, and the tests compute what each chart must show from the same lists with plain Python
(sets and sums), never through the query layer they check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.helpers import PASSWORD


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


LONG_AGO = at("2025-06-01T00:00")

SITES = ("North", "South")

# key: (site, capacity, specialty slugs, active)
MENTORS = {
    "m1": ("North", 3, ("oncology", "mtm"), True),
    "m2": ("North", 2, ("oncology",), True),
    "m3": ("South", 2, ("billing",), True),
    "m4": ("South", 4, ("billing",), False),  # left the programme: counts nowhere
}
# key: (site, active, created_at)
MENTEES = {
    "e1": ("North", True, LONG_AGO),
    "e2": ("North", True, LONG_AGO),
    "e3": ("North", True, LONG_AGO),
    "e4": ("North", True, LONG_AGO),
    "e5": ("North", True, LONG_AGO),
    "e6": ("South", True, LONG_AGO),
    "e7": ("South", True, LONG_AGO),
    "e8": ("South", True, LONG_AGO),
    "e9": ("North", False, LONG_AGO),  # left
    "e10": ("North", True, at("2026-06-01T00:00")),  # joined after the ranges below
}
# (mentor, mentee, created_at, ended_at)
MENTORSHIPS = [
    ("m1", "e1", at("2026-01-10T12:00"), None),
    ("m1", "e2", at("2026-01-10T12:00"), at("2026-02-15T12:00")),
    ("m2", "e2", at("2026-02-20T12:00"), None),
    ("m2", "e3", at("2026-03-10T12:00"), None),
    ("m3", "e6", at("2026-01-10T12:00"), at("2026-03-20T12:00")),
    ("m1", "e9", at("2026-01-10T12:00"), None),  # an inactive mentee still holds a place
]
# key: (status, created_at)
ROUNDS = {
    "r1": ("published", at("2026-01-05T09:00")),
    "r2": ("proposed", at("2026-02-25T09:00")),
    "r3": ("draft", at("2026-02-26T09:00")),
    "r4": ("proposed", at("2026-04-01T09:00")),
}
# (round, mentee, mentor, score, breakdown)
PROPOSED = [
    (
        "r1",
        "e1",
        "m1",
        0.81,
        {"specialty": 0.4, "availability": 0.3, "site": 0.1, "preference": 0.01},
    ),
    (
        "r1",
        "e6",
        "m3",
        0.55,
        {"specialty": 0.2, "availability": 0.25, "site": 0.1, "preference": 0.0},
    ),
    (
        "r2",
        "e3",
        "m2",
        0.95,
        {"specialty": 0.4, "availability": 0.3, "site": 0.1, "preference": 0.15},
    ),
    (
        "r2",
        "e4",
        "m1",
        0.42,
        {"specialty": 0.2, "availability": 0.12, "site": 0.1, "preference": 0.0},
    ),
    (
        "r2",
        "e7",
        "m3",
        0.1,
        {"specialty": 0.1, "availability": 0.0, "site": 0.0, "preference": 0.0},
    ),
    (
        "r2",
        "e8",
        "m3",
        0.5,
        {"specialty": 0.2, "availability": 0.2, "site": 0.1, "preference": 0.0},
    ),
    (
        "r4",
        "e5",
        "m1",
        0.66,
        {"specialty": 0.3, "availability": 0.26, "site": 0.1, "preference": 0.0},
    ),
]
# (round, mentee, reason)
UNMATCHED = [
    ("r1", "e2", "no_shared_availability"),
    ("r2", "e5", "no_shared_availability"),
    ("r2", "e2", "mentors_full"),
    ("r2", "e6", "no_shared_specialty"),
    ("r4", "e4", "mentors_full"),
]
# key: (mentor, start, hours long, seats, specialty slug or None, status)
SHIFTS = {
    "s1": ("m1", at("2026-02-03T09:00"), 4, 3, "oncology", "scheduled"),
    "s2": ("m3", at("2026-02-05T14:00"), 3, 2, "billing", "scheduled"),
    "s3": ("m1", at("2026-02-04T09:00"), 3, 2, "mtm", "cancelled"),
    "s4": ("m2", at("2026-02-15T23:30"), 4, 1, None, "scheduled"),  # Sunday night UTC
    "s5": ("m2", at("2026-02-16T00:30"), 3, 2, "oncology", "scheduled"),  # Monday, next week
    "s6": ("m1", at("2026-03-02T09:00"), 3, 2, "mtm", "scheduled"),
    "s7": ("m3", at("2026-01-31T23:00"), 2, 2, "billing", "scheduled"),  # before 1 February
}
# (shift, mentee, status, attended, hours)
BOOKINGS = [
    ("s1", "e1", "confirmed", True, Decimal("3.00")),
    ("s1", "e2", "confirmed", True, Decimal("2.50")),
    ("s1", "e3", "waitlisted", None, None),
    ("s1", "e4", "cancelled", None, None),
    ("s2", "e6", "confirmed", False, None),
    ("s2", "e7", "confirmed", None, None),
    ("s3", "e5", "cancelled", None, None),
    ("s4", "e3", "confirmed", True, Decimal("4.00")),
    ("s4", "e5", "waitlisted", None, None),
    ("s5", "e1", "confirmed", True, Decimal("0.00")),  # attended, no hours confirmed
    ("s6", "e1", "confirmed", True, Decimal("1.50")),
    ("s7", "e7", "confirmed", True, Decimal("2.00")),
]

# Guidance (issue 12): competencies of our own, feedback with ratings on attended bookings (by
# their place in BOOKINGS), reflections, evaluations (by place in MENTORSHIPS) and sign-offs.
COMPETENCIES = {
    "c_onc": ("T-ONC", "oncology"),
    "c_gen": ("T-GEN", None),
    "c_bill": ("T-BIL", "billing"),
}
FEEDBACK = {0: [("c_onc", 2), ("c_gen", 1)], 7: [("c_gen", 3)], 11: [("c_bill", 4)]}
REFLECTIONS = [1, 7]
EVALUATIONS = [
    (1, "final", "mentor"),
    (0, "midpoint", "mentee"),
    (4, "final", "mentor"),
    (4, "final", "mentee"),
]
# (mentee, competency, signed_at, revoked_at)
SIGNOFFS = [
    ("e1", "c_onc", at("2026-02-10T10:00"), None),
    ("e3", "c_gen", at("2026-02-20T10:00"), None),
    ("e6", "c_bill", at("2026-03-05T10:00"), None),
    ("e2", "c_onc", at("2026-02-12T10:00"), at("2026-02-13T10:00")),
]


@dataclass
class Built:
    ids: dict[str, int]


@pytest.fixture
def programme(app) -> Built:
    from mentor_match.extensions import db
    from mentor_match.models import (
        Booking,
        MatchRound,
        MenteeProfile,
        MentorProfile,
        Mentorship,
        ProposedMatch,
        Shift,
        Site,
        Specialty,
        UnmatchedMentee,
        User,
    )

    ids: dict[str, int] = {}
    with app.app_context():
        session = db.session
        specialties = {s.slug: s for s in session.scalars(db.select(Specialty))}
        sites = {name: Site(name=name, region="Midwest", timezone="UTC") for name in SITES}
        session.add_all(sites.values())
        coordinator = User(email="coordinator@example.org", name="Coordinator", role="coordinator")
        coordinator.set_password(PASSWORD)
        session.add(coordinator)
        for key, (site, capacity, slugs, active) in MENTORS.items():
            user = User(
                email=f"{key}@example.org",
                name=f"Mentor {key}",
                role="mentor",
                active=active,
                created_at=LONG_AGO,
            )
            user.set_password(PASSWORD)
            user.mentor_profile = MentorProfile(
                site=sites[site],
                capacity=capacity,
                specialties=[specialties[s] for s in slugs],
            )
            session.add(user)
            session.flush()
            ids[key] = user.id
        for key, (site, active, created_at) in MENTEES.items():
            user = User(
                email=f"{key}@example.org",
                name=f"Mentee {key}",
                role="mentee",
                active=active,
                created_at=created_at,
            )
            user.set_password(PASSWORD)
            user.mentee_profile = MenteeProfile(site=sites[site])
            session.add(user)
            session.flush()
            ids[key] = user.id
        for mentor, mentee, created_at, ended_at in MENTORSHIPS:
            session.add(
                Mentorship(
                    mentor_id=ids[mentor],
                    mentee_id=ids[mentee],
                    created_at=created_at,
                    ended_at=ended_at,
                )
            )
        for key, (status, created_at) in ROUNDS.items():
            match_round = MatchRound(name=f"Round {key}", status=status, created_at=created_at)
            session.add(match_round)
            session.flush()
            ids[key] = match_round.id
        for round_key, mentee, mentor, score, breakdown in PROPOSED:
            session.add(
                ProposedMatch(
                    round_id=ids[round_key],
                    mentee_id=ids[mentee],
                    mentor_id=ids[mentor],
                    score=score,
                    breakdown=breakdown,
                )
            )
        for round_key, mentee, reason in UNMATCHED:
            session.add(
                UnmatchedMentee(round_id=ids[round_key], mentee_id=ids[mentee], reason=reason)
            )
        for key, (mentor, start, length, seats, slug, status) in SHIFTS.items():
            taken = sum(1 for b in BOOKINGS if b[0] == key and b[2] == "confirmed")
            shift = Shift(
                mentor_id=ids[mentor],
                start_at=start,
                end_at=start + timedelta(hours=length),
                seats=seats,
                seats_taken=min(taken, seats) if status == "scheduled" else 0,
                specialty_id=specialties[slug].id if slug else None,
                status=status,
            )
            session.add(shift)
            session.flush()
            ids[key] = shift.id
        booking_ids = []
        for shift, mentee, status, attended, hours in BOOKINGS:
            booking = Booking(
                shift_id=ids[shift],
                mentee_id=ids[mentee],
                status=status,
                attended=attended,
                hours=hours,
            )
            session.add(booking)
            session.flush()
            booking_ids.append(booking.id)
        _guidance(session, ids, specialties, booking_ids)
        session.commit()
        ids["North"], ids["South"] = sites["North"].id, sites["South"].id
    return Built(ids)


def _guidance(session, ids, specialties, booking_ids) -> None:  # noqa: ANN001
    from mentor_match.extensions import db
    from mentor_match.models import (
        Competency,
        CompetencyRating,
        Evaluation,
        Mentorship,
        Reflection,
        ShiftFeedback,
        SignOff,
    )

    for key, (code, slug) in COMPETENCIES.items():
        competency = Competency(
            code=code,
            title=f"Competency {code}",
            specialty_id=specialties[slug].id if slug else None,
        )
        session.add(competency)
        session.flush()
        ids[key] = competency.id
    for index, ratings in FEEDBACK.items():
        shift_key, _, _, _, _ = BOOKINGS[index]
        feedback = ShiftFeedback(
            booking_id=booking_ids[index],
            author_id=ids[SHIFTS[shift_key][0]],
            ratings=[CompetencyRating(competency_id=ids[c], level=level) for c, level in ratings],
        )
        session.add(feedback)
    for index in REFLECTIONS:
        shift_key, mentee, _, _, _ = BOOKINGS[index]
        session.add(
            Reflection(
                booking_id=booking_ids[index],
                mentee_id=ids[mentee],
                mentor_id=ids[SHIFTS[shift_key][0]],
                learned="x",
                apply="y",
                session_rating=4,
            )
        )
    mentorship_ids = [
        session.scalar(
            db.select(Mentorship.id).where(
                Mentorship.mentor_id == ids[mentor], Mentorship.mentee_id == ids[mentee]
            )
        )
        for mentor, mentee, _, _ in MENTORSHIPS
    ]
    for index, stage, party in EVALUATIONS:
        mentor, mentee, _, _ = MENTORSHIPS[index]
        session.add(
            Evaluation(
                mentorship_id=mentorship_ids[index],
                stage=stage,
                author_id=ids[mentor if party == "mentor" else mentee],
                ratings={"overall": 4},
            )
        )
    for mentee, competency, signed_at, revoked_at in SIGNOFFS:
        session.add(
            SignOff(
                mentee_id=ids[mentee],
                competency_id=ids[competency],
                signed_by_id=ids["m1"],
                signed_at=signed_at,
                revoked_at=revoked_at,
            )
        )
