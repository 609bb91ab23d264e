"""libical (the parser behind many calendar clients) accepts our invites, cancellations and feeds.

The checker is /work/shared/tools/icalcheck.c, built against libical; CI builds it and points
MENTOR_MATCH_ICALCHECK at the binary. It also applies libical's RFC 5546 restrictions per METHOD.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mentor_match.calendar import CalendarEvent, Person, feed, invite

CHECKER = os.environ.get("MENTOR_MATCH_ICALCHECK", "")
pytestmark = pytest.mark.skipif(
    not CHECKER,
    reason="MENTOR_MATCH_ICALCHECK is not set (path to the icalcheck binary built from "
    "shared/tools/icalcheck.c against libical)",
)

STAMP = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
START = datetime(2025, 3, 4, 9, 0, tzinfo=ZoneInfo("America/Chicago"))


def booking(**changes: object) -> CalendarEvent:
    fields: dict[str, object] = {
        "uid": "booking-42@mentor-match",
        "start_at": START,
        "end_at": START + timedelta(hours=3),
        "summary": "Shadowing: sterile compounding, day 1; bring badge",
        "location": "Mercy Hospital, Pharmacy; floor 3",
        "description": "Überprüfung 💊\nAsk for Jane at the desk. " * 6,
        "url": "https://mentor.example.org/bookings/42",
        "organizer": Person("Smith, Jane: PharmD", "jane@example.org"),
        "attendees": (Person("Doe; Alex", "alex@example.org"),),
        "created_at": STAMP - timedelta(days=2),
        "updated_at": STAMP - timedelta(days=1),
    }
    fields.update(changes)
    return CalendarEvent(**fields)  # type: ignore[arg-type]


def run_checker(text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "check.ics"
    path.write_bytes(text.encode("utf-8"))
    return subprocess.run(  # noqa: S603 - a binary the test runner configured
        [CHECKER, str(path)], capture_output=True, text=True, timeout=30, check=False
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(invite(booking(), stamp=STAMP), id="request"),
        pytest.param(invite(booking(sequence=1, status="TENTATIVE"), stamp=STAMP), id="tentative"),
        pytest.param(invite(booking(sequence=2), method="CANCEL", stamp=STAMP), id="cancel"),
        pytest.param(
            feed(
                [
                    booking(),
                    booking(uid="booking-43@mentor-match", status="CANCELLED", sequence=3),
                    booking(uid="shift-7@mentor-match", organizer=None, attendees=(), summary=""),
                ],
                name="Jane's shadowing, 2025",
                description="Shifts; bookings",
                stamp=STAMP,
            ),
            id="feed",
        ),
        pytest.param(feed([], name="Empty", stamp=STAMP), id="empty-feed"),
    ],
)
def test_libical_accepts_the_output(text: str, tmp_path: Path) -> None:
    result = run_checker(text, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "restriction_check=ok errors=0" in result.stdout


def test_checker_does_reject_a_broken_request(tmp_path: Path) -> None:
    """Guards against a checker that passes everything: an invite without ORGANIZER fails."""
    text = invite(booking(), stamp=STAMP)
    broken = "".join(line for line in text.splitlines(keepends=True) if "ORGANIZER" not in line)
    result = run_checker(broken, tmp_path)
    assert result.returncode != 0
    assert "ORGANIZER" in result.stdout
