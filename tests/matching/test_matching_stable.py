"""Stable mode, blocking pairs and the fairness option, checked against definitions and oracles.

The oracle is the `matching` package (PyPI), an independent hospital/residents implementation;
feasibility and preferences for it (and for the brute-force checks) are rebuilt here from the
public `candidates` function, not from the market code under test.
"""

from __future__ import annotations

import itertools
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from mentor_match.matching import RoundInput, candidates
from mentor_match.matching.modes import solve_mode, suggestions
from mentor_match.matching.stable import Rankings
from tests.matching.matching_builders import mentee, mentor

SPECIALTIES = ("oncology", "geriatrics", "informatics")
SITES = ("north", "south", None)


@st.composite
def rounds(draw, max_mentees: int = 7, max_mentors: int = 4):  # noqa: ANN001, ANN201
    n = draw(st.integers(1, max_mentees))
    m = draw(st.integers(1, max_mentors))
    specs = st.lists(st.sampled_from(SPECIALTIES), min_size=1, max_size=2, unique=True)
    mentors = [
        mentor(
            100 + j,
            specialties=draw(specs),
            site=draw(st.sampled_from(SITES)),
            capacity=draw(st.integers(1, 3)),
        )
        for j in range(m)
    ]
    mentees = [
        mentee(
            1 + i,
            specialties=draw(specs),
            site=draw(st.sampled_from(SITES)),
            preferred=draw(st.lists(st.sampled_from([p.id for p in mentors]), max_size=2)),
        )
        for i in range(n)
    ]
    pairs = [(a.id, b.id) for a in mentees for b in mentors]
    exclusions = frozenset(draw(st.lists(st.sampled_from(pairs), max_size=2)))
    past = frozenset(draw(st.lists(st.sampled_from(pairs), max_size=2)))
    data = RoundInput(mentors=mentors, mentees=mentees, exclusions=exclusions, past_pairs=past)
    ranks_mentees = {}
    for p in mentees:
        if draw(st.booleans()):
            ranks_mentees[p.id] = draw(st.permutations([q.id for q in mentors]))[
                : draw(st.integers(0, m))
            ]
    ranks_mentors = {}
    for q in mentors:
        if draw(st.booleans()):
            ranks_mentors[q.id] = draw(st.permutations([p.id for p in mentees]))[
                : draw(st.integers(0, n))
            ]
    return data, Rankings(ranks_mentees, ranks_mentors)


def preferences(data: RoundInput, rankings: Rankings):  # noqa: ANN201
    """Each side's strict preference list over acceptable feasible partners, from scratch."""
    scores: dict[tuple[int, int], float] = {}
    for p in data.mentees:
        for c in candidates(data, p.id):
            pair = (p.id, c.mentor_id)
            ok = (p.id not in rankings.mentees or c.mentor_id in rankings.mentees[p.id]) and (
                c.mentor_id not in rankings.mentors or p.id in rankings.mentors[c.mentor_id]
            )
            if ok:
                scores[pair] = c.score
    mentee_prefs = {}
    for p in data.mentees:
        mine = [j for (i, j) in scores if i == p.id]
        if p.id in rankings.mentees:
            order = list(rankings.mentees[p.id])
            mine.sort(key=order.index)
        else:
            mine.sort(key=lambda j: (-scores[(p.id, j)], j))
        mentee_prefs[p.id] = mine
    mentor_prefs = {}
    for q in data.mentors:
        mine = [i for (i, j) in scores if j == q.id]
        if q.id in rankings.mentors:
            order = list(rankings.mentors[q.id])
            mine.sort(key=order.index)
        else:
            mine.sort(key=lambda i: (-scores[(i, q.id)], i))
        mentor_prefs[q.id] = mine
    return scores, mentee_prefs, mentor_prefs


def brute_blocking(data, rankings, pairs: dict[int, int]) -> set[tuple[int, int]]:  # noqa: ANN001
    scores, mentee_prefs, mentor_prefs = preferences(data, rankings)
    capacity = {q.id: q.capacity for q in data.mentors}
    held: dict[int, list[int]] = {q.id: [] for q in data.mentors}
    for i, j in pairs.items():
        held[j].append(i)
    out = set()
    for i, j in scores:
        if pairs.get(i) == j:
            continue
        prefs = mentee_prefs[i]
        mentee_wants = i not in pairs or prefs.index(j) < prefs.index(pairs[i])
        order = mentor_prefs[j]
        mentor_wants = len(held[j]) < capacity[j] or any(
            order.index(i) < order.index(k) for k in held[j]
        )
        if mentee_wants and mentor_wants:
            out.add((i, j))
    return out


def pairs_of(result) -> dict[int, int]:  # noqa: ANN001
    return {m.mentee_id: m.mentor_id for m in result.result.matches}


COMMON = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(rounds())
def test_stable_results_have_no_blocking_pair(case) -> None:
    data, rankings = case
    found = solve_mode(data, "stable", rankings)
    pairs = pairs_of(found)
    assert found.result.stats["blocking_pairs"] == 0
    assert found.blocking == []
    assert brute_blocking(data, rankings, pairs) == set()
    load: dict[int, int] = {}
    for i, j in pairs.items():
        assert (i, j) not in data.exclusions and (i, j) not in data.past_pairs
        load[j] = load.get(j, 0) + 1
    for q in data.mentors:
        assert load.get(q.id, 0) <= q.capacity


@COMMON
@given(rounds())
def test_stable_equals_the_oracles_mentee_optimal_matching(case) -> None:
    data, rankings = case
    scores, mentee_prefs, mentor_prefs = preferences(data, rankings)
    # Nobody with an empty list can be matched: the oracle wants them left out.
    residents = {f"e{i}": [f"m{j}" for j in p] for i, p in mentee_prefs.items() if p}
    hospitals = {f"m{j}": [f"e{i}" for i in p] for j, p in mentor_prefs.items() if p}
    capacities = {f"m{q.id}": q.capacity for q in data.mentors if mentor_prefs[q.id]}
    if not residents:
        assert pairs_of(solve_mode(data, "stable", rankings)) == {}
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the oracle's notes about its own input checks
        game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
        solution = game.solve(optimal="resident")
    expected = {int(r.name[1:]): int(h.name[1:]) for h, rs in solution.items() for r in rs}
    assert pairs_of(solve_mode(data, "stable", rankings)) == expected


@COMMON
@given(rounds())
def test_blocking_count_equals_brute_force_for_both_modes(case) -> None:
    data, rankings = case
    for mode in ("optimal", "stable"):
        found = solve_mode(data, mode, rankings)
        expected = brute_blocking(data, rankings, pairs_of(found))
        assert found.result.stats["blocking_pairs"] == len(expected)
        assert set(found.blocking) == expected


def brute_optimum(data, rankings):  # noqa: ANN001, ANN201
    """(most mentees matched, best total score at that count) by enumeration."""
    scores, _, _ = preferences(data, rankings)
    options = {p.id: [None] + [j for (i, j) in scores if i == p.id] for p in data.mentees}
    capacity = {q.id: q.capacity for q in data.mentors}
    best = (0, 0.0)
    ids = list(options)
    for choice in itertools.product(*(options[i] for i in ids)):
        load: dict[int, int] = {}
        for j in choice:
            if j is not None:
                load[j] = load.get(j, 0) + 1
        if any(n > capacity[j] for j, n in load.items()):
            continue
        chosen = [(i, j) for i, j in zip(ids, choice, strict=True) if j is not None]
        key = (len(chosen), round(sum(scores[p] for p in chosen), 9))
        best = max(best, key)
    return best


@settings(max_examples=60, deadline=None)
@given(rounds(max_mentees=5, max_mentors=3))
def test_optimal_mode_reaches_max_cardinality_and_the_brute_force_optimum(case) -> None:
    data, rankings = case
    found = solve_mode(data, "optimal", rankings)
    stats = found.result.stats
    matched, total = brute_optimum(data, rankings)
    assert stats["matched"] == stats["max_matchable"] == matched
    assert stats["total_score"] == pytest.approx(total, abs=1e-5)
    # The stable match can never score more in total, nor match more mentees.
    assert stats["stable_total_score"] <= stats["total_score"] + 1e-9
    assert stats["stable_matched"] <= stats["matched"]


@settings(max_examples=60, deadline=None)
@given(rounds(max_mentees=5, max_mentors=3))
def test_raising_the_lowest_score_keeps_cardinality_and_maximises_the_minimum(case) -> None:
    data, rankings = case
    fair = solve_mode(data, "optimal", rankings, raise_lowest=True).result.stats
    plain = solve_mode(data, "optimal", rankings).result.stats
    assert fair["matched"] == plain["matched"]
    assert fair["plain_total_score"] == pytest.approx(plain["total_score"])
    assert fair["min_score"] >= plain["min_score"] - 1e-9
    assert fair["total_score"] <= plain["total_score"] + 1e-9
    # Brute force: no maximum matching has a higher lowest score.
    scores, _, _ = preferences(data, rankings)
    options = {p.id: [None] + [j for (i, j) in scores if i == p.id] for p in data.mentees}
    capacity = {q.id: q.capacity for q in data.mentors}
    best_min = 0.0
    for choice in itertools.product(*options.values()):
        chosen = [(i, j) for i, j in zip(options, choice, strict=True) if j is not None]
        load: dict[int, int] = {}
        for _, j in chosen:
            load[j] = load.get(j, 0) + 1
        if (
            len(chosen) == plain["matched"]
            and chosen
            and all(n <= capacity[j] for j, n in load.items())
        ):
            best_min = max(best_min, min(scores[p] for p in chosen))
    if plain["matched"]:
        assert fair["min_score"] == pytest.approx(best_min, abs=2e-6)


def test_pins_are_kept_in_stable_mode() -> None:
    data = RoundInput(
        mentors=[mentor(100), mentor(101, site="south")],
        mentees=[mentee(1), mentee(2)],
        pins=frozenset({(1, 101)}),
    )
    found = solve_mode(data, "stable")
    assert pairs_of(found) == {1: 101, 2: 100}
    assert [m.pinned for m in found.result.matches] == [True, False]


def test_left_off_a_ranking_means_never_matched() -> None:
    data = RoundInput(mentors=[mentor(100, capacity=2)], mentees=[mentee(1), mentee(2)])
    rankings = Rankings(mentors={100: [2]})
    for mode in ("optimal", "stable"):
        found = solve_mode(data, mode, rankings)
        assert pairs_of(found) == {2: 100}
        reason = found.result.unmatched[0]
        assert reason.mentee_id == 1 and "left off a ranking" in reason.message


def test_the_price_of_stability_shows_on_a_classic_case() -> None:
    """Mentee 1 and mentor 100 are each other's best; the optimum splits them to match both."""
    data = RoundInput(
        mentors=[
            mentor(100, specialties=("oncology", "geriatrics")),
            mentor(101, specialties=("oncology",), site="south"),
        ],
        mentees=[
            mentee(1, specialties=("oncology",)),
            mentee(2, specialties=("geriatrics",)),
        ],
    )
    optimal = solve_mode(data, "optimal").result.stats
    stable = solve_mode(data, "stable").result.stats
    assert optimal["matched"] == 2 and optimal["blocking_pairs"] == 1
    assert stable["matched"] == 1 and stable["blocking_pairs"] == 0
    assert optimal["stable_total_score"] == pytest.approx(stable["total_score"])
    assert stable["optimal_blocking_pairs"] == 1


def test_suggestions_are_the_best_feasible_mentors_first() -> None:
    data = RoundInput(
        mentors=[mentor(100), mentor(101, site="south"), mentor(102, specialties=("nuclear",))],
        mentees=[mentee(1, preferred=(101,))],
    )
    found = suggestions(data, 3)
    assert [c.mentor_id for c in found[1]] == [c.mentor_id for c in candidates(data, 1)]
    assert [c.mentor_id for c in suggestions(data, 1)[1]] == [found[1][0].mentor_id]


@COMMON
@given(rounds(), st.data())
def test_pins_are_kept_and_the_rest_is_stable(case, draw) -> None:
    data, rankings = case
    allowed = [
        (a.id, b.id)
        for a in data.mentees
        for b in data.mentors
        if (a.id, b.id) not in data.exclusions and (a.id, b.id) not in data.past_pairs
    ]
    if not allowed:
        return
    pin = draw.draw(st.sampled_from(allowed))
    pinned = RoundInput(
        mentors=data.mentors,
        mentees=data.mentees,
        exclusions=data.exclusions,
        past_pairs=data.past_pairs,
        pins=frozenset({pin}),
    )
    found = solve_mode(pinned, "stable", rankings)
    pairs = pairs_of(found)
    assert pairs[pin[0]] == pin[1]
    assert found.result.stats["blocking_pairs"] == 0
    # Among the others and the places left, nobody would both rather swap.
    rest = RoundInput(
        mentors=[
            m if m.id != pin[1] else type(m)(**{**m.__dict__, "capacity": m.capacity - 1})
            for m in data.mentors
        ],
        mentees=[m for m in data.mentees if m.id != pin[0]],
        exclusions=data.exclusions,
        past_pairs=data.past_pairs,
    )
    others = {i: j for i, j in pairs.items() if i != pin[0]}
    assert brute_blocking(rest, rankings_without(rankings, pin[0]), others) == set()


def rankings_without(rankings: Rankings, mentee_id: int) -> Rankings:
    return Rankings(
        {i: r for i, r in rankings.mentees.items() if i != mentee_id},
        {j: [i for i in r if i != mentee_id] for j, r in rankings.mentors.items()},
    )
