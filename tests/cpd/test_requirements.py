"""The requirement arithmetic: caps, pharmacist CE excluded, cycle boundaries inclusive."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentor_match.recertification import (
    PTCB_RULES,
    ActivityRecord,
    Cycle,
    RulesError,
    RuleSet,
    evaluate,
)

CYCLE = Cycle.ending(date(2027, 6, 30))
TODAY = date(2026, 12, 1)


def test_the_cycle_is_the_two_years_before_its_end_both_days_included() -> None:
    assert CYCLE.starts == date(2025, 7, 1)
    assert date(2025, 7, 1) in CYCLE and date(2027, 6, 30) in CYCLE
    assert date(2025, 6, 30) not in CYCLE and date(2027, 7, 1) not in CYCLE
    assert Cycle.ending(date(2028, 2, 29)).starts == date(2026, 3, 1)
    assert CYCLE.days_left(date(2027, 6, 30)) == 0
    assert len(CYCLE.months()) == 24


def test_ptcb_example_says_what_is_missing() -> None:
    acts = [
        ActivityRecord(1, date(2026, 1, 5), Decimal("6.00"), "ce", "01", "T"),
        ActivityRecord(2, date(2026, 2, 5), Decimal("1.00"), "ce", "05", "T"),
        ActivityRecord(3, date(2026, 3, 5), Decimal("2.00"), "ce", "03", "P"),
        ActivityRecord(4, date(2026, 4, 5), Decimal("12.00"), "college"),
    ]
    progress = evaluate(PTCB_RULES, CYCLE, acts, TODAY)
    have = {r.name: r.have for r in progress.requirements}
    assert have == {"total": Decimal("17.00"), "pharmacy law": 0, "patient safety": 1}
    assert progress.missing == ["1 hour of pharmacy law", "3 more hours of CE in all"]
    reasons = {r.record.id: r.reason for r in progress.activities}
    assert "pharmacist" in reasons[3]
    assert "10 hours" in reasons[4]
    assert progress.days_left == (date(2027, 6, 30) - TODAY).days


activity = st.builds(
    ActivityRecord,
    id=st.integers(1, 10_000),
    completed_on=st.dates(CYCLE.starts - timedelta(days=40), CYCLE.ends + timedelta(days=40)),
    hours=st.decimals("0.25", "40", places=2),
    kind=st.sampled_from(["ce", "college", "other"]),
    topic=st.sampled_from([None, "01", "03", "04", "05", "07"]),
    audience=st.sampled_from([None, "T", "P"]),
)


# On a shared, busy machine an example can take longer than hypothesis' default deadline.
PROFILE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(st.lists(activity, max_size=25))
def test_counting_respects_every_rule(acts: list[ActivityRecord]) -> None:
    progress = evaluate(PTCB_RULES, CYCLE, acts, TODAY)
    by_id = {id(r.record): r for r in progress.activities}
    assert len(by_id) == len(acts)
    for result in progress.activities:
        a = result.record
        assert Decimal(0) <= result.counted <= a.hours
        if a.completed_on not in CYCLE or a.audience == "P" or a.kind == "other":
            assert result.counted == 0 and result.reason
        elif a.kind == "ce":
            assert result.counted == a.hours and result.reason is None
        if result.counted < a.hours:
            assert result.reason
    college = sum(r.counted for r in progress.activities if r.record.kind == "college")
    assert college <= Decimal(10)
    in_cycle_college = sum(
        a.hours
        for a in acts
        if a.kind == "college" and a.completed_on in CYCLE and a.audience != "P"
    )
    assert college == min(in_cycle_college, Decimal(10))
    total, law, safety = progress.requirements
    assert total.have == sum(r.counted for r in progress.activities)
    assert law.have == sum(r.counted for r in progress.activities if r.record.topic == "03")
    assert safety.have == sum(r.counted for r in progress.activities if r.record.topic == "05")
    assert progress.met == (total.have >= 20 and law.have >= 1 and safety.have >= 1)
    assert (not progress.missing) == progress.met
    this_month = TODAY.strftime("%Y-%m")
    assert sum(h for _, h in progress.by_month) == sum(
        r.counted
        for r in progress.activities
        if r.record.completed_on.strftime("%Y-%m") <= this_month
    )


@PROFILE
@given(st.decimals("0.25", "40", places=2), st.sampled_from(["03", "05"]))
def test_boundary_days_count_and_the_day_outside_does_not(hours: Decimal, topic: str) -> None:
    inside = [
        ActivityRecord(1, CYCLE.starts, hours, "ce", topic, "T"),
        ActivityRecord(2, CYCLE.ends, hours, "ce", topic, "T"),
    ]
    outside = [
        ActivityRecord(3, CYCLE.starts - timedelta(days=1), hours, "ce", topic, "T"),
        ActivityRecord(4, CYCLE.ends + timedelta(days=1), hours, "ce", topic, "T"),
    ]
    progress = evaluate(PTCB_RULES, CYCLE, inside + outside, CYCLE.ends)
    assert progress.ce_hours == 2 * hours


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "total_hours": 20}, "name"),
        ({"name": "X", "total_hours": 0}, "total_hours"),
        ({"name": "X", "total_hours": "lots"}, "total_hours"),
        (
            {"name": "X", "total_hours": 20, "categories": [{"topic": "09", "hours": 1}]},
            "categories",
        ),
        (
            {"name": "X", "total_hours": 2, "categories": [{"topic": "03", "hours": 3}]},
            "categories",
        ),
        ({"name": "X", "total_hours": 20, "caps": {"seminar": 1}}, "caps"),
        ({"name": "X", "total_hours": 20, "caps": {"college": -1}}, "caps"),
        ({"name": "X", "total_hours": 20, "cycle_years": 9}, "cycle_years"),
    ],
)
def test_a_bad_rule_set_names_the_setting(data: dict, field: str) -> None:
    with pytest.raises(RulesError) as exc:
        RuleSet.from_dict(data)
    assert exc.value.field == field


def test_rule_sets_round_trip_through_plain_values() -> None:
    assert RuleSet.from_dict(PTCB_RULES.as_dict()) == PTCB_RULES
