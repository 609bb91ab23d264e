"""Pair scores and hard constraints for a whole round, vectorised over mentee x mentor arrays.

Scoring rules (each factor is in [0, 1]; ``score = sum(weight * factor) / sum(weights)``,
where the sum of weights is specialty + availability + site + preference):

* specialty: a mentee listing k specialties gives k points to the first, k-1 to the second,
  ..., 1 to the last; the factor is the share of those points the mentor covers.
* availability: ``min(weekly overlap hours / saturation_hours, 1)``.
* site: 1 for the same site; ``min(region, site) / site`` for another site in the same
  region; otherwise 0. Unknown (``None``) sites or regions never match.
* preference: the mentee's 1st preferred mentor 1.0, 2nd 0.8, 3rd 0.6, 4th 0.4, 5th and
  later 0.2, anyone else 0.

``breakdown`` holds each weighted contribution (``weight * factor / sum(weights)``) and the
score is their sum in the order specialty, availability, site, preference.

A pair is feasible when the two share a specialty, overlap at least ``min_overlap_hours``
a week, the mentor has capacity left, and the pair is neither excluded (by the coordinator, or
left off either side's ranking) nor a past pair.

Every per-pair value is computed elementwise from integer counts (specialty points,
shared slots), so a pair scores identically whether it is scored alone or with the round.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from . import availability as av
from .records import MatchingError, Mentee, Mentor, RoundInput

FACTORS = ("specialty", "availability", "site", "preference")
PREFERENCE_STEPS = 5  # 1st preferred mentor = 5/5, 2nd = 4/5, ..., 5th and later = 1/5
OVERLAP_TOLERANCE = 1e-9
PAIR_BLOCK_CELLS = 1 << 21  # mentee x mentor cells examined at once when listing pairs
SCORE_CHUNK = 1 << 16  # pairs scored at once
OVERLAP_BLOCK_CELLS = 1 << 24  # availability-pattern pairs computed at once


@dataclass
class EdgeScores:
    """Factors, contributions and scores for a list of (mentee row, mentor column) pairs."""

    contributions: dict[str, np.ndarray]
    score: np.ndarray
    overlap_hours: np.ndarray

    def breakdown(self, k: int) -> dict[str, float]:
        return {name: float(values[k]) for name, values in self.contributions.items()}


class RoundScorer:
    """A round's people in canonical (id) order, with the integer tables scores derive from."""

    def __init__(self, data: RoundInput) -> None:
        self.data = data
        self.weights = data.weights
        self.mentors: list[Mentor] = _sorted_unique(data.mentors, "mentor")
        self.mentees: list[Mentee] = _sorted_unique(data.mentees, "mentee")
        self.mentor_ids = np.array([m.id for m in self.mentors], dtype=np.int64)
        self.mentee_ids = np.array([m.id for m in self.mentees], dtype=np.int64)
        self.mentor_index = {m.id: j for j, m in enumerate(self.mentors)}
        self.mentee_index = {m.id: i for i, m in enumerate(self.mentees)}
        self.n_mentees = len(self.mentees)
        self.n_mentors = len(self.mentors)
        self.capacity = np.array([m.capacity for m in self.mentors], dtype=np.int64)
        self._build_specialties()
        self._build_availability()
        self._build_sites()
        self._build_preferences()
        self.excluded = self._pair_indices(data.exclusions | data.unacceptable)
        self.past = self._pair_indices(data.past_pairs)

    # -- tables ---------------------------------------------------------------------------

    def _build_specialties(self) -> None:
        vocabulary = sorted(
            {s for p in self.mentors for s in p.specialties}
            | {s for p in self.mentees for s in p.specialties}
        )
        column = {s: k for k, s in enumerate(vocabulary)}
        mentee_keys = [tuple(dict.fromkeys(p.specialties)) for p in self.mentees]
        mentor_keys = [tuple(sorted(set(p.specialties))) for p in self.mentors]
        mentee_patterns, self.mentee_spec_pattern = _patterns(mentee_keys)
        mentor_patterns, self.mentor_spec_pattern = _patterns(mentor_keys)
        points = np.zeros((len(mentee_patterns), len(vocabulary)), dtype=np.float32)
        for r, key in enumerate(mentee_patterns):
            for rank, slug in enumerate(key):
                points[r, column[slug]] = len(key) - rank
        has = np.zeros((len(mentor_patterns), len(vocabulary)), dtype=np.float32)
        for r, key in enumerate(mentor_patterns):
            has[r, [column[s] for s in key]] = 1.0
        # Small integers: the float32 product is exact.
        self.spec_points = np.rint(points @ has.T).astype(np.int32)
        totals = np.array([len(k) * (len(k) + 1) // 2 for k in mentee_patterns], dtype=np.int64)
        self.spec_total = totals[self.mentee_spec_pattern] if self.n_mentees else totals[:0]
        self.spec_ok = self.spec_points > 0

    def _build_availability(self) -> None:
        week = self.data.week_start
        cache: dict[tuple, list[av.Interval]] = {}

        def intervals(person: Mentor | Mentee, kind: str) -> tuple:
            key = (person.timezone, tuple(person.windows))
            if key not in cache:
                try:
                    cache[key] = av.utc_intervals(person.windows, person.timezone, week)
                except MatchingError as exc:
                    raise MatchingError(f"{kind} {person.id}: {exc}") from None
            return key

        mentee_keys = [intervals(p, "mentee") for p in self.mentees]
        mentor_keys = [intervals(p, "mentor") for p in self.mentors]
        mentee_patterns, self.mentee_av_pattern = _patterns(mentee_keys)
        mentor_patterns, self.mentor_av_pattern = _patterns(mentor_keys)
        self.slot = av.slot_minutes(cache.values())
        a = av.bitmaps([cache[k] for k in mentee_patterns], self.slot)
        b = av.bitmaps([cache[k] for k in mentor_patterns], self.slot)
        # Shared slots fit in 16 bits (a week has at most 2016 five-minute slots); the table
        # is filled a block of mentee patterns at a time so no float32 product of the whole
        # table is ever held (at 100,000 mentees it has ~400 million cells).
        self.overlap_slots = np.empty((a.shape[0], b.shape[0]), dtype=np.uint16)
        block = max(1, OVERLAP_BLOCK_CELLS // max(b.shape[0], 1))
        for start in range(0, a.shape[0], block):
            part = slice(start, start + block)
            self.overlap_slots[part] = av.overlap_slots(a[part], b)
        # The fewest shared slots that pass ``min_overlap_hours`` (same float test per count).
        counts = np.arange(a.shape[1] + 2) * (self.slot / 60)
        passing = np.flatnonzero(counts >= self.data.min_overlap_hours - OVERLAP_TOLERANCE)
        self.min_overlap_slots = int(passing[0]) if passing.size else a.shape[1] + 2

    def _build_sites(self) -> None:
        def codes(values: Sequence[str | None], table: dict[str, int]) -> np.ndarray:
            # None gets a distinct negative code per person, so unknowns never match.
            out = np.empty(len(values), dtype=np.int64)
            for k, v in enumerate(values):
                out[k] = table.setdefault(v, len(table)) if v is not None else -1 - k
            return out

        sites: dict[str, int] = {}
        regions: dict[str, int] = {}
        self.mentee_site = codes([p.site for p in self.mentees], sites)
        self.mentor_site = codes([p.site for p in self.mentors], sites)
        self.mentee_region = codes([p.region for p in self.mentees], regions)
        # Offset so a mentee's None code never equals a mentor's None code.
        self.mentor_region = codes([p.region for p in self.mentors], regions)
        self.mentor_region = np.where(
            self.mentor_region < 0, self.mentor_region - self.n_mentees, self.mentor_region
        )
        self.mentor_site = np.where(
            self.mentor_site < 0, self.mentor_site - self.n_mentees, self.mentor_site
        )
        w = self.weights
        self.region_share = min(w.region, w.site) / w.site if w.site > 0 else 0.0

    def _build_preferences(self) -> None:
        keys: list[int] = []
        values: list[float] = []
        for i, p in enumerate(self.mentees):
            rank = 0
            seen: set[int] = set()
            for mentor_id in p.preferred_mentors:
                j = self.mentor_index.get(mentor_id)
                if mentor_id in seen:
                    continue
                seen.add(mentor_id)
                if j is not None:
                    keys.append(i * self.n_mentors + j)
                    values.append(max(PREFERENCE_STEPS - rank, 1) / PREFERENCE_STEPS)
                rank += 1
        order = np.argsort(np.asarray(keys, dtype=np.int64), kind="stable")
        self.pref_keys = np.asarray(keys, dtype=np.int64)[order]
        self.pref_values = np.asarray(values, dtype=np.float64)[order]

    def _pair_indices(self, pairs: frozenset[tuple[int, int]]) -> np.ndarray:
        """Known (mentee, mentor) pairs as sorted flat keys ``row * n_mentors + col``."""
        keys = [
            self.mentee_index[a] * self.n_mentors + self.mentor_index[b]
            for a, b in pairs
            if a in self.mentee_index and b in self.mentor_index
        ]
        return np.unique(np.asarray(keys, dtype=np.int64))

    # -- per pair -------------------------------------------------------------------------

    def _expand(self, table: np.ndarray, mentee_pattern: np.ndarray, mentor_pattern: np.ndarray):
        # Two takes (rows, then columns) beat one broadcast 2-D fancy index by a wide margin.
        return np.take(table[mentee_pattern], mentor_pattern, axis=1)

    def feasible_mask(self, rows: np.ndarray, capacity: np.ndarray | None = None) -> np.ndarray:
        """Boolean (len(rows), n_mentors) mask of feasible pairs for the given mentee rows.

        ``rows`` must be ascending canonical mentee rows.
        """
        capacity = self.capacity if capacity is None else capacity
        mask = self.shares_specialty(rows)
        mask &= self.overlaps_enough(rows)
        mask &= (capacity > 0)[None, :]
        if rows.size:
            for keys in (self.excluded, self.past):
                lo, hi = np.searchsorted(
                    keys, [rows[0] * self.n_mentors, (rows[-1] + 1) * self.n_mentors]
                )
                r, c = np.divmod(keys[lo:hi], self.n_mentors)
                pos = np.searchsorted(rows, r)
                hit = rows[pos] == r
                mask[pos[hit], c[hit]] = False
        return mask

    def feasible_pairs(
        self, rows: np.ndarray, capacity: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Feasible pairs as (position in ``rows``, mentor column), sorted row-major.

        Works through blocks of mentee rows so no full mentee x mentor mask is ever held.
        """
        block = max(1, PAIR_BLOCK_CELLS // max(self.n_mentors, 1))
        found_rows: list[np.ndarray] = []
        found_cols: list[np.ndarray] = []
        for start in range(0, rows.size, block):
            r, c = np.nonzero(self.feasible_mask(rows[start : start + block], capacity))
            found_rows.append((r + start).astype(np.int32))
            found_cols.append(c.astype(np.int32))
        if not found_rows:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int32)
        return np.concatenate(found_rows), np.concatenate(found_cols)

    def shares_specialty(self, rows: np.ndarray) -> np.ndarray:
        return self._expand(self.spec_ok, self.mentee_spec_pattern[rows], self.mentor_spec_pattern)

    def overlaps_enough(self, rows: np.ndarray) -> np.ndarray:
        """Whether each pair overlaps at least ``min_overlap_hours``, (len(rows), n_mentors)."""
        shared = self._expand(
            self.overlap_slots, self.mentee_av_pattern[rows], self.mentor_av_pattern
        )
        return shared >= self.min_overlap_slots

    def overlap_matrix(self, rows: np.ndarray) -> np.ndarray:
        """Weekly overlap hours, (len(rows), n_mentors)."""
        counts = self._expand(
            self.overlap_slots, self.mentee_av_pattern[rows], self.mentor_av_pattern
        )
        return counts * (self.slot / 60)

    def is_ruled_out(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(excluded, past) flags for each pair."""
        keys = rows.astype(np.int64) * self.n_mentors + cols
        return np.isin(keys, self.excluded), np.isin(keys, self.past)

    def score_pairs(self, rows: np.ndarray, cols: np.ndarray) -> EdgeScores:
        """Scores for pairs given as mentee rows and mentor columns (canonical indices)."""
        w = self.weights
        total = w.total
        points = self.spec_points[self.mentee_spec_pattern[rows], self.mentor_spec_pattern[cols]]
        spec_total = self.spec_total[rows]
        specialty = np.divide(
            points, spec_total, out=np.zeros(rows.size), where=spec_total > 0, dtype=np.float64
        )
        slots = self.overlap_slots[self.mentee_av_pattern[rows], self.mentor_av_pattern[cols]]
        hours = slots * (self.slot / 60)
        avail = np.minimum(hours / w.saturation_hours, 1.0)
        same_site = self.mentee_site[rows] == self.mentor_site[cols]
        same_region = self.mentee_region[rows] == self.mentor_region[cols]
        site = np.where(same_site, 1.0, np.where(same_region, self.region_share, 0.0))
        pref = np.zeros(rows.size)
        if self.pref_keys.size:
            keys = rows.astype(np.int64) * self.n_mentors + cols
            pos = np.searchsorted(self.pref_keys, keys)
            pos_c = np.minimum(pos, self.pref_keys.size - 1)
            hit = self.pref_keys[pos_c] == keys
            pref[hit] = self.pref_values[pos_c[hit]]
        contributions = {
            "specialty": specialty * (w.specialty / total),
            "availability": avail * (w.availability / total),
            "site": site * (w.site / total),
            "preference": pref * (w.preference / total),
        }
        score = contributions["specialty"] + contributions["availability"]
        score += contributions["site"]
        score += contributions["preference"]
        # Guards against the last-ulp excess of a sum of shares that is exactly 1.
        np.minimum(score, 1.0, out=score)
        return EdgeScores(contributions, score, hours)

    def pair_scores(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Only the scores of many pairs, computed in cache-sized chunks (same arithmetic)."""
        out = np.empty(rows.size, dtype=np.float64)
        for start in range(0, rows.size, SCORE_CHUNK):
            part = slice(start, start + SCORE_CHUNK)
            out[part] = self.score_pairs(rows[part], cols[part]).score
        return out


def _sorted_unique(people: Sequence, kind: str) -> list:
    ordered = sorted(people, key=lambda p: p.id)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.id == b.id:
            raise MatchingError(f"{kind} id {a.id} appears more than once in the round")
    return ordered


def _patterns(keys: Sequence[Hashable]) -> tuple[list, np.ndarray]:
    """Distinct keys (in first-seen order) and each row's index into them."""
    index: dict[Hashable, int] = {}
    rows = np.fromiter((index.setdefault(k, len(index)) for k in keys), np.int64, len(keys))
    return list(index), rows
