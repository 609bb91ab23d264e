"""Synthetic mentors and mentees CSV files for the import benchmark (deterministic per seed)."""

from __future__ import annotations

import csv
import io
import random

from mentor_match.importing import DEFAULT_SPECIALTIES, MENTEE_COLUMNS, MENTOR_COLUMNS

ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
REGIONS = ["Northeast", "Midwest", "Mountain", "West"]
SLUGS = [s.slug for s in DEFAULT_SPECIALTIES]
NAMES = [s.name for s in DEFAULT_SPECIALTIES]
FIRST = ["Ava", "Ben", "Chloe", "Diego", "Emma", "Farah", "Gabe", "Hana", "Isaac", "Jada"]
LAST = ["Nguyen", "Okafor", "Patel", "Quinn", "Rivera", "Smith", "Tanaka", "Umar", "Vargas"]
WINDOWS = [
    "Mon-Fri 09:00-17:00",
    "Mon 08:00-12:00; Wed 08:00-12:00; Fri 13:00-17:00",
    "Tue-Thu 07:00-15:00",
    "Sat 08:00-16:00; Sun 08:00-12:00",
    "Mon-Wed 12:00-20:00; Sat 09:00-13:00",
]
SITES = 60


def _site(rng: random.Random) -> tuple[str, str, str]:
    number = rng.randrange(SITES)
    return f"Site {number:03d} Pharmacy", REGIONS[number % 4], ZONES[number % 4]


def _person(rng: random.Random, email: str) -> list[str]:
    site, region, zone = _site(rng)
    picked = rng.sample(range(len(SLUGS)), rng.randint(1, 4))
    # Mix slugs and names, in any case, as coordinators type them.
    specialties = ";".join(SLUGS[i] if rng.random() < 0.7 else NAMES[i].upper() for i in picked)
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    return [email, name, site, region, zone, specialties, rng.choice(WINDOWS)]


def mentors_csv(count: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(MENTOR_COLUMNS.all)
    for i in range(count):
        row = _person(rng, f"mentor{i:05d}@example.org")
        row += [str(rng.randint(1, 10)), "CPhT", str(rng.randint(0, 40)), "Bench mentor, bio."]
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode()


def mentees_csv(count: int, mentors: int, seed: int = 2) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(MENTEE_COLUMNS.all)
    for i in range(count):
        row = _person(rng, f"Mentee{i:05d}@Example.org")
        wanted = rng.sample(range(mentors), min(mentors, rng.randint(0, 3)))
        row += ["Learn the IV room", ";".join(f"mentor{j:05d}@example.org" for j in wanted)]
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode()
