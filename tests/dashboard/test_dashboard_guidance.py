"""The feedback and competency sections against hand counts of the fixture, per filter."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from mentor_match.importing.specialties import DEFAULT_SPECIALTIES
from tests.dashboard.conftest import (
    BOOKINGS,
    COMPETENCIES,
    EVALUATIONS,
    FEEDBACK,
    MENTEES,
    MENTORS,
    MENTORSHIPS,
    REFLECTIONS,
    SHIFTS,
    SIGNOFFS,
)
from tests.dashboard.test_dashboard_series import (
    FILTERS,
    RANGES,
    _coordinator_headers,
    _query,
    here,
    window,
)

NAMES = {s.slug: s.name for s in DEFAULT_SPECIALTIES}


def _ends(shift_key: str):  # noqa: ANN202
    _, start, length, _, _, _ = SHIFTS[shift_key]
    return start + timedelta(hours=length)


def expect_guidance(start, end, site):  # noqa: ANN001, ANN201
    s, e = window(start, end)
    now = datetime.now(UTC)
    mentors: dict[str, list[int]] = defaultdict(lambda: [0] * 8)
    for index, (shift, _, status, attended, _) in enumerate(BOOKINGS):
        mentor = SHIFTS[shift][0]
        if status != "confirmed" or attended is not True or not here(MENTORS[mentor][0], site):
            continue
        if not s <= _ends(shift) < e:
            continue
        late = _ends(shift) < now - timedelta(days=7)
        row = mentors[mentor]
        row[0] += 1
        row[1] += index in FEEDBACK
        row[2] += index not in FEEDBACK and late
        row[3] += index in REFLECTIONS
        row[4] += index not in REFLECTIONS and late
    for index, (mentor, _, created, ended) in enumerate(MENTORSHIPS):
        if not here(MENTORS[mentor][0], site):
            continue
        stage = "final" if ended else "midpoint"
        due = ended + timedelta(days=14) if ended else created + timedelta(days=60)
        if not s <= due < e:
            continue
        done = sum(1 for i, st, _ in EVALUATIONS if i == index and st == stage)
        row = mentors[mentor]
        row[5] += done
        row[6] += 2
        row[7] += (2 - done) if due < now else 0
    t = [sum(r[i] for r in mentors.values()) for i in range(8)]
    completion = [
        {"task": label, "owed": owed, "done": done, "overdue": late}
        for label, owed, done, late in (
            ("Feedback from mentors", t[0], t[1], t[2]),
            ("Reflections from mentees", t[0], t[3], t[4]),
            ("Evaluations", t[6], t[5], t[7]),
        )
        if owed
    ]
    late_rows = sorted(
        (
            {
                "mentor": f"Mentor {m}",
                "feedback_overdue": r[2],
                "reflections_overdue": r[4],
                "evaluations_overdue": r[7],
                "overdue": r[2] + r[4] + r[7],
                "attended": r[0],
                "feedback_given": r[1],
                "reflections_given": r[3],
            }
            for m, r in mentors.items()
            if r[2] + r[4] + r[7]
        ),
        key=lambda d: (-d["overdue"], d["mentor"]),
    )
    return completion, late_rows


def _area(competency: str) -> str:
    slug = COMPETENCIES[competency][1]
    return NAMES[slug] if slug else "General"


def expect_heatmap(start, end, site):  # noqa: ANN001, ANN201
    s, e = window(start, end)
    grid: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for index, ratings in FEEDBACK.items():
        shift, mentee, _, _, _ = BOOKINGS[index]
        if s <= _ends(shift) < e and here(MENTEES[mentee][0], site):
            for competency, level in ratings:
                grid[_area(competency)][level - 1] += 1
    for mentee, competency, signed_at, revoked_at in SIGNOFFS:
        if revoked_at is None and s <= signed_at < e and here(MENTEES[mentee][0], site):
            grid[_area(competency)][4] += 1
    keys = ("observed", "with_help", "supervised", "independent", "signed_off")
    return [{"specialty": k, **dict(zip(keys, v, strict=True))} for k, v in sorted(grid.items())]


@pytest.mark.parametrize(("range_key", "site"), FILTERS)
def test_guidance_series_match_the_hand_count(app, client, programme, token_for, range_key, site):
    headers = _coordinator_headers(app, token_for)
    query = _query(range_key, site, programme.ids)
    charts = client.get("/api/v1/dashboard", headers=headers, query_string=query).get_json()[
        "charts"
    ]
    start, end = RANGES[range_key]
    completion, late_rows = expect_guidance(start, end, site)
    assert charts["feedback_completion"]["rows"] == completion
    assert charts["overdue_by_mentor"]["rows"] == late_rows
    assert charts["competencies_by_specialty"]["rows"] == expect_heatmap(start, end, site)


def test_the_fixture_feeds_the_guidance_charts():
    q1 = RANGES["first-quarter"]
    completion, late_rows = expect_guidance(*q1, None)
    assert {row["task"] for row in completion} == {
        "Feedback from mentors",
        "Reflections from mentees",
        "Evaluations",
    }
    assert late_rows and any(r["evaluations_overdue"] for r in late_rows)
    assert expect_heatmap(*q1, "North") != expect_heatmap(*q1, "South")
    assert expect_heatmap(*RANGES["february"], None) != expect_heatmap(*q1, None)
