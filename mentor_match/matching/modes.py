"""The ways a round can match (optimal, optimal raising the lowest score first, stable), and the
price of each: blocking pairs and the other mode's total score on the same pool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from time import perf_counter
from typing import Any

import numpy as np

from .records import Candidate, RoundInput, RoundResult
from .scoring import RoundScorer
from .solver import Assignment, finish, full_certificate, prepare
from .stable import Market, Rankings, blocking_mask, build_market, deferred_acceptance

MODES = ("optimal", "stable", "self_select")
#: Blocking pairs kept for listing; the count is always exact.
BLOCKING_LISTED = 5_000

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class ModeResult:
    """A round's result in its mode, with its blocking pairs (mentee id, mentor id), best-known
    first by mentee id, at most ``BLOCKING_LISTED`` of them."""

    result: RoundResult
    blocking: list[tuple[int, int]]


def fairest(problem: Assignment) -> Assignment:
    """The same problem with only the pairs scoring at least the highest achievable lowest score
    among a maximum-cardinality matching (binary search over the distinct pair costs)."""
    if problem.edge_rows.size == 0:
        return problem
    target = problem.maximum_matching_size()
    levels = np.unique(problem.edge_cost)

    def within(level: float) -> Assignment:
        keep = problem.edge_cost <= level
        return Assignment(
            problem.rows,
            problem.edge_rows[keep],
            problem.edge_cols[keep],
            problem.edge_cost[keep],
            problem.places,
            problem.place_offset,
        )

    lo, hi = 0, levels.size - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if within(levels[mid]).maximum_matching_size() == target:
            hi = mid
        else:
            lo = mid + 1
    return within(levels[lo])


def _assigned_from_held(market: Market, held: np.ndarray) -> np.ndarray:
    out = np.full(held.size, -1, dtype=np.int64)
    matched = held >= 0
    out[matched] = market.problem.edge_cols[held[matched]]
    return out


def _held_from_assigned(market: Market, assigned: np.ndarray) -> np.ndarray:
    """The pair index of each free row's assigned mentor column (-1 = none)."""
    problem = market.problem
    out = np.full(assigned.size, -1, dtype=np.int64)
    matched = np.flatnonzero(assigned >= 0)
    if matched.size == 0:
        return out
    n = max(market.mentor_ids.size, 1)
    keys = problem.edge_rows.astype(np.int64) * n + problem.edge_cols
    wanted = matched.astype(np.int64) * n + assigned[matched]
    out[matched] = np.searchsorted(keys, wanted)
    return out


def _blocking_list(market: Market, mask: np.ndarray) -> list[tuple[int, int]]:
    idx = np.flatnonzero(mask)[:BLOCKING_LISTED]
    rows = market.problem.rows[market.problem.edge_rows[idx]]
    cols = market.problem.edge_cols[idx]
    return list(
        zip(
            market.mentee_ids[rows].tolist(),
            market.mentor_ids[cols].tolist(),
            strict=True,
        )
    )


def with_rankings(data: RoundInput, rankings: Rankings) -> RoundInput:
    """The round with every pair one side left off a submitted ranking ruled out (pins stay)."""
    if rankings.empty:
        return data
    return replace(data, unacceptable=rankings.unacceptable(data) - data.pins)


def solve_mode(
    data: RoundInput,
    mode: str = "optimal",
    rankings: Rankings | None = None,
    raise_lowest: bool = False,
    progress: Progress | None = None,
) -> ModeResult:
    """Solve the round in ``mode`` and price it against the other mode on the same pool.

    Stats added to the usual ones: ``mode``, ``blocking_pairs`` (under the rankings where
    people ranked, under scores for everyone else), ``blocking_under`` ("scores",
    "rankings" or "rankings and scores"), ``stable_*`` / ``optimal_*`` figures of the mode not
    chosen, and with ``raise_lowest`` the plain optimum's ``plain_total_score`` and
    ``plain_min_score`` beside the fairer result. A self-select round is previewed as optimal.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    rankings = rankings or Rankings()

    def report(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    report("scoring", 0.0)
    data = with_rankings(data, rankings)
    started = perf_counter()
    prepared = prepare(data)
    score_seconds = perf_counter() - started
    market = build_market(data, rankings, prepared)
    problem = prepared[2]

    report("solving", 0.3)
    started = perf_counter()
    optimal, method = problem.solve()
    optimal_seconds = perf_counter() - started
    extra: dict[str, Any] = {}
    if raise_lowest and mode != "stable":
        plain_scores = _scores(market, _held_from_assigned(market, optimal))
        extra["plain_total_score"] = float(plain_scores.sum()) + _pin_total(prepared)
        extra["plain_min_score"] = _lowest(plain_scores, prepared)
        started = perf_counter()
        optimal, method = fairest(problem).solve()
        optimal_seconds += perf_counter() - started

    started = perf_counter()
    stable_held = deferred_acceptance(market)
    stable_seconds = perf_counter() - started

    optimal_held = _held_from_assigned(market, optimal)
    optimal_blocking = blocking_mask(market, optimal_held)
    stable_blocking = blocking_mask(market, stable_held)
    if mode == "stable":
        chosen, seconds, chosen_method = (
            _assigned_from_held(market, stable_held),
            stable_seconds,
            "deferred acceptance",
        )
        mask, other_held, other_mask, other = (
            stable_blocking,
            optimal_held,
            optimal_blocking,
            "optimal",
        )
    else:
        chosen, seconds, chosen_method = optimal, optimal_seconds, method
        mask, other_held, other_mask, other = (
            optimal_blocking,
            stable_held,
            stable_blocking,
            "stable",
        )

    # The optimum (plain or fairest) matches as many mentees as any assignment can (the
    # unmatched cost dominates every score), so it gives max_matchable without another
    # maximum-matching search.
    counts = {
        "feasible_pairs": int(problem.edge_rows.size),
        "max_matchable": len(prepared[1]) + int((optimal >= 0).sum()),
        "greedy": problem.greedy(prepared[3]),
    }
    result = finish(prepared, chosen, chosen_method, score_seconds, seconds, report, counts)
    other_scores = _scores(market, other_held)
    stats = result.stats
    stats.update(extra)
    stats["mode"] = mode
    stats["raise_lowest"] = bool(raise_lowest and mode != "stable")
    stats["blocking_pairs"] = int(mask.sum())
    stats["blocking_under"] = _under(rankings)
    stats[f"{other}_total_score"] = float(other_scores.sum()) + _pin_total(prepared)
    stats[f"{other}_matched"] = int((other_held >= 0).sum()) + len(prepared[1])
    stats[f"{other}_blocking_pairs"] = int(other_mask.sum())
    stats["stable_seconds"] = stable_seconds
    if mode != "stable" and not stats["raise_lowest"]:
        stats.update(full_certificate(stats["feasible_pairs"]))
    return ModeResult(result=result, blocking=_blocking_list(market, mask))


def _scores(market: Market, held: np.ndarray) -> np.ndarray:
    return market.score[held[held >= 0]]


def _pin_total(prepared: tuple) -> float:
    scorer, pins, _, _ = prepared
    if not pins:
        return 0.0
    rows = np.fromiter(pins, np.int64, len(pins))
    cols = np.fromiter(pins.values(), np.int64, len(pins))
    return float(scorer.pair_scores(rows, cols).sum())


def _lowest(free_scores: np.ndarray, prepared: tuple) -> float:
    scorer, pins, _, _ = prepared
    values = [float(free_scores.min())] if free_scores.size else []
    if pins:
        rows = np.fromiter(pins, np.int64, len(pins))
        cols = np.fromiter(pins.values(), np.int64, len(pins))
        values.append(float(scorer.pair_scores(rows, cols).min()))
    return min(values) if values else 0.0


def _under(rankings: Rankings) -> str:
    if rankings.empty:
        return "scores"
    return "rankings and scores"


def suggestions(data: RoundInput, per_mentee: int) -> dict[int, list[Candidate]]:
    """Each mentee's best ``per_mentee`` feasible mentors, best score first (ties by id)."""
    scorer = RoundScorer(data)
    out: dict[int, list[Candidate]] = {int(i): [] for i in scorer.mentee_ids.tolist()}
    if scorer.n_mentees == 0 or scorer.n_mentors == 0 or per_mentee <= 0:
        return out
    rows, cols = scorer.feasible_pairs(np.arange(scorer.n_mentees))
    rows, cols = rows.astype(np.int64), cols.astype(np.int64)
    score = scorer.pair_scores(rows, cols)
    order = np.lexsort((cols, -score, rows))
    rows, cols = rows[order], cols[order]
    first = np.searchsorted(rows, rows, side="left")
    keep = (np.arange(rows.size) - first) < per_mentee
    rows, cols = rows[keep], cols[keep]
    scored = scorer.score_pairs(rows, cols)
    for k, (r, c) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        out[int(scorer.mentee_ids[r])].append(
            Candidate(
                mentor_id=int(scorer.mentor_ids[c]),
                score=float(scored.score[k]),
                breakdown=scored.breakdown(k),
                overlap_hours=float(scored.overlap_hours[k]),
            )
        )
    return out


def mentor_candidates(data: RoundInput, mentor_id: int) -> list[tuple[int, float, dict, float]]:
    """Every mentee the mentor could be matched with: (mentee id, score, breakdown, overlap
    hours), best score first, equal scores by mentee id. Pins and capacity left aside."""
    scorer = RoundScorer(data)
    if mentor_id not in scorer.mentor_index or scorer.n_mentees == 0:
        return []
    col = scorer.mentor_index[mentor_id]
    everyone = np.arange(scorer.n_mentees)
    capacity = np.ones(scorer.n_mentors, dtype=np.int64)
    rows = np.flatnonzero(scorer.feasible_mask(everyone, capacity)[:, col])
    scored = scorer.score_pairs(rows, np.full(rows.size, col, dtype=np.int64))
    order = np.lexsort((scorer.mentee_ids[rows], -scored.score))
    return [
        (
            int(scorer.mentee_ids[rows[k]]),
            float(scored.score[k]),
            scored.breakdown(k),
            float(scored.overlap_hours[k]),
        )
        for k in order.tolist()
    ]
