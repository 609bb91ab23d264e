"""Checks of contract section 6 on written .ics text, shared by the calendar tests."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import icalendar

UTC_DATETIME = re.compile(r"^\d{8}T\d{6}Z$")


def physical_lines(text: str) -> list[str]:
    """Split on CRLF after checking that CRLF is the only line ending and ends the text."""
    assert text.endswith("\r\n"), "the text must end with CRLF"
    body = text.replace("\r\n", "")
    assert "\r" not in body and "\n" not in body, "a bare CR or LF is not a line ending"
    raw = text.encode("utf-8").split(b"\r\n")[:-1]
    for line in raw:
        assert len(line) <= 75, f"{len(line)} octets: {line!r}"
        line.decode("utf-8")  # a fold inside a UTF-8 character would fail here
    return [line.decode("utf-8") for line in raw]


def unfold(lines: list[str]) -> list[str]:
    """Join continuation lines (those starting with one space) to the line before."""
    assert lines and not lines[0].startswith(" ")
    logical: list[str] = []
    for line in lines:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def content_lines(text: str) -> list[str]:
    return unfold(physical_lines(text))


def prop_name(line: str) -> str:
    return re.split("[;:]", line, maxsplit=1)[0]


def vevents(logical: list[str]) -> list[list[str]]:
    """The lines inside each BEGIN:VEVENT … END:VEVENT."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in logical:
        if line == "BEGIN:VEVENT":
            current = []
        elif line == "END:VEVENT":
            assert current is not None
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def values(block: list[str], name: str) -> list[str]:
    return [line.split(":", 1)[1] for line in block if prop_name(line) == name]


def check_section6(text: str, *, method: str | None) -> icalendar.Calendar:
    """Assert every rule of contract section 6 that applies, and parse with icalendar."""
    logical = content_lines(text)
    assert logical[0] == "BEGIN:VCALENDAR"
    assert logical[-1] == "END:VCALENDAR"
    assert logical[1] == "VERSION:2.0"
    assert logical[2].startswith("PRODID:")
    first_event = logical.index("BEGIN:VEVENT") if "BEGIN:VEVENT" in logical else len(logical)
    methods = [line for line in logical if prop_name(line) == "METHOD"]
    if method is None:
        assert methods == []
        header = [prop_name(line) for line in logical[:first_event]]
        for required in ("X-WR-CALNAME", "NAME", "REFRESH-INTERVAL"):
            assert required in header
    else:
        assert methods == [f"METHOD:{method}"]
        assert logical[3] == f"METHOD:{method}"
        assert logical.index(methods[0]) < first_event
    blocks = vevents(logical)
    for block in blocks:
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE"):
            assert len(values(block, name)) == 1, f"{name} once in {block}"
        for name in ("DTSTAMP", "DTSTART", "DTEND", "CREATED", "LAST-MODIFIED"):
            for value in values(block, name):
                assert UTC_DATETIME.match(value), f"{name}:{value} is not UTC"
        if method is not None:
            assert len(values(block, "ORGANIZER")) == 1
            assert values(block, "ATTENDEE")
        if method == "CANCEL":
            assert values(block, "STATUS") == ["CANCELLED"]
    parsed = icalendar.Calendar.from_ical(text)
    assert len(parsed.walk("VEVENT")) == len(blocks)
    return parsed


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def text_of(prop: object) -> str:
    """Unescape a TEXT value icalendar kept raw (NAME, X-WR-*), with icalendar's own parser."""
    raw = prop.to_ical().decode("utf-8")  # type: ignore[attr-defined]
    event = icalendar.Event.from_ical(f"BEGIN:VEVENT\r\nSUMMARY:{raw}\r\nEND:VEVENT\r\n")
    return str(event["SUMMARY"])
