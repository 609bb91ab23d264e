"""The specialty vocabulary: resolving what a coordinator typed to a known specialty slug."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = [
    "DEFAULT_SPECIALTIES",
    "Specialty",
    "SpecialtyVocabulary",
    "UnknownSpecialtyError",
    "quote_choices",
]


@dataclass(frozen=True)
class Specialty:
    """A practice area mentors offer and mentees ask for."""

    slug: str
    name: str


DEFAULT_SPECIALTIES: tuple[Specialty, ...] = (
    Specialty("sterile-compounding", "Sterile compounding"),
    Specialty("nonsterile-compounding", "Non-sterile compounding"),
    Specialty("hazardous-drugs", "Hazardous drugs"),
    Specialty("oncology", "Oncology"),
    Specialty("mtm", "Medication therapy management"),
    Specialty("geriatrics", "Geriatric pharmacy"),
    Specialty("nuclear", "Nuclear pharmacy"),
    Specialty("informatics", "Pharmacy informatics"),
    Specialty("med-rec", "Medication reconciliation"),
    Specialty("inventory", "Inventory and supply chain"),
    Specialty("immunizations", "Immunizations"),
    Specialty("billing", "Billing and reimbursement"),
)


class UnknownSpecialtyError(ValueError):
    """Text that names no known specialty; ``suggestions`` holds the closest known ones."""

    def __init__(self, message: str, text: str, suggestions: tuple[str, ...]) -> None:
        super().__init__(message)
        self.text = text
        self.suggestions = suggestions


def _key(text: str) -> str:
    # "Non-sterile  compounding", "non sterile compounding" and "nonsterile_compounding"
    # differ only in the ways people mistype; the slug/name tables never rely on those.
    return " ".join(re.sub(r"[-_\s]+", " ", text).split()).casefold()


def quote_choices(choices: Iterable[str]) -> str:
    """Quote suggestions for a sentence: 'a' / 'a' or 'b' / 'a', 'b' or 'c'."""
    quoted = [repr(choice) for choice in choices]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


class SpecialtyVocabulary:
    """The specialties an import may name, by slug or name, ignoring case and spacing."""

    def __init__(self, specialties: Iterable[Specialty]) -> None:
        self._specialties: tuple[Specialty, ...] = tuple(specialties)
        self._slugs: dict[str, str] = {}
        # Spelling (as shown in suggestions) for every accepted key, slugs first so that a
        # slug is never shadowed by another specialty's name.
        self._spellings: dict[str, tuple[str, str]] = {}
        for specialty in self._specialties:
            self._slugs.setdefault(specialty.slug, specialty.name)
            self._spellings.setdefault(_key(specialty.slug), (specialty.slug, specialty.slug))
        for specialty in self._specialties:
            self._spellings.setdefault(_key(specialty.name), (specialty.slug, specialty.name))

    def __iter__(self) -> Iterator[Specialty]:
        return iter(self._specialties)

    def __len__(self) -> int:
        return len(self._specialties)

    def __contains__(self, slug: object) -> bool:
        return slug in self._slugs

    def name_of(self, slug: str) -> str:
        """The display name of a known slug."""
        return self._slugs[slug]

    def resolve(self, text: str) -> str:
        """The slug for a known slug or name, in any case.

        Raises :class:`UnknownSpecialtyError` (a ValueError) naming the closest known ones.
        """
        cleaned = text.strip()
        found = self._spellings.get(_key(cleaned))
        if found is not None:
            return found[0]
        suggestions = self.suggest(cleaned)
        if suggestions:
            message = (
                f"unknown specialty {cleaned!r} \u2014 did you mean {quote_choices(suggestions)}?"
            )
        else:
            known = ", ".join(specialty.slug for specialty in self._specialties)
            message = f"unknown specialty {cleaned!r} (known specialties: {known})"
        raise UnknownSpecialtyError(message, cleaned, suggestions)

    def suggest(self, text: str, limit: int = 3) -> tuple[str, ...]:
        """The closest known spellings (slug or name, one per specialty), best first."""
        matches = difflib.get_close_matches(
            _key(text), list(self._spellings), n=len(self._spellings), cutoff=0.6
        )
        seen: set[str] = set()
        suggestions: list[str] = []
        for key in matches:
            slug, spelling = self._spellings[key]
            if slug not in seen:
                seen.add(slug)
                suggestions.append(spelling)
        return tuple(suggestions[:limit])
