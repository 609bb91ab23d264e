"""The recertification cycle and its requirements: which hours count, and what is still missing.

The arithmetic, in the order it is applied to a person's activities (oldest first):

1. An activity completed outside the cycle (both ends inclusive) is listed, not counted.
2. An activity whose UAN is for pharmacists (audience P) is listed, not counted: the reason says so.
3. A kind with a cap (PTCB: at most 10 hours from college courses) counts until the cap is
   reached; the activity that crosses it counts in part, later ones not at all.
4. What counts goes to the total, and to the category of its UAN's topic (law, patient safety…).

Hours are Decimals with two places, so 0.1 + 0.2 is 0.3 and a requirement is met exactly.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .uan import TOPICS

KINDS: dict[str, str] = {"ce": "CE activity", "college": "college course", "other": "other"}
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_TOTAL_HOURS = Decimal(200)
MAX_RULE_NAME = 80
MAX_CYCLE_YEARS = 5


def hours(value: Decimal | int | float | str) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def hours_phrase(value: Decimal) -> str:
    """'1 hour', '2.5 hours', '0.25 hours'."""
    text = format(value.normalize(), "f")
    return f"{text} hour" if value == 1 else f"{text} hours"


class RulesError(ValueError):
    """A rule set that cannot be used; `field` names the wrong setting."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class CategoryRule:
    """At least `hours` hours of CE whose UAN topic is `topic` (an ACPE topic code)."""

    topic: str
    hours: Decimal

    @property
    def name(self) -> str:
        return "pharmacy law" if self.topic == "03" else TOPICS[self.topic]


@dataclass(frozen=True)
class RuleSet:
    """A recertification rule set: total hours per cycle, category minimums and caps per kind."""

    name: str
    total_hours: Decimal
    categories: tuple[CategoryRule, ...] = ()
    caps: tuple[tuple[str, Decimal], ...] = ()  # (kind, most hours counted)
    cycle_years: int = 2

    def cap_of(self, kind: str) -> Decimal | None:
        return dict(self.caps).get(kind)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "total_hours": float(self.total_hours),
            "cycle_years": self.cycle_years,
            "categories": [
                {"topic": c.topic, "name": c.name, "hours": float(c.hours)} for c in self.categories
            ],
            "caps": {kind: float(cap) for kind, cap in self.caps},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        """Check and build a rule set from plain values (the stored JSON or a form)."""
        name = str(data.get("name") or "").strip()
        if not name or len(name) > MAX_RULE_NAME:
            raise RulesError("name", f"give the rule set a name of 1 to {MAX_RULE_NAME} characters")
        total = _hours_in("total_hours", data.get("total_hours"), MAX_TOTAL_HOURS, positive=True)
        years = data.get("cycle_years", 2)
        if (
            isinstance(years, bool)
            or not isinstance(years, int)
            or not 1 <= years <= MAX_CYCLE_YEARS
        ):
            raise RulesError("cycle_years", f"a cycle lasts 1 to {MAX_CYCLE_YEARS} years")
        categories = []
        seen: set[str] = set()
        for item in data.get("categories") or []:
            topic = str(item.get("topic", ""))
            if topic not in TOPICS:
                raise RulesError("categories", f"topic code {topic or '(none)'} does not exist")
            if topic in seen:
                raise RulesError("categories", f"topic code {topic} is listed twice")
            seen.add(topic)
            needed = _hours_in("categories", item.get("hours"), MAX_TOTAL_HOURS, positive=True)
            categories.append(CategoryRule(topic, needed))
        if sum((c.hours for c in categories), ZERO) > total:
            raise RulesError("categories", "the categories need more hours than the total")
        caps = []
        for kind, value in sorted(dict(data.get("caps") or {}).items()):
            if kind not in KINDS:
                raise RulesError("caps", f"there is no kind of activity called {kind!r}")
            caps.append((kind, _hours_in("caps", value, MAX_TOTAL_HOURS, positive=False)))
        return cls(name, total, tuple(categories), tuple(caps), years)


def _hours_in(field: str, value: Any, most: Decimal, *, positive: bool) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise RulesError(field, "must be a number of hours")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise RulesError(field, "must be a number of hours") from exc
    if not amount.is_finite() or amount < 0 or (positive and amount == 0) or amount > most:
        low = "more than 0" if positive else "0 or more"
        raise RulesError(field, f"must be {low} and at most {hours_phrase(hours(most))}")
    if amount != amount.quantize(CENT):
        raise RulesError(field, "must have at most two decimal places")
    return amount.quantize(CENT)


PTCB_RULES = RuleSet(
    name="PTCB (CPhT recertification)",
    total_hours=Decimal("20.00"),
    categories=(CategoryRule("03", Decimal("1.00")), CategoryRule("05", Decimal("1.00"))),
    caps=(("college", Decimal("10.00")), ("other", Decimal("0.00"))),
)


@dataclass(frozen=True)
class Cycle:
    """A recertification cycle, both days inclusive."""

    starts: date
    ends: date

    @classmethod
    def ending(cls, ends: date, years: int = 2) -> Cycle:
        """The `years` years up to and including `ends` (ending 2027-06-30 → from 2025-07-01)."""
        year = ends.year - years
        day = min(ends.day, calendar.monthrange(year, ends.month)[1])
        return cls(date.fromordinal(date(year, ends.month, day).toordinal() + 1), ends)

    def __contains__(self, day: date) -> bool:
        return self.starts <= day <= self.ends

    def days_left(self, today: date) -> int:
        """Days from today to the last day of the cycle (0 on the last day, negative after)."""
        return (self.ends - today).days

    def months(self) -> list[str]:
        out = []
        year, month = self.starts.year, self.starts.month
        while (year, month) <= (self.ends.year, self.ends.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


@dataclass(frozen=True)
class ActivityRecord:
    """One CE activity as the arithmetic needs it."""

    id: int
    completed_on: date
    hours: Decimal
    kind: str
    topic: str | None = None  # the UAN's topic code
    audience: str | None = None  # the UAN's audience letter, T or P


@dataclass(frozen=True)
class ActivityResult:
    record: ActivityRecord
    counted: Decimal
    reason: str | None  # why it counts less than its hours, or not at all


@dataclass(frozen=True)
class RequirementResult:
    name: str
    needed: Decimal
    have: Decimal

    @property
    def met(self) -> bool:
        return self.have >= self.needed

    @property
    def missing(self) -> Decimal:
        return max(self.needed - self.have, ZERO)

    @property
    def percent(self) -> int:
        if self.needed <= 0:
            return 100
        return min(100, int(self.have * 100 / self.needed))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "needed": float(self.needed),
            "have": float(self.have),
            "met": self.met,
        }


@dataclass(frozen=True)
class Progress:
    rules: RuleSet
    cycle: Cycle
    today: date
    requirements: list[RequirementResult]
    activities: list[ActivityResult]
    by_month: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def ce_hours(self) -> Decimal:
        return self.requirements[0].have

    @property
    def met(self) -> bool:
        return all(r.met for r in self.requirements)

    @property
    def days_left(self) -> int:
        return self.cycle.days_left(self.today)

    @property
    def missing(self) -> list[str]:
        """What is still needed, in words: '1 hour of pharmacy law', '12.5 more hours of CE'."""
        total, *categories = self.requirements
        out = [f"{hours_phrase(r.missing)} of {r.name}" for r in categories if not r.met]
        if not total.met:
            more = hours_phrase(total.missing).replace(" hour", " more hour", 1)
            out.append(f"{more} of CE in all")
        return out


def evaluate(
    rules: RuleSet, cycle: Cycle, activities: Iterable[ActivityRecord], today: date
) -> Progress:
    """Count each activity by the rules (see the module's docstring) and total the requirements."""
    ordered = sorted(activities, key=lambda a: (a.completed_on, a.id))
    used: dict[str, Decimal] = {}
    results = []
    for activity in ordered:
        counted, reason = _count(rules, cycle, activity, used)
        results.append(ActivityResult(activity, counted, reason))
    total = sum((r.counted for r in results), ZERO)
    requirements = [RequirementResult("total", rules.total_hours, total)]
    for category in rules.categories:
        have = sum((r.counted for r in results if r.record.topic == category.topic), ZERO)
        requirements.append(RequirementResult(category.name, category.hours, have))
    per_month = dict.fromkeys(cycle.months(), ZERO)
    for r in results:
        key = r.record.completed_on.strftime("%Y-%m")
        if r.counted and key in per_month:
            per_month[key] += r.counted
    by_month = [(m, h) for m, h in per_month.items() if m <= today.strftime("%Y-%m")]
    return Progress(rules, cycle, today, requirements, results, by_month)


def _count(
    rules: RuleSet, cycle: Cycle, activity: ActivityRecord, used: dict[str, Decimal]
) -> tuple[Decimal, str | None]:
    if activity.completed_on not in cycle:
        return ZERO, (
            f"completed outside this cycle ({cycle.starts.isoformat()} to {cycle.ends.isoformat()})"
        )
    if activity.audience == "P":
        return ZERO, "pharmacist CE (UAN ends in P): listed, but it does not count for technicians"
    cap = rules.cap_of(activity.kind)
    if cap is None:
        return activity.hours, None
    if cap == 0:
        return ZERO, f"{rules.name} counts no hours of kind '{KINDS[activity.kind]}'"
    already = used.get(activity.kind, ZERO)
    counted = min(activity.hours, max(cap - already, ZERO))
    used[activity.kind] = already + counted
    if counted == activity.hours:
        return counted, None
    label = KINDS[activity.kind]
    if counted == 0:
        return ZERO, f"the {hours_phrase(cap)} cap for {label}s is already reached"
    return counted, f"{hours_phrase(counted)} counted: the cap for {label}s is {hours_phrase(cap)}"
