"""The competency framework: the default set, and its CSV file read into checked records.

A competency is something a pharmacy technician learns to do. General ones have no
specialty; the others belong to one specialty of the vocabulary. The CSV format is
`code,title,description,specialty,active` with the same all-or-nothing rules and line/column
errors as the people import (header = line 1, every problem reported at once).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .people import (
    Columns,
    ParseResult,
    RowError,
    _bad_character,
    _decode,
    _read_table,
    neutralise_cell,
)
from .specialties import SpecialtyVocabulary, UnknownSpecialtyError

__all__ = [
    "COMPETENCY_COLUMNS",
    "CODE_MAX",
    "DEFAULT_COMPETENCIES",
    "DESCRIPTION_MAX",
    "TITLE_MAX",
    "CompetencyRecord",
    "code_problem",
    "competencies_to_csv",
    "parse_competencies",
]

COMPETENCY_COLUMNS = Columns(("code", "title"), ("description", "specialty", "active"))
# The people importer's header reader files a "specialty" header under "specialties".
_READ_COLUMNS = Columns(("code", "title"), ("description", "specialties", "active"))
CODE_MAX = 20
TITLE_MAX = 160
DESCRIPTION_MAX = 1000
_CODE = re.compile(r"[A-Z0-9][A-Z0-9.\-]*")
_YES = {"yes", "y", "true", "1", "active"}
_NO = {"no", "n", "false", "0", "retired"}


@dataclass(frozen=True)
class CompetencyRecord:
    """One competency: `specialty` is a slug, or None for a general competency."""

    code: str
    title: str
    description: str = ""
    specialty: str | None = None
    active: bool = True
    line: int = 0


def _c(code: str, title: str, description: str, specialty: str | None = None) -> CompetencyRecord:
    return CompetencyRecord(code, title, description, specialty)


# Written for mentor_match in plain words, following the entry- and advanced-level areas of
# pharmacy-technician training; every specialty of the vocabulary has at least two.
DEFAULT_COMPETENCIES: tuple[CompetencyRecord, ...] = (
    _c(
        "GEN-SAFE",
        "Medication safety and error prevention",
        "Spots look-alike and sound-alike names, uses double checks, reports near misses "
        "and errors without blame.",
    ),
    _c(
        "GEN-COMM",
        "Communication with patients and the team",
        "Speaks clearly and kindly, checks understanding, knows when to hand a question "
        "to the pharmacist.",
    ),
    _c(
        "GEN-LAW",
        "Pharmacy law and regulation",
        "Follows the rules for controlled substances, privacy and record keeping that "
        "apply at the site.",
    ),
    _c(
        "GEN-DOC",
        "Documentation and records",
        "Records what was done, when and by whom, accurately and on time, in the site's system.",
    ),
    _c(
        "GEN-INV",
        "Everyday stock handling",
        "Receives, stores and rotates stock, checks expiry dates and the cold chain.",
    ),
    _c(
        "SC-ASEP",
        "Aseptic technique",
        "Prepares sterile doses in the hood without touching critical sites, with first-air "
        "kept clear.",
        "sterile-compounding",
    ),
    _c(
        "SC-GARB",
        "Garbing and hand hygiene",
        "Puts on gown, gloves, mask and cover in the right order and washes hands as the "
        "cleanroom requires.",
        "sterile-compounding",
    ),
    _c(
        "SC-CLEAN",
        "Cleaning the compounding area",
        "Cleans and disinfects hoods and rooms on schedule, with the right agents, and logs it.",
        "sterile-compounding",
    ),
    _c(
        "NSC-CALC",
        "Compounding calculations",
        "Works out quantities, dilutions and beyond-use dates and has them checked.",
        "nonsterile-compounding",
    ),
    _c(
        "NSC-PREP",
        "Preparing non-sterile products",
        "Weighs, measures and mixes creams, suspensions and capsules following the master formula.",
        "nonsterile-compounding",
    ),
    _c(
        "HD-CSTD",
        "Closed-system transfer devices",
        "Uses closed-system devices to move hazardous drugs without leaks or spray.",
        "hazardous-drugs",
    ),
    _c(
        "HD-SPILL",
        "Hazardous drug spills and waste",
        "Knows where the spill kit is, cleans a spill safely and disposes of waste in the "
        "right bin.",
        "hazardous-drugs",
    ),
    _c(
        "HD-PPE",
        "Protective equipment for hazardous drugs",
        "Chooses and wears double gloves and gowns rated for hazardous drugs, and removes "
        "them safely.",
        "hazardous-drugs",
    ),
    _c(
        "ONC-CHECK",
        "Checking chemotherapy orders",
        "Gathers height, weight and lab values the pharmacist needs to verify a dose.",
        "oncology",
    ),
    _c(
        "ONC-LABEL",
        "Labeling and handling oncology doses",
        "Labels, bags and transports chemotherapy so that nobody is exposed.",
        "oncology",
    ),
    _c(
        "MTM-LIST",
        "Building a medication list",
        "Collects every medicine, supplement and dose a patient takes before a review.",
        "mtm",
    ),
    _c(
        "MTM-FOLLOW",
        "Follow-up after a medication review",
        "Schedules follow-ups, sends the action plan and notes the outcome.",
        "mtm",
    ),
    _c(
        "GER-AIDS",
        "Adherence aids for older adults",
        "Prepares blister packs and pill organizers and explains them simply.",
        "geriatrics",
    ),
    _c(
        "GER-RISK",
        "Spotting medicines risky for older adults",
        "Flags duplicate therapy and medicines known to cause falls or confusion for the "
        "pharmacist.",
        "geriatrics",
    ),
    _c(
        "NUC-SHIELD",
        "Radiation safety and shielding",
        "Uses time, distance and shielding; wears and reads the dosimeter.",
        "nuclear",
    ),
    _c(
        "NUC-DOSE",
        "Preparing radiopharmaceutical doses",
        "Draws up and assays doses, records activity and calibration time.",
        "nuclear",
    ),
    _c(
        "INF-SYS",
        "Pharmacy systems and automation",
        "Works with dispensing cabinets and the pharmacy system, and reports faults.",
        "informatics",
    ),
    _c(
        "INF-DATA",
        "Keeping drug data right",
        "Checks formulary entries, barcodes and product data for errors before they reach "
        "a patient.",
        "informatics",
    ),
    _c(
        "MR-HIST",
        "Taking a medication history",
        "Asks the patient and checks other sources to get a complete, accurate history.",
        "med-rec",
    ),
    _c(
        "MR-DISC",
        "Finding discrepancies",
        "Compares lists at admission, transfer and discharge and reports every difference.",
        "med-rec",
    ),
    _c(
        "INV-ORDER",
        "Ordering and receiving",
        "Places orders against par levels, receives them and resolves mismatches.",
        "inventory",
    ),
    _c(
        "INV-SHORT",
        "Managing shortages and recalls",
        "Finds recalled lots, pulls them, and helps find alternatives during shortages.",
        "inventory",
    ),
    _c(
        "IMM-PREP",
        "Preparing and storing vaccines",
        "Keeps vaccines in range, prepares the right dose and records lot and expiry.",
        "immunizations",
    ),
    _c(
        "IMM-ADMIN",
        "Giving an immunization",
        "Screens the patient, gives the injection with the right technique and watches "
        "for reactions.",
        "immunizations",
    ),
    _c(
        "BIL-CLAIM",
        "Processing claims",
        "Submits claims, reads rejections and fixes what can be fixed.",
        "billing",
    ),
    _c(
        "BIL-PA",
        "Prior authorizations",
        "Gathers what the payer needs for a prior authorization and tracks it to a decision.",
        "billing",
    ),
)


def code_problem(code: str) -> str | None:
    """Why `code` is not a competency code, or None (upper-case letters, digits, '-', '.')."""
    if not code:
        return "code is required"
    if len(code) > CODE_MAX:
        return f"code is too long: {len(code)} characters, at most {CODE_MAX} allowed"
    if not _CODE.fullmatch(code):
        return (
            f"{code!r} is not a code: use capital letters, digits, '-' and '.', "
            "starting with a letter or digit (e.g. 'SC-ASEP')"
        )
    return None


def _active(value: str) -> bool | None:
    key = value.strip().casefold()
    if key == "" or key in _YES:
        return True
    if key in _NO:
        return False
    return None


def parse_competencies(
    data: bytes | str, vocabulary: SpecialtyVocabulary
) -> ParseResult[CompetencyRecord]:
    """Read a competencies CSV; never raises for bad input, it reports every problem."""
    result: ParseResult[CompetencyRecord] = ParseResult()
    text = _decode(data)
    if isinstance(text, RowError):
        result.errors.append(text)
        return result
    errors = result.errors
    table = _read_table(text, _READ_COLUMNS, errors)
    seen: dict[str, int] = {}
    for line, read in table.rows:
        cells = {("specialty" if k == "specialties" else k): v for k, v in read.items()}
        start = len(errors)

        def fail(column: str, message: str, line: int = line) -> None:
            errors.append(RowError(line, column, message))

        for column, value in cells.items():
            problem = _bad_character(value, column == "description")
            if problem:
                fail(column, f"{column} {problem}")
        code = cells.get("code", "").upper()
        problem = code_problem(code)
        if problem:
            fail("code", problem)
        elif code in seen:
            fail("code", f"{code} appears again: already on line {seen[code]}")
        else:
            seen[code] = line
        title = cells.get("title", "")
        if not title:
            fail("title", "title is required")
        elif len(title) > TITLE_MAX:
            fail("title", f"title is too long: {len(title)} characters, at most {TITLE_MAX}")
        description = cells.get("description", "")
        if len(description) > DESCRIPTION_MAX:
            fail(
                "description",
                f"description is too long: {len(description)} characters,"
                f" at most {DESCRIPTION_MAX}",
            )
        specialty: str | None = None
        raw_specialty = cells.get("specialty", "")
        if raw_specialty and raw_specialty.casefold() not in ("general", "-"):
            try:
                specialty = vocabulary.resolve(raw_specialty)
            except UnknownSpecialtyError as error:
                fail("specialty", str(error) + " (leave it empty for a general competency)")
        active = _active(cells.get("active", ""))
        if active is None:
            fail("active", f"active must be yes or no, got {cells.get('active')!r}")
        if table.complete and len(errors) == start:
            result.records.append(
                CompetencyRecord(
                    code=code,
                    title=title,
                    description=description,
                    specialty=specialty,
                    active=bool(active),
                    line=line,
                )
            )
    errors.sort(key=lambda error: error.line)
    return result


def competencies_to_csv(records: Iterable[CompetencyRecord]) -> str:
    """The framework as CSV, in the format `parse_competencies` reads, formulas neutralised."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COMPETENCY_COLUMNS.all)
    for r in records:
        cells = [r.code, r.title, r.description, r.specialty or "", "yes" if r.active else "no"]
        writer.writerow([neutralise_cell(cell) for cell in cells])
    return out.getvalue()
