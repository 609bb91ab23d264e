"""Stable matching: mentee-proposing deferred acceptance, blocking pairs, and their rank tables.

Both sides rank their feasible candidates. A person who submitted a ranking ranks by it (and
anyone left off it is unacceptable: the service passes those pairs in as ``unacceptable``, so
they are never feasible); a person who did not ranks by pair score, best first, equal scores by
the other person's id. Every order is therefore strict, and the mentee-proposing deferred
acceptance result is the unique mentee-optimal stable matching (Gale and Shapley; Roth's
hospital/residents form with capacities).

Pins are honoured by taking the pinned mentees and their mentors' places out of the market
before it runs: a pinned mentee is the coordinator's decision, not a preference, so blocking
pairs are counted among the other mentees and the places left.

Arrays, not Python loops, do the work: each side's order is an integer key per pair and one
sort lists every mentee's choices; proposals go out in parallel rounds (every free mentee
proposes to their next choice at once and each mentor keeps their best ``places``; the order
of proposals does not change the result of deferred acceptance) until only a few mentees are
left, who finish one by one; a blocking pair count is a few vectorised comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from time import perf_counter

import numpy as np

from .records import RoundInput
from .solver import SCORE_SCALE, Assignment, prepare

#: Bits kept for the "how good" part of a sort key (a score's cost or a ranking position).
_KEY_BITS = 21


@dataclass(frozen=True)
class Rankings:
    """Submitted rankings: person id -> the ids they rank, most wanted first.

    ``mentees`` maps a mentee to mentor ids, ``mentors`` a mentor to mentee ids. People who
    are not in a mapping rank by score.
    """

    mentees: Mapping[int, Sequence[int]] = field(default_factory=dict)
    mentors: Mapping[int, Sequence[int]] = field(default_factory=dict)

    def unacceptable(self, data: RoundInput) -> frozenset[tuple[int, int]]:
        """Pairs (mentee, mentor) in the round that one side left off a submitted ranking."""
        mentor_ids = [m.id for m in data.mentors]
        mentee_ids = [m.id for m in data.mentees]
        out: set[tuple[int, int]] = set()
        for mentee_id, ranked in self.mentees.items():
            keep = set(ranked)
            out.update((mentee_id, j) for j in mentor_ids if j not in keep)
        for mentor_id, ranked in self.mentors.items():
            keep = set(ranked)
            out.update((i, mentor_id) for i in mentee_ids if i not in keep)
        return frozenset(out)

    @property
    def empty(self) -> bool:
        return not self.mentees and not self.mentors


@dataclass
class Market:
    """The free part of a round as both sides see it: feasible pairs and each side's order.

    ``mentee_key[e]`` orders pair ``e`` among its mentee's pairs (smaller = wanted more),
    ``mentor_key[e]`` among its mentor's pairs; keys are unique within a person, so every
    order is strict. ``by_mentee`` lists the pairs in mentee order (row, then key); ``starts``
    is where each row's run begins in it.
    """

    problem: Assignment
    score: np.ndarray
    mentee_key: np.ndarray
    mentor_key: np.ndarray
    by_mentee: np.ndarray
    starts: np.ndarray
    pins: dict[int, int]
    mentee_ids: np.ndarray
    mentor_ids: np.ndarray

    @property
    def n_rows(self) -> int:
        return int(self.problem.rows.size)


def _positions(
    ids: np.ndarray,
    other_ids: np.ndarray,
    edge_self: np.ndarray,
    edge_other: np.ndarray,
    rankings: Mapping[int, Sequence[int]],
) -> np.ndarray:
    """Per pair: the ranking position for people who ranked, else -1."""
    out = np.full(edge_self.size, -1, dtype=np.int64)
    if not rankings:
        return out
    index = {int(v): k for k, v in enumerate(ids.tolist())}
    other_index = {int(v): k for k, v in enumerate(other_ids.tolist())}
    keys: list[int] = []
    values: list[int] = []
    n_other = max(other_ids.size, 1)
    for person, ranked in rankings.items():
        k = index.get(int(person))
        if k is None:
            continue
        for pos, other in enumerate(dict.fromkeys(ranked)):
            j = other_index.get(int(other))
            if j is not None:
                keys.append(k * n_other + j)
                values.append(pos)
    if not keys:
        return out
    key_arr = np.asarray(keys, dtype=np.int64)
    order = np.argsort(key_arr)
    key_arr, val_arr = key_arr[order], np.asarray(values, dtype=np.int64)[order]
    edge_keys = edge_self.astype(np.int64) * n_other + edge_other
    pos = np.minimum(np.searchsorted(key_arr, edge_keys), key_arr.size - 1)
    hit = key_arr[pos] == edge_keys
    out[hit] = val_arr[pos[hit]]
    return out


def build_market(
    data: RoundInput, rankings: Rankings | None = None, prepared: tuple | None = None
) -> Market:
    """Score the round (unless ``prepared`` by `solver.prepare`) and order every feasible pair
    from both sides: by ranking position where the person ranked, else by score (kept to
    six decimals), then by the other person's id."""
    rankings = rankings or Rankings()
    scorer, pins, problem, score = prepared if prepared is not None else prepare(data)
    rows = problem.rows[problem.edge_rows]  # canonical mentee row of each pair
    cols = problem.edge_cols
    limit = (1 << _KEY_BITS) - 1
    cost = np.minimum(np.rint((1.0 - score) * SCORE_SCALE).astype(np.int64), limit)

    mentee_quality = cost
    mentor_quality = cost
    if rankings.mentees:
        pos = _positions(scorer.mentee_ids, scorer.mentor_ids, rows, cols, rankings.mentees)
        mentee_quality = np.where(pos >= 0, np.minimum(pos, limit), cost)
    if rankings.mentors:
        pos = _positions(scorer.mentor_ids, scorer.mentee_ids, cols, rows, rankings.mentors)
        mentor_quality = np.where(pos >= 0, np.minimum(pos, limit), cost)
    n_mentors = max(scorer.n_mentors, 1)
    mentee_key = mentee_quality * n_mentors + cols
    mentor_key = mentor_quality * max(scorer.n_mentees, 1) + rows

    # Pairs come row-major from the scorer, so one sort on (row, key) orders every mentee's list.
    span = (limit + 1) * n_mentors
    by_mentee = np.argsort(problem.edge_rows.astype(np.int64) * span + mentee_key)
    counts = np.bincount(problem.edge_rows, minlength=problem.rows.size)
    starts = np.zeros(problem.rows.size + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return Market(
        problem=problem,
        score=score,
        mentee_key=mentee_key,
        mentor_key=mentor_key,
        by_mentee=by_mentee,
        starts=starts,
        pins=pins,
        mentee_ids=scorer.mentee_ids,
        mentor_ids=scorer.mentor_ids,
    )


#: Below this many free mentees a round of proposals goes one by one in Python.
_SERIAL_BELOW = 64


def deferred_acceptance(market: Market) -> np.ndarray:
    """Mentee-proposing deferred acceptance; the pair index each free row holds (-1 = none)."""
    problem = market.problem
    n = market.n_rows
    held_by_row = np.full(n, -1, dtype=np.int64)
    if n == 0 or market.by_mentee.size == 0:
        return held_by_row
    cols = problem.edge_cols.astype(np.int64)
    places = problem.places.astype(np.int64)
    rank = market.mentor_key
    edge_row = problem.edge_rows.astype(np.int64)
    nxt = market.starts[:-1].copy()  # next position in by_mentee each row proposes at
    end = market.starts[1:]
    held = np.empty(0, dtype=np.int64)  # pairs mentors hold
    free = np.flatnonzero(nxt < end)
    while free.size >= _SERIAL_BELOW:
        proposals = market.by_mentee[nxt[free]]
        nxt[free] += 1
        touched = np.zeros(places.size, dtype=bool)
        touched[cols[proposals]] = True
        stay = held[~touched[cols[held]]]
        contest = np.concatenate((held[touched[cols[held]]], proposals))
        c = cols[contest]
        order = np.lexsort((rank[contest], c))
        contest, c = contest[order], c[order]
        first = np.searchsorted(c, c, side="left")
        keep = (np.arange(c.size) - first) < places[c]
        held = np.concatenate((stay, contest[keep]))
        rejected_rows = edge_row[contest[~keep]]
        free = rejected_rows[nxt[rejected_rows] < end[rejected_rows]]
    held_by_row[edge_row[held]] = held
    if free.size:
        held_by_row = _serial(market, held_by_row, free.tolist(), nxt)
    return held_by_row


def _serial(
    market: Market, held_by_row: np.ndarray, free: list[int], nxt: np.ndarray
) -> np.ndarray:
    """The last few proposals one at a time, each mentor's held pairs in a heap."""
    import heapq

    cols = market.problem.edge_cols.tolist()
    rank = market.mentor_key
    places = market.problem.places.tolist()
    edge_row = market.problem.edge_rows
    heaps: dict[int, list[tuple[int, int]]] = {}
    for e in held_by_row[held_by_row >= 0].tolist():
        heaps.setdefault(cols[e], []).append((-int(rank[e]), e))
    for h in heaps.values():
        heapq.heapify(h)
    by_mentee = market.by_mentee
    end = market.starts[1:]
    position = nxt.copy()
    out = held_by_row.copy()
    while free:
        i = free.pop()
        while position[i] < end[i]:
            e = int(by_mentee[position[i]])
            position[i] += 1
            j = cols[e]
            heap = heaps.setdefault(j, [])
            if len(heap) < places[j]:
                heapq.heappush(heap, (-int(rank[e]), e))
                out[i] = e
                break
            worst_rank, worst = heap[0]
            if rank[e] < -worst_rank:
                heapq.heapreplace(heap, (-int(rank[e]), e))
                out[i] = e
                loser = int(edge_row[worst])
                out[loser] = -1
                free.append(loser)
                break
    return out


def blocking_mask(market: Market, held_by_row: np.ndarray) -> np.ndarray:
    """Which feasible pairs block the matching (both would rather be together).

    ``held_by_row`` gives, per free row, the index of the pair it holds (-1 = unmatched). A
    pair (i, j) blocks when i is unmatched or ranks j above their mentor, and j has a free
    place or ranks i above the worst mentee they hold.
    """
    problem = market.problem
    n_edges = problem.edge_rows.size
    if n_edges == 0:
        return np.zeros(0, dtype=bool)
    big = np.iinfo(np.int64).max
    rows = problem.edge_rows.astype(np.int64)
    cols = problem.edge_cols.astype(np.int64)
    matched = held_by_row >= 0
    mine = np.full(held_by_row.size, big, dtype=np.int64)
    mine[matched] = market.mentee_key[held_by_row[matched]]
    wants = market.mentee_key < mine[rows]
    held = held_by_row[matched]
    n_mentors = problem.places.size
    load = np.bincount(cols[held], minlength=n_mentors)
    worst = np.full(n_mentors, -1, dtype=np.int64)
    np.maximum.at(worst, cols[held], market.mentor_key[held])
    threshold = np.where(load < problem.places, big, worst)
    welcome = market.mentor_key < threshold[cols]
    return wants & welcome


def pairs_held(market: Market, pairs: Mapping[int, int]) -> np.ndarray:
    """Turn a matching given as mentee id -> mentor id into the pair each free row holds.

    Pinned mentees and pairs outside the market (a mentee matched to someone they cannot be
    matched with) hold nothing; such a pair is never one a blocking count can use.
    """
    problem = market.problem
    out = np.full(problem.rows.size, -1, dtype=np.int64)
    if not pairs or problem.edge_rows.size == 0:
        return out
    n_mentors = market.mentor_ids.size
    row_of = {int(market.mentee_ids[r]): k for k, r in enumerate(problem.rows.tolist())}
    col_of = {int(v): j for j, v in enumerate(market.mentor_ids.tolist())}
    keys = problem.edge_rows.astype(np.int64) * n_mentors + problem.edge_cols
    wanted_rows, wanted_cols = [], []
    for mentee_id, mentor_id in pairs.items():
        k, j = row_of.get(int(mentee_id)), col_of.get(int(mentor_id))
        if k is not None and j is not None:
            wanted_rows.append(k)
            wanted_cols.append(j)
    if not wanted_rows:
        return out
    wanted = np.asarray(wanted_rows, dtype=np.int64) * n_mentors + np.asarray(wanted_cols)
    pos = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
    hit = keys[pos] == wanted
    out[np.asarray(wanted_rows)[hit]] = pos[hit]
    return out


def blocking_pairs(market: Market, pairs: Mapping[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The blocking pairs of a matching (mentee id -> mentor id) as (mentee ids, mentor ids)."""
    mask = blocking_mask(market, pairs_held(market, pairs))
    rows = market.problem.rows[market.problem.edge_rows[mask]]
    cols = market.problem.edge_cols[mask]
    return market.mentee_ids[rows], market.mentor_ids[cols]


def solve_stable(market: Market) -> tuple[dict[int, int], float]:
    """The mentee-optimal stable matching with the pins, as mentee id -> mentor id, and the
    seconds deferred acceptance took."""
    started = perf_counter()
    held = deferred_acceptance(market)
    seconds = perf_counter() - started
    problem = market.problem
    out = {int(market.mentee_ids[r]): int(market.mentor_ids[c]) for r, c in market.pins.items()}
    matched = np.flatnonzero(held >= 0)
    rows = problem.rows[matched]
    cols = problem.edge_cols[held[matched]]
    out.update(zip(market.mentee_ids[rows].tolist(), market.mentor_ids[cols].tolist(), strict=True))
    return out, seconds
