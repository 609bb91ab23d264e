"""The plain records a match round takes in and hands back, and their validation."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from mentor_match.weekly import Window

#: Reference week used when a round does not name one: a Monday outside any DST change.
DEFAULT_WEEK_START = date(2026, 1, 5)

UNMATCHED_REASONS = (
    "no_mentors",
    "no_shared_specialty",
    "no_shared_availability",
    "excluded",
    "mentors_full",
)


#: The weekly hours a pair must share unless the round says otherwise.
DEFAULT_MIN_OVERLAP_HOURS = 2.0


class MatchingError(ValueError):
    """The round cannot be solved as given (conflicting pins, unknown ids, bad data)."""


@dataclass(frozen=True)
class Weights:
    """How much each factor counts in a pair's score; normalised so every score is in [0, 1].

    ``site`` is the weight of the location factor: the same site earns it in full, the same
    region (but another site) earns ``region`` of it (capped at ``site``).
    ``saturation_hours`` is the weekly overlap at which the availability factor reaches 1.
    """

    specialty: float = 0.40
    availability: float = 0.30
    site: float = 0.10
    region: float = 0.05
    preference: float = 0.15
    saturation_hours: float = 6.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"weight '{f.name}' must be a number, got {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"weight '{f.name}' must be a finite number >= 0, got {value}")
        if self.saturation_hours <= 0:
            raise ValueError("weight 'saturation_hours' must be greater than 0")
        if self.total <= 0:
            raise ValueError(
                "at least one of the weights specialty, availability, site, preference "
                "must be greater than 0"
            )

    @property
    def total(self) -> float:
        """The sum the weighted factors are divided by (region is part of ``site``)."""
        return self.specialty + self.availability + self.site + self.preference

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Weights:
        """Build weights from a JSON-like mapping; missing keys keep their defaults."""
        if not isinstance(data, Mapping):
            raise ValueError("weights must be an object mapping factor names to numbers")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"unknown weight(s): {', '.join(map(str, unknown))}; "
                f"expected some of: {', '.join(sorted(known))}"
            )
        return cls(**dict(data))

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class Mentor:
    id: int
    specialties: tuple[str, ...]
    windows: tuple[Window, ...]
    timezone: str
    site: str | None
    region: str | None
    capacity: int  # remaining capacity for this round
    name: str = ""  # only for explanations; "mentor <id>" when empty

    @property
    def label(self) -> str:
        return self.name or f"mentor {self.id}"

    def __post_init__(self) -> None:
        if self.capacity < 0:
            raise ValueError(f"mentor {self.id}: capacity must be >= 0, got {self.capacity}")
        _check_windows(self.label, self.windows)


@dataclass(frozen=True)
class Mentee:
    id: int
    specialties: tuple[str, ...]  # priority order, first = most wanted
    windows: tuple[Window, ...]
    timezone: str
    site: str | None
    region: str | None
    preferred_mentors: tuple[int, ...] = ()  # mentor ids, most preferred first

    def __post_init__(self) -> None:
        _check_windows(f"mentee {self.id}", self.windows)


def _check_windows(who: str, windows: Sequence[Window]) -> None:
    for window in windows:
        if problems := window.problems():
            raise ValueError(f"{who}: availability window {'; '.join(problems)}")


@dataclass(frozen=True)
class RoundInput:
    """Everything a round needs; pairs are ``(mentee_id, mentor_id)``."""

    mentors: Sequence[Mentor]
    mentees: Sequence[Mentee]
    weights: Weights = field(default_factory=Weights)
    min_overlap_hours: float = DEFAULT_MIN_OVERLAP_HOURS
    week_start: date = DEFAULT_WEEK_START
    pins: frozenset[tuple[int, int]] = frozenset()
    exclusions: frozenset[tuple[int, int]] = frozenset()
    past_pairs: frozenset[tuple[int, int]] = frozenset()
    #: Pairs one side left off a submitted ranking: never matched, like exclusions.
    unacceptable: frozenset[tuple[int, int]] = frozenset()
    # Only for explanations: a specialty's name by its slug ("mtm" -> "Medication therapy
    # management"); a slug not listed is shown as it is.
    specialty_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    mentee_id: int
    mentor_id: int
    score: float
    breakdown: dict[str, float]
    pinned: bool


@dataclass(frozen=True)
class Unmatched:
    """Why a mentee got no mentor; ``mentor_ids`` names the mentors the reason is about."""

    mentee_id: int
    reason: str
    message: str
    mentor_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Candidate:
    mentor_id: int
    score: float
    breakdown: dict[str, float]
    overlap_hours: float


@dataclass(frozen=True)
class RoundResult:
    matches: list[Match]
    unmatched: list[Unmatched]
    stats: dict[str, Any]
