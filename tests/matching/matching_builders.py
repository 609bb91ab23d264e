"""Builders for small rounds used across the matching tests (plain functions, no fixtures)."""

from __future__ import annotations

from mentor_match.matching import Mentee, Mentor, Window

WEEKDAYS_9_TO_5 = tuple(Window(d, 9 * 60, 17 * 60) for d in range(5))


def mentor(
    id: int,
    specialties=("oncology",),
    windows=WEEKDAYS_9_TO_5,
    timezone="America/Chicago",
    site="north",
    region="midwest",
    capacity=1,
) -> Mentor:
    return Mentor(id, tuple(specialties), tuple(windows), timezone, site, region, capacity)


def mentee(
    id: int,
    specialties=("oncology",),
    windows=WEEKDAYS_9_TO_5,
    timezone="America/Chicago",
    site="north",
    region="midwest",
    preferred=(),
) -> Mentee:
    return Mentee(id, tuple(specialties), tuple(windows), timezone, site, region, tuple(preferred))
