"""Seeded generator of realistic match rounds for benchmarks (``generate(n_mentees, seed)``).

Shape of a generated round:

* 12 specialties with Zipf-like popularity; each person lists 1-3 of them.
* 50 sites in 5 regions; each region sits in one US time zone (one region straddles two).
* Shift-like availability: day, mid, evening, night and weekend shifts or a few 4-hour
  blocks, in the person's own time zone.
* Mentors = mentees / 2.5, each with 1-5 places; about 1 in 5 mentees names preferred
  mentors, and a few pairs are excluded or were matched in an earlier round.

The mix is tuned so that about 1 in 9 mentee-mentor pairs is feasible; run this file to
print the measured fraction.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mentor_match.matching import Mentee, Mentor, RoundInput, Window  # noqa: E402

SPECIALTIES = (
    "sterile-compounding",
    "nonsterile-compounding",
    "hazardous-drugs",
    "oncology",
    "mtm",
    "geriatrics",
    "nuclear",
    "informatics",
    "med-rec",
    "inventory",
    "immunizations",
    "billing",
)
REGION_ZONES = (
    ("America/New_York",),
    ("America/Chicago",),
    ("America/Denver", "America/Phoenix"),
    ("America/Los_Angeles",),
    ("America/New_York", "America/Chicago"),
)
N_SITES = 50
WEEKDAYS = range(5)
WEEKEND = (5, 6)


def _days(days, start_h: int, end_h: int) -> list[Window]:
    return [Window(d, start_h * 60, end_h * 60) for d in days]


SHIFTS = (
    _days(WEEKDAYS, 7, 15),  # day
    _days(WEEKDAYS, 11, 19),  # mid
    _days(WEEKDAYS, 15, 23),  # evening
    _days(range(4), 23, 24) + _days(range(1, 5), 0, 7),  # nights Mon-Thu
    _days(WEEKEND, 8, 20),  # weekends
    _days((0, 2, 4), 7, 19),  # three long days
)


def _availability(rng: np.random.Generator) -> tuple[Window, ...]:
    if rng.random() < 0.35:
        # Part-timer: a few 4-hour blocks.
        blocks = []
        for day in rng.choice(7, size=rng.integers(2, 4), replace=False):
            start = int(rng.integers(7, 19)) * 60 + int(rng.choice((0, 30)))
            blocks.append(Window(int(day), start, min(start + 240, 1440)))
        return tuple(sorted(blocks, key=lambda w: (w.weekday, w.start_minute)))
    first = int(rng.choice(len(SHIFTS), p=(0.24, 0.12, 0.2, 0.12, 0.18, 0.14)))
    return tuple(SHIFTS[first])


def _specialties(rng: np.random.Generator, popularity: np.ndarray) -> tuple[str, ...]:
    k = int(rng.choice((1, 2, 3), p=(0.62, 0.29, 0.09)))
    picks = rng.choice(len(SPECIALTIES), size=k, replace=False, p=popularity)
    return tuple(SPECIALTIES[i] for i in picks)


def generate(n_mentees: int, seed: int = 0) -> RoundInput:
    """A realistic round with ``n_mentees`` mentees and ``n_mentees / 2.5`` mentors."""
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, len(SPECIALTIES) + 1)
    popularity = 1.0 / ranks**0.55
    popularity /= popularity.sum()
    sites = []
    for s in range(N_SITES):
        region = s % len(REGION_ZONES)
        zone = REGION_ZONES[region][s // len(REGION_ZONES) % len(REGION_ZONES[region])]
        sites.append((f"site-{s:02d}", f"region-{region}", zone))
    n_mentors = max(1, round(n_mentees / 2.5)) if n_mentees else 0

    def place() -> tuple[str, str, str]:
        return sites[int(rng.integers(N_SITES))]

    mentors = []
    for j in range(n_mentors):
        site, region, zone = place()
        mentors.append(
            Mentor(
                id=1000 + j,
                specialties=_specialties(rng, popularity),
                windows=_availability(rng),
                timezone=zone,
                site=site,
                region=region,
                capacity=int(rng.integers(1, 6)),
            )
        )
    mentees = []
    for i in range(n_mentees):
        site, region, zone = place()
        preferred: tuple[int, ...] = ()
        if n_mentors and rng.random() < 0.2:
            k = min(n_mentors, int(rng.integers(1, 4)))
            preferred = tuple(int(1000 + j) for j in rng.choice(n_mentors, k, replace=False))
        mentees.append(
            Mentee(
                id=1 + i,
                specialties=_specialties(rng, popularity),
                windows=_availability(rng),
                timezone=zone,
                site=site,
                region=region,
                preferred_mentors=preferred,
            )
        )
    ruled_out = set()
    if n_mentors:
        for _ in range(n_mentees // 50):
            ruled_out.add((1 + int(rng.integers(n_mentees)), 1000 + int(rng.integers(n_mentors))))
    ruled = sorted(ruled_out)
    return RoundInput(
        mentors=mentors,
        mentees=mentees,
        exclusions=frozenset(ruled[::2]),
        past_pairs=frozenset(ruled[1::2]),
    )


def feasible_fraction(data: RoundInput) -> float:
    """Share of all mentee-mentor pairs that satisfy every hard constraint."""
    from mentor_match.matching.scoring import RoundScorer

    scorer = RoundScorer(data)
    if not scorer.n_mentees or not scorer.n_mentors:
        return 0.0
    mask = scorer.feasible_mask(np.arange(scorer.n_mentees))
    return float(mask.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mentees", type=int, nargs="?", default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data = generate(args.mentees, args.seed)
    print(
        f"{len(data.mentees)} mentees, {len(data.mentors)} mentors, "
        f"{sum(m.capacity for m in data.mentors)} places, "
        f"feasible fraction {feasible_fraction(data):.4f} (target ~{1 / 9:.4f})"
    )


if __name__ == "__main__":
    main()
