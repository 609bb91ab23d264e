"""Solving on candidates with a proof of optimality gives the full solve's optimum."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matching_builders import mentee, mentor
from test_matching_properties import SITES, WINDOWS, ZONES, check_hard_constraints

from mentor_match.matching import Mentee, Mentor, RoundInput, Weights, certified, solve_round
from mentor_match.matching.solver import prepare

PROFILE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SPECIALTIES = ("oncology", "mtm", "billing", "nuclear", "sterile")

specialties = st.lists(st.sampled_from(SPECIALTIES), min_size=0, max_size=3, unique=True).map(tuple)
windows = st.lists(st.sampled_from(WINDOWS), min_size=1, max_size=3, unique=True).map(tuple)


@st.composite
def big_rounds(draw, max_mentees: int = 40, max_mentors: int = 15):
    """Rounds with many mentees per place: tight capacity, popular mentors, pins, exclusions,
    past pairs, specialties nobody else has, and mentees listing none."""
    n_mentors = draw(st.integers(0, max_mentors))
    n_mentees = draw(st.integers(0, max_mentees))
    mentor_ids = list(range(1000, 1000 + n_mentors))
    mentee_ids = draw(st.permutations(range(1, n_mentees + 1)))
    capacity = draw(st.sampled_from([(0, 1), (1, 2), (1, 3), (0, 5)]))
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
                draw(st.integers(*capacity)),
            )
        )
    mentees = []
    for i in mentee_ids:
        site, region = draw(st.sampled_from(SITES))
        preferred = draw(st.lists(st.sampled_from(mentor_ids), max_size=2)) if mentor_ids else []
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
    pairs = st.tuples(st.sampled_from(mentee_ids), st.sampled_from(mentor_ids))
    exclusions = draw(st.sets(pairs, max_size=8)) if mentee_ids and mentor_ids else set()
    past = draw(st.sets(pairs, max_size=5)) if mentee_ids and mentor_ids else set()
    pins: dict[int, int] = {}
    if mentee_ids and mentor_ids:
        places = {m.id: m.capacity for m in mentors}
        for e, m in draw(st.lists(pairs, max_size=4)):
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


def total_cost(data: RoundInput, result) -> int:
    """The integer cost the solver minimises, summed over the result's free pairs."""
    scorer, pins, problem, _ = prepare(data)
    n = scorer.n_mentors
    costs = dict(
        zip(
            (problem.rows[problem.edge_rows] * n + problem.edge_cols).tolist(),
            problem.edge_cost.tolist(),
            strict=True,
        )
    )
    return sum(
        int(costs[scorer.mentee_index[m.mentee_id] * n + scorer.mentor_index[m.mentor_id]])
        for m in result.matches
        if not m.pinned
    )


def assert_same_optimum(data: RoundInput, full, sparse) -> None:
    check_hard_constraints(data, sparse)
    a, b = full.stats, sparse.stats
    assert b["matched"] == a["matched"] == a["max_matchable"] == b["max_matchable"]
    assert total_cost(data, sparse) == total_cost(data, full)
    assert b["total_score"] == pytest.approx(a["total_score"], abs=1e-5)
    for key in ("feasible_pairs", "greedy_matched", "greedy_total_score", "pinned", "mentees"):
        assert b[key] == a[key], key
    assert b["optimality"] == "proven"
    assert {m.mentee_id for m in sparse.matches} | {u.mentee_id for u in sparse.unmatched} == {
        e.id for e in data.mentees
    }


@PROFILE
@given(
    big_rounds(),
    st.sampled_from([1, 2, 3, 8]),
    st.sampled_from([0, 1, 3, certified.RESERVE]),
    st.sampled_from([1, 2, certified.RESCAN_KEEP]),
)
def test_candidates_with_a_certificate_reach_the_full_optimum(data, k, reserve, rescan_keep):
    full = solve_round(data, method="full")
    # A short reserve and a short rescan keep make the proof scan, re-scan and check reserves
    # even on these small rounds.
    default_keep = certified.RESCAN_KEEP
    certified.RESCAN_KEEP = rescan_keep
    try:
        sparse = certified.solve_certified(data, k=k, reserve=reserve)
    finally:
        certified.RESCAN_KEEP = default_keep
    assert_same_optimum(data, full, sparse)
    certificate = sparse.stats["certificate"]
    assert certificate["k"] == k
    assert certificate["passes"] >= 1
    assert certificate["candidates_kept"] <= sparse.stats["feasible_pairs"]


def test_certificate_finds_the_improvements_a_short_candidate_list_misses():
    # Planted, ten times over: mentees A and B both like mentor X best; A's second choice Y is
    # nearly as good, B likes nobody else. Greedy gives X to A (first by id) and Y to B; with
    # k=1 the first sparse answer can do no better (A's only candidate is X). The optimum
    # swaps: A-Y, B-X. The proof must find every A-Y pair and end at the full optimum.
    mentors, mentees = [], []
    for g in range(10):
        x, y = 1000 + 2 * g, 1001 + 2 * g
        mentors += [mentor(x), mentor(y)]
        mentees += [mentee(1 + 2 * g, preferred=(x, y)), mentee(2 + 2 * g, preferred=(x,))]
    data = RoundInput(
        mentors=mentors,
        mentees=mentees,
        weights=Weights(specialty=0, availability=0, site=0, preference=1),
    )
    full = solve_round(data, method="full")
    sparse = solve_round(data, method="candidates", k=1)
    assert full.stats["matched"] == 20
    assert full.stats["greedy_total_score"] < full.stats["total_score"] - 5
    assert_same_optimum(data, full, sparse)
    assert {(m.mentee_id, m.mentor_id) for m in sparse.matches} == {
        (1 + 2 * g, 1001 + 2 * g) for g in range(10)
    } | {(2 + 2 * g, 1000 + 2 * g) for g in range(10)}
    certificate = sparse.stats["certificate"]
    assert certificate["passes"] >= 2
    assert certificate["pairs_added"] >= 10
    assert certificate["pairs_examined"] > 0


def test_certificate_proves_a_round_where_some_mentees_cannot_be_matched():
    mentors = [mentor(1000 + j, capacity=2) for j in range(5)]
    mentees = [mentee(i) for i in range(1, 26)]
    data = RoundInput(mentors=mentors, mentees=mentees)
    sparse = solve_round(data, method="candidates", k=2)
    assert sparse.stats["matched"] == sparse.stats["max_matchable"] == 10
    assert sparse.stats["optimality"] == "proven"
    assert {u.reason for u in sparse.unmatched} == {"mentors_full"}
    # Each unmatched mentee's 3 pairs outside the graph are kept in reserve and checked.
    assert sparse.stats["certificate"]["mentees_scanned"] == 0
    assert sparse.stats["certificate"]["pairs_examined"] >= 15 * 3
    # Without a reserve, unmatched mentees are always scanned: the proof is that all their
    # mentors are full.
    bare = certified.solve_certified(data, k=2, reserve=0)
    assert bare.stats["optimality"] == "proven"
    assert bare.stats["certificate"]["mentees_scanned"] >= 15
    assert_same_optimum(data, sparse, bare)


def test_both_ways_report_the_certificate_and_keep_every_stat():
    data = RoundInput(
        mentors=[mentor(1000 + j, capacity=2) for j in range(4)],
        mentees=[mentee(i) for i in range(1, 11)],
    )
    full = solve_round(data, method="full")
    sparse = solve_round(data, method="candidates", k=3)
    assert set(full.stats) <= set(sparse.stats)
    for stats in (full.stats, sparse.stats):
        assert stats["optimality"] == "proven"
        assert set(stats["certificate"]) >= {"passes", "pairs_examined", "candidates_kept", "k"}
    assert full.stats["certificate"]["k"] is None
    assert sparse.stats["certificate"]["k"] == 3
    assert sparse.stats["solver"].startswith("candidates")


def test_the_size_of_the_round_picks_the_way_it_is_solved(monkeypatch):
    data = RoundInput(
        mentors=[mentor(1000 + j, capacity=2) for j in range(4)],
        mentees=[mentee(i) for i in range(1, 11)],
    )
    assert certified.CANDIDATES_MIN_CELLS >= 10 * 4
    assert not solve_round(data).stats["solver"].startswith("candidates")
    monkeypatch.setattr(certified, "CANDIDATES_MIN_CELLS", 39)
    assert solve_round(data).stats["solver"].startswith("candidates")


def test_an_unknown_way_of_solving_is_refused():
    with pytest.raises(ValueError, match="unknown method"):
        solve_round(RoundInput(mentors=[], mentees=[]), method="guess")
    with pytest.raises(ValueError, match="k must be at least 1"):
        solve_round(RoundInput(mentors=[], mentees=[]), method="candidates", k=0)


def _generated_round(n_mentees: int, seed: int) -> RoundInput:
    """A realistic round from the benchmarks' generator (uneven specialties, shifts, sites)."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_round.py"
    spec = importlib.util.spec_from_file_location("generate_round", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(n_mentees, seed)


@pytest.mark.parametrize("seed", [1, 3, 5])
def test_bounds_carried_between_passes_still_prove_realistic_rounds(seed, monkeypatch):
    # Tiny candidate lists, reserves and re-scan keeps make the proof carry bounds from pass
    # to pass while mentor prices fall and rise: the answer must still be the full optimum.
    monkeypatch.setattr(certified, "RESCAN_KEEP", 2)
    data = _generated_round(600, seed)
    full = solve_round(data, method="full")
    for k, reserve in ((2, 1), (1, 3)):
        sparse = certified.solve_certified(data, k=k, reserve=reserve)
        assert_same_optimum(data, full, sparse)
        assert sparse.stats["certificate"]["passes"] >= 2


def test_a_pass_that_re_solves_only_what_can_move_still_reaches_the_optimum(monkeypatch):
    # Repair every pass, however much may move: some repairs are proven by the prices, some
    # leave a better rearrangement outside their region and are solved whole again.
    monkeypatch.setattr(certified, "RESCAN_KEEP", 2)
    monkeypatch.setattr(certified, "REPAIR_AT_MOST", 1.0)
    data = _generated_round(600, 3)
    full = solve_round(data, method="full")
    repaired = undone = 0
    for k, reserve in ((2, 1), (1, 3)):
        sparse = certified.solve_certified(data, k=k, reserve=reserve)
        assert_same_optimum(data, full, sparse)
        repaired += sparse.stats["certificate"]["mentees_repaired"]
        undone += sparse.stats["certificate"]["repairs_undone"]
    assert repaired > 0
    assert undone > 0
