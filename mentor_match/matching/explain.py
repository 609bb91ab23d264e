"""Why each unmatched mentee got no mentor, in words a coordinator can act on."""

from __future__ import annotations

import numpy as np

from .records import Unmatched
from .scoring import PAIR_BLOCK_CELLS, RoundScorer

_MAX_NAMED = 12


def _names(scorer: RoundScorer, ids: list[int]) -> str:
    """Mentors by name where the round knows names, else as "mentor 7"; at most a dozen."""
    labels = [scorer.mentors[scorer.mentor_index[i]].label for i in ids[:_MAX_NAMED]]
    more = len(ids) - _MAX_NAMED
    shown = ", ".join(labels)
    return f"{shown} and {more} more" if more > 0 else shown


def explain_unmatched(scorer: RoundScorer, rows: np.ndarray) -> list[Unmatched]:
    """Explain why each of the given (unmatched) mentee rows has no mentor.

    The first failing test wins, in this order: no mentors at all, no shared specialty,
    no shared availability (of at least ``min_overlap_hours``) with a specialty match,
    every remaining mentor excluded or matched with them before, every remaining mentor full.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0:
        return []
    mentee_ids = scorer.mentee_ids[rows]
    if scorer.n_mentors == 0:
        return [
            Unmatched(int(i), "no_mentors", "There are no mentors in this round.")
            for i in mentee_ids
        ]
    block = max(1, PAIR_BLOCK_CELLS // scorer.n_mentors)
    out: list[Unmatched] = []
    for start in range(0, rows.size, block):
        out += _explain_block(scorer, rows[start : start + block])
    return out


def _explain_block(scorer: RoundScorer, rows: np.ndarray) -> list[Unmatched]:
    mentee_ids = scorer.mentee_ids[rows]
    min_hours = scorer.data.min_overlap_hours
    shares = scorer.shares_specialty(rows)
    hours = scorer.overlap_matrix(rows)
    fits = shares & scorer.overlaps_enough(rows)
    out: list[Unmatched] = []
    for k, mentee_id in enumerate(mentee_ids.tolist()):
        mentee = scorer.mentees[rows[k]]
        if not shares[k].any():
            names = scorer.data.specialty_names
            wanted = ", ".join(names.get(s, s) for s in mentee.specialties) or "none listed"
            out.append(
                Unmatched(
                    mentee_id,
                    "no_shared_specialty",
                    f"No mentor in this round shares any of this mentee's specialties ({wanted}).",
                )
            )
            continue
        if not fits[k].any():
            cols = np.flatnonzero(shares[k])
            best = cols[np.argmax(hours[k, cols])]
            out.append(
                Unmatched(
                    mentee_id,
                    "no_shared_availability",
                    f"{_count(cols.size)} a specialty, but none is available at the "
                    f"same time for at least {min_hours:g} hours a week (the most is "
                    f"{hours[k, best]:g} hours, with {scorer.mentors[best].label}).",
                )
            )
            continue
        cols = np.flatnonzero(fits[k])
        excluded, past = scorer.is_ruled_out(np.full(cols.size, rows[k]), cols)
        open_cols = cols[~(excluded | past)]
        if open_cols.size == 0:
            ids = scorer.mentor_ids[cols].tolist()
            parts = []
            if excluded.any():
                who = (
                    "excluded by the coordinator or left off a ranking"
                    if scorer.data.unacceptable
                    else "excluded by the coordinator"
                )
                parts.append(f"{who}: {_names(scorer, _ids_of(ids, excluded))}")
            if past.any():
                parts.append(
                    f"matched with them in an earlier round: {_names(scorer, _ids_of(ids, past))}"
                )
            out.append(
                Unmatched(
                    mentee_id,
                    "excluded",
                    "Every mentor who fits on specialty and availability is ruled out ("
                    + "; ".join(parts)
                    + ").",
                    tuple(ids),
                )
            )
            continue
        ids = scorer.mentor_ids[open_cols].tolist()
        out.append(
            Unmatched(
                mentee_id,
                "mentors_full",
                f"Every compatible mentor is full: {_names(scorer, ids)} (capacity reached).",
                tuple(ids),
            )
        )
    return out


def _count(n: int) -> str:
    return "1 mentor shares" if n == 1 else f"{n} mentors share"


def _ids_of(ids: list[int], flags: np.ndarray) -> list[int]:
    return [i for i, f in zip(ids, flags.tolist(), strict=True) if f]
