"""Subscription feeds: no METHOD, named, refreshed hourly, cancelled entries kept as such."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from calendar_rules import check_section6, content_lines, text_of, utc, values, vevents

from mentor_match.calendar import CalendarEvent, Person, feed

STAMP = utc(2025, 3, 3, 12, 0, 0)
MENTOR = Person("Smith, Jane", "jane@example.org")


def shift(number: int, **changes: object) -> CalendarEvent:
    start = datetime(2025, 3, 4, 9, 0, tzinfo=ZoneInfo("America/Denver")) + timedelta(days=number)
    fields: dict[str, object] = {
        "uid": f"shift-{number}@mentor-match",
        "start_at": start,
        "end_at": start + timedelta(hours=4),
        "summary": f"Shadowing shift {number}",
        "location": "Valley Clinic, Denver",
        "organizer": MENTOR,
        "attendees": (Person(f"Mentee {number}", f"mentee{number}@example.org"),),
    }
    fields.update(changes)
    return CalendarEvent(**fields)  # type: ignore[arg-type]


def test_feed_has_no_method_and_carries_name_and_refresh_interval() -> None:
    text = feed(
        [shift(1), shift(2)], name="Jane's shifts", description="Shifts, bookings", stamp=STAMP
    )
    parsed = check_section6(text, method=None)
    lines = content_lines(text)
    header = lines[: lines.index("BEGIN:VEVENT")]
    assert "X-WR-CALNAME:Jane's shifts" in header
    assert "NAME:Jane's shifts" in header
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in header
    assert "X-PUBLISHED-TTL:PT1H" in header
    assert "DESCRIPTION:Shifts\\, bookings" in header
    assert "X-WR-CALDESC:Shifts\\, bookings" in header
    assert "METHOD" not in parsed
    assert text_of(parsed["X-WR-CALNAME"]) == "Jane's shifts"
    assert str(parsed["DESCRIPTION"]) == "Shifts, bookings"
    assert parsed.decoded("REFRESH-INTERVAL") == timedelta(hours=1)


def test_refresh_interval_follows_the_argument() -> None:
    text = feed([], name="x", refresh=timedelta(minutes=90), stamp=STAMP)
    lines = content_lines(text)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H30M" in lines
    assert "X-PUBLISHED-TTL:PT1H30M" in lines


def test_empty_feed_is_still_a_valid_calendar() -> None:
    parsed = check_section6(feed([], name="Nothing yet", stamp=STAMP), method=None)
    assert parsed.walk("VEVENT") == []


def test_every_event_has_uid_dtstamp_sequence_and_utc_times() -> None:
    text = feed([shift(n, sequence=n) for n in range(5)], name="Shifts", stamp=STAMP)
    parsed = check_section6(text, method=None)
    blocks = vevents(content_lines(text))
    assert [values(b, "SEQUENCE") for b in blocks] == [[str(n)] for n in range(5)]
    assert all(values(b, "DTSTAMP") == ["20250303T120000Z"] for b in blocks)
    # 09:00 in Denver on 4 March 2025 is MST, UTC-7.
    assert values(blocks[0], "DTSTART") == ["20250304T160000Z"]
    assert [str(e["UID"]) for e in parsed.walk("VEVENT")] == [
        f"shift-{n}@mentor-match" for n in range(5)
    ]


def test_events_are_written_by_start_then_uid() -> None:
    events = [shift(3), shift(1), shift(2), shift(1, uid="shift-0@mentor-match")]
    parsed = check_section6(feed(events, name="Shifts", stamp=STAMP), method=None)
    assert [str(e["UID"]) for e in parsed.walk("VEVENT")] == [
        "shift-0@mentor-match",
        "shift-1@mentor-match",
        "shift-2@mentor-match",
        "shift-3@mentor-match",
    ]


def test_cancelled_events_stay_with_status_cancelled() -> None:
    events = [shift(1), shift(2, status="CANCELLED", sequence=3)]
    parsed = check_section6(feed(events, name="Shifts", stamp=STAMP), method=None)
    first, second = parsed.walk("VEVENT")
    assert first["STATUS"] == "CONFIRMED"
    assert second["STATUS"] == "CANCELLED"
    assert second["SEQUENCE"] == 3


def test_feed_events_may_carry_organizer_and_attendees() -> None:
    event = shift(1, attendees=(Person("A, B", "a@example.org"), Person("C", "c@example.org")))
    parsed = check_section6(feed([event], name="Shifts", stamp=STAMP), method=None)
    (vevent,) = parsed.walk("VEVENT")
    assert vevent["ORGANIZER"].params["CN"] == "Smith, Jane"
    assert [a.params["CN"] for a in vevent["ATTENDEE"]] == ["A, B", "C"]


def test_feed_events_without_people_are_fine() -> None:
    event = shift(1, organizer=None, attendees=())
    (vevent,) = check_section6(feed([event], name="Open", stamp=STAMP), method=None).walk("VEVENT")
    assert "ORGANIZER" not in vevent
    assert "ATTENDEE" not in vevent


def test_feed_name_with_specials_is_escaped_text_and_round_trips() -> None:
    name = "Jane Smith, CPhT; shadowing: 2025 🎉"
    parsed = check_section6(feed([], name=name, stamp=STAMP), method=None)
    # NAME (RFC 7986) and X- properties are TEXT (RFC 5545 3.8.8.2), but icalendar 7 keeps
    # them as raw vUnknown, so they are unescaped here as TEXT.
    for prop in ("X-WR-CALNAME", "NAME"):
        assert parsed[prop].to_ical() == b"Jane Smith\\, CPhT\\; shadowing: 2025 \xf0\x9f\x8e\x89"
        assert text_of(parsed[prop]) == name


def test_feed_accepts_any_iterable() -> None:
    text = feed((shift(n) for n in range(3)), name="Shifts", stamp=STAMP)
    assert len(check_section6(text, method=None).walk("VEVENT")) == 3


def test_feed_dtstamp_defaults_to_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    (event,) = check_section6(feed([shift(1)], name="x"), method=None).walk("VEVENT")
    assert before <= event.decoded("DTSTAMP") <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": " "}, "name"),
        ({"name": "x", "refresh": timedelta(0)}, "refresh"),
        ({"name": "x", "stamp": datetime(2025, 1, 1)}, "time zone"),
    ],
)
def test_bad_feed_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        feed([shift(1)], **kwargs)  # type: ignore[arg-type]


def test_a_bad_event_in_a_feed_is_refused() -> None:
    naive = shift(2, start_at=datetime(2025, 3, 4, 9), end_at=datetime(2025, 3, 4, 10))
    with pytest.raises(ValueError, match="time zone"):
        feed([shift(1), naive], name="Shifts", stamp=STAMP)
