"""The database models, one module per group of entities."""

from mentor_match.models.accounts import (
    ApiToken,
    CalendarToken,
    LoginAttempt,
    LoginSession,
    Role,
    User,
)
from mentor_match.models.imports import PendingImport
from mentor_match.models.outbox import MailState, OutboxMail, PendingInvitation, SentReminder
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
    "LoginAttempt",
    "LoginSession",
    "MailState",
    "MatchRound",
    "MenteePreference",
    "MenteeProfile",
    "MenteeSpecialty",
    "MentorProfile",
    "Mentorship",
    "OutboxMail",
    "PendingImport",
    "PendingInvitation",
    "ProposedMatch",
    "Role",
    "RoundExclusion",
    "RoundPin",
    "RoundStatus",
    "SentReminder",
    "Shift",
    "ShiftStatus",
    "Site",
    "Specialty",
    "UnmatchedMentee",
    "User",
    "mentor_specialties",
]
