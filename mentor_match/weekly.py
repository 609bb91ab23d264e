"""A weekly availability window, the one shape importing (text and CSV), matching (overlap
hours), the services and the pages share. Pure: the standard library only."""

from __future__ import annotations

from dataclasses import dataclass

DAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MINUTES_PER_DAY = 24 * 60


def format_minute(minute: int) -> str:
    """Minutes since midnight as "HH:MM" (1440 gives "24:00")."""
    hours, minutes = divmod(minute, 60)
    return f"{hours:02d}:{minutes:02d}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, order=True)
class Window:
    """One weekly slot in the person's own time zone.

    ``weekday`` is 0 (Monday) to 6 (Sunday); minutes count from local midnight, and
    ``end_minute`` may be 1440 ("24:00"). A window never crosses midnight: split it in two.
    Construction does not check the bounds, so that a form or a file can build every window
    first and report all problems at once (`problems`, `importing.validate_windows`); the
    matching records refuse a window with problems.
    """

    weekday: int
    start_minute: int
    end_minute: int

    def __str__(self) -> str:
        if isinstance(self.weekday, int) and 0 <= self.weekday < len(DAY_NAMES):
            day = DAY_NAMES[self.weekday]
        else:
            day = f"day {self.weekday}"
        return f"{day} {format_minute(self.start_minute)}-{format_minute(self.end_minute)}"

    def problems(self) -> list[str]:
        """What is wrong with this window (none when it is a real slot of a week)."""
        day, start, end = self.weekday, self.start_minute, self.end_minute
        if (
            type(day) is int
            and type(start) is int
            and type(end) is int
            and 0 <= day <= 6
            and 0 <= start < end <= MINUTES_PER_DAY
        ):
            return []  # the usual case (every window read from the database), checked at once
        fields = (day, start, end)
        if not all(_is_int(value) for value in fields):
            return [f"{fields!r}: day and minutes must be whole numbers"]
        if 0 <= self.weekday <= 6 and 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            return []  # the common case, checked before any message is written
        label = repr(str(self))
        found = []
        if not 0 <= self.weekday <= 6:
            found.append(f"{label}: weekday {self.weekday} is not a day (0=Mon \u2026 6=Sun)")
        if not 0 <= self.start_minute < MINUTES_PER_DAY:
            found.append(
                f"{label}: start time {format_minute(self.start_minute)!r}"
                f" is not a time of day (00:00\u201323:59)"
            )
        if not 0 < self.end_minute <= MINUTES_PER_DAY:
            found.append(
                f"{label}: end time {format_minute(self.end_minute)!r}"
                f" is not a time of day (use HH:MM, 00:00\u201324:00)"
            )
        if not found and self.end_minute <= self.start_minute:
            found.append(f"{label}: the window ends before (or when) it starts")
        return found
