"""Solving a match round: most mentees matched first, then the highest total score.

The assignment is a min-cost full bipartite matching. Rows are the mentees that are not
pinned; columns are the mentors' remaining places (one column per place, so capacity is
respected) plus one private "unmatched" column per mentee so a full matching always exists.

Costs are integers: a real pair costs ``1 + round((1 - score) * SCORE_SCALE)`` (never 0,
since scipy drops zero entries) and a mentee's unmatched column costs more than any possible
difference in real costs, so one more matched mentee always outweighs any score gain.

Ties: mentees and mentors are sorted by id and a mentor's places are consecutive columns,
so the solver sees the same problem -- and returns the same pairs -- whatever the order of
the input rows. Among equally good assignments the one returned is the solver's first on
that canonical order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching, min_weight_full_bipartite_matching

from .explain import explain_unmatched
from .records import Candidate, Match, MatchingError, RoundInput, RoundResult
from .scoring import RoundScorer

SCORE_SCALE = 1_000_000
#: Up to this many cost-matrix cells (rows x columns) the dense Hungarian solver is used;
#: measured faster than the sparse solver there (see benchmarks/matching_dense_threshold.py).
DENSE_MAX_CELLS = 20_000

Progress = Callable[[str, float], None]


@dataclass
class Assignment:
    """The solver's view of a round: free mentee rows and the expanded bipartite graph."""

    rows: np.ndarray  # canonical mentee rows that are not pinned, ascending
    edge_rows: np.ndarray  # position in `rows` of each feasible pair
    edge_cols: np.ndarray  # mentor column of each feasible pair
    edge_cost: np.ndarray  # integer cost of each feasible pair (float64)
    places: np.ndarray  # remaining places per mentor after pins
    place_offset: np.ndarray  # first place column of each mentor

    @property
    def n_places(self) -> int:
        return int(self.places.sum())

    @property
    def unmatched_cost(self) -> float:
        return float(self.rows.size * (SCORE_SCALE + 1) + 1)

    def _index_type(self) -> type:
        size = int(self.places[self.edge_cols].sum()) + self.n_places + 2 * self.rows.size
        return np.int32 if size < 2**31 else np.int64

    def _layout(self, with_unmatched: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR ``indptr`` and ``indices`` of the place-expanded graph, and each pair's count.

        Every pair expands to one column per remaining place of its mentor. With
        ``with_unmatched`` each row's unmatched column is slotted in as one more "pair" at
        the end of its row, so the arrays come out in CSR order without any sorting.
        """
        itype = self._index_type()
        n = self.rows.size
        counts = self.places[self.edge_cols].astype(itype)
        first = self.place_offset[self.edge_cols].astype(itype)
        row_ends = np.searchsorted(self.edge_rows, np.arange(1, n + 1))
        if with_unmatched:
            counts = np.insert(counts, row_ends, 1)
            first = np.insert(first, row_ends, self.n_places + np.arange(n, dtype=itype))
            row_ends = row_ends + np.arange(1, n + 1)
        ends = np.zeros(counts.size + 1, dtype=itype)
        np.cumsum(counts, out=ends[1:])
        indptr = ends[row_ends]
        indptr = np.concatenate(([0], indptr)).astype(itype)
        # Consecutive column runs without np.repeat + np.arange: a cumulative sum of steps
        # that are 1 inside a run and jump to the next run's first column at its start.
        total = int(ends[-1])
        steps = np.ones(total, dtype=itype)
        starts = ends[:-1][counts > 0]
        run_first = first[counts > 0]
        run_last = run_first + counts[counts > 0] - 1
        steps[starts[1:]] = run_first[1:] - run_last[:-1]
        if total:
            steps[0] = run_first[0]
        np.cumsum(steps, out=steps)
        return indptr, steps, counts

    def sparse_graph(self) -> csr_matrix:
        """CSR cost matrix, one column per mentor place plus one unmatched column per row."""
        n, c = self.rows.size, self.n_places
        indptr, indices, counts = self._layout(with_unmatched=True)
        cost = np.insert(
            self.edge_cost,
            np.searchsorted(self.edge_rows, np.arange(1, n + 1)),
            self.unmatched_cost,
        )
        data = np.repeat(cost, counts)
        return csr_matrix((data, indices, indptr), shape=(n, c + n))

    def feasibility_graph(self) -> csr_matrix:
        """0/1 matrix of mentee rows x mentor places, without the unmatched columns."""
        n, c = self.rows.size, self.n_places
        indptr, indices, _ = self._layout(with_unmatched=False)
        return csr_matrix((np.ones(indices.size, dtype=np.int8), indices, indptr), shape=(n, c))

    def solve(self, method: str | None = None, everyone: bool = False) -> tuple[np.ndarray, str]:
        """Mentor column for every row in `rows` (-1 = unmatched), and the method used.

        ``method`` forces "dense" or "sparse"; by default small problems go dense.
        ``everyone``: the caller knows every row can be matched, so the sparse solver is
        handed the graph without the unmatched columns (the same optimum, found faster).
        """
        n, c = self.rows.size, self.n_places
        if n == 0:
            return np.empty(0, dtype=np.int64), "none"
        if self.edge_rows.size == 0:
            return np.full(n, -1, dtype=np.int64), "none"
        if method is None:
            method = "dense" if n * (c + n) <= DENSE_MAX_CELLS else "sparse"
        if method == "dense":
            graph = self.sparse_graph()
            cost = np.full((n, c + n), np.inf)
            cost[np.repeat(np.arange(n), np.diff(graph.indptr)), graph.indices] = graph.data
            row_ind, col_ind = linear_sum_assignment(cost)
        elif everyone:
            indptr, indices, counts = self._layout(with_unmatched=False)
            graph = csr_matrix((np.repeat(self.edge_cost, counts), indices, indptr), shape=(n, c))
            row_ind, col_ind = min_weight_full_bipartite_matching(graph)
        else:
            row_ind, col_ind = min_weight_full_bipartite_matching(self.sparse_graph())
        place_mentor = np.repeat(np.arange(self.places.size), self.places)
        out = np.full(n, -1, dtype=np.int64)
        real = col_ind < c
        out[row_ind[real]] = place_mentor[col_ind[real]]
        return out, method

    def maximum_matching_size(self) -> int:
        """Size of a maximum matching of the feasible graph (Hopcroft-Karp), ignoring scores."""
        if self.rows.size == 0 or self.edge_rows.size == 0:
            return 0
        matched = maximum_bipartite_matching(self.feasibility_graph(), perm_type="column")
        return int((matched >= 0).sum())

    def greedy(self, score: np.ndarray) -> tuple[int, float]:
        """Baseline: take pairs best score first (ties by mentee id, mentor id) while places last.

        Returns (mentees matched, total score). Works through the sorted pairs in chunks,
        dropping pairs whose mentee is taken or mentor full before looping in Python.
        """
        n_edges = self.edge_rows.size
        if n_edges == 0:
            return 0, 0.0
        n_mentors = self.places.size
        key = self.edge_cost.astype(np.int64) * (self.rows.size * n_mentors)
        key += self.edge_rows.astype(np.int64) * n_mentors + self.edge_cols
        order = np.argsort(key, kind="stable")
        taken = np.zeros(self.rows.size, dtype=bool)
        left = self.places.copy()
        matched = 0
        total = 0.0
        chunk = 65_536
        for start in range(0, n_edges, chunk):
            idx = order[start : start + chunk]
            idx = idx[~taken[self.edge_rows[idx]] & (left[self.edge_cols[idx]] > 0)]
            pairs = zip(
                self.edge_rows[idx].tolist(),
                self.edge_cols[idx].tolist(),
                score[idx].tolist(),
                strict=True,
            )
            for i, j, s in pairs:
                if not taken[i] and left[j] > 0:
                    taken[i] = True
                    left[j] -= 1
                    matched += 1
                    total += s
            if matched == self.rows.size or not left.any():
                break
        return matched, total


def _pins(scorer: RoundScorer, data: RoundInput) -> dict[int, int]:
    """Validate pins; map canonical mentee row -> mentor column."""
    out: dict[int, int] = {}
    per_mentor: dict[int, list[int]] = {}
    for mentee_id, mentor_id in sorted(data.pins):
        if mentee_id not in scorer.mentee_index:
            raise MatchingError(
                f"pin ({mentee_id}, {mentor_id}): mentee {mentee_id} is not in the round"
            )
        if mentor_id not in scorer.mentor_index:
            raise MatchingError(
                f"pin ({mentee_id}, {mentor_id}): mentor {mentor_id} is not in the round"
            )
        if (mentee_id, mentor_id) in data.exclusions:
            raise MatchingError(
                f"mentee {mentee_id} is both pinned to and excluded from mentor {mentor_id}"
            )
        if (mentee_id, mentor_id) in data.past_pairs:
            raise MatchingError(
                f"mentee {mentee_id} is pinned to mentor {mentor_id}, "
                "but they were already matched in an earlier round"
            )
        row = scorer.mentee_index[mentee_id]
        if row in out:
            raise MatchingError(
                f"mentee {mentee_id} is pinned to more than one mentor "
                f"({scorer.mentor_ids[out[row]]} and {mentor_id})"
            )
        out[row] = scorer.mentor_index[mentor_id]
        per_mentor.setdefault(mentor_id, []).append(mentee_id)
    for mentor_id, mentees in per_mentor.items():
        capacity = int(scorer.capacity[scorer.mentor_index[mentor_id]])
        if len(mentees) > capacity:
            raise MatchingError(
                f"mentor {mentor_id} has {capacity} place(s) left but is pinned to "
                f"{len(mentees)} mentees ({', '.join(map(str, mentees))})"
            )
    return out


def _zero_stats(n_mentees: int) -> dict:
    return {
        "mentees": n_mentees,
        "matched": 0,
        "max_matchable": 0,
        "total_score": 0.0,
        "mean_score": 0.0,
        "min_score": 0.0,
        "solve_seconds": 0.0,
        "score_seconds": 0.0,
        "greedy_matched": 0,
        "greedy_total_score": 0.0,
        "pinned": 0,
        "feasible_pairs": 0,
        "solver": "none",
    }


def prepare(data: RoundInput) -> tuple[RoundScorer, dict[int, int], Assignment, np.ndarray]:
    """Score the round and build the assignment problem; returns pair scores too."""
    scorer = RoundScorer(data)
    pins = _pins(scorer, data)
    places = scorer.capacity.copy()
    if pins:
        np.subtract.at(places, np.fromiter(pins.values(), np.int64, len(pins)), 1)
    free = np.setdiff1d(np.arange(scorer.n_mentees), np.fromiter(pins, np.int64, len(pins)))
    edge_rows, edge_cols = scorer.feasible_pairs(free, places)
    score = scorer.pair_scores(free[edge_rows], edge_cols)
    cost = 1.0 + np.rint((1.0 - score) * SCORE_SCALE)
    offset = np.zeros(places.size, dtype=np.int64)
    np.cumsum(places[:-1], out=offset[1:])
    problem = Assignment(free, edge_rows, edge_cols, cost, places, offset)
    return scorer, pins, problem, score


def solve_full(data: RoundInput, progress: Progress | None = None) -> RoundResult:
    """Match as many mentees as the hard constraints allow, then maximise the total score,
    handing the solver every feasible pair (`certified.solve_round` picks this for small
    rounds, where it is the faster way)."""

    def report(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    report("scoring", 0.0)
    started = perf_counter()
    prepared = prepare(data)
    score_seconds = perf_counter() - started
    report("solving", 0.3)
    started = perf_counter()
    assigned, method = prepared[2].solve()
    solve_seconds = perf_counter() - started
    result = finish(prepared, assigned, method, score_seconds, solve_seconds, report)
    result.stats.update(full_certificate(result.stats["feasible_pairs"]))
    return result


def full_certificate(feasible_pairs: int) -> dict:
    """The stats of a solve that saw every feasible pair: its optimum is the round's."""
    return {
        "optimality": "proven",
        "certificate": {
            "passes": 1,
            "pairs_examined": feasible_pairs,
            "mentees_scanned": 0,
            "candidates_kept": feasible_pairs,
            "pairs_added": 0,
            "k": None,
        },
    }


def finish(
    prepared: tuple[RoundScorer, dict[int, int], Assignment, np.ndarray],
    assigned: np.ndarray,
    method: str,
    score_seconds: float,
    solve_seconds: float,
    report: Progress | None = None,
    counts: dict | None = None,
) -> RoundResult:
    """Pairs, statistics and explanations for a mentor column per free row (-1 = none).

    ``counts`` gives ``feasible_pairs``, ``max_matchable`` and ``greedy`` (matched, total
    score) when the caller knows them without the full list of pairs (`certified`).
    """
    scorer, pins, problem, edge_score = prepared
    if report is None:

        def report(stage: str, fraction: float) -> None:
            return None

    stats = _zero_stats(scorer.n_mentees)
    stats["score_seconds"] = score_seconds
    stats["feasible_pairs"] = int(
        problem.edge_rows.size if counts is None else counts["feasible_pairs"]
    )
    stats["solve_seconds"] = solve_seconds
    stats["solver"] = method

    pair_rows = list(pins) + problem.rows[assigned >= 0].tolist()
    pair_cols = list(pins.values()) + assigned[assigned >= 0].tolist()
    pinned = [True] * len(pins) + [False] * (len(pair_rows) - len(pins))
    scored = scorer.score_pairs(
        np.asarray(pair_rows, dtype=np.int64), np.asarray(pair_cols, dtype=np.int64)
    )
    matches = [
        Match(
            mentee_id=int(scorer.mentee_ids[r]),
            mentor_id=int(scorer.mentor_ids[c]),
            score=float(scored.score[k]),
            breakdown=scored.breakdown(k),
            pinned=pinned[k],
        )
        for k, (r, c) in enumerate(zip(pair_rows, pair_cols, strict=True))
    ]
    matches.sort(key=lambda m: m.mentee_id)

    report("checking", 0.7)
    pin_total = float(scored.score[: len(pins)].sum())
    stats["pinned"] = len(pins)
    if counts is None:
        stats["max_matchable"] = len(pins) + problem.maximum_matching_size()
        greedy_matched, greedy_total = problem.greedy(edge_score)
    else:
        stats["max_matchable"] = counts["max_matchable"]
        greedy_matched, greedy_total = counts["greedy"]
    stats["greedy_matched"] = len(pins) + greedy_matched
    stats["greedy_total_score"] = pin_total + greedy_total
    if matches:
        scores = np.array([m.score for m in matches])
        stats["matched"] = len(matches)
        stats["total_score"] = float(scores.sum())
        stats["mean_score"] = float(scores.mean())
        stats["min_score"] = float(scores.min())

    report("explaining", 0.85)
    unmatched = explain_unmatched(scorer, problem.rows[assigned < 0])
    report("done", 1.0)
    return RoundResult(matches=matches, unmatched=unmatched, stats=stats)


def candidates(data: RoundInput, mentee_id: int) -> list[Candidate]:
    """Every feasible mentor for the mentee (plus a pinned one), scored as the solver does.

    Best score first; equal scores by mentor id. Capacity means the mentor's remaining
    capacity before this round's pins, so the list shows every mentor the mentee could get.
    """
    scorer = RoundScorer(data)
    pins = _pins(scorer, data)
    if mentee_id not in scorer.mentee_index:
        raise MatchingError(f"mentee {mentee_id} is not in the round")
    row = scorer.mentee_index[mentee_id]
    if scorer.n_mentors == 0:
        return []
    cols = np.flatnonzero(scorer.feasible_mask(np.array([row]))[0])
    if row in pins and pins[row] not in set(cols.tolist()):
        cols = np.sort(np.append(cols, pins[row]))
    scored = scorer.score_pairs(np.full(cols.size, row, dtype=np.int64), cols)
    order = np.lexsort((scorer.mentor_ids[cols], -scored.score))
    return [
        Candidate(
            mentor_id=int(scorer.mentor_ids[cols[k]]),
            score=float(scored.score[k]),
            breakdown=scored.breakdown(k),
            overlap_hours=float(scored.overlap_hours[k]),
        )
        for k in order.tolist()
    ]
