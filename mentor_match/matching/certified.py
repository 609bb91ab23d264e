"""Solving a big round on a few candidates per mentee, with a proof that the answer is optimal.

The full solve (`solver.Assignment.solve`) hands scipy every feasible pair; at 30,000 mentees
that is about 40 million pairs. Here each mentee keeps only its ``k`` best mentors (lowest
cost, ties by mentor), the assignment is solved on that sparse graph, and then the answer is
*proven* optimal for the whole round -- or the proof fails on some pairs, which are added, and
the sparse graph is solved again.

The problem (the same one the full solve sees; costs, pins and capacity as in `solver`).
Mentee ``i`` takes a place with mentor ``j`` at integer cost ``c_ij``, or stays unmatched at
cost ``U`` (larger than any difference in real costs, so one more matched mentee always wins);
mentor ``j`` has ``p_j`` places. As a linear programme::

    minimise   sum c_ij x_ij + U sum y_i
    subject to sum_j x_ij + y_i = 1   (each mentee)      sum_i x_ij <= p_j   (each mentor)

Its dual gives each mentor a price ``w_j >= 0`` and each mentee a threshold ``h_i``::

    maximise   sum h_i - sum p_j w_j
    subject to h_i <= c_ij + w_j   (every feasible pair)      h_i <= U   (every mentee)

The proof (LP duality, complementary slackness). Take the sparse solution and prices with

* ``h_i = c_ij + w_j`` for the mentor ``j`` a mentee got, ``h_i = U`` for an unmatched mentee;
* ``w_j = 0`` for every mentor with a place left.

Then the primal and dual objectives are equal. If, in addition, ``h_i <= c_ij + w_j`` for
*every* feasible pair of the round (and ``h_i <= U``), the dual is feasible, so no assignment --
not even a fractional one -- costs less: the answer is optimal for the whole round, so it
matches as many mentees as possible (``U`` dominates) and, among those, has the lowest cost.

Finding the prices. On the sparse graph the answer is optimal, so its residual graph has no
negative cycle. Collapse it onto mentors plus one node ``T`` for "unmatched or a free place":
a mentee ``i`` holding mentor ``a`` gives arcs ``a -> j`` of cost ``c_ij - c_ia`` for each of
its other candidates and ``a -> T`` of cost ``U - c_ia``; an unmatched mentee gives
``T -> j`` of cost ``c_ij - U``; a mentor with a place left has ``j -> T`` at 0, a mentor with
a mentee ``T -> j`` at 0. Shortest distances ``d`` from a virtual source (Bellman-Ford, here
vectorised and started only from the nodes whose distance just changed) satisfy
``d_v <= d_u + cost(u, v)`` on every arc; ``w_j = d_T - d_j`` is then >= 0 for every mentor with
a mentee, and a mentor with a free place can be priced 0 (its distance is never below
``d_T``, and lowering it to ``d_T`` keeps every arc feasible). Those inequalities are exactly
the dual constraints on the sparse graph, and they are checked before the proof goes on.

The streaming check. Feasible pairs are visited a block of mentees at a time (mentees grouped
by their specialties, each block only against the mentors sharing one -- an inverted index),
never all at once, and only where they must be. Each mentee keeps, beside its candidates, a
reserve of further pairs (checked directly against the prices) and two lower bounds of every
pair it keeps in neither: of the cost, and of cost plus price under the prices of the pass
when its row was last read (`ProofBounds`; under new prices less the largest price drop among
the mentors it could have). A mentee whose bound reaches ``h_i`` cannot violate outside its
reserve; only the others have their whole row scanned, and keep more of it in reserve with
fresh bounds. The pairs with ``c_ij + w_j < h_i`` are added (at most ``k`` per mentee, the
worst first) and the round is solved again -- or, when the new pairs can move only a small
part of the round, only that part (`repair`); when a pass finds none, optimality is proven.
Each pass adds pairs and the round is finite, so this ends.

Ties: the sparse solve sees the same canonical order as the full solve (mentees and mentors
by id, pairs row-major), so it returns the same cardinality and the same total cost; where
several assignments tie on cost, it may return another of them.
"""

from __future__ import annotations

import heapq
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from time import perf_counter

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from .records import MatchingError, RoundInput, RoundResult
from .scoring import RoundScorer
from .solver import SCORE_SCALE, Assignment, _pins, finish, solve_full

#: Candidates kept per mentee before the first solve.
DEFAULT_K = 64
#: Each mentee's next cheapest pairs, kept beside the candidates (outside the solved graph): the
#: proof checks them against the prices directly, and only a mentee whose threshold reaches past
#: them has its whole row scanned.
RESERVE = 32
#: Pairs kept in reserve for a mentee whose whole row was scanned (doubling on each new scan).
RESCAN_KEEP = 256
RESCAN_KEEP_MAX = 4096
#: Rounds with more free-mentee x open-mentor cells than this are solved on candidates; below
#: it handing the solver every pair was as fast or faster (docs/scale.md, scale_bench.py).
CANDIDATES_MIN_CELLS = 40_000_000
METHODS = ("full", "candidates")
#: Threads scoring blocks side by side (numpy works outside the interpreter lock).
THREADS = min(4, os.cpu_count() or 1)
#: Mentee x mentor cells held at once while scoring a block.
BLOCK_CELLS = 1 << 19
#: Upper bound for "no pair": larger than any cost plus any price.
NO_PAIR = np.int64(1) << 62

Progress = Callable[[str, float], None]


@dataclass
class Certificate:
    """What the proof of optimality looked at."""

    k: int
    passes: int = 0
    pairs_examined: int = 0
    mentees_scanned: int = 0
    candidates_kept: int = 0
    added: int = 0
    repaired_mentees: int = 0
    repairs_undone: int = 0
    solve_seconds: float = 0.0
    prove_seconds: float = 0.0

    def stats(self) -> dict:
        return {
            "passes": self.passes,
            "pairs_examined": self.pairs_examined,
            "mentees_scanned": self.mentees_scanned,
            "candidates_kept": self.candidates_kept,
            "pairs_added": self.added,
            "mentees_repaired": self.repaired_mentees,
            "repairs_undone": self.repairs_undone,
            "k": self.k,
        }


@dataclass
class PairCosts:
    """Integer costs of (free mentee, mentor) pairs, a block at a time, as `solver.prepare`.

    Every value is computed with the same elementwise float operations as
    `RoundScorer.score_pairs` and `solver.prepare`, so a pair costs exactly what the full
    solve gives it.
    """

    scorer: RoundScorer
    rows: np.ndarray  # free canonical mentee rows, ascending
    places: np.ndarray  # remaining places per mentor after pins
    open_mentors: np.ndarray = field(init=False)
    _sharing: dict[int, np.ndarray] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        s = self.scorer
        w = s.weights
        total = w.total
        self.open_mentors = np.flatnonzero(self.places > 0)
        spec_total = np.zeros(s.spec_points.shape[0], dtype=np.int64)
        if s.n_mentees:
            spec_total[s.mentee_spec_pattern] = s.spec_total
        points = s.spec_points
        specialty = np.divide(
            points,
            spec_total[:, None],
            out=np.zeros(points.shape),
            where=spec_total[:, None] > 0,
            dtype=np.float64,
        )
        self.spec_part = specialty * (w.specialty / total)
        top = int(s.overlap_slots.max()) if s.overlap_slots.size else 0
        hours = np.arange(top + 1) * (s.slot / 60)
        self.avail_part = np.minimum(hours / w.saturation_hours, 1.0) * (w.availability / total)
        self.same_site_part = 1.0 * (w.site / total)
        self.same_region_part = s.region_share * (w.site / total)
        self.no_site_part = 0.0 * (w.site / total)
        # By (same site) * 2 + (same region): the site part of a pair's score.
        self.place_part = np.array(
            [self.no_site_part, self.same_region_part, self.same_site_part, self.same_site_part]
        )
        self.pref_part = s.pref_values * (w.preference / total)
        self.unmatched_cost = int(self.rows.size * (SCORE_SCALE + 1) + 1)
        # Preferences and ruled-out pairs indexed by mentee row, so a block finds its own.
        row_keys = np.arange(s.n_mentees + 1, dtype=np.int64) * s.n_mentors
        self._pref_starts = np.searchsorted(s.pref_keys, row_keys)
        self._ruled_out = np.union1d(s.excluded, s.past)
        self._ruled_starts = np.searchsorted(self._ruled_out, row_keys)
        # Canonical row -> position among the free rows (-1 for pinned mentees).
        self.position = np.full(s.n_mentees, -1, dtype=np.int64)
        self.position[self.rows] = np.arange(self.rows.size)

    def sharing(self, pattern: int) -> np.ndarray:
        """Open mentors sharing a specialty with mentee specialty pattern ``pattern``."""
        if pattern not in self._sharing:
            s = self.scorer
            ok = s.spec_ok[pattern, s.mentor_spec_pattern[self.open_mentors]]
            self._sharing[pattern] = self.open_mentors[ok]
        return self._sharing[pattern]

    def blocks(self, positions: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(positions, mentor columns) blocks covering every pair of the given free rows that
        shares a specialty; positions ascending within a block."""
        if positions.size == 0:
            return
        patterns = self.scorer.mentee_spec_pattern[self.rows[positions]]
        order = np.lexsort((positions, patterns))
        ordered, grouped = positions[order], patterns[order]
        cuts = np.flatnonzero(np.diff(grouped)) + 1
        for group in np.split(np.arange(ordered.size), cuts):
            cols = self.sharing(int(grouped[group[0]]))
            if cols.size == 0:
                continue
            step = max(1, BLOCK_CELLS // cols.size)
            for start in range(0, group.size, step):
                yield ordered[group[start : start + step]], cols

    def costs(self, positions: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """(len(positions), len(cols)) int64 costs; ``NO_PAIR`` where the pair is not feasible.

        All positions must share one specialty pattern and ``cols`` be mentors sharing it.
        """
        s = self.scorer
        rows = self.rows[positions]
        pattern = int(s.mentee_spec_pattern[rows[0]])
        shared = np.take(s.overlap_slots[s.mentee_av_pattern[rows]], s.mentor_av_pattern[cols], 1)
        left_out = shared < s.min_overlap_slots
        # In place where possible; the same float operations, in the same order per pair, as
        # `RoundScorer.score_pairs` (a + b is b + a exactly).
        score = self.avail_part[shared]
        del shared
        score += self.spec_part[pattern, s.mentor_spec_pattern[cols]][None, :]
        place = (s.mentee_site[rows][:, None] == s.mentor_site[cols][None, :]).view(np.uint8) << 1
        place |= (s.mentee_region[rows][:, None] == s.mentor_region[cols][None, :]).view(np.uint8)
        score += self.place_part[place]
        del place
        if s.pref_keys.size:
            r_at, c_at, at = self._cells(s.pref_keys, self._pref_starts, rows, cols)
            score[r_at, c_at] += self.pref_part[at]
        np.minimum(score, 1.0, out=score)
        np.subtract(1.0, score, out=score)
        score *= SCORE_SCALE
        np.rint(score, out=score)
        score += 1.0
        r_at, c_at, _ = self._cells(self._ruled_out, self._ruled_starts, rows, cols)
        left_out[r_at, c_at] = True
        np.putmask(score, left_out, float(NO_PAIR))  # 2**62: exact as a float
        return score.astype(np.int64)

    def _cells(self, keys: np.ndarray, starts: np.ndarray, rows: np.ndarray, cols: np.ndarray):
        """Block cells (row, column, index in ``keys``) of the sorted flat pair keys
        ``row * n_mentors + col`` that fall in the block; ``starts`` indexes keys by row."""
        lengths = starts[rows + 1] - starts[rows]
        total = int(lengths.sum())
        if total == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        ends = np.cumsum(lengths)
        at = np.arange(total) - np.repeat(ends - lengths - starts[rows], lengths)
        r_at = np.repeat(np.arange(rows.size), lengths)
        c = keys[at] % self.scorer.n_mentors
        c_at = np.minimum(np.searchsorted(cols, c), cols.size - 1)
        hit = cols[c_at] == c
        return r_at[hit], c_at[hit], at[hit]


@dataclass
class Candidates:
    """Each free mentee's best ``k`` mentors, its next cheapest pairs in reserve, and what is
    known of the pairs left out of both."""

    rows: np.ndarray  # position of each kept pair's mentee, ascending; a row's pairs by cost
    cols: np.ndarray  # (then mentor): a prefix of the mentee's row in greedy order
    cost: np.ndarray
    floor: np.ndarray  # per mentee: the least cost any pair not kept can have (NO_PAIR: none)
    feasible_pairs: int
    reserve: Reserve = field(default_factory=lambda: Reserve(0))

    def alone(self) -> Candidates:
        """The candidates without the reserve, with the floor that holds for them alone (the
        cost of a mentee's last candidate, when it has more pairs)."""
        more = self.floor < NO_PAIR
        more[self.reserve.pairs()[0]] = True
        last = np.zeros(self.floor.size, dtype=np.int64)
        np.maximum.at(last, self.rows, self.cost)
        return Candidates(
            self.rows, self.cols, self.cost, np.where(more, last, NO_PAIR), self.feasible_pairs
        )


class Reserve:
    """Pairs kept outside the solved graph: for each mentee, every pair cheaper than its floor
    that is not a candidate. Held in chunks; a mentee's rows are replaced by bumping its
    generation (older chunks' rows of that mentee stop counting)."""

    def __init__(self, n_free: int) -> None:
        self.generation = np.zeros(n_free, dtype=np.int32)
        self.scans = np.zeros(n_free, dtype=np.int32)
        self._chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, rows: np.ndarray, cols: np.ndarray, cost: np.ndarray) -> None:
        if rows.size:
            self._chunks.append((rows, cols, cost, self.generation[rows].copy()))

    def replace(self, mentees: np.ndarray) -> None:
        """Forget what is kept for these mentees (new pairs for them follow with `add`)."""
        self.generation[mentees] += 1

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every pair currently kept (rows, cols, costs), in no particular order."""
        if not self._chunks:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        if len(self._chunks) > 1:  # one chunk from here on, until the next `add`
            self._chunks = [tuple(np.concatenate(part) for part in zip(*self._chunks, strict=True))]
        r, c, v, g = self._chunks[0]
        live = g == self.generation[r]
        if not live.all():
            r, c, v, g = r[live], c[live], v[live], g[live]
            self._chunks = [(r, c, v, g)]
        return r, c, v


def _in_threads(work: Callable, items: Iterator) -> Iterator:
    """``map(work, items)``, in order, on up to `THREADS` threads (numpy lets go of the
    interpreter lock while it works on a block, so blocks score side by side)."""
    if THREADS <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(THREADS) as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) > 2 * THREADS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def best_candidates(costs: PairCosts, k: int, reserve: int = RESERVE) -> Candidates:
    """Score every pair sharing a specialty, block by block, keeping each mentee's ``k``
    cheapest (ties by mentor column) as candidates and the next ``reserve`` in reserve, and
    the cost of the last one kept as a floor for the rest."""
    n_free = costs.rows.size
    n_mentors = costs.scorer.n_mentors
    floor = np.full(n_free, NO_PAIR, dtype=np.int64)
    kept = Reserve(n_free)
    kept_rows: list[np.ndarray] = []
    kept_cols: list[np.ndarray] = []
    kept_cost: list[np.ndarray] = []
    feasible_pairs = 0
    keep = k + reserve

    def block(item: tuple[np.ndarray, np.ndarray]):
        positions, cols = item
        cost = costs.costs(positions, cols)
        ok = cost < NO_PAIR
        count = ok.sum(axis=1)
        key = np.where(ok, cost * n_mentors + cols[None, :], NO_PAIR)
        del ok, cost
        more = np.empty(0, dtype=np.int64)
        last = more
        if cols.size > keep:
            pick = np.argpartition(key, keep - 1, axis=1)[:, :keep]
            picked = np.take_along_axis(key, pick, 1)
            # The last key kept bounds every pair left out, when the mentee has more.
            has_more = count > keep
            more = positions[has_more]
            last = picked.max(axis=1)[has_more] // n_mentors
        else:
            picked = key
        del key
        picked.sort(axis=1)
        parts = []
        for part in (picked[:, :k], picked[:, k:]):
            r, c = np.nonzero(part < NO_PAIR)
            parts.append((positions[r], part[r, c] % n_mentors, part[r, c] // n_mentors))
        return int(count.sum()), more, last, parts

    for count, more, last, (candidates, reserved) in _in_threads(
        block, costs.blocks(np.arange(n_free))
    ):
        feasible_pairs += count
        floor[more] = last
        kept_rows.append(candidates[0])
        kept_cols.append(candidates[1])
        kept_cost.append(candidates[2])
        kept.add(*reserved)
    if not kept_rows:
        empty = np.empty(0, dtype=np.int64)
        return Candidates(empty, empty, empty, floor, 0, kept)
    rows = np.concatenate(kept_rows)
    cols = np.concatenate(kept_cols)
    cost = np.concatenate(kept_cost)
    order = np.argsort(rows, kind="stable")  # each block's rows are in (cost, mentor) order
    return Candidates(rows[order], cols[order], cost[order], floor, feasible_pairs, kept)


def mentor_prices(
    problem: Assignment, assigned: np.ndarray, unmatched_cost: int, sweeps: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Prices ``w`` (per mentor) and thresholds ``h`` (per free mentee) proving the sparse
    answer optimal on its own graph (see the module docstring); raises if they do not, or
    if the prices take more than ``sweeps`` Bellman-Ford sweeps (a negative cycle is only
    found after as many sweeps as there are mentors: a caller with a fallback stops early)."""
    n_mentors = problem.places.size
    hub = n_mentors  # the "unmatched or a free place" node
    rows, cols = problem.edge_rows, problem.edge_cols
    cost = problem.edge_cost.astype(np.int64)
    held = assigned[rows]
    own = np.full(assigned.size, 0, dtype=np.int64)
    own[rows[cols == held]] = cost[cols == held]
    other = cols != held
    matched = np.flatnonzero(assigned >= 0)
    load = np.bincount(assigned[matched], minlength=n_mentors)
    spare = load < problem.places
    loaded = load > 0
    src = np.concatenate(
        [
            np.where(held[other] >= 0, held[other], hub),
            assigned[matched],
            np.flatnonzero(spare),
            np.full(int(loaded.sum()), hub),
        ]
    )
    dst = np.concatenate(
        [cols[other], np.full(matched.size, hub), np.full(int(spare.sum()), hub)]
        + [np.flatnonzero(loaded)]
    )
    base = np.where(held[other] >= 0, own[rows[other]], unmatched_cost)
    arc = np.concatenate(
        [
            cost[other] - base,
            unmatched_cost - own[matched],
            np.zeros(int(spare.sum()) + int(loaded.sum()), dtype=np.int64),
        ]
    )
    dist = _shortest_from_everywhere(n_mentors + 1, src, dst, arc, sweeps)
    price = dist[hub] - dist[:n_mentors]
    price[spare] = 0
    threshold = np.full(assigned.size, unmatched_cost, dtype=np.int64)
    threshold[matched] = own[matched] + price[assigned[matched]]
    if price.min(initial=0) < 0 or np.any(cost + price[cols] < threshold[rows]):
        raise MatchingError("internal: the sparse answer's prices do not prove it optimal")
    return price, threshold


def _shortest_from_everywhere(
    n: int, src: np.ndarray, dst: np.ndarray, arc: np.ndarray, sweeps: int | None = None
) -> np.ndarray:
    """Bellman-Ford from a virtual source joined to every node at 0, relaxing only the arcs
    leaving nodes whose distance changed in the previous sweep."""
    order = np.argsort(src, kind="stable")
    src, dst, arc = src[order], dst[order], arc[order]
    start = np.searchsorted(src, np.arange(n + 1))
    dist = np.zeros(n, dtype=np.int64)
    active = np.unique(src)
    for _ in range(n + 1 if sweeps is None else min(n + 1, sweeps)):
        if active.size == 0:
            return dist
        lengths = start[active + 1] - start[active]
        active, lengths = active[lengths > 0], lengths[lengths > 0]
        if active.size == 0:
            return dist
        # Arc indices of the active nodes, without a Python loop.
        ends = np.cumsum(lengths)
        idx = np.arange(int(ends[-1])) - np.repeat(ends - lengths - start[active], lengths)
        reach = dist[src[idx]] + arc[idx]
        target = dst[idx]
        better = reach < dist[target]
        if not better.any():
            return dist
        np.minimum.at(dist, target[better], reach[better])
        active = np.unique(target[better])
    raise MatchingError("internal: the sparse answer is not optimal on its own graph")


class ProofBounds:
    """What the proof knows of each mentee's pairs outside the graph and the reserve.

    Two lower bounds, both kept for every mentee: ``floor[i]`` of the pairs' cost ``c_ij``
    (prices are >= 0, so of ``c_ij + w_j`` too), and ``bound[i]`` of ``c_ij + w_j`` under the
    prices of pass ``since[i]``. Under later prices ``w'`` those pairs still cost at least
    ``bound[i] - max_j (w_j - w'_j)`` over the mentors ``j`` the mentee could have (those
    sharing a specialty). The mentee needs no scan while the larger bound reaches its
    threshold.
    """

    def __init__(self, found: Candidates, costs: PairCosts) -> None:
        self.costs = costs
        self.reserve = found.reserve
        self.floor = found.floor.copy()
        self.bound = found.floor.copy()
        self.since = np.zeros(found.floor.size, dtype=np.int64)
        self.prices: list[np.ndarray] = [np.zeros(costs.places.size, dtype=np.int64)]
        self._patterns = costs.scorer.mentee_spec_pattern[costs.rows]

    def lowest(self, price: np.ndarray) -> np.ndarray:
        """Each mentee's bound under ``price`` (the prices of a new pass, recorded here)."""
        self.prices.append(price)
        out = self.bound.copy()
        open_ = np.flatnonzero((self.bound < NO_PAIR) & (self.since > 0))
        if open_.size:
            groups = self._patterns[open_] * len(self.prices) + self.since[open_]
            drop = np.zeros(groups.size, dtype=np.int64)
            for group in np.unique(groups).tolist():
                pattern, since = divmod(group, len(self.prices))
                sharing = self.costs.sharing(pattern)
                if sharing.size:
                    change = self.prices[since][sharing] - price[sharing]
                    drop[groups == group] = int(change.max())
            out[open_] -= drop
        return np.maximum(out, self.floor)

    def rescanned(self, positions: np.ndarray, floor: np.ndarray, bound: np.ndarray) -> None:
        self.floor[positions] = floor
        self.bound[positions] = bound
        self.since[positions] = len(self.prices) - 1


def _lowest_kept(key: np.ndarray, count: np.ndarray, keep: int, n_mentors: int):
    """Columns of each row's ``keep`` lowest keys, and the cost part of the next key (the
    least any other pair of the row has; ``NO_PAIR`` when the row has no more)."""
    pick = np.argpartition(key, keep, axis=1)[:, : keep + 1]
    picked = np.take_along_axis(key, pick, 1)
    order = np.argsort(picked, axis=1)
    pick = np.take_along_axis(pick, order, 1)
    nxt = np.take_along_axis(picked, order[:, keep : keep + 1], 1)[:, 0] // n_mentors
    return pick[:, :keep], np.where(count > keep, nxt, NO_PAIR)


def violations(
    costs: PairCosts,
    price: np.ndarray,
    threshold: np.ndarray,
    proof: ProofBounds,
    k: int,
    certificate: Certificate,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs with ``c_ij + w_j < h_i`` among every feasible pair of the round, at most ``k``
    per mentee (the most negative first).

    A mentee whose bound (`ProofBounds`) reaches its threshold can only do better on a pair
    it keeps in reserve: those are checked directly. The others have their whole row scanned,
    and keep its pairs nearest to their threshold in reserve, with a new bound, for the next
    pass."""
    n_mentors = costs.scorer.n_mentors
    # Above any real reduced cost (a cost plus a price is below 2U + 2 * SCORE_SCALE).
    far_above = 4 * (costs.unmatched_cost + SCORE_SCALE)
    reserve = proof.reserve
    scanning = proof.lowest(price) < threshold
    scan = np.flatnonzero(scanning)
    certificate.mentees_scanned += int(scan.size)
    found_rows: list[np.ndarray] = []
    found_cols: list[np.ndarray] = []
    found_cost: list[np.ndarray] = []

    # Reserve pairs of the mentees not scanned.
    r, c, v = reserve.pairs()
    ok = ~scanning[r]
    r, c, v = r[ok], c[ok], v[ok]
    certificate.pairs_examined += int(r.size)
    reduced = v + price[c] - threshold[r]
    bad = np.zeros(threshold.size, dtype=bool)
    bad[r[reduced < 0]] = True
    near = bad[r]
    if near.any():
        r, c, v, reduced = r[near], c[near], v[near], reduced[near]
        order = np.lexsort((c, reduced, r))
        r, c, v = r[order], c[order], v[order]
        rank = np.arange(r.size) - np.searchsorted(r, r)
        take = rank < k
        found_rows.append(r[take])
        found_cols.append(c[take])
        found_cost.append(v[take])

    # Whole rows of the others: each keeps in reserve its cheapest pairs and its pairs nearest
    # to its threshold (lowest cost plus price), twice as many on each new scan, with the
    # next of each as its new bounds.
    reserve.replace(scan)

    def block(item: tuple[np.ndarray, np.ndarray]):
        positions, cols = item
        cost = costs.costs(positions, cols)
        ok = cost < NO_PAIR
        count = ok.sum(axis=1)
        keep = int(min(RESCAN_KEEP << int(reserve.scans[positions].max()), RESCAN_KEEP_MAX))
        priced = cost + price[cols][None, :]
        reduced = np.where(ok, priced - threshold[positions][:, None], far_above)
        if cols.size > keep:
            kept = np.zeros(ok.shape, dtype=bool)
            bounds = []
            for value in (cost, priced):
                key = np.where(ok, value * n_mentors + cols[None, :], NO_PAIR)
                pick, nxt = _lowest_kept(key, count, keep, n_mentors)
                np.put_along_axis(kept, pick, True, 1)
                bounds.append(nxt)
            del key
            kept &= ok
        else:
            everything = np.full(positions.size, NO_PAIR, dtype=np.int64)
            bounds = [everything, everything]
            kept = ok
        del priced
        kr, kc = np.nonzero(kept)
        reserved = (positions[kr], cols[kc], cost[kr, kc])
        del kept
        bad_rows = np.flatnonzero((reduced < 0).any(axis=1))
        if bad_rows.size == 0:
            return int(count.sum()), positions, bounds, reserved, None
        # A mentee that can do better gets its k lowest reduced costs, the near misses too:
        # the next prices will move, and those are the pairs that then turn negative.
        reduced = reduced[bad_rows]
        take = min(k, cols.size)
        key = reduced * n_mentors + cols[None, :]
        pick = np.argpartition(key, take - 1, axis=1)[:, :take] if take < cols.size else None
        if pick is None:
            pick = np.broadcast_to(np.arange(cols.size), key.shape)
        chosen = np.take_along_axis(reduced, pick, 1) < far_above
        r, c = np.nonzero(chosen)
        better = (positions[bad_rows[r]], cols[pick[r, c]], cost[bad_rows[r], pick[r, c]])
        return int(count.sum()), positions, bounds, reserved, better

    for count, positions, bounds, reserved, better in _in_threads(block, costs.blocks(scan)):
        certificate.pairs_examined += count
        reserve.scans[positions] += 1
        proof.rescanned(positions, *bounds)
        reserve.add(*reserved)
        if better is not None:
            found_rows.append(better[0])
            found_cols.append(better[1])
            found_cost.append(better[2])
    if not found_rows:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(found_rows), np.concatenate(found_cols), np.concatenate(found_cost)


def greedy(costs: PairCosts, found: Candidates) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The greedy baseline over every feasible pair, as `Assignment.greedy` takes it (best cost
    first, ties by mentee then mentor), without listing every pair: a mentee's next pairs are
    its kept candidates in order, and only when those run out is its whole row scored.

    Returns the pairs taken, in the order taken: free mentee positions, mentor columns, costs.
    """
    n_mentors = max(costs.scorer.n_mentors, 1)
    n_rows = max(costs.rows.size, 1)
    left = costs.places.tolist()
    # One integer per pair orders it as the full greedy does: cost, then mentee, then mentor
    # (the candidates come in that order within each mentee).
    rows = found.rows
    pair_keys = (found.cost * n_rows + rows) * n_mentors + found.cols
    flat = pair_keys.tolist()
    flat_cols = found.cols.tolist()
    starts_at = np.searchsorted(rows, np.arange(n_rows + 1))
    starts = starts_at.tolist()
    first, has_any = starts_at[:-1], np.diff(starts_at) > 0
    kept_cols = found.cols
    all_kept = found.floor >= NO_PAIR
    nxt = starts[:-1]
    ends = starts[1:]
    complete = (found.floor >= NO_PAIR).tolist()
    heap = [flat[starts[i]] for i in range(costs.rows.size) if ends[i] > starts[i]]
    heapq.heapify(heap)
    whole: dict[int, list] = {}  # mentee -> [its whole row's keys ascending, next index]
    taken: list[int] = []
    taken_rows = np.zeros(costs.rows.size, dtype=bool)
    while heap:
        key = heapq.heappop(heap)
        j = key % n_mentors
        i = key // n_mentors % n_rows
        if left[j] > 0:
            left[j] -= 1
            taken.append(key)
            taken_rows[i] = True
            continue
        if i in whole:
            _push_next(heap, whole, i, left, n_mentors)
            continue
        k = nxt[i] + 1
        while k < ends[i] and left[flat_cols[k]] <= 0:
            k += 1
        nxt[i] = k
        if k < ends[i]:
            heapq.heappush(heap, flat[k])
        elif not complete[i]:
            # Its candidates ran out: score its whole row, and with it the rows of every
            # mentee whose candidates all sit with full mentors now (they are next).
            full_now = np.asarray(left)[kept_cols] <= 0
            stuck = np.logical_and.reduceat(full_now, np.minimum(first, full_now.size - 1))
            stuck &= has_any & ~taken_rows & ~all_kept
            batch = set(np.flatnonzero(stuck).tolist()) - whole.keys() | {i}
            whole.update(_whole_rows(costs, sorted(batch), np.asarray(left), n_rows))
            _push_next(heap, whole, i, left, n_mentors)
    keys = np.asarray(taken, dtype=np.int64)
    cols = keys % n_mentors
    rows = keys // n_mentors % n_rows
    return rows, cols, keys // (n_mentors * n_rows)


def _push_next(heap: list[int], whole: dict[int, list], i: int, left: list, n_mentors: int):
    """Push mentee ``i``'s next pair from its whole row whose mentor still has a place."""
    keys, at = whole[i]
    while at < keys.size and left[int(keys[at]) % n_mentors] <= 0:
        at += 1
    if at < keys.size:
        heapq.heappush(heap, int(keys[at]))
        at += 1
    whole[i][1] = at


def _whole_rows(
    costs: PairCosts, positions: list[int], left: np.ndarray, n_rows: int
) -> dict[int, list]:
    """Every feasible pair of the given free mentees with a mentor who has a place left, as
    greedy keys ascending (a numpy array: a Python list of ints would take 6 times the
    memory), with the index of the next one, per mentee."""
    n_mentors = max(costs.scorer.n_mentors, 1)
    out: dict[int, list] = {i: [np.empty(0, dtype=np.int64), 0] for i in positions}
    for block, cols in costs.blocks(np.asarray(positions, dtype=np.int64)):
        cost = costs.costs(block, cols)
        ok = (cost < NO_PAIR) & (left[cols] > 0)[None, :]
        for r, i in enumerate(block.tolist()):
            keys = (cost[r, ok[r]] * n_rows + i) * n_mentors + cols[ok[r]]
            out[i] = [np.sort(keys), 0]
    return out


def _merged(
    rows: tuple[np.ndarray, ...], cols: tuple[np.ndarray, ...], cost: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of pair lists, each pair once, sorted row-major."""
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(cost)
    order = np.lexsort((c, r))
    r, c, v = r[order], c[order], v[order]
    first = np.ones(r.size, dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    return r[first], c[first], v[first]


#: A pass re-solves only the mentees the new pairs can move (`repair`) when they are at most
#: this share of the round.
REPAIR_AT_MOST = 0.3
#: Bellman-Ford sweeps allowed to price a repaired answer before it is solved whole instead.
REPAIR_SWEEPS = 200


def _solve_whole(problem: Assignment, threshold: np.ndarray | None) -> tuple[np.ndarray, str]:
    """Solve the sparse graph from scratch (warm when the last pass's thresholds are known)."""
    free = problem.rows
    # Unmatched columns double the solver's columns; they are not needed when the
    # candidates alone can match every mentee (Hopcroft-Karp says so in a blink).
    everyone = free.size > 0 and problem.maximum_matching_size() == free.size
    solving = problem
    if everyone and threshold is not None:
        # Warm start: every mentee takes exactly one place, so taking the last pass's
        # threshold off each of its pairs (and adding one constant to all) changes every
        # full assignment's cost by the same amount -- the same optima, found faster.
        solving = Assignment(
            free,
            problem.edge_rows,
            problem.edge_cols,
            _shifted(problem.edge_cost - threshold[problem.edge_rows]),
            problem.places,
            problem.place_offset,
        )
    return solving.solve(everyone=everyone)


def repair(
    problem: Assignment,
    assigned: np.ndarray,
    price: np.ndarray,
    threshold: np.ndarray,
    certificate: Certificate,
) -> np.ndarray | None:
    """Re-solve only the part of the graph the new pairs can change; None to solve it whole.

    Under the last prices every old pair has a reduced cost ``c_ij + w_j - h_i >= 0`` and the
    new pairs a negative one (their gain). A better answer moves mentees along a cycle of
    mentors that uses a new pair; the rest of that cycle costs less than the gain. So the
    mentees who may move are those of the new pairs and those held by mentors within the
    largest gain of a new pair's mentor (Dijkstra over "a mentee at a could move to j" arcs).
    The others keep their places. Whether the result is optimal for the whole graph is then
    checked by `mentor_prices` like any answer (and solved whole if not).
    """
    if (assigned < 0).any():
        return None  # unmatched mentees: rearrangements through free places; solve whole
    n_mentors = problem.places.size
    e_rows, e_cols = problem.edge_rows, problem.edge_cols
    e_cost = problem.edge_cost.astype(np.int64)
    reduced = e_cost + price[e_cols] - threshold[e_rows]
    new = reduced < 0
    if not new.any():
        return None
    holder = assigned[e_rows]
    old = ~new & (e_cols != holder)
    gain = int(-reduced[new].min())
    graph = csr_matrix(
        (reduced[old].astype(np.float64) + 0.5, (holder[old], e_cols[old])),
        shape=(n_mentors, n_mentors),
    )
    sources = np.unique(e_cols[new])
    near = np.isfinite(dijkstra(graph, indices=sources, min_only=True, limit=gain + 0.5))
    near[holder[new]] = True
    moving = np.zeros(assigned.size, dtype=bool)
    moving[e_rows[new]] = True
    moving |= near[assigned]
    if moving.sum() > REPAIR_AT_MOST * assigned.size:
        return None  # most of the round may move: solving it whole is as quick
    certificate.repaired_mentees += int(moving.sum())
    keep_load = np.bincount(assigned[~moving], minlength=n_mentors)
    sub_places = problem.places - keep_load
    picked = np.flatnonzero(moving)
    position = np.full(assigned.size, -1, dtype=np.int64)
    position[picked] = np.arange(picked.size)
    on = moving[e_rows] & (sub_places[e_cols] > 0)
    sub_offset = np.zeros(n_mentors, dtype=np.int64)
    np.cumsum(sub_places[:-1], out=sub_offset[1:])
    sub = Assignment(
        problem.rows[picked],
        position[e_rows[on]],
        e_cols[on],
        _shifted(e_cost[on] - threshold[e_rows[on]]),
        sub_places,
        sub_offset,
    )
    if sub.maximum_matching_size() < picked.size:
        return None
    sub_assigned, _ = sub.solve(everyone=True)
    out = assigned.copy()
    out[picked] = sub_assigned
    return out


def _shifted(cost: np.ndarray) -> np.ndarray:
    """Costs moved to start at 1 (scipy's solver wants them positive), as floats."""
    return (cost - cost.min() + 1).astype(np.float64)


def solve_certified(
    data: RoundInput,
    progress: Progress | None = None,
    k: int = DEFAULT_K,
    reserve: int = RESERVE,
) -> RoundResult:
    """`solver.solve_round` on each mentee's ``k`` best candidates, proven optimal for the
    whole round (stats ``optimality`` and ``certificate``); the next ``reserve`` pairs of each
    mentee are kept beside them for the proof."""
    if k < 1:
        raise ValueError("k must be at least 1")

    def report(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    report("scoring", 0.0)
    started = perf_counter()
    scorer = RoundScorer(data)
    pins = _pins(scorer, data)
    places = scorer.capacity.copy()
    if pins:
        np.subtract.at(places, np.fromiter(pins.values(), np.int64, len(pins)), 1)
    free = np.setdiff1d(np.arange(scorer.n_mentees), np.fromiter(pins, np.int64, len(pins)))
    costs = PairCosts(scorer, free, places)
    found = best_candidates(costs, k, reserve)
    score_seconds = perf_counter() - started
    certificate = Certificate(k=k)
    # The greedy baseline's pairs join the candidates: the first sparse answer then matches at
    # least as many mentees as greedy does, which keeps mentor prices low from the start.
    started = perf_counter()
    greedy_rows, greedy_cols, greedy_cost = greedy(costs, found.alone())
    greedy_seconds = perf_counter() - started
    rows, cols, cost = _merged(
        (found.rows, greedy_rows), (found.cols, greedy_cols), (found.cost, greedy_cost)
    )
    offset = np.zeros(places.size, dtype=np.int64)
    np.cumsum(places[:-1], out=offset[1:])
    report("solving", 0.3)
    threshold = None
    proof = ProofBounds(found, costs)
    assigned = price = None
    while True:
        started = perf_counter()
        problem = Assignment(free, rows, cols, cost.astype(np.float64), places, offset)
        repaired = None
        if assigned is not None:
            repaired = repair(problem, assigned, price, threshold, certificate)
        if repaired is not None:
            assigned, method = repaired, "sparse, repaired"
        else:
            assigned, method = _solve_whole(problem, threshold)
        certificate.solve_seconds += perf_counter() - started
        certificate.passes += 1
        started = perf_counter()
        try:
            # A repaired answer that is not optimal shows as prices that keep falling: give
            # up after a few sweeps (optimal answers here take a few dozen) and solve whole.
            price, threshold = mentor_prices(
                problem,
                assigned,
                costs.unmatched_cost,
                REPAIR_SWEEPS if repaired is not None else None,
            )
        except MatchingError:
            if repaired is None:
                raise
            # The repair left a better rearrangement outside its region: solve it whole.
            certificate.repairs_undone += 1
            assigned, method = _solve_whole(problem, threshold)
            price, threshold = mentor_prices(problem, assigned, costs.unmatched_cost)
        bad_rows, bad_cols, bad_cost = violations(costs, price, threshold, proof, k, certificate)
        certificate.prove_seconds += perf_counter() - started
        if bad_rows.size == 0:
            break
        certificate.added += int(bad_rows.size)
        rows, cols, cost = _merged((rows, bad_rows), (cols, bad_cols), (cost, bad_cost))
    certificate.candidates_kept = int(rows.size)

    greedy_total = 0.0
    for s in scorer.pair_scores(free[greedy_rows], greedy_cols).tolist():
        greedy_total += s  # in the order taken, as `Assignment.greedy` adds them
    matched = int((assigned >= 0).sum())
    prepared = (scorer, pins, problem, np.empty(0))
    result = finish(
        prepared,
        assigned,
        f"candidates ({method})",
        score_seconds,
        certificate.solve_seconds + certificate.prove_seconds,
        report,
        counts={
            "feasible_pairs": found.feasible_pairs,
            "max_matchable": len(pins) + matched,
            "greedy": (int(greedy_rows.size), greedy_total),
        },
    )
    stats = result.stats
    stats["optimality"] = "proven"
    stats["certificate"] = certificate.stats()
    stats["prove_seconds"] = certificate.prove_seconds
    stats["greedy_seconds"] = greedy_seconds
    return result


def solve_round(
    data: RoundInput,
    progress: Progress | None = None,
    method: str | None = None,
    k: int = DEFAULT_K,
) -> RoundResult:
    """Match as many mentees as the hard constraints allow, then maximise the total score.

    ``method`` "full" hands the solver every feasible pair, "candidates" solves on each
    mentee's ``k`` best and proves the answer optimal; by default the size of the round
    decides. Both give the same number matched and the same total cost.
    """
    if method is None:
        pinned = {mentee for mentee, _ in data.pins}
        free = sum(1 for m in data.mentees if m.id not in pinned)
        open_mentors = sum(1 for m in data.mentors if m.capacity > 0)
        method = "candidates" if free * open_mentors > CANDIDATES_MIN_CELLS else "full"
    if method == "full":
        return solve_full(data, progress)
    if method == "candidates":
        return solve_certified(data, progress, k)
    raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
