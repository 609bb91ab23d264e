"""How long calendar output takes: a 500-event feed (target < 50 ms) and one invite.

Run from the repository root: .venv/bin/python benchmarks/calendar_feed.py
It also times the same feed written through ics event by event, the path invites take, to
show why feeds write their VEVENT lines directly (see mentor_match/calendar/writer.py).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from mentor_match.calendar import CalendarEvent, Person, feed, invite

RUNS = 20
EVENTS = 500
STAMP = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
ZONE = ZoneInfo("America/Chicago")


def sample_events(count: int) -> list[CalendarEvent]:
    mentor = Person("Smith, Jane", "jane.smith@example.org")
    events = []
    for n in range(count):
        start = datetime(2025, 3, 4, 9, 0, tzinfo=ZONE) + timedelta(days=n // 3, hours=3 * (n % 3))
        events.append(
            CalendarEvent(
                uid=f"shift-{n}@mentor-match",
                start_at=start,
                end_at=start + timedelta(hours=3),
                summary=f"Shadowing: sterile compounding, shift {n}",
                sequence=n % 4,
                status="CANCELLED" if n % 25 == 0 else "CONFIRMED",
                location="Mercy Hospital, Central pharmacy; floor 3",
                description="Bring your badge and closed shoes.\nAsk for Jane at the desk. 💊",
                url=f"https://mentor.example.org/shifts/{n}",
                organizer=mentor,
                attendees=(
                    Person(f"Mentee {n}, CPhT", f"mentee{n}@example.org"),
                    Person(f"Doe; Alex {n}", f"alex{n}@example.org"),
                ),
                created_at=STAMP - timedelta(days=30),
                updated_at=STAMP - timedelta(days=1),
            )
        )
    return events


def median_ms(work: Callable[[], object], runs: int = RUNS) -> float:
    work()  # warm up imports and caches
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    events = sample_events(EVENTS)
    text = feed(events, name="Jane's shifts", stamp=STAMP)
    feed_ms = median_ms(lambda: feed(events, name="Jane's shifts", stamp=STAMP))
    methods = ["CANCEL" if e.status == "CANCELLED" else "REQUEST" for e in events]
    through_ics_ms = median_ms(
        lambda: [invite(e, method=m, stamp=STAMP) for e, m in zip(events, methods, strict=True)],
        runs=5,
    )
    invite_ms = median_ms(lambda: invite(events[1], stamp=STAMP), runs=200)
    print(
        f"feed of {EVENTS} events: {feed_ms:.1f} ms median of {RUNS} runs "
        f"({len(text.encode()) // 1024} KiB; target < 50 ms: {'ok' if feed_ms < 50 else 'MISSED'})"
    )
    print(f"one invite (through ics): {invite_ms:.3f} ms median of 200 runs")
    print(f"{EVENTS} events through ics one by one, for comparison: {through_ics_ms:.1f} ms")


if __name__ == "__main__":
    main()
