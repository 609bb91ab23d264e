"""Weekly availability: local windows placed in a real week, converted to UTC, compared as bitmaps.

Rules:

* Each local window is put on its concrete date in the reference week (``week_start`` is
  moved back to its Monday) in the person's own time zone and converted to UTC with
  ``zoneinfo``. A window across a DST change therefore lasts its real length (New York,
  2026-03-08 01:00-04:00 is 2 hours). Nonexistent or repeated local times resolve as
  ``zoneinfo`` does with ``fold=0`` (the offset in force before the change).
* Availability recurs every week, so UTC times are folded onto one cyclic week: a Sunday
  evening in Los Angeles overlaps a Monday morning in UTC.
* The week is cut into slots as long as the greatest common divisor of every UTC boundary
  and 60 minutes, so overlaps are exact; boundaries finer than 5 minutes are rounded to the
  nearest 5 minutes to keep the bitmaps small.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from .records import DEFAULT_WEEK_START, MatchingError, Window

WEEK_MINUTES = 7 * 1440
MIN_SLOT_MINUTES = 5

Interval = tuple[int, int]  # [start, end) in minutes since the reference Monday 00:00 UTC


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MatchingError(f"unknown time zone {name!r}") from exc


def utc_intervals(windows: Iterable[Window], tz: str, week_start: date) -> list[Interval]:
    """The windows as UTC minute intervals relative to the reference Monday 00:00 UTC."""
    _zone(tz)
    monday = monday_of(week_start)
    out: list[Interval] = []
    for w in windows:
        a = _utc_minute(monday, w.weekday, w.start_minute, tz)
        b = _utc_minute(monday, w.weekday, w.end_minute, tz)
        if b > a:
            out.append((a, b))
    return out


@lru_cache(maxsize=65_536)
def _utc_minute(monday: date, weekday: int, minute: int, tz: str) -> int:
    """Minutes from the reference Monday 00:00 UTC to a local weekday and minute (cached: a
    national round has many people but few distinct window edges)."""
    origin = datetime.combine(monday, time(0), tzinfo=UTC)
    moment = _local(monday + timedelta(days=weekday), minute, _zone(tz))
    return int((moment - origin).total_seconds()) // 60


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    if minute == 1440:
        day, minute = day + timedelta(days=1), 0
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    return naive.replace(tzinfo=zone).astimezone(UTC)


def slot_minutes(interval_sets: Iterable[Sequence[Interval]]) -> int:
    """The coarsest slot length that represents every boundary exactly (at least 5 min)."""
    g = 60
    for intervals in interval_sets:
        for a, b in intervals:
            g = math.gcd(g, a % 60, b % 60)
            if g == 1:
                break
    # 60 and all its divisors >= 5 divide a week, so slots tile the cyclic week exactly.
    return g if g >= MIN_SLOT_MINUTES else MIN_SLOT_MINUTES


def bitmaps(interval_sets: Sequence[Sequence[Interval]], slot: int) -> np.ndarray:
    """One float32 row of 0/1 per interval set over the cyclic week (union of its windows)."""
    n_slots = WEEK_MINUTES // slot
    out = np.zeros((len(interval_sets), n_slots + 1), dtype=np.int32)
    rows: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for r, intervals in enumerate(interval_sets):
        for a, b in intervals:
            # Rounding only bites when boundaries are finer than MIN_SLOT_MINUTES.
            sa = _round_div(a, slot)
            sb = _round_div(b, slot)
            if sb <= sa:
                continue
            sb = min(sb, sa + n_slots)
            first = sa % n_slots
            last = first + (sb - sa)
            if last <= n_slots:
                rows.append(r)
                starts.append(first)
                ends.append(last)
            else:  # wraps past the end of the week
                rows += [r, r]
                starts += [first, 0]
                ends += [n_slots, last - n_slots]
    if rows:
        r_arr = np.asarray(rows)
        np.add.at(out, (r_arr, np.asarray(starts)), 1)
        np.add.at(out, (r_arr, np.asarray(ends)), -1)
    covered = np.cumsum(out[:, :n_slots], axis=1) > 0
    return covered.astype(np.float32)


def _round_div(value: int, slot: int) -> int:
    return (2 * value + slot) // (2 * slot)


def overlap_slots(a_maps: np.ndarray, b_maps: np.ndarray) -> np.ndarray:
    """Shared slots for every pair of rows, as one matrix product (exact: counts < 2**24)."""
    if a_maps.shape[0] == 0 or b_maps.shape[0] == 0:
        return np.zeros((a_maps.shape[0], b_maps.shape[0]), dtype=np.int32)
    return np.rint(a_maps @ b_maps.T).astype(np.int32)


def overlap_hours(
    a_windows: Iterable[Window],
    a_tz: str,
    b_windows: Iterable[Window],
    b_tz: str,
    week_start: date = DEFAULT_WEEK_START,
) -> float:
    """Hours per week two people are both available, compared in UTC for the given week."""
    a = utc_intervals(a_windows, a_tz, week_start)
    b = utc_intervals(b_windows, b_tz, week_start)
    slot = slot_minutes([a, b])
    maps = bitmaps([a, b], slot)
    shared = int(overlap_slots(maps[:1], maps[1:])[0, 0])
    return shared * slot / 60
