"""Properties of the importer: export→import is the identity, errors land on the bad rows only,
and no input whatsoever makes the parsers raise."""

import csv
import dataclasses
import io
import zoneinfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentor_match.importing.availability import (
    AvailabilityError,
    Window,
    format_availability,
    parse_availability,
    validate_windows,
)
from mentor_match.importing.people import (
    MENTEE_COLUMNS,
    MENTOR_COLUMNS,
    MenteeRecord,
    MentorRecord,
    ParseResult,
    mentees_to_csv,
    mentors_to_csv,
    neutralise_cell,
    parse_mentees,
    parse_mentors,
    restore_cell,
)
from mentor_match.importing.specialties import DEFAULT_SPECIALTIES, SpecialtyVocabulary

VOCABULARY = SpecialtyVocabulary(DEFAULT_SPECIALTIES)
SLUGS = [specialty.slug for specialty in DEFAULT_SPECIALTIES]
ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "posixrules", "Factory"})
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Printable text plus what makes CSV and spreadsheets interesting; the importer trims cells,
# so valid values never start or end with whitespace.
_tricky = st.sampled_from([",", '"', "'", ";", "=", "+", "-", "@", "'=", " ", "é", "\u2028"])
_single_line = st.lists(
    st.characters(blacklist_categories=("Cc", "Cs")) | _tricky, max_size=30
).map("".join)
_multi_line = st.lists(_single_line | st.sampled_from(["\n", "\r\n", "\t", "\r"]), max_size=8).map(
    "".join
)


def trimmed(strategy: st.SearchStrategy[str], *, required: bool) -> st.SearchStrategy[str]:
    values = strategy.map(str.strip)
    return values.filter(bool) if required else values


_label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
emails = st.builds(
    lambda first, local, domain, top: f"{first}{local}@{domain}.{top}",
    st.sampled_from(["a", "z", "=", "+", "-", "9"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._+-'", max_size=12),
    _label,
    st.sampled_from(["org", "com", "co.uk", "example"]),
)


@st.composite
def availabilities(draw: st.DrawFn) -> tuple[Window, ...]:
    """Sorted, non-overlapping windows, some of them touching; at least one."""
    windows: list[Window] = []
    for day in draw(st.lists(st.integers(0, 6), min_size=1, max_size=4, unique=True)):
        points = sorted(draw(st.sets(st.integers(0, 1440), min_size=2, max_size=6)))
        chosen = draw(st.lists(st.booleans(), min_size=len(points) - 1, max_size=len(points) - 1))
        chosen[0] = True
        windows += [
            Window(day, a, b)
            for a, b, keep in zip(points, points[1:], chosen, strict=False)
            if keep
        ]
    return tuple(sorted(windows))


def _common(draw: st.DrawFn, line: int, email: str) -> dict:
    return {
        "line": line,
        "email": email,
        "name": draw(trimmed(_single_line, required=True)),
        "site": draw(trimmed(_single_line, required=True)),
        "region": draw(trimmed(_single_line, required=True)),
        "timezone": draw(st.sampled_from(ZONES)),
        "specialties": tuple(draw(st.lists(st.sampled_from(SLUGS), min_size=1, unique=True))),
        "availability": draw(availabilities()),
    }


@st.composite
def mentor_records(draw: st.DrawFn, max_size: int = 6) -> list[MentorRecord]:
    addresses = draw(st.lists(emails, max_size=max_size, unique=True))
    return [
        MentorRecord(
            **_common(draw, line, email),
            capacity=draw(st.integers(1, 10)),
            credentials=draw(trimmed(_single_line, required=False)),
            years_experience=draw(st.none() | st.integers(0, 70)),
            bio=draw(trimmed(_multi_line, required=False)),
        )
        for line, email in enumerate(addresses, start=2)
    ]


@st.composite
def mentee_records(draw: st.DrawFn, max_size: int = 6) -> list[MenteeRecord]:
    addresses = draw(st.lists(emails, max_size=max_size, unique=True))
    records = []
    for line, email in enumerate(addresses, start=2):
        others = st.lists(emails.filter(lambda other, me=email: other != me), unique=True)
        records.append(
            MenteeRecord(
                **_common(draw, line, email),
                goals=draw(trimmed(_multi_line, required=False)),
                preferred_mentors=tuple(draw(others)),
            )
        )
    return records


# -- round trip ------------------------------------------------------------------------------


@FAST
@given(mentor_records())
def test_mentors_export_then_import_gives_the_same_records(records):
    text = mentors_to_csv(records)
    assert text.endswith("\r\n")
    for data in (text, text.encode("utf-8"), text.encode("utf-8-sig")):
        result = parse_mentors(data, VOCABULARY)
        assert result.errors == []
        assert result.records == records


@FAST
@given(mentee_records())
def test_mentees_export_then_import_gives_the_same_records(records):
    result = parse_mentees(mentees_to_csv(records), VOCABULARY)
    assert result.errors == []
    assert result.records == records


@given(st.text())
def test_restore_undoes_neutralise(value):
    assert restore_cell(neutralise_cell(value)) == value
    assert neutralise_cell(value)[:1] not in {"=", "+", "-", "@", "\t", "\r"}


@given(availabilities())
def test_availability_text_round_trips(windows):
    text = "; ".join(format_availability(windows))
    assert parse_availability(text) == windows
    validate_windows(windows)


# -- bad rows land where they are ------------------------------------------------------------

_GOOD_CELLS = {
    "name": "Pat Kim",
    "site": "Site",
    "region": "Region",
    "timezone": "UTC",
    "specialties": "oncology",
    "availability": "Mon 08:00-09:00",
    "capacity": "1",
}
_BREAKAGES = [
    ("capacity", "0"),
    ("capacity", "eleven"),
    ("timezone", "Mars/Base"),
    ("specialties", "astrology"),
    ("specialties", ""),
    ("availability", "Mnday 08:00-12:00"),
    ("availability", "Mon 09:00-08:00"),
    ("availability", ""),
    ("name", ""),
    ("name", "x" * 201),
    ("email", "no-at-sign"),
    ("email", ""),
    ("extra", "one cell too many"),
]


def _bad_row(columns: tuple[str, ...], number: int, breakage: tuple[str, str]) -> str:
    cells = {"email": f"bad{number}@bad.example", **_GOOD_CELLS}
    column, value = breakage
    cells[column] = value
    row = [cells.get(name, "") for name in columns]
    if column == "extra":
        row += ["", "", "", "", value]
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue()


def _inject(draw: st.DrawFn, header_and_rows: str, columns: tuple[str, ...], count: int):
    header, _, body = header_and_rows.partition("\r\n")
    # Split the body into CSV records (a cell may hold line breaks) keeping their exact text.
    good = list(csv.reader(io.StringIO(body, newline="")))
    assert len(good) == count
    chunks = []
    for row in good:
        out = io.StringIO()
        csv.writer(out).writerow(row)
        chunks.append((True, out.getvalue()))
    breakages = [b for b in _BREAKAGES if b[0] in columns or b[0] == "extra"]
    bad = draw(st.lists(st.sampled_from(breakages), min_size=1, max_size=4))
    for number, breakage in enumerate(bad):
        position = draw(st.integers(0, len(chunks)))
        chunks.insert(position, (False, _bad_row(columns, number, breakage)))
    text = header + "\r\n" + "".join(chunk for _, chunk in chunks)
    bad_lines = {line for line, (ok, _) in enumerate(chunks, start=2) if not ok}
    good_lines = [line for line, (ok, _) in enumerate(chunks, start=2) if ok]
    return text, bad_lines, good_lines


def _check_injected(result: ParseResult, records: list, bad_lines: set, good_lines: list) -> None:
    assert {error.line for error in result.errors} == bad_lines
    assert not result.ok
    expected = [
        dataclasses.replace(r, line=line) for r, line in zip(records, good_lines, strict=True)
    ]
    assert result.records == expected


@FAST
@given(st.data(), mentor_records(max_size=4))
def test_bad_mentor_rows_are_reported_on_exactly_their_lines(data, records):
    text, bad_lines, good_lines = _inject(
        data.draw, mentors_to_csv(records), MENTOR_COLUMNS.all, len(records)
    )
    _check_injected(parse_mentors(text, VOCABULARY), records, bad_lines, good_lines)


@FAST
@given(st.data(), mentee_records(max_size=4))
def test_bad_mentee_rows_are_reported_on_exactly_their_lines(data, records):
    text, bad_lines, good_lines = _inject(
        data.draw, mentees_to_csv(records), MENTEE_COLUMNS.all, len(records)
    )
    _check_injected(parse_mentees(text, VOCABULARY), records, bad_lines, good_lines)


# -- nothing makes the parsers raise -------------------------------------------------------

_csvish = st.lists(
    st.sampled_from(
        list(",\"';\r\n\t =@-:") + ["email", "name", "Mon", "08:00", "UTC", "a@b.co", "\x00", "é"]
    ),
    max_size=200,
).map("".join)
_header = st.sampled_from(
    [
        ",".join(MENTOR_COLUMNS.all) + "\n",
        ",".join(MENTEE_COLUMNS.all) + "\r\n",
        "\ufeffEMAIL,Name,site,region,timezone,specialties,availability\n",
        "",
    ]
)


def _assert_sane(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    assert result.ok == (not result.errors)
    assert all(error.line >= 1 and error.message for error in result.errors)
    assert [error.line for error in result.errors] == sorted(e.line for e in result.errors)
    lines = [record.line for record in result.records]
    assert lines == sorted(set(lines))
    assert not {error.line for error in result.errors} & set(lines)


@FAST
@given(st.binary(max_size=300) | st.builds(lambda h, t: (h + t).encode(), _header, _csvish))
def test_any_bytes_give_a_result_not_an_exception(data):
    _assert_sane(parse_mentors(data, VOCABULARY))
    _assert_sane(parse_mentees(data, VOCABULARY))


@FAST
@given(st.text(max_size=300) | st.builds(str.__add__, _header, _csvish))
def test_any_text_gives_a_result_not_an_exception(text):
    _assert_sane(parse_mentors(text, VOCABULARY))
    _assert_sane(parse_mentees(text, VOCABULARY))


_availabilityish = st.lists(
    st.sampled_from(list("MonTueWdhFriSatu-\u2013:;, 0123456789") + ["24:00", "Mon-Fri"]),
    max_size=60,
).map("".join)


@given(st.text(max_size=80) | _availabilityish)
def test_availability_parser_only_raises_availability_error(text):
    try:
        windows = parse_availability(text)
    except AvailabilityError as error:
        assert error.problems
        assert all(error.problems)
    else:
        validate_windows(windows)
        assert parse_availability("; ".join(format_availability(windows))) == windows
