"""Invites and cancellations follow RFC 5545/5546 as contract section 6 spells out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from calendar_rules import check_section6, content_lines, utc, values, vevents

from mentor_match.calendar import CalendarEvent, Person, invite

CHICAGO = ZoneInfo("America/Chicago")
STAMP = utc(2025, 3, 3, 12, 0, 0)
JANE = Person("Smith, Jane", "jane.smith@example.org")
ALEX = Person("Alex Doe", "alex@example.org")


def booking(**changes: object) -> CalendarEvent:
    event = CalendarEvent(
        uid="booking-42@mentor-match",
        start_at=datetime(2025, 3, 4, 9, 0, tzinfo=CHICAGO),
        end_at=datetime(2025, 3, 4, 12, 30, tzinfo=CHICAGO),
        summary="Shadowing: sterile compounding",
        location="Mercy Hospital, Pharmacy; floor 3",
        description="Bring your badge.\nAsk for Jane at the front desk.",
        url="https://mentor.example.org/bookings/42",
        organizer=JANE,
        attendees=(ALEX,),
        created_at=utc(2025, 3, 1, 8, 0, 0),
        updated_at=utc(2025, 3, 2, 8, 0, 0),
    )
    return replace(event, **changes)


def only_vevent(text: str) -> list[str]:
    (block,) = vevents(content_lines(text))
    return block


def test_request_carries_method_organizer_attendee_and_sequence() -> None:
    text = invite(booking(), stamp=STAMP)
    parsed = check_section6(text, method="REQUEST")
    (event,) = parsed.walk("VEVENT")
    assert parsed["METHOD"] == "REQUEST"
    assert str(event["UID"]) == "booking-42@mentor-match"
    assert event["SEQUENCE"] == 0
    assert str(event["ORGANIZER"]) == "mailto:jane.smith@example.org"
    assert event["ORGANIZER"].params["CN"] == "Smith, Jane"
    assert str(event["ATTENDEE"]) == "mailto:alex@example.org"
    assert event["STATUS"] == "CONFIRMED"
    assert str(event["URL"]) == "https://mentor.example.org/bookings/42"


def test_method_is_the_fourth_line_right_after_version_and_prodid() -> None:
    lines = content_lines(invite(booking(), stamp=STAMP))
    assert lines[:4] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//mentor_match//Shadowing//EN",
        "METHOD:REQUEST",
    ]
    assert lines[4] == "BEGIN:VEVENT"


def test_times_are_written_in_utc_whatever_zone_they_come_in() -> None:
    block = only_vevent(invite(booking(), stamp=STAMP))
    # 09:00 in Chicago on 4 March 2025 is CST, UTC-6.
    assert values(block, "DTSTART") == ["20250304T150000Z"]
    assert values(block, "DTEND") == ["20250304T183000Z"]
    assert values(block, "DTSTAMP") == ["20250303T120000Z"]
    assert values(block, "CREATED") == ["20250301T080000Z"]
    assert values(block, "LAST-MODIFIED") == ["20250302T080000Z"]
    parsed = check_section6(invite(booking(), stamp=STAMP), method="REQUEST")
    (event,) = parsed.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2025, 3, 4, 15, 0, tzinfo=UTC)


def test_dtstamp_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    (event,) = check_section6(invite(booking()), method="REQUEST").walk("VEVENT")
    after = datetime.now(UTC)
    assert before <= event.decoded("DTSTAMP") <= after


def test_attendee_is_accepted_required_and_not_asked_to_reply() -> None:
    (line,) = [ln for ln in only_vevent(invite(booking(), stamp=STAMP)) if ln.startswith("ATTE")]
    assert line == (
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE;"
        "CN=Alex Doe:mailto:alex@example.org"
    )


def test_waitlisted_booking_is_tentative_for_the_attendee() -> None:
    (event,) = check_section6(
        invite(booking(status="TENTATIVE"), stamp=STAMP), method="REQUEST"
    ).walk("VEVENT")
    assert event["STATUS"] == "TENTATIVE"
    assert event["ATTENDEE"].params["PARTSTAT"] == "TENTATIVE"


def test_reschedule_raises_sequence_and_keeps_uid() -> None:
    first = check_section6(invite(booking(), stamp=STAMP), method="REQUEST")
    moved = booking(
        sequence=1,
        start_at=datetime(2025, 3, 5, 9, 0, tzinfo=CHICAGO),
        end_at=datetime(2025, 3, 5, 12, 0, tzinfo=CHICAGO),
    )
    second = check_section6(invite(moved, stamp=STAMP + timedelta(hours=1)), method="REQUEST")
    (a,) = first.walk("VEVENT")
    (b,) = second.walk("VEVENT")
    assert a["UID"] == b["UID"]
    assert b["SEQUENCE"] > a["SEQUENCE"]
    assert b.decoded("DTSTART") == datetime(2025, 3, 5, 15, 0, tzinfo=UTC)


def test_cancel_has_method_cancel_status_cancelled_same_uid_higher_sequence() -> None:
    request = check_section6(invite(booking(sequence=1), stamp=STAMP), method="REQUEST")
    cancel_text = invite(booking(sequence=2), method="CANCEL", stamp=STAMP)
    cancel = check_section6(cancel_text, method="CANCEL")
    (sent,) = request.walk("VEVENT")
    (cancelled,) = cancel.walk("VEVENT")
    assert cancel["METHOD"] == "CANCEL"
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["UID"] == sent["UID"]
    assert cancelled["SEQUENCE"] == 2 > sent["SEQUENCE"]
    assert str(cancelled["ORGANIZER"]) == "mailto:jane.smith@example.org"
    assert str(cancelled["ATTENDEE"]) == "mailto:alex@example.org"


def test_method_may_be_given_in_lower_case() -> None:
    check_section6(invite(booking(), method="cancel", stamp=STAMP), method="CANCEL")


@pytest.mark.parametrize(
    "name",
    [
        "Smith, Jane",
        "Dr. Jane: PharmD",
        "Jane; Pharmacy lead",
        "O'Brien, Siobhán; CPhT: Oncology",
        "Zoë 🎉 Müller",
        "a^nb ^' ^^",
    ],
)
def test_names_with_special_characters_round_trip_as_cn(name: str) -> None:
    event = booking(organizer=Person(name, "org@example.org"), attendees=(Person(name, "a@b.org"),))
    (parsed,) = check_section6(invite(event, stamp=STAMP), method="REQUEST").walk("VEVENT")
    assert parsed["ORGANIZER"].params["CN"] == name
    assert parsed["ATTENDEE"].params["CN"] == name


def test_names_with_commas_colons_semicolons_are_dquoted() -> None:
    event = booking(organizer=Person("Smith, Jane", "j@example.org"))
    text = invite(event, stamp=STAMP)
    assert 'ORGANIZER;CN="Smith, Jane":mailto:j@example.org' in content_lines(text)


def test_dquote_and_line_breaks_in_a_name_are_replaced() -> None:
    event = booking(attendees=(Person('Alex "AJ"\r\nDoe', "alex@example.org"),))
    (parsed,) = check_section6(invite(event, stamp=STAMP), method="REQUEST").walk("VEVENT")
    assert parsed["ATTENDEE"].params["CN"] == "Alex 'AJ' Doe"


def test_backslash_in_a_name_is_written_as_slash() -> None:
    # RFC 5545 parameters have no escapes, yet readers like icalendar read "\\:" as ":".
    event = booking(attendees=(Person("Site\\Team: A", "team@example.org"),))
    text = invite(event, stamp=STAMP)
    assert 'CN="Site/Team: A"' in "".join(content_lines(text))
    (parsed,) = check_section6(text, method="REQUEST").walk("VEVENT")
    assert parsed["ATTENDEE"].params["CN"] == "Site/Team: A"


@pytest.mark.parametrize("summary", ["", "  ", "\r\n"])
def test_invite_without_a_summary_is_refused(summary: str) -> None:
    # RFC 5546 requires SUMMARY in REQUEST and CANCEL; libical drops an empty one.
    for method in ("REQUEST", "CANCEL"):
        with pytest.raises(ValueError, match="summary"):
            invite(booking(summary=summary), method=method, stamp=STAMP)


def test_person_without_a_name_has_no_cn() -> None:
    event = booking(attendees=(Person("", "alex@example.org"),))
    (line,) = [ln for ln in only_vevent(invite(event, stamp=STAMP)) if ln.startswith("ATTENDEE")]
    assert "CN=" not in line
    assert line.endswith(":mailto:alex@example.org")


def test_text_values_are_escaped_and_round_trip() -> None:
    summary = "Shadowing, day 1; sterile \\ hazardous"
    description = "Line one\nLine two, with; specials \\n literally"
    text = invite(booking(summary=summary, description=description), stamp=STAMP)
    block = only_vevent(text)
    assert values(block, "SUMMARY") == ["Shadowing\\, day 1\\; sterile \\\\ hazardous"]
    (parsed,) = check_section6(text, method="REQUEST").walk("VEVENT")
    assert str(parsed["SUMMARY"]) == summary
    assert str(parsed["DESCRIPTION"]) == description


def test_carriage_returns_and_controls_in_text_are_normalised() -> None:
    text = invite(booking(description="a\r\nb\rc\x00d\te"), stamp=STAMP)
    (parsed,) = check_section6(text, method="REQUEST").walk("VEVENT")
    assert str(parsed["DESCRIPTION"]) == "a\nb\ncd\te"


def test_long_lines_are_folded_within_75_octets() -> None:
    event = booking(description="Überprüfung der Sterilität 💊 " * 40, summary="x" * 300)
    text = invite(event, stamp=STAMP)
    (parsed,) = check_section6(text, method="REQUEST").walk("VEVENT")  # checks octets per line
    assert str(parsed["DESCRIPTION"]) == event.description
    assert str(parsed["SUMMARY"]) == event.summary
    assert "\r\n " in text


def test_empty_optional_texts_are_left_out() -> None:
    event = booking(location="", description="", url=None, created_at=None, updated_at=None)
    block = only_vevent(invite(event, stamp=STAMP))
    names = {line.split(":")[0].split(";")[0] for line in block}
    assert not names & {"LOCATION", "DESCRIPTION", "URL", "CREATED", "LAST-MODIFIED"}


def test_output_is_the_same_for_the_same_input() -> None:
    assert invite(booking(), stamp=STAMP) == invite(booking(), stamp=STAMP)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"organizer": None}, "organizer"),
        ({"attendees": ()}, "attendee"),
        ({"start_at": datetime(2025, 3, 4, 9)}, "time zone"),
        ({"end_at": datetime(2025, 3, 4, 12)}, "time zone"),
        ({"updated_at": datetime(2025, 3, 4, 12)}, "time zone"),
        ({"end_at": datetime(2025, 3, 4, 9, 0, tzinfo=CHICAGO)}, "not after"),
        ({"end_at": datetime(2025, 3, 4, 8, 0, tzinfo=CHICAGO)}, "not after"),
        ({"status": "CANCELLED"}, "CANCEL"),
        ({"status": "confirmed"}, "status"),
        ({"sequence": -1}, "sequence"),
        ({"uid": ""}, "uid"),
        ({"uid": "a\nb"}, "uid"),
        ({"attendees": (Person("No Mail", "not-an-address"),)}, "email"),
        ({"url": "https://example.org/a b"}, "url"),
    ],
)
def test_invalid_requests_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        invite(booking(**changes), stamp=STAMP)


def test_end_after_start_is_judged_in_utc_across_a_dst_change() -> None:
    # 01:30 CDT is 06:30Z; 01:10 CST (fold=1, the repeated hour) is 07:10Z: 40 minutes later.
    start = datetime(2025, 11, 2, 1, 30, tzinfo=CHICAGO)
    end = datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=CHICAGO)
    block = only_vevent(invite(booking(start_at=start, end_at=end), stamp=STAMP))
    assert values(block, "DTSTART") == ["20251102T063000Z"]
    assert values(block, "DTEND") == ["20251102T071000Z"]


def test_unknown_method_and_naive_stamp_are_refused() -> None:
    with pytest.raises(ValueError, match="method"):
        invite(booking(), method="PUBLISH", stamp=STAMP)
    with pytest.raises(ValueError, match="time zone"):
        invite(booking(), stamp=datetime(2025, 3, 3))


def test_prodid_can_be_chosen_but_not_left_empty() -> None:
    lines = content_lines(invite(booking(), stamp=STAMP, prodid="-//Example, Inc.//Mentors//EN"))
    assert lines[2] == "PRODID:-//Example\\, Inc.//Mentors//EN"
    with pytest.raises(ValueError, match="prodid"):
        invite(booking(), stamp=STAMP, prodid="")


def test_cancel_also_needs_an_organizer() -> None:
    with pytest.raises(ValueError, match="organizer"):
        invite(booking(organizer=None), method="CANCEL", stamp=STAMP)
