"""Template filters: dates in the viewer's own time zone, minutes as clock times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import current_user


def viewer_zone() -> ZoneInfo:
    name = getattr(current_user, "timezone", None) if current_user else None
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def local_datetime(value: datetime | None, fmt: str = "%a %d %b %Y, %H:%M %Z") -> str:
    if value is None:
        return ""
    return value.astimezone(viewer_zone()).strftime(fmt)


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["local"] = local_datetime
    app.jinja_env.filters["clock"] = clock
