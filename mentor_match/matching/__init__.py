"""Pure matching of mentees to mentors: scores, hard constraints, solver and explanations."""

from .availability import overlap_hours
from .certified import solve_round
from .records import (
    DEFAULT_MIN_OVERLAP_HOURS,
    DEFAULT_WEEK_START,
    Candidate,
    Match,
    MatchingError,
    Mentee,
    Mentor,
    RoundInput,
    RoundResult,
    Unmatched,
    Weights,
    Window,
)
from .scoring import FACTORS
from .solver import candidates

__all__ = [
    "DEFAULT_MIN_OVERLAP_HOURS",
    "DEFAULT_WEEK_START",
    "FACTORS",
    "Candidate",
    "Match",
    "MatchingError",
    "Mentee",
    "Mentor",
    "RoundInput",
    "RoundResult",
    "Unmatched",
    "Weights",
    "Window",
    "candidates",
    "overlap_hours",
    "solve_round",
]
