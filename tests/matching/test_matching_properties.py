"""Properties of the solver on small random rounds, checked against an independent brute force."""

from __future__ import annotations

import random
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentor_match.matching import (
    Mentee,
    Mentor,
    RoundInput,
    Weights,
    Window,
    candidates,
    overlap_hours,
    solve_round,
)

SPECIALTIES = ("oncology", "mtm", "billing", "nuclear")
ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "UTC")
SITES = (("a", "east"), ("b", "east"), ("c", "west"), (None, None))
WINDOWS = (
    Window(0, 9 * 60, 12 * 60),
    Window(0, 11 * 60, 15 * 60),
    Window(1, 7 * 60, 15 * 60),
    Window(2, 15 * 60, 23 * 60),
    Window(5, 20 * 60, 24 * 60),
    Window(6, 0, 4 * 60),
    Window(3, 8 * 60 + 30, 10 * 60 + 45),
)
PROFILE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

specialties = st.lists(st.sampled_from(SPECIALTIES), min_size=0, max_size=3, unique=True).map(tuple)
windows = st.lists(st.sampled_from(WINDOWS), min_size=0, max_size=3, unique=True).map(tuple)


@st.composite
def rounds(draw, max_mentees: int = 7, max_mentors: int = 4, with_pins: bool = False):
    n_mentors = draw(st.integers(0, max_mentors))
    n_mentees = draw(st.integers(0, max_mentees))
    mentor_ids = draw(
        st.lists(st.integers(1, 60), min_size=n_mentors, max_size=n_mentors, unique=True)
    )
    mentee_ids = draw(
        st.lists(st.integers(1, 60), min_size=n_mentees, max_size=n_mentees, unique=True)
    )
    mentors = []
    for i in mentor_ids:
        site, region = draw(st.sampled_from(SITES))
        mentors.append(
            Mentor(
                i,
                draw(specialties),
                draw(windows),
                draw(st.sampled_from(ZONES)),
                site,
                region,
                draw(st.integers(0, 3)),
            )
        )
    mentees = []
    for i in mentee_ids:
        site, region = draw(st.sampled_from(SITES))
        preferred = draw(st.lists(st.sampled_from(mentor_ids), max_size=3)) if mentor_ids else []
        mentees.append(
            Mentee(
                i,
                draw(specialties),
                draw(windows),
                draw(st.sampled_from(ZONES)),
                site,
                region,
                tuple(preferred),
            )
        )
    all_pairs = [(e, m) for e in mentee_ids for m in mentor_ids]
    exclusions = draw(st.sets(st.sampled_from(all_pairs), max_size=4)) if all_pairs else set()
    past = draw(st.sets(st.sampled_from(all_pairs), max_size=3)) if all_pairs else set()
    pins: dict[int, int] = {}
    if with_pins and all_pairs:
        places = {m.id: m.capacity for m in mentors}
        for e, m in draw(st.lists(st.sampled_from(all_pairs), max_size=3)):
            if e not in pins and places[m] > 0 and (e, m) not in exclusions | past:
                pins[e] = m
                places[m] -= 1
    weights = draw(
        st.sampled_from(
            [
                Weights(),
                Weights(specialty=1, availability=0, site=0, preference=0),
                Weights(site=0.3),
            ]
        )
    )
    return RoundInput(
        mentors=mentors,
        mentees=mentees,
        weights=weights,
        min_overlap_hours=draw(st.sampled_from([1.0, 2.0, 3.5])),
        pins=frozenset(pins.items()),
        exclusions=frozenset(exclusions),
        past_pairs=frozenset(past),
    )


def feasible(data: RoundInput, e: Mentee, m: Mentor) -> bool:
    """The hard constraints, written out independently of the package."""
    return (
        bool(set(e.specialties) & set(m.specialties))
        and overlap_hours(e.windows, e.timezone, m.windows, m.timezone, data.week_start)
        >= data.min_overlap_hours
        and m.capacity > 0
        and (e.id, m.id) not in data.exclusions
        and (e.id, m.id) not in data.past_pairs
    )


def brute_force(data: RoundInput) -> tuple[int, float]:
    """Best (matched, total score) over every assignment, pins fixed."""
    pins = dict(data.pins)
    scores = {e.id: {c.mentor_id: c.score for c in candidates(data, e.id)} for e in data.mentees}
    mentors = sorted(data.mentors, key=lambda m: m.id)
    places = {m.id: m.capacity for m in mentors}
    base_count, base_score = 0, 0.0
    for e, m in pins.items():
        places[m] -= 1
        base_count += 1
        base_score += scores[e][m]
    free = [e for e in sorted(data.mentees, key=lambda e: e.id) if e.id not in pins]
    options = [[m.id for m in mentors if feasible(data, e, m)] for e in free]
    order = [m.id for m in mentors]

    @cache
    def best(k: int, left: tuple[int, ...]) -> tuple[int, float]:
        if k == len(free):
            return 0, 0.0
        result = best(k + 1, left)
        for mentor_id in options[k]:
            j = order.index(mentor_id)
            if left[j] > 0:
                count, total = best(k + 1, left[:j] + (left[j] - 1,) + left[j + 1 :])
                result = max(result, (count + 1, total + scores[free[k].id][mentor_id]))
        return result

    count, total = best(0, tuple(places[m] for m in order))
    return base_count + count, base_score + total


def check_hard_constraints(data: RoundInput, result) -> None:
    mentors = {m.id: m for m in data.mentors}
    mentees = {e.id: e for e in data.mentees}
    used: dict[int, int] = {}
    for match in result.matches:
        used[match.mentor_id] = used.get(match.mentor_id, 0) + 1
        pinned = (match.mentee_id, match.mentor_id) in data.pins
        assert match.pinned == pinned
        if not pinned:
            assert feasible(data, mentees[match.mentee_id], mentors[match.mentor_id])
        assert (match.mentee_id, match.mentor_id) not in data.exclusions
    for mentor_id, count in used.items():
        assert count <= mentors[mentor_id].capacity
    matched = [m.mentee_id for m in result.matches]
    assert len(matched) == len(set(matched))
    assert set(matched) | {u.mentee_id for u in result.unmatched} == set(mentees)
    assert not set(matched) & {u.mentee_id for u in result.unmatched}
    for pin in data.pins:
        assert pin in {(m.mentee_id, m.mentor_id) for m in result.matches}


@PROFILE
@given(rounds())
def test_solution_respects_constraints_and_is_optimal(data):
    result = solve_round(data)
    check_hard_constraints(data, result)
    assert result.stats["matched"] == len(result.matches)
    assert result.stats["matched"] == result.stats["max_matchable"]
    count, total = brute_force(data)
    assert result.stats["matched"] == count
    assert abs(result.stats["total_score"] - total) <= 1e-5
    assert result.stats["greedy_matched"] <= count
    assert (
        result.stats["greedy_total_score"] <= total + 1e-5 or result.stats["greedy_matched"] < count
    )


@PROFILE
@given(rounds(with_pins=True))
def test_pins_are_kept_and_the_rest_is_still_optimal(data):
    result = solve_round(data)
    check_hard_constraints(data, result)
    count, total = brute_force(data)
    assert result.stats["matched"] == count == result.stats["max_matchable"]
    assert abs(result.stats["total_score"] - total) <= 1e-5


@PROFILE
@given(rounds(with_pins=True), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(data, rnd: random.Random):
    mentors, mentees = list(data.mentors), list(data.mentees)
    rnd.shuffle(mentors)
    rnd.shuffle(mentees)
    shuffled = RoundInput(
        mentors=mentors,
        mentees=mentees,
        weights=data.weights,
        min_overlap_hours=data.min_overlap_hours,
        pins=data.pins,
        exclusions=data.exclusions,
        past_pairs=data.past_pairs,
    )
    a, b = solve_round(data), solve_round(shuffled)
    assert [(m.mentee_id, m.mentor_id, m.score) for m in a.matches] == [
        (m.mentee_id, m.mentor_id, m.score) for m in b.matches
    ]
    assert a.stats["total_score"] == b.stats["total_score"]
    assert a.unmatched == b.unmatched


@PROFILE
@given(rounds(with_pins=True))
def test_explanations_agree_with_candidates_and_scores(data):
    result = solve_round(data)
    mentors = {m.id: m for m in data.mentors}
    mentees = {e.id: e for e in data.mentees}
    used: dict[int, int] = {}
    for match in result.matches:
        used[match.mentor_id] = used.get(match.mentor_id, 0) + 1
        listed = {c.mentor_id: c for c in candidates(data, match.mentee_id)}
        assert listed[match.mentor_id].score == match.score
        assert listed[match.mentor_id].breakdown == match.breakdown
        assert abs(sum(match.breakdown.values()) - match.score) <= 1e-12
        assert 0.0 <= match.score <= 1.0
    for gap in result.unmatched:
        e = mentees[gap.mentee_id]
        shares = [m for m in mentors.values() if set(m.specialties) & set(e.specialties)]
        available = [
            m
            for m in shares
            if overlap_hours(e.windows, e.timezone, m.windows, m.timezone) >= data.min_overlap_hours
        ]
        allowed = [m for m in available if (e.id, m.id) not in data.exclusions | data.past_pairs]
        if not mentors:
            assert gap.reason == "no_mentors"
        elif not shares:
            assert gap.reason == "no_shared_specialty"
        elif not available:
            assert gap.reason == "no_shared_availability"
        elif not allowed:
            assert gap.reason == "excluded"
        else:
            assert gap.reason == "mentors_full"
            assert set(gap.mentor_ids) == {m.id for m in allowed}
            for mentor_id in gap.mentor_ids:
                assert used.get(mentor_id, 0) == mentors[mentor_id].capacity
        # Every candidate listed for an unmatched mentee is a full mentor.
        for c in candidates(data, gap.mentee_id):
            assert used.get(c.mentor_id, 0) == mentors[c.mentor_id].capacity


@PROFILE
@given(rounds())
def test_candidates_are_exactly_the_feasible_mentors_best_first(data):
    for e in data.mentees:
        listed = candidates(data, e.id)
        expected = {m.id for m in data.mentors if feasible(data, e, m)}
        assert {c.mentor_id for c in listed} == expected
        keys = [(-c.score, c.mentor_id) for c in listed]
        assert keys == sorted(keys)


@PROFILE
@given(rounds(with_pins=True))
def test_dense_and_sparse_solvers_reach_the_same_optimum(data):
    from mentor_match.matching.solver import prepare

    _, _, problem, _ = prepare(data)

    def total_cost(assigned):
        matched = assigned >= 0
        cost = {
            (r, c): k
            for r, c, k in zip(
                problem.edge_rows.tolist(),
                problem.edge_cols.tolist(),
                problem.edge_cost.tolist(),
                strict=True,
            )
        }
        real = sum(
            cost[(r, c)]
            for r, c in zip(range(assigned.size), assigned.tolist(), strict=True)
            if c >= 0
        )
        return int(matched.sum()), real

    dense, _ = problem.solve("dense")
    sparse, _ = problem.solve("sparse")
    assert total_cost(dense) == total_cost(sparse)
