"""Template filters: dates and times in one format, in the viewer's own time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import current_user

# One format everywhere: "Tue 1 Dec 2026, 09:30 CST"; a day alone reads "Tue 1 Dec 2026".
DAY_FORMAT = "{d:%a} {d.day} {d:%b %Y}"
TIME_FORMAT = "{d:%H:%M}"


def viewer_zone() -> ZoneInfo:
    name = getattr(current_user, "timezone", None) if current_user else None
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _zone_name(value: datetime) -> str:
    return value.strftime("%Z")


def local_datetime(value: datetime | date | str | None, fmt: str | None = None) -> str:
    """A moment (or a day) as the viewer reads it. `fmt` is kept for a strftime-style override,
    but pages use the default so every date looks the same."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return DAY_FORMAT.format(d=value)
    moment = value.astimezone(viewer_zone())
    if fmt is not None:
        return moment.strftime(fmt)
    return f"{DAY_FORMAT.format(d=moment)}, {TIME_FORMAT.format(d=moment)} {_zone_name(moment)}"


def local_day(value: datetime | date | str | None) -> str:
    """Only the day, in the viewer's zone (an ISO 8601 text from a service's dict too)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(viewer_zone())
    return DAY_FORMAT.format(d=value)


def local_range(start: datetime | None, end: datetime | None) -> str:
    """A span such as a shift: "Tue 1 Dec 2026, 09:00–13:00 CST"; the end's day is named when
    the span runs past midnight."""
    if start is None:
        return ""
    if end is None:
        return local_datetime(start)
    zone = viewer_zone()
    first, last = start.astimezone(zone), end.astimezone(zone)
    head = f"{DAY_FORMAT.format(d=first)}, {TIME_FORMAT.format(d=first)}"
    if first.date() == last.date():
        return f"{head}–{TIME_FORMAT.format(d=last)} {_zone_name(last)}"
    return f"{head} – {DAY_FORMAT.format(d=last)}, {TIME_FORMAT.format(d=last)} {_zone_name(last)}"


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["local"] = local_datetime
    app.jinja_env.filters["local_day"] = local_day
    app.jinja_env.filters["local_range"] = local_range
    app.jinja_env.filters["clock"] = clock
