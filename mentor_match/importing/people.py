"""Mentor and mentee CSV files: reading them into checked records and writing them back out.

Line numbers in errors are the row numbers a spreadsheet shows (header = line 1). They count
CSV records, not physical lines, so a quoted cell holding line breaks stays one row.

Export neutralises spreadsheet formulas (see :func:`neutralise_cell`) and import undoes it
(see :func:`restore_cell`), so exporting records and importing the file gives the same records.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, Literal, NamedTuple, TypeVar

from .availability import AvailabilityError, Window, format_availability, parse_availability
from .specialties import SpecialtyVocabulary, UnknownSpecialtyError, quote_choices

__all__ = [
    "MENTEE_COLUMNS",
    "MENTOR_COLUMNS",
    "Columns",
    "MenteeRecord",
    "MentorRecord",
    "ParseResult",
    "RowError",
    "email_problem",
    "mentees_to_csv",
    "mentors_to_csv",
    "neutralise_cell",
    "parse_mentees",
    "parse_mentors",
    "resolve_timezone",
    "restore_cell",
    "template_csv",
]


class Columns(NamedTuple):
    """The columns of one CSV format; export writes ``required`` then ``optional``."""

    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


_PERSON = ("email", "name", "site", "region", "timezone", "specialties", "availability")
MENTOR_COLUMNS = Columns((*_PERSON, "capacity"), ("credentials", "years_experience", "bio"))
MENTEE_COLUMNS = Columns(_PERSON, ("goals", "preferred_mentors"))

MAX_LENGTHS: dict[str, int] = {
    "email": 254,
    "name": 200,
    "site": 120,
    "region": 120,
    "credentials": 200,
    "bio": 2000,
    "goals": 2000,
}
# Free-text columns where a line break typed with Alt+Enter is part of the text.
MULTILINE_COLUMNS = frozenset({"bio", "goals"})
CAPACITY_RANGE = (1, 10)
YEARS_EXPERIENCE_RANGE = (0, 70)

# OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheets.
FORMULA_TRIGGERS = frozenset("=+-@\t\r")


@dataclass(frozen=True)
class RowError:
    """One problem in a CSV file: spreadsheet row (header = 1), header name or None, message."""

    line: int
    column: str | None
    message: str

    def as_dict(self) -> dict[str, int | str | None]:
        return {"line": self.line, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class MentorRecord:
    """One checked row of a mentors CSV."""

    line: int
    email: str
    name: str
    site: str
    region: str
    timezone: str
    specialties: tuple[str, ...]
    availability: tuple[Window, ...]
    capacity: int
    credentials: str = ""
    years_experience: int | None = None
    bio: str = ""


@dataclass(frozen=True)
class MenteeRecord:
    """One checked row of a mentees CSV; specialties and preferred mentors in priority order."""

    line: int
    email: str
    name: str
    site: str
    region: str
    timezone: str
    specialties: tuple[str, ...]
    availability: tuple[Window, ...]
    goals: str = ""
    preferred_mentors: tuple[str, ...] = ()


R = TypeVar("R")


@dataclass
class ParseResult(Generic[R]):
    """Records for the rows without problems, and every problem found.

    An import is all-or-nothing: write nothing unless :attr:`ok`.
    """

    records: list[R] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# -- cells ---------------------------------------------------------------------------------


def _needs_guard(value: str) -> bool:
    return value.lstrip("'")[:1] in FORMULA_TRIGGERS


def neutralise_cell(value: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula (OWASP CSV injection).

    Cells starting with ``= + - @``, tab or carriage return get a leading ``'``. So that
    :func:`restore_cell` can undo it exactly, a cell that already starts with quotes followed
    by one of those characters (``'=x``) gets one more quote too.
    """
    return "'" + value if _needs_guard(value) else value


def restore_cell(value: str) -> str:
    """Undo :func:`neutralise_cell`: drop one leading quote when a guarded character follows.

    ``restore_cell(neutralise_cell(v)) == v`` for every ``v``. A quote typed before
    anything else ("'Tis") is kept.
    """
    if value.startswith("'") and _needs_guard(value[1:]):
        return value[1:]
    return value


def email_problem(value: str) -> str | None:
    """Why ``value`` is not an email address (a structural check only), or None."""
    reason = None
    if any(char.isspace() for char in value):
        reason = "it contains a space"
    elif "@" not in value:
        reason = "it has no @"
    elif value.count("@") > 1:
        reason = "it has more than one @"
    else:
        local, domain = value.split("@")
        if not local:
            reason = "nothing comes before the @"
        elif not domain:
            reason = "nothing comes after the @"
        elif "." not in domain:
            reason = f"the part after the @ ({domain!r}) has no dot, as in 'example.org'"
        elif domain.startswith(".") or domain.endswith(".") or ".." in domain:
            reason = f"the part after the @ ({domain!r}) is not a domain name"
        elif len(value) > MAX_LENGTHS["email"]:
            reason = f"it is longer than {MAX_LENGTHS['email']} characters"
    return None if reason is None else f"{value!r} is not an email address: {reason}"


# Not places: never suggest them, though zoneinfo lists some of them.
_NOT_ZONES = frozenset({"localtime", "posixrules", "factory"})

# What people write instead of a zone name, mapped to the zone they almost always mean.
_ZONE_HINTS: dict[str, str] = {
    **dict.fromkeys(("eastern", "et", "edt", "us eastern"), "America/New_York"),
    **dict.fromkeys(("central", "ct", "cst", "cdt", "us central"), "America/Chicago"),
    **dict.fromkeys(("mountain", "mt", "mdt", "us mountain"), "America/Denver"),
    **dict.fromkeys(("arizona",), "America/Phoenix"),
    **dict.fromkeys(("pacific", "pt", "pst", "pdt", "us pacific"), "America/Los_Angeles"),
    **dict.fromkeys(("alaska", "akst", "akdt"), "America/Anchorage"),
    **dict.fromkeys(("hawaii",), "Pacific/Honolulu"),
}


@functools.lru_cache(maxsize=1)
def _time_zones() -> dict[str, str]:
    return {
        name.casefold(): name
        for name in zoneinfo.available_timezones()
        if name.casefold() not in _NOT_ZONES
    }


def _closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> list[str]:
    """The best candidates for ``word``: up to three, all about as close as the best one."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    scored: list[tuple[float, str]] = []
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((ratio, candidate))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    if not scored:
        return []
    best = scored[0][0]
    return [candidate for ratio, candidate in scored[:3] if ratio >= best - 0.05]


def resolve_timezone(text: str) -> str:
    """The IANA time zone name for ``text`` (any case); ValueError suggests close names."""
    cleaned = text.strip()
    zones = _time_zones()
    found = zones.get(cleaned.casefold())
    if found is not None:
        return found
    if not zones:  # no zone list on this system: ask zoneinfo directly
        try:
            zoneinfo.ZoneInfo(cleaned)
        except (KeyError, ValueError, OSError):
            pass
        else:
            return cleaned
    close = _zone_suggestions(cleaned)
    if close:
        raise ValueError(
            f"{cleaned!r} is not a time zone \u2014 did you mean {quote_choices(close)}?"
        )
    raise ValueError(
        f"{cleaned!r} is not a time zone: use an IANA name such as 'America/Chicago'"
        " or 'Europe/London'"
    )


@functools.lru_cache(maxsize=256)
def _zone_suggestions(text: str) -> tuple[str, ...]:
    # Cached: a file often repeats the same wrong zone on every row.
    words = re.sub(r"\b(standard|daylight|time|zone)\b", " ", text.casefold())
    hint = _ZONE_HINTS.get(" ".join(re.sub(r"[^a-z]+", " ", words).split()))
    if hint:
        return (hint,)
    zones = _time_zones()
    return tuple(zones[key] for key in _closest(text.casefold(), zones))


def _bad_character(value: str, multiline: bool) -> str | None:
    for char in value:
        if multiline and char in "\t\n\r":
            continue
        category = unicodedata.category(char)
        if char in "\n\r":
            return "contains a line break: keep it on one line"
        if category == "Cc":
            return f"contains the control character U+{ord(char):04X}: remove it"
        if category == "Cs":
            return "contains text that is not valid Unicode: retype it"
    return None


# -- reading the file ----------------------------------------------------------------------


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# Header spellings people use for the contract's column names.
_HEADER_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "time_zone": "timezone",
    "specialty": "specialties",
    "preferred_mentor": "preferred_mentors",
}


def _header_key(cell: str) -> str:
    key = re.sub(r"[\s\-]+", "_", cell.strip().lstrip("\ufeff").strip().casefold())
    return _HEADER_ALIASES.get(key, key)


_NOT_UTF8 = (
    "the file is not UTF-8 text: save it as 'CSV UTF-8 (Comma delimited)'"
    " (in Excel: File \u203a Save As) and upload it again"
)


def _decode(data: bytes | bytearray | memoryview | str) -> str | RowError:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    raw = bytes(data)
    if raw.startswith(b"PK\x03\x04"):
        return RowError(
            1,
            None,
            "this is an Excel workbook, not a CSV file: in Excel choose File \u203a Save As"
            " \u203a 'CSV UTF-8 (Comma delimited)' and upload that file",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return RowError(1, None, "the file is UTF-16 text; " + _NOT_UTF8.removeprefix("the file "))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return RowError(_line_at(raw, error.start), None, _NOT_UTF8)


def _line_at(raw: bytes, offset: int) -> int:
    """The spreadsheet row holding byte ``offset``."""
    before = raw[:offset].decode("utf-8-sig", errors="replace")
    try:
        # A sentinel character makes the reader count the row the offset falls in.
        return sum(1 for _ in csv.reader(io.StringIO(before + "x", newline="")))
    except csv.Error:
        return before.count("\n") + 1


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text:
        return (
            "a quoted cell is never closed: a cell that starts with a double quote must end"
            ' with one (look for a stray " from this row on)'
        )
    if "expected after" in text:
        return (
            "a quoted cell has text after its closing quote: inside a quoted cell, write a"
            ' double quote as two ("")'
        )
    if "field larger than field limit" in text:
        return "a cell is far too long to be a name, a list or a note"
    return f"this row cannot be read as CSV ({text})"


def _records(text: str) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """(spreadsheet row, cells or the reading error) for every CSV record, blank ones too."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 0
    while True:
        line += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield line, error
        else:
            yield line, row


class _Table(NamedTuple):
    complete: bool  # every required column is in the header
    rows: list[tuple[int, dict[str, str]]]


def _read_table(text: str, columns: Columns, errors: list[RowError]) -> _Table:
    """Rows as {column: trimmed cell} for the known columns; header and shape errors added."""
    records = _records(text)
    header: list[str] | None = None
    header_line = 1
    for line, row in records:
        if isinstance(row, csv.Error):
            errors.append(RowError(line, None, _csv_problem(row)))
            return _Table(False, [])
        if any(cell.strip() for cell in row):
            header, header_line = row, line
            break
    if header is None:
        expected = ",".join(columns.required)
        errors.append(RowError(1, None, f"the file is empty: it needs a header row ({expected})"))
        return _Table(False, [])

    keys = [_header_key(cell) for cell in header]
    positions: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key not in columns.all:
            continue
        if key in positions:
            errors.append(
                RowError(
                    header_line,
                    key,
                    f"the column {key!r} appears twice in the header (columns"
                    f" {_column_letter(positions[key])} and {_column_letter(index)}):"
                    " keep one",
                )
            )
        else:
            positions[key] = index

    if not positions:
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            separator = "';'" if ";" in header[0] else "tabs"
            message = (
                f"the columns are separated by {separator}, not commas: save the file as"
                " 'CSV UTF-8 (Comma delimited)'"
            )
        else:
            message = (
                "the first row must be the header with the column names"
                f" {', '.join(columns.required)}; download the template to start from"
            )
        errors.append(RowError(header_line, None, message))
        return _Table(False, [])

    unknown = [key for key in keys if key and key not in columns.all]
    complete = True
    for column in columns.required:
        if column in positions:
            continue
        complete = False
        message = f"the required column {column!r} is missing from the header row"
        close = difflib.get_close_matches(column, unknown, n=1, cutoff=0.7)
        if close:
            message += f" (is {close[0]!r} meant to be {column!r}?)"
        errors.append(RowError(header_line, column, message))

    rows: list[tuple[int, dict[str, str]]] = []
    for line, row in records:
        if isinstance(row, csv.Error):
            errors.append(RowError(line, None, _csv_problem(row)))
            continue
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        used = max(index for index, cell in enumerate(cells) if cell) + 1
        if used > len(header):
            errors.append(
                RowError(
                    line,
                    None,
                    f"this row has {used} cells but the header has {len(header)} columns:"
                    " a cell that contains a comma must be wrapped in double quotes",
                )
            )
            continue
        values = {
            column: restore_cell(cells[index]).strip() if index < len(cells) else ""
            for column, index in positions.items()
        }
        rows.append((line, values))
    return _Table(complete, rows)


# -- checking rows -------------------------------------------------------------------------


class _Row:
    """One data row being checked; problems go to the shared error list."""

    def __init__(self, line: int, cells: dict[str, str], errors: list[RowError]) -> None:
        self.line = line
        self.errors = errors
        self._start = len(errors)
        self.cells: dict[str, str] = {}
        for column, value in cells.items():
            problem = _bad_character(value, column in MULTILINE_COLUMNS)
            if problem:
                self.fail(column, f"{column} {problem}")
            else:
                self.cells[column] = value

    @property
    def failed(self) -> bool:
        return len(self.errors) > self._start

    def fail(self, column: str | None, message: str) -> None:
        self.errors.append(RowError(self.line, column, message))

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.cells.get(column)
        if value is None:  # column absent from the header, or already reported
            return ""
        if required and not value:
            self.fail(column, f"{column} is required")
        limit = MAX_LENGTHS.get(column)
        if limit is not None and len(value) > limit:
            self.fail(
                column, f"{column} is too long: {len(value)} characters, at most {limit} allowed"
            )
        return value

    def email(self, seen: dict[str, int]) -> str:
        value = self.cells.get("email")
        if value is None:  # column absent from the header, or already reported
            return ""
        value = value.lower()
        if not value:
            self.fail("email", "email is required")
            return value
        problem = email_problem(value)
        if problem:
            self.fail("email", problem)
        elif value in seen:
            self.fail("email", f"{value} appears again: already on line {seen[value]}")
        else:
            seen[value] = self.line
        return value

    def timezone(self) -> str:
        value = self.text("timezone", required=True)
        if not value:
            return value
        try:
            return resolve_timezone(value)
        except ValueError as error:
            self.fail("timezone", str(error))
            return value

    def specialties(self, vocabulary: SpecialtyVocabulary, example: str) -> tuple[str, ...]:
        value = self.cells.get("specialties")
        if value is None:
            return ()
        slugs: list[str] = []
        items = [item.strip() for item in value.split(";") if item.strip()]
        if not items:
            self.fail(
                "specialties",
                f"specialties is required: list at least one, separated by ';' (e.g. {example!r})",
            )
        for item in items:
            if "," in item:
                self.fail("specialties", f"{item!r}: separate specialties with ';', not ','")
                continue
            try:
                slug = vocabulary.resolve(item)
            except UnknownSpecialtyError as error:
                self.fail("specialties", str(error))
                continue
            if slug not in slugs:
                slugs.append(slug)
        return tuple(slugs)

    def availability(self) -> tuple[Window, ...]:
        value = self.cells.get("availability")
        if value is None:
            return ()
        try:
            windows = parse_availability(value)
        except AvailabilityError as error:
            for problem in error.problems:
                self.fail("availability", problem)
            return ()
        if not windows:
            self.fail(
                "availability",
                "availability is required: someone with no weekly availability can never be"
                " matched (e.g. 'Mon-Fri 09:00-17:00' or 'Tue 13:00-17:00; Sat 08:00-12:00')",
            )
        return windows

    def whole_number(self, column: str, low: int, high: int, *, required: bool) -> int | None:
        value = self.text(column, required=required)
        if not value:
            return None
        if re.fullmatch(r"[0-9]+(\.0+)?", value) and low <= int(value.split(".")[0]) <= high:
            return int(value.split(".")[0])
        self.fail(column, f"{column} must be a whole number from {low} to {high}, got {value!r}")
        return None

    def emails(self, column: str, own: str) -> tuple[str, ...]:
        value = self.cells.get(column)
        if not value:
            return ()
        found: list[str] = []
        for item in value.split(";"):
            email = item.strip().lower()
            if not email:
                continue
            problem = email_problem(email)
            if problem and "," in email:
                problem += " (separate emails with ';', not ',')"
            if problem:
                self.fail(column, problem)
            elif email == own:
                self.fail(
                    column,
                    f"{email} is this mentee's own email: a mentee cannot be their own mentor",
                )
            elif email not in found:
                found.append(email)
        return tuple(found)


def _mentor(row: _Row, vocabulary: SpecialtyVocabulary, seen: dict[str, int]) -> MentorRecord:
    email = row.email(seen)
    return MentorRecord(
        line=row.line,
        email=email,
        name=row.text("name", required=True),
        site=row.text("site", required=True),
        region=row.text("region", required=True),
        timezone=row.timezone(),
        specialties=row.specialties(vocabulary, "sterile-compounding;oncology"),
        availability=row.availability(),
        capacity=row.whole_number("capacity", *CAPACITY_RANGE, required=True) or 0,
        credentials=row.text("credentials"),
        years_experience=row.whole_number(
            "years_experience", *YEARS_EXPERIENCE_RANGE, required=False
        ),
        bio=row.text("bio"),
    )


def _mentee(row: _Row, vocabulary: SpecialtyVocabulary, seen: dict[str, int]) -> MenteeRecord:
    email = row.email(seen)
    return MenteeRecord(
        line=row.line,
        email=email,
        name=row.text("name", required=True),
        site=row.text("site", required=True),
        region=row.text("region", required=True),
        timezone=row.timezone(),
        specialties=row.specialties(vocabulary, "oncology;billing"),
        availability=row.availability(),
        goals=row.text("goals"),
        preferred_mentors=row.emails("preferred_mentors", email),
    )


def _parse(
    data: bytes | str,
    columns: Columns,
    vocabulary: SpecialtyVocabulary,
    build: Callable[[_Row, SpecialtyVocabulary, dict[str, int]], R],
) -> ParseResult[R]:
    result: ParseResult[R] = ParseResult()
    text = _decode(data)
    if isinstance(text, RowError):
        result.errors.append(text)
        return result
    table = _read_table(text, columns, result.errors)
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        row = _Row(line, cells, result.errors)
        record = build(row, vocabulary, seen)
        if table.complete and not row.failed:
            result.records.append(record)
    result.errors.sort(key=lambda error: error.line)
    return result


def parse_mentors(data: bytes | str, vocabulary: SpecialtyVocabulary) -> ParseResult[MentorRecord]:
    """Read a mentors CSV (contract §4); never raises for bad input, it reports it."""
    return _parse(data, MENTOR_COLUMNS, vocabulary, _mentor)


def parse_mentees(data: bytes | str, vocabulary: SpecialtyVocabulary) -> ParseResult[MenteeRecord]:
    """Read a mentees CSV (contract §4); never raises for bad input, it reports it."""
    return _parse(data, MENTEE_COLUMNS, vocabulary, _mentee)


# -- writing -------------------------------------------------------------------------------


def _write(columns: Columns, rows: Iterable[Iterable[str]], header: bool = True) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    if header:
        writer.writerow(columns.all)
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
    return out.getvalue()


def _common_cells(record: MentorRecord | MenteeRecord) -> list[str]:
    return [
        record.email,
        record.name,
        record.site,
        record.region,
        record.timezone,
        ";".join(record.specialties),
        "; ".join(format_availability(record.availability)),
    ]


def mentors_to_csv(records: Iterable[MentorRecord], *, header: bool = True) -> str:
    """A mentors CSV (CRLF line ends) that :func:`parse_mentors` reads back unchanged;
    `header=False` gives only the records' lines (a file written a part at a time)."""
    return _write(
        MENTOR_COLUMNS,
        (
            [
                *_common_cells(record),
                str(record.capacity),
                record.credentials,
                "" if record.years_experience is None else str(record.years_experience),
                record.bio,
            ]
            for record in records
        ),
        header,
    )


def mentees_to_csv(records: Iterable[MenteeRecord], *, header: bool = True) -> str:
    """A mentees CSV (CRLF line ends) that :func:`parse_mentees` reads back unchanged;
    `header=False` gives only the records' lines (a file written a part at a time)."""
    return _write(
        MENTEE_COLUMNS,
        (
            [*_common_cells(record), record.goals, ";".join(record.preferred_mentors)]
            for record in records
        ),
        header,
    )


_TEMPLATE_MENTOR = MentorRecord(
    line=2,
    email="jordan.rivera@example.org",
    name="Jordan Rivera",
    site="Lakeside General Hospital Pharmacy",
    region="Midwest",
    timezone="America/Chicago",
    specialties=("sterile-compounding", "hazardous-drugs"),
    availability=(Window(0, 7 * 60, 11 * 60), Window(2, 7 * 60, 11 * 60), Window(5, 480, 720)),
    capacity=2,
    credentials="CPhT, CSPT",
    years_experience=12,
    bio="IV room lead technician; happy to show USP <797> garbing and cleanroom routines.",
)
_TEMPLATE_MENTEE = MenteeRecord(
    line=2,
    email="sam.okafor@example.org",
    name="Sam Okafor",
    site="Northside Community Pharmacy",
    region="Midwest",
    timezone="America/Chicago",
    specialties=("sterile-compounding", "immunizations"),
    availability=(Window(0, 13 * 60, 17 * 60), Window(2, 13 * 60, 17 * 60)),
    goals="Move into a hospital IV room within a year.",
    preferred_mentors=("jordan.rivera@example.org",),
)


def template_csv(kind: Literal["mentors", "mentees"]) -> str:
    """The header and one example row, for the "download template" link."""
    if kind == "mentors":
        return mentors_to_csv([_TEMPLATE_MENTOR])
    if kind == "mentees":
        return mentees_to_csv([_TEMPLATE_MENTEE])
    raise ValueError(f"unknown template {kind!r}: use 'mentors' or 'mentees'")
