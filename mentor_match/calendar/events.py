"""The plain records a calendar entry is made from, and the checks they must pass."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELLED")
_BLANK_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Person:
    """Someone on an invite: the name shown (CN) and the address that receives it."""

    name: str
    email: str


@dataclass(frozen=True)
class CalendarEvent:
    """One shift or booking as a calendar shows it.

    `uid` stays the same for the life of the booking or shift, and `sequence` rises with every
    change the attendee should see, so calendar clients update the entry instead of adding one.
    """

    uid: str
    start_at: datetime
    end_at: datetime
    summary: str
    sequence: int = 0
    status: str = "CONFIRMED"
    location: str = ""
    description: str = ""
    url: str | None = None
    organizer: Person | None = None
    attendees: tuple[Person, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None


def _require_aware(label: str, moment: datetime | None) -> None:
    if moment is None:
        return
    if not isinstance(moment, datetime):
        raise ValueError(f"{label} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{label} {moment.isoformat()} has no time zone")


def _check_person(label: str, person: Person) -> None:
    if not isinstance(person, Person):
        raise ValueError(f"{label} must be a Person")
    if "@" not in person.email or _BLANK_OR_CONTROL.search(person.email):
        raise ValueError(f"{label} has no usable email address: {person.email!r}")


def check_event(event: CalendarEvent) -> None:
    """Raise ValueError when `event` cannot be written as a valid VEVENT."""
    if not event.uid or _CONTROL.search(event.uid):
        raise ValueError(f"uid must be non-empty and on one line: {event.uid!r}")
    for label in ("start_at", "end_at", "created_at", "updated_at"):
        _require_aware(label, getattr(event, label))
    if event.start_at is None or event.end_at is None:
        raise ValueError("start_at and end_at are required")
    # In UTC: datetimes sharing a tzinfo compare by wall clock, which DST makes ambiguous.
    if event.end_at.astimezone(UTC) <= event.start_at.astimezone(UTC):
        raise ValueError(f"end_at {event.end_at} is not after start_at {event.start_at}")
    if event.status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {event.status!r}")
    if isinstance(event.sequence, bool) or not isinstance(event.sequence, int):
        raise ValueError(f"sequence must be an integer, not {event.sequence!r}")
    if event.sequence < 0:
        raise ValueError(f"sequence must not be negative: {event.sequence}")
    if event.url is not None and (not event.url or _BLANK_OR_CONTROL.search(event.url)):
        raise ValueError(f"url must be a URI without spaces: {event.url!r}")
    if event.organizer is not None:
        _check_person("organizer", event.organizer)
    for attendee in event.attendees:
        _check_person("attendee", attendee)
