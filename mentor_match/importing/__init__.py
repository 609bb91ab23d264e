"""CSV import/export of mentors and mentees, and weekly availability text (stdlib only)."""

from .availability import (
    AvailabilityError,
    Window,
    format_availability,
    parse_availability,
    parse_window_spec,
    validate_windows,
)
from .people import (
    MENTEE_COLUMNS,
    MENTOR_COLUMNS,
    MenteeRecord,
    MentorRecord,
    ParseResult,
    RowError,
    mentees_to_csv,
    mentors_to_csv,
    neutralise_cell,
    parse_mentees,
    parse_mentors,
    restore_cell,
    template_csv,
)
from .specialties import DEFAULT_SPECIALTIES, Specialty, SpecialtyVocabulary

__all__ = [
    "DEFAULT_SPECIALTIES",
    "MENTEE_COLUMNS",
    "MENTOR_COLUMNS",
    "AvailabilityError",
    "MenteeRecord",
    "MentorRecord",
    "ParseResult",
    "RowError",
    "Specialty",
    "SpecialtyVocabulary",
    "Window",
    "format_availability",
    "mentees_to_csv",
    "mentors_to_csv",
    "neutralise_cell",
    "parse_availability",
    "parse_mentees",
    "parse_mentors",
    "parse_window_spec",
    "restore_cell",
    "template_csv",
    "validate_windows",
]
