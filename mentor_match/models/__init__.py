"""The database models, one module per group of entities."""

from mentor_match.models.accounts import (
    ApiToken,
    CalendarToken,
    LoginAttempt,
    LoginSession,
    Role,
    User,
)
from mentor_match.models.cpd import CeActivity, Certification, CpdReminder, CpdRuleSet
from mentor_match.models.imports import PendingImport
from mentor_match.models.people import (
    AvailabilityWindow,
    MenteePreference,
    MenteeProfile,
    MenteeSpecialty,
    MentorProfile,
    Site,
    Specialty,
    mentor_specialties,
)
from mentor_match.models.rounds import (
    MatchRound,
    Mentorship,
    ProposedMatch,
    RoundExclusion,
    RoundPin,
    RoundStatus,
    UnmatchedMentee,
)
from mentor_match.models.shifts import Booking, BookingStatus, Shift, ShiftStatus

__all__ = [
    "ApiToken",
    "AvailabilityWindow",
    "Booking",
    "BookingStatus",
    "CalendarToken",
    "CeActivity",
    "Certification",
    "CpdReminder",
    "CpdRuleSet",
    "LoginAttempt",
    "LoginSession",
    "MatchRound",
    "MenteePreference",
    "MenteeProfile",
    "MenteeSpecialty",
    "MentorProfile",
    "Mentorship",
    "PendingImport",
    "ProposedMatch",
    "Role",
    "RoundExclusion",
    "RoundPin",
    "RoundStatus",
    "Shift",
    "ShiftStatus",
    "Site",
    "Specialty",
    "UnmatchedMentee",
    "User",
    "mentor_specialties",
]
