"""Invites (iTIP REQUEST and CANCEL) and subscription feeds, written with ics and made RFC-valid.

ics 0.7.2 builds the calendar and the event, and what it writes well is kept: VERSION,
PRODID, DTSTART/DTEND (converted to UTC), SUMMARY, LOCATION, DESCRIPTION, UID, STATUS and
LAST-MODIFIED. What it gets wrong is fixed here, once, on its output:

- METHOD comes after the events; it is moved up next to VERSION and PRODID (RFC 5545 3.6).
- DTSTAMP is written only from `created`, so `created` is given the stamp, and the real
  creation time is written as CREATED here.
- There is no SEQUENCE; it is added (RFC 5546 needs it to order REQUEST and CANCEL).
- ORGANIZER/ATTENDEE parameters are TEXT-escaped instead of DQUOTEd (`CN=Smith\\, Jane`) and
  `rsvp=True` crashes, so those lines are written here, with PARTSTAT, ROLE, RSVP and CN.
- URL is TEXT-escaped although it is a URI; it is written here as is.
- Lines are never folded, and the text has no final CRLF; `lines.render` folds at 75 octets
  and ends every line with CRLF.
- A CR in text becomes the escape `\\r`, which RFC 5545 does not define: text is normalised to
  LF line breaks without other controls before ics sees it.

Feeds: building and serialising an ics Event alone costs about 45 microseconds, and the
whole ics path with its fixes about 120 microseconds an event, so 500 events take about 60 ms
(benchmarks/calendar_feed.py prints both), over the 50 ms budget of a 500-event feed. So feeds
take their header from ics and write their VEVENTs with `_vevent_lines`, which emits the very
lines the ics path produces after fixing (a property test checks that both agree): about
14 ms for 500 events. Invites, one event at a time (about 0.1 ms), go through ics in full.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import ics
from ics.utils import timedelta_to_duration

from mentor_match.calendar.events import CalendarEvent, Person, check_event
from mentor_match.calendar.lines import (
    clean_param,
    clean_text,
    content_line,
    escape_text,
    render,
    utc_text,
)

DEFAULT_PRODID = "-//mentor_match//Shadowing//EN"
METHODS = ("REQUEST", "CANCEL")

# The order properties are written in, in both paths; ics sorts its own by method name.
_VEVENT_ORDER = (
    "UID",
    "DTSTAMP",
    "SEQUENCE",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "LOCATION",
    "DESCRIPTION",
    "URL",
    "STATUS",
    "ORGANIZER",
    "ATTENDEE",
    "CREATED",
    "LAST-MODIFIED",
)
_FROM_ICS = frozenset(
    {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS"}
    | {"LAST-MODIFIED"}
)
# RSVP=FALSE: bookings are made in the app, so no reply by mail is expected. A cancelled
# entry says nothing about whether the person meant to come, hence NEEDS-ACTION (the default).
_PARTSTAT = {"CONFIRMED": "ACCEPTED", "TENTATIVE": "TENTATIVE", "CANCELLED": "NEEDS-ACTION"}


def invite(
    event: CalendarEvent,
    *,
    method: str = "REQUEST",
    stamp: datetime | None = None,
    prodid: str = DEFAULT_PRODID,
) -> str:
    """Write an iTIP message (RFC 5546) carrying `event` to its attendees.

    REQUEST sends or updates the entry; CANCEL removes it (STATUS:CANCELLED, same UID). The
    caller raises `event.sequence` for every change, cancellation included.
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    _check_prodid(prodid)
    check_event(event)
    if event.organizer is None:
        raise ValueError(f"a {method} needs an organizer")
    if not event.attendees:
        raise ValueError(f"a {method} needs at least one attendee")
    if not clean_text(event.summary).strip():
        # RFC 5546 requires SUMMARY in every REQUEST and CANCEL, and libical drops an empty
        # one, so an invite without a title would be refused by clients built on it.
        raise ValueError(f"a {method} needs a summary")
    if method == "REQUEST" and event.status == "CANCELLED":
        raise ValueError("a cancelled event is sent with method='CANCEL'")
    if method == "CANCEL":
        event = replace(event, status="CANCELLED")
    stamp_at = _stamp(stamp)

    calendar = ics.Calendar(creator=escape_text(prodid))
    calendar.method = method
    calendar.events.add(_ics_event(event, stamp_at))
    written = calendar.serialize().split("\r\n")

    head = [line for line in written[: written.index("BEGIN:VEVENT")] if _name(line) != "METHOD"]
    body = written[written.index("BEGIN:VEVENT") + 1 : written.index("END:VEVENT")]
    return render(
        [
            *head,
            content_line("METHOD", method),
            "BEGIN:VEVENT",
            *_fix_ics_vevent(body, event),
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    )


def feed(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    description: str = "",
    refresh: timedelta = timedelta(hours=1),
    stamp: datetime | None = None,
    prodid: str = DEFAULT_PRODID,
) -> str:
    """Write a subscription feed (no METHOD): every event, cancelled ones as STATUS:CANCELLED.

    Events are written in order of start, then UID, so the same data gives the same text.
    """
    _check_prodid(prodid)
    if not name.strip():
        raise ValueError("a feed needs a name")
    if refresh < timedelta(seconds=1):
        raise ValueError(f"refresh must be at least one second, not {refresh}")
    stamp_text = utc_text(_stamp(stamp))
    events = sorted(events, key=lambda e: (_sort_key(e), e.uid))
    for event in events:
        check_event(event)

    written = ics.Calendar(creator=escape_text(prodid)).serialize().split("\r\n")
    interval = timedelta_to_duration(timedelta(seconds=int(refresh.total_seconds())))
    lines = written[:-1]  # everything up to END:VCALENDAR
    lines += [
        content_line("NAME", escape_text(name)),
        content_line("X-WR-CALNAME", escape_text(name)),
    ]
    if description:
        lines += [
            content_line("DESCRIPTION", escape_text(description)),
            content_line("X-WR-CALDESC", escape_text(description)),
        ]
    lines += [
        content_line("REFRESH-INTERVAL", interval, [("VALUE", "DURATION")]),
        content_line("X-PUBLISHED-TTL", interval),
    ]
    for event in events:
        lines += _vevent_lines(event, stamp_text)
    lines.append("END:VCALENDAR")
    return render(lines)


def _check_prodid(prodid: str) -> None:
    # ics falls back to its own PRODID when given an empty one.
    if not prodid.strip():
        raise ValueError("prodid must not be empty")


def _stamp(stamp: datetime | None) -> datetime:
    if stamp is None:
        return datetime.now(UTC).replace(microsecond=0)
    utc_text(stamp)  # raises on a naive datetime
    return stamp


def _sort_key(event: CalendarEvent) -> str:
    # Text, not the datetime: a naive start must reach check_event's message, not a TypeError.
    try:
        return utc_text(event.start_at)
    except (ValueError, AttributeError):
        return ""


def _name(line: str) -> str:
    end = len(line)
    for mark in (":", ";"):
        at = line.find(mark)
        if at != -1:
            end = min(end, at)
    return line[:end]


def _ics_event(event: CalendarEvent, stamp_at: datetime) -> ics.Event:
    return ics.Event(
        name=clean_text(event.summary) or None,
        # Given in UTC: ics checks end > begin by wall clock, which a DST change can invert.
        begin=event.start_at.astimezone(UTC),
        end=event.end_at.astimezone(UTC),
        # ics writes the UID as given; it is TEXT, so it is escaped here.
        uid=escape_text(event.uid),
        description=clean_text(event.description) or None,
        location=clean_text(event.location) or None,
        status=event.status,
        created=stamp_at,  # ics 0.7 writes `created` as DTSTAMP
        last_modified=event.updated_at,
    )


def _fix_ics_vevent(written: list[str], event: CalendarEvent) -> list[str]:
    """Keep what ics wrote well, add what it cannot write, in `_VEVENT_ORDER`."""
    by_name: dict[str, list[str]] = {}
    for line in written:
        name = _name(line)
        if name not in _FROM_ICS:
            raise RuntimeError(f"ics wrote an unexpected property: {line!r}")
        by_name.setdefault(name, []).append(line)
    for line in _wrapper_lines(event):
        by_name.setdefault(_name(line), []).append(line)
    return [line for name in _VEVENT_ORDER for line in by_name.get(name, ())]


def _vevent_lines(event: CalendarEvent, stamp_text: str) -> list[str]:
    """The lines of one VEVENT, BEGIN and END included, without going through ics."""
    lines = [
        "BEGIN:VEVENT",
        "UID:" + escape_text(event.uid),
        "DTSTAMP:" + stamp_text,
        f"SEQUENCE:{event.sequence}",
        "DTSTART:" + utc_text(event.start_at),
        "DTEND:" + utc_text(event.end_at),
    ]
    if event.summary and clean_text(event.summary):
        lines.append("SUMMARY:" + escape_text(event.summary))
    if event.location and clean_text(event.location):
        lines.append("LOCATION:" + escape_text(event.location))
    if event.description and clean_text(event.description):
        lines.append("DESCRIPTION:" + escape_text(event.description))
    if event.url:
        lines.append("URL:" + event.url)
    lines.append("STATUS:" + event.status)
    lines += _people_lines(event)
    if event.created_at is not None:
        lines.append("CREATED:" + utc_text(event.created_at))
    if event.updated_at is not None:
        lines.append("LAST-MODIFIED:" + utc_text(event.updated_at))
    lines.append("END:VEVENT")
    return lines


def _wrapper_lines(event: CalendarEvent) -> list[str]:
    """The VEVENT lines ics 0.7 cannot write, or writes wrongly."""
    lines = [f"SEQUENCE:{event.sequence}"]
    if event.url:
        lines.append("URL:" + event.url)
    lines += _people_lines(event)
    if event.created_at is not None:
        lines.append("CREATED:" + utc_text(event.created_at))
    return lines


def _people_lines(event: CalendarEvent) -> list[str]:
    lines = []
    if event.organizer is not None:
        lines.append(_person_line("ORGANIZER", event.organizer))
    prefix = _ATTENDEE_PREFIX[event.status]
    lines += [_person_line(prefix, attendee) for attendee in event.attendees]
    return lines


_ATTENDEE_PREFIX = {
    status: f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};RSVP=FALSE"
    for status, partstat in _PARTSTAT.items()
}


# A mentor's feed repeats the same organizer on every shift: render each person once.
@lru_cache(maxsize=4096)
def _person_line(name_and_params: str, person: Person) -> str:
    return content_line(name_and_params, _mailto(person), _cn(person))


def _cn(person: Person) -> list[tuple[str, str]]:
    # Outer blanks carry nothing, and readers drop them from unquoted values anyway.
    name = clean_param(person.name).strip()
    return [("CN", name)] if name else []


def _mailto(person: Person) -> str:
    return "mailto:" + person.email
