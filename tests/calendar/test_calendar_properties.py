"""Any text a user can type comes back out of the .ics exactly, in invites and feeds alike."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from calendar_rules import check_section6, content_lines, utc, vevents
from hypothesis import given, settings
from hypothesis import strategies as st

from mentor_match.calendar import CalendarEvent, Person, feed, invite

STAMP = utc(2025, 3, 3, 12, 0, 0)
# TEXT can carry every character but the controls (RFC 5545 3.3.11); LF travels as "\n".
TEXT_CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F]) + "\r"
texts = st.text(
    alphabet=st.characters(codec="utf-8", blacklist_characters=TEXT_CONTROLS), max_size=300
)
specials = st.text(alphabet=",;:\\\n \"'^é💊🎉ab", max_size=40)
any_text = st.one_of(texts, specials, st.text(alphabet="x,é🎉", min_size=70, max_size=400))
# Parameter values cannot carry DQUOTE or any control (RFC 5545 3.1).
names = st.text(
    alphabet=st.characters(codec="utf-8", blacklist_characters=TEXT_CONTROLS + '\n"'),
    max_size=80,
)
zones = st.sampled_from(
    [UTC, ZoneInfo("America/Chicago"), ZoneInfo("Asia/Kolkata"), timezone(timedelta(hours=-9))]
)


@st.composite
def people(draw: st.DrawFn) -> Person:
    return Person(
        draw(st.one_of(names, specials.map(lambda s: s.replace('"', "")))), draw(st.emails())
    )


@st.composite
def events(draw: st.DrawFn, *, titled: bool = True) -> CalendarEvent:
    """Events with arbitrary text; `titled` ones have the non-blank summary invites need."""
    zone = draw(zones)
    start = draw(
        st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(zone)
        )
    )
    length = draw(st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=3)))
    end = (start.astimezone(UTC) + length).astimezone(zone)
    return CalendarEvent(
        uid=draw(st.from_regex(r"\A(booking|shift)-[0-9]{1,9}@mentor-match\Z")),
        start_at=start,
        end_at=end,
        summary=draw(any_text.filter(str.strip) if titled else any_text),
        sequence=draw(st.integers(min_value=0, max_value=10_000)),
        status=draw(st.sampled_from(["CONFIRMED", "TENTATIVE"])),
        location=draw(any_text),
        description=draw(any_text),
        organizer=draw(people()),
        attendees=tuple(draw(st.lists(people(), min_size=1, max_size=3))),
    )


def expected_cn(name: str) -> str:
    """A name as CN can carry it: line breaks and controls as spaces, no DQUOTE (RFC 5545),
    backslash as "/" (readers take it for an escape), outer blanks dropped."""
    one_line = re.sub("[\x00-\x08\x0a-\x1f\x7f]", " ", name.replace("\r\n", " "))
    return one_line.replace('"', "'").replace("\\", "/").strip()


def in_utc(moment: datetime) -> datetime:
    # Compared in UTC: an ambiguous local time (DST fold) never equals another zone's time.
    return moment.astimezone(UTC).replace(microsecond=0)


def assert_round_trip(parsed: object, event: CalendarEvent) -> None:
    for prop, value in (
        ("SUMMARY", event.summary),
        ("LOCATION", event.location),
        ("DESCRIPTION", event.description),
    ):
        if value:
            assert str(parsed[prop]) == value  # type: ignore[index]
        else:
            assert prop not in parsed  # type: ignore[operator]
    assert parsed.decoded("DTSTART") == in_utc(event.start_at)  # type: ignore[attr-defined]
    assert parsed.decoded("DTEND") == in_utc(event.end_at)  # type: ignore[attr-defined]
    assert parsed["SEQUENCE"] == event.sequence  # type: ignore[index]
    people_out = [parsed["ORGANIZER"]]  # type: ignore[index]
    attendees = parsed["ATTENDEE"]  # type: ignore[index]
    people_out += attendees if isinstance(attendees, list) else [attendees]
    for person, written in zip((event.organizer, *event.attendees), people_out, strict=True):
        assert person is not None
        assert str(written) == f"mailto:{person.email}"
        if expected_cn(person.name):
            assert written.params["CN"] == expected_cn(person.name)
        else:
            assert "CN" not in written.params


@settings(max_examples=150, deadline=None)
@given(events())
def test_invites_parse_and_round_trip_any_text(event: CalendarEvent) -> None:
    parsed = check_section6(invite(event, stamp=STAMP), method="REQUEST")
    (vevent,) = parsed.walk("VEVENT")
    assert_round_trip(vevent, event)


@settings(max_examples=75, deadline=None)
@given(events())
def test_cancellations_parse_and_round_trip_any_text(event: CalendarEvent) -> None:
    parsed = check_section6(invite(event, method="CANCEL", stamp=STAMP), method="CANCEL")
    (vevent,) = parsed.walk("VEVENT")
    assert_round_trip(vevent, replace(event, status="CANCELLED"))


@settings(max_examples=75, deadline=None)
@given(st.lists(events(titled=False), max_size=5, unique_by=lambda e: e.uid), names, any_text)
def test_feeds_parse_and_round_trip_any_text(
    items: list[CalendarEvent], name: str, description: str
) -> None:
    parsed = check_section6(
        feed(items, name=name if name.strip() else "x", description=description, stamp=STAMP),
        method=None,
    )
    written = {str(v["UID"]): v for v in parsed.walk("VEVENT")}
    assert len(written) == len(items)
    for event in items:
        assert_round_trip(written[event.uid], event)


@settings(max_examples=150, deadline=None)
@given(events(), st.sampled_from(["REQUEST", "CANCEL"]))
def test_ics_path_and_fast_feed_path_write_the_same_vevent(
    event: CalendarEvent, method: str
) -> None:
    """Invites go through ics; feeds write VEVENTs directly for speed. They must agree."""
    shown = replace(event, status="CANCELLED") if method == "CANCEL" else event
    (from_invite,) = vevents(content_lines(invite(event, method=method, stamp=STAMP)))
    (from_feed,) = vevents(content_lines(feed([shown], name="x", stamp=STAMP)))
    assert from_invite == from_feed
