"""Weekly availability windows: parsing "Mon-Fri 09:00-17:00" text, checking and formatting it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mentor_match.weekly import DAY_NAMES, Window, format_minute

__all__ = [
    "DAY_NAMES",
    "AvailabilityError",
    "Window",
    "format_availability",
    "format_minute",
    "parse_availability",
    "parse_window_spec",
    "summarise_availability",
    "validate_windows",
]


# Full names and the abbreviations people actually type in spreadsheets.
_DAY_ALIASES: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("mon", "monday"),
        ("tue", "tues", "tuesday"),
        ("wed", "weds", "wednesday"),
        ("thu", "thur", "thurs", "thursday"),
        ("fri", "friday"),
        ("sat", "saturday"),
        ("sun", "sunday"),
    )
):
    for _name in _names:
        _DAY_ALIASES[_name] = _index

# Spreadsheets and word processors like to turn "-" into an en or em dash.
_DASHES = "-\u2013\u2014"
_DAY_LIST_HINT = "use Mon, Tue, Wed, Thu, Fri, Sat, Sun"
_TIME_HINT = "use HH:MM, 00:00\u201324:00"
_EXAMPLE = "write it like 'Mon 08:00-12:00' or 'Mon-Fri 09:00-17:00'"
_SHAPE = re.compile(r"(?P<days>[^0-9]*)(?P<times>[0-9].*)?", re.DOTALL)
_TIME_RANGE = re.compile(rf"(?P<start>[^{_DASHES}]*)[{_DASHES}](?P<end>.*)", re.DOTALL)
_TIME = re.compile(r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})")


class AvailabilityError(ValueError):
    """Availability text or windows that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        super().__init__("; ".join(self.problems))


def _parse_day(text: str, item: str) -> int | str:
    """The weekday index, or a problem message."""
    day = _DAY_ALIASES.get(text.strip().casefold())
    if day is not None:
        return day
    return f"{item!r}: unknown day {text.strip()!r} ({_DAY_LIST_HINT})"


def _parse_time(text: str, which: str, item: str) -> int | str:
    """Minutes since midnight, or a problem message. ``which`` is "start" or "end"."""
    text = text.strip()
    match = _TIME.fullmatch(text)
    if match is None:
        if not text:
            return f"{item!r}: the {which} time is missing ({_TIME_HINT})"
        return f"{item!r}: {which} time {text!r} is not a time of day ({_TIME_HINT})"
    hour, minute = int(match["hour"]), int(match["minute"])
    if minute > 59 or hour > 24 or (hour == 24 and minute > 0):
        return f"{item!r}: {which} time {text!r} is not a time of day ({_TIME_HINT})"
    if hour == 24 and which == "start":
        return f"{item!r}: a window cannot start at 24:00 (24:00 can only end a window)"
    return hour * 60 + minute


def parse_window_spec(text: str) -> list[Window]:
    """Parse one item such as "Mon 08:00-12:00" or "Mon-Fri 09:00-17:00".

    A day range gives one window per day and may wrap past Sunday ("Sat-Mon").
    Raises :class:`AvailabilityError` naming every part of the item that is wrong.
    """
    item = text.strip()
    if "," in item:
        raise AvailabilityError(
            f"{item!r}: separate windows with ';', not ',', and give one day or one day range"
            " (like Mon-Fri) per window"
        )
    shape = _SHAPE.fullmatch(item)
    assert shape is not None  # the pattern matches any text
    days_text, times_text = shape["days"].strip(), shape["times"]
    if not days_text and not times_text:
        raise AvailabilityError(f"{item!r}: not a weekly window ({_EXAMPLE})")
    if not times_text:
        raise AvailabilityError(f"{item!r}: no times given ({_EXAMPLE})")

    problems: list[str] = []
    days: list[int] = []
    if not days_text:
        problems.append(f"{item!r}: no day given ({_EXAMPLE})")
    else:
        parts = re.split(f"[{_DASHES}]", days_text)
        if len(parts) > 2:
            problems.append(f"{item!r}: {days_text!r} is not a day or a day range like 'Mon-Fri'")
        else:
            parsed = [_parse_day(part, item) for part in parts]
            problems.extend(p for p in parsed if isinstance(p, str))
            indexes = [p for p in parsed if isinstance(p, int)]
            if len(indexes) == len(parts):
                first, last = indexes[0], indexes[-1]
                days = [(first + step) % 7 for step in range((last - first) % 7 + 1)]

    time_range = _TIME_RANGE.fullmatch(times_text)
    if time_range is None:
        problems.append(f"{item!r}: give a start and an end time ({_EXAMPLE})")
        raise AvailabilityError(problems)
    start = _parse_time(time_range["start"], "start", item)
    end = _parse_time(time_range["end"], "end", item)
    problems.extend(p for p in (start, end) if isinstance(p, str))
    if isinstance(start, int) and isinstance(end, int):
        if end == start:
            problems.append(f"{item!r}: the window is empty (it starts and ends at the same time)")
        elif end < start:
            problems.append(
                f"{item!r}: the window ends before it starts"
                " (for a night shift, split it at midnight: 'Fri 22:00-24:00; Sat 00:00-06:00')"
            )
    if problems:
        raise AvailabilityError(problems)
    assert isinstance(start, int) and isinstance(end, int)
    return [Window(day, start, end) for day in days]


def _overlap_problems(windows: list[Window]) -> list[str]:
    """One message per window that overlaps an earlier one on the same day; ``windows`` sorted."""
    problems: list[str] = []
    latest: Window | None = None  # the window reaching furthest into the current day so far
    for window in windows:
        if latest is not None and latest.weekday == window.weekday:
            if window == latest:
                problems.append(f"{str(window)!r} is listed twice")
            elif window.start_minute < latest.end_minute:
                problems.append(f"{str(latest)!r} and {str(window)!r} overlap")
            if window.end_minute <= latest.end_minute:
                continue
        latest = window
    return problems


def parse_availability(text: str) -> tuple[Window, ...]:
    """Parse ';'-separated windows into a sorted tuple; empty text gives ``()``.

    Windows may touch (one ends at 12:00, the next starts at 12:00) but not overlap.
    Raises :class:`AvailabilityError` whose ``problems`` lists every problem found.
    """
    if not isinstance(text, str):
        raise AvailabilityError(f"availability must be text, not {type(text).__name__}")
    problems: list[str] = []
    windows: list[Window] = []
    for item in text.split(";"):
        if not item.strip():
            continue
        try:
            windows.extend(parse_window_spec(item))
        except AvailabilityError as error:
            problems.extend(error.problems)
    windows.sort()
    problems.extend(_overlap_problems(windows))
    if problems:
        raise AvailabilityError(problems)
    return tuple(windows)


def validate_windows(windows: Iterable[Window]) -> None:
    """Check windows built elsewhere (e.g. from form fields): bounds, then overlaps.

    Raises :class:`AvailabilityError` listing every problem.
    """
    problems: list[str] = []
    good: list[Window] = []
    for window in windows:
        found = window.problems()
        problems.extend(found)
        if not found:
            good.append(window)
    problems.extend(_overlap_problems(sorted(good)))
    if problems:
        raise AvailabilityError(problems)


def format_availability(windows: Iterable[Window]) -> list[str]:
    """Canonical text for each window, sorted, e.g. ``["Mon 08:00-12:00", ...]``.

    Join with "; " to get the CSV cell; :func:`parse_availability` reads it back unchanged.
    """
    return [str(window) for window in sorted(windows)]


def summarise_availability(windows: Iterable[Window]) -> list[str]:
    """Windows for people to read: runs of consecutive days with the same hours become a
    day range (``"Mon-Fri 07:00-15:00"``). The result is valid input for
    :func:`parse_availability` and means the same windows."""
    by_hours: dict[tuple[int, int], list[int]] = {}
    for window in sorted(set(windows)):
        by_hours.setdefault((window.start_minute, window.end_minute), []).append(window.weekday)
    items: list[tuple[int, int, str]] = []
    for (start, end), days in by_hours.items():
        run_start = previous = days[0]
        for day in [*days[1:], None]:
            if day is not None and day == previous + 1:
                previous = day
                continue
            label = DAY_NAMES[run_start]
            if previous > run_start:
                label += f"-{DAY_NAMES[previous]}"
            items.append((run_start, start, f"{label} {format_minute(start)}-{format_minute(end)}"))
            if day is not None:
                run_start = previous = day
    return [text for _, _, text in sorted(items)]
