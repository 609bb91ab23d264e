"""Mentor and mentee CSV files as coordinators produce them: encodings, quoting and every error."""

import pytest

from mentor_match.importing.availability import Window
from mentor_match.importing.people import (
    MENTEE_COLUMNS,
    MENTOR_COLUMNS,
    MenteeRecord,
    MentorRecord,
    RowError,
    mentees_to_csv,
    mentors_to_csv,
    neutralise_cell,
    parse_mentees,
    parse_mentors,
    restore_cell,
    template_csv,
)
from mentor_match.importing.specialties import DEFAULT_SPECIALTIES, SpecialtyVocabulary

VOCABULARY = SpecialtyVocabulary(DEFAULT_SPECIALTIES)
MENTOR_HEADER = "email,name,site,region,timezone,specialties,availability,capacity"
MENTEE_HEADER = "email,name,site,region,timezone,specialties,availability,goals,preferred_mentors"


def mentor_row(email: str = "ana@example.org", **overrides: str) -> str:
    cells = {
        "email": email,
        "name": "Ana Diaz",
        "site": "Mercy General",
        "region": "Midwest",
        "timezone": "America/Chicago",
        "specialties": "oncology",
        "availability": "Mon 08:00-12:00",
        "capacity": "2",
    } | overrides
    return ",".join(cells[column] for column in MENTOR_COLUMNS.required)


def mentee_row(email: str = "ben@example.org", **overrides: str) -> str:
    cells = {
        "email": email,
        "name": "Ben Ode",
        "site": "Corner Pharmacy",
        "region": "Midwest",
        "timezone": "America/Chicago",
        "specialties": "billing",
        "availability": "Tue 13:00-17:00",
        "goals": "",
        "preferred_mentors": "",
    } | overrides
    return ",".join(cells[column] for column in MENTEE_COLUMNS.all)


def mentors(*rows: str, header: str = MENTOR_HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


def only_error(result) -> RowError:
    assert not result.ok
    assert result.records == []
    (error,) = result.errors
    return error


# -- reading ----------------------------------------------------------------------------------


def test_a_good_mentor_row():
    result = parse_mentors(mentors(mentor_row()), VOCABULARY)
    assert result.ok
    assert result.records == [
        MentorRecord(
            line=2,
            email="ana@example.org",
            name="Ana Diaz",
            site="Mercy General",
            region="Midwest",
            timezone="America/Chicago",
            specialties=("oncology",),
            availability=(Window(0, 480, 720),),
            capacity=2,
            credentials="",
            years_experience=None,
            bio="",
        )
    ]


def test_a_good_mentee_row_with_optional_columns():
    text = f"{MENTEE_HEADER}\n" + mentee_row(
        email="Ben@Example.ORG",
        specialties='"Billing and reimbursement; mtm;billing"',
        availability='"Mon-Wed 09:00-10:00; Sat 08:00-12:00"',
        goals='"Learn ""tech-check-tech"", then MTM"',
        preferred_mentors='"Zed@example.org; ana@example.org ;zed@example.org"',
    )
    result = parse_mentees(text, VOCABULARY)
    assert result.ok, result.errors
    (record,) = result.records
    assert record == MenteeRecord(
        line=2,
        email="ben@example.org",
        name="Ben Ode",
        site="Corner Pharmacy",
        region="Midwest",
        timezone="America/Chicago",
        specialties=("billing", "mtm"),
        availability=(
            Window(0, 540, 600),
            Window(1, 540, 600),
            Window(2, 540, 600),
            Window(5, 480, 720),
        ),
        goals='Learn "tech-check-tech", then MTM',
        preferred_mentors=("zed@example.org", "ana@example.org"),
    )


def test_utf8_bytes_with_bom_and_lf_line_ends():
    text = mentors(mentor_row(name="Zoë Ñúñez")).replace("\r\n", "\n")
    result = parse_mentors(text.encode("utf-8-sig"), VOCABULARY)
    assert result.ok
    assert result.records[0].name == "Zoë Ñúñez"


def test_text_with_bom_is_accepted_too():
    assert parse_mentors("\ufeff" + mentors(mentor_row()), VOCABULARY).ok


def test_columns_in_any_order_with_odd_header_case_and_extra_columns():
    text = (
        " Capacity ,AVAILABILITY,Notes,Specialties,TimeZone,Region,Site,Name,Email,"
        " years experience\n"
        "3,Fri 10:00-11:00,ignored,Oncology,europe/london,South,St Thomas,Cy Lo,cy@example.org,7\n"
    )
    result = parse_mentors(text, VOCABULARY)
    assert result.ok, result.errors
    (record,) = result.records
    assert (record.email, record.capacity, record.timezone) == (
        "cy@example.org",
        3,
        "Europe/London",
    )
    assert record.years_experience == 7


def test_common_header_spellings():
    header = "E-mail,Name,Site,Region,Time Zone,Specialty,Availability,Capacity"
    assert parse_mentors(mentors(mentor_row(), header=header), VOCABULARY).ok


def test_cells_are_trimmed():
    result = parse_mentors(
        mentors(mentor_row(email="  ana@example.org ", name="  Ana Diaz\t", capacity=" 2 ")),
        VOCABULARY,
    )
    assert result.ok
    assert (result.records[0].email, result.records[0].name) == ("ana@example.org", "Ana Diaz")


def test_quoted_cells_hold_commas_quotes_and_line_breaks():
    text = (
        "email,name,site,region,timezone,specialties,availability,capacity,bio\r\n"
        + mentor_row()
        + ',"Says ""hi"",\r\nthen, on a new line, more"\r\n'
    )
    result = parse_mentors(text, VOCABULARY)
    assert result.ok, result.errors
    assert result.records[0].bio == 'Says "hi",\r\nthen, on a new line, more'


def test_blank_lines_are_skipped_but_still_count():
    text = mentors(
        mentor_row("a@example.org"), "", ",,,,", mentor_row("b@example.org", capacity="x")
    )
    result = parse_mentors(text, VOCABULARY)
    assert [record.line for record in result.records] == [2]
    assert result.errors == [
        RowError(5, "capacity", "capacity must be a whole number from 1 to 10, got 'x'")
    ]


def test_multi_line_cell_keeps_spreadsheet_line_numbers():
    text = (
        f"{MENTOR_HEADER},bio\n"
        + mentor_row("a@example.org")
        + ',"line one\nline two\nline three"\n'
        + mentor_row("b@example.org")
        + "\n"
        + mentor_row("c@example.org", timezone="Mars/Olympus")
        + "\n"
    )
    result = parse_mentors(text, VOCABULARY)
    assert [error.line for error in result.errors] == [4]
    assert [
        record.line
        for record in parse_mentors(text.replace("Mars/Olympus", "UTC"), VOCABULARY).records
    ] == [2, 3, 4]


def test_fewer_cells_than_the_header_count_as_empty():
    text = mentors("ana@example.org,Ana Diaz,Mercy General,Midwest,America/Chicago,oncology")
    result = parse_mentors(text, VOCABULARY)
    assert result.errors == [
        RowError(
            2,
            "availability",
            "availability is required: someone with no weekly availability can never be matched"
            " (e.g. 'Mon-Fri 09:00-17:00' or 'Tue 13:00-17:00; Sat 08:00-12:00')",
        ),
        RowError(2, "capacity", "capacity is required"),
    ]


def test_more_cells_than_the_header_is_an_error_for_the_row():
    text = mentors(mentor_row(), mentor_row("b@example.org", name="Lee, Bo"))
    result = parse_mentors(text, VOCABULARY)
    assert result.errors == [
        RowError(
            3,
            None,
            "this row has 9 cells but the header has 8 columns: a cell that contains a comma"
            " must be wrapped in double quotes",
        )
    ]
    assert [record.line for record in result.records] == [2]


def test_trailing_empty_cells_beyond_the_header_are_harmless():
    assert parse_mentors(mentors(mentor_row() + ",,"), VOCABULARY).ok


# -- header problems ----------------------------------------------------------------------


def test_missing_required_column_is_reported_once_for_the_header():
    header = MENTOR_HEADER.replace(",timezone", "")
    rows = [mentor_row(f"p{n}@example.org").replace(",America/Chicago", "") for n in range(3)]
    result = parse_mentors(mentors(*rows, header=header), VOCABULARY)
    assert result.errors == [
        RowError(1, "timezone", "the required column 'timezone' is missing from the header row")
    ]
    assert result.records == []


def test_missing_column_suggests_a_misspelt_header():
    header = MENTOR_HEADER.replace("timezone", "time_zon")
    error = only_error(parse_mentors(mentors(mentor_row(), header=header), VOCABULARY))
    assert error.column == "timezone"
    assert "'time_zon' meant to be 'timezone'" in error.message


def test_header_of_an_empty_mentees_file():
    assert parse_mentees(MENTEE_HEADER + "\r\n", VOCABULARY).ok
    error = only_error(parse_mentees("", VOCABULARY))
    assert (error.line, error.column) == (1, None)
    assert "empty" in error.message


def test_semicolon_separated_file_is_explained():
    error = only_error(parse_mentors(mentors(header=MENTOR_HEADER.replace(",", ";")), VOCABULARY))
    assert (error.line, error.column) == (1, None)
    assert "separated by ';'" in error.message


def test_file_without_a_header():
    error = only_error(parse_mentors(mentor_row() + "\n", VOCABULARY))
    assert "the first row must be the header" in error.message


def test_duplicate_header_column():
    result = parse_mentors(mentors(mentor_row() + ",x", header=MENTOR_HEADER + ",Name"), VOCABULARY)
    assert result.errors == [
        RowError(
            1, "name", "the column 'name' appears twice in the header (columns B and I): keep one"
        )
    ]


# -- encoding and quoting problems ----------------------------------------------------------


def test_latin1_file_is_reported_on_the_line_where_decoding_fails():
    text = mentors(mentor_row("a@example.org"), mentor_row("b@example.org", name="José"))
    error = only_error(parse_mentors(text.encode("latin-1"), VOCABULARY))
    assert (error.line, error.column) == (3, None)
    assert "not UTF-8" in error.message
    assert "CSV UTF-8" in error.message


def test_excel_workbook_is_recognised():
    error = only_error(parse_mentors(b"PK\x03\x04\x14\x00\x06\x00", VOCABULARY))
    assert "Excel workbook" in error.message


def test_utf16_file_is_recognised():
    error = only_error(parse_mentors(mentors(mentor_row()).encode("utf-16"), VOCABULARY))
    assert "UTF-16" in error.message


def test_broken_quoting_is_reported_on_its_row_and_later_rows_still_checked():
    text = mentors(
        mentor_row("a@example.org", name='"Ana" Diaz'),
        mentor_row("b@example.org", capacity="11"),
    )
    result = parse_mentors(text, VOCABULARY)
    assert [(error.line, error.column) for error in result.errors] == [(2, None), (3, "capacity")]
    assert 'write a double quote as two ("")' in result.errors[0].message


def test_unclosed_quote():
    result = parse_mentors(
        mentors(mentor_row(), mentor_row("b@example.org", name='"Bo')), VOCABULARY
    )
    assert [(error.line, error.column) for error in result.errors] == [(3, None)]
    assert "never closed" in result.errors[0].message


# -- row problems -----------------------------------------------------------------------------


@pytest.mark.parametrize("column", MENTOR_COLUMNS.required)
def test_each_required_mentor_cell(column):
    error = only_error(parse_mentors(mentors(mentor_row(**{column: ""})), VOCABULARY))
    assert (error.line, error.column) == (2, column)
    assert error.message.startswith(f"{column} is required")


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("ana.example.org", "it has no @"),
        ("ana@@example.org", "it has more than one @"),
        ("ana smith@example.org", "it contains a space"),
        ("@example.org", "nothing comes before the @"),
        ("ana@", "nothing comes after the @"),
        ("ana@example", "the part after the @ ('example') has no dot, as in 'example.org'"),
        ("ana@example..org", "the part after the @ ('example..org') is not a domain name"),
    ],
)
def test_bad_email_says_why(email, reason):
    error = only_error(parse_mentors(mentors(mentor_row(email)), VOCABULARY))
    assert error == RowError(2, "email", f"{email.lower()!r} is not an email address: {reason}")


def test_duplicate_email_reported_on_the_later_line_ignoring_case():
    text = mentors(
        mentor_row("a@example.org"),
        mentor_row("b@example.org"),
        mentor_row("c@example.org"),
        mentor_row("B@Example.org"),
    )
    result = parse_mentors(text, VOCABULARY)
    assert result.errors == [RowError(5, "email", "b@example.org appears again: already on line 3")]
    assert [record.line for record in result.records] == [2, 3, 4]


def test_timezone_typo_suggests_the_zone():
    error = only_error(parse_mentors(mentors(mentor_row(timezone="America/Chicgo")), VOCABULARY))
    assert error == RowError(
        2, "timezone", "'America/Chicgo' is not a time zone \u2014 did you mean 'America/Chicago'?"
    )


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Central Time", "America/Chicago"),
        ("EDT", "America/New_York"),
        ("pacific", "America/Los_Angeles"),
    ],
)
def test_timezone_abbreviation_suggests_the_zone(typed, zone):
    error = only_error(parse_mentors(mentors(mentor_row(timezone=typed)), VOCABULARY))
    assert error == RowError(
        2, "timezone", f"{typed!r} is not a time zone \u2014 did you mean {zone!r}?"
    )


def test_timezone_nothing_like_a_zone():
    error = only_error(parse_mentors(mentors(mentor_row(timezone="the clinic's")), VOCABULARY))
    assert "use an IANA name such as 'America/Chicago'" in error.message


def test_unknown_specialties_each_named_with_the_closest():
    text = mentors(mentor_row(specialties='"oncolgy; billing; biling; Oncology"'))
    result = parse_mentors(text, VOCABULARY)
    assert result.errors == [
        RowError(2, "specialties", "unknown specialty 'oncolgy' \u2014 did you mean 'oncology'?"),
        RowError(2, "specialties", "unknown specialty 'biling' \u2014 did you mean 'billing'?"),
    ]


def test_specialties_list_without_any_specialty():
    error = only_error(parse_mentors(mentors(mentor_row(specialties=" ; ; ")), VOCABULARY))
    assert error.column == "specialties"
    assert "at least one" in error.message


def test_mentee_specialties_keep_priority_order_without_repeats():
    result = parse_mentees(
        f"{MENTEE_HEADER}\n" + mentee_row(specialties='"mtm;Oncology;MTM;billing"') + "\n",
        VOCABULARY,
    )
    assert result.records[0].specialties == ("mtm", "oncology", "billing")


def test_each_bad_window_is_reported():
    text = mentors(mentor_row(availability='"Mnday 08:00-12:00; Tue 09:00-25:00; Wed 08:00-09:00"'))
    result = parse_mentors(text, VOCABULARY)
    assert result.errors == [
        RowError(
            2,
            "availability",
            "'Mnday 08:00-12:00': unknown day 'Mnday' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
        ),
        RowError(
            2,
            "availability",
            "'Tue 09:00-25:00': end time '25:00' is not a time of day"
            " (use HH:MM, 00:00\u201324:00)",
        ),
    ]


def test_overlapping_windows_in_a_row():
    text = mentors(mentor_row(availability='"Mon 08:00-12:00; Mon 11:00-13:00"'))
    assert only_error(parse_mentors(text, VOCABULARY)) == RowError(
        2, "availability", "'Mon 08:00-12:00' and 'Mon 11:00-13:00' overlap"
    )


def test_mentee_without_availability_can_never_be_matched():
    text = f"{MENTEE_HEADER}\n" + mentee_row(availability="") + "\n"
    error = only_error(parse_mentees(text, VOCABULARY))
    assert (error.line, error.column) == (2, "availability")
    assert "can never be matched" in error.message


@pytest.mark.parametrize("capacity", ["0", "11", "12", "-1", "two", "2.5", "1e1"])
def test_capacity_must_be_1_to_10(capacity):
    error = only_error(parse_mentors(mentors(mentor_row(capacity=capacity)), VOCABULARY))
    assert error == RowError(
        2, "capacity", f"capacity must be a whole number from 1 to 10, got {capacity!r}"
    )


@pytest.mark.parametrize(("capacity", "expected"), [("1", 1), ("10", 10), ("03", 3), ("4.0", 4)])
def test_capacity_written_as_spreadsheets_do(capacity, expected):
    assert (
        parse_mentors(mentors(mentor_row(capacity=capacity)), VOCABULARY).records[0].capacity
        == expected
    )


def test_years_experience_is_optional_and_0_to_70():
    header = MENTOR_HEADER + ",years_experience"
    result = parse_mentors(
        mentors(
            mentor_row("a@example.org") + ",",
            mentor_row("b@example.org") + ",0",
            mentor_row("c@example.org") + ",71",
            mentor_row("d@example.org") + ",ten",
            header=header,
        ),
        VOCABULARY,
    )
    assert [r.years_experience for r in result.records] == [None, 0]
    assert result.errors == [
        RowError(
            4, "years_experience", "years_experience must be a whole number from 0 to 70, got '71'"
        ),
        RowError(
            5, "years_experience", "years_experience must be a whole number from 0 to 70, got 'ten'"
        ),
    ]


@pytest.mark.parametrize(("column", "limit"), [("name", 200), ("site", 120), ("region", 120)])
def test_length_limits(column, limit):
    assert parse_mentors(mentors(mentor_row(**{column: "x" * limit})), VOCABULARY).ok
    error = only_error(
        parse_mentors(mentors(mentor_row(**{column: "x" * (limit + 1)})), VOCABULARY)
    )
    assert error == RowError(
        2, column, f"{column} is too long: {limit + 1} characters, at most {limit} allowed"
    )


def test_bio_and_goals_limit():
    text = mentors(mentor_row() + "," + "b" * 2001, header=MENTOR_HEADER + ",bio")
    assert only_error(parse_mentors(text, VOCABULARY)).column == "bio"
    mentee = f"{MENTEE_HEADER}\n" + mentee_row(goals="g" * 2001) + "\n"
    assert only_error(parse_mentees(mentee, VOCABULARY)).column == "goals"


def test_line_break_in_a_name_and_control_characters_are_refused():
    text = mentors(mentor_row(name='"Ana\nDiaz"'), mentor_row("b@example.org", site="Mercy\x00"))
    result = parse_mentors(text, VOCABULARY)
    assert [(e.line, e.column) for e in result.errors] == [(2, "name"), (3, "site")]
    assert "keep it on one line" in result.errors[0].message
    assert "U+0000" in result.errors[1].message


def test_preferred_mentors_must_be_emails_and_not_the_mentee():
    text = f"{MENTEE_HEADER}\n" + mentee_row(
        preferred_mentors='"ana@example.org; not-an-email; BEN@example.org; a@x.org, b@x.org"'
    )
    result = parse_mentees(text, VOCABULARY)
    assert result.errors == [
        RowError(2, "preferred_mentors", "'not-an-email' is not an email address: it has no @"),
        RowError(
            2,
            "preferred_mentors",
            "ben@example.org is this mentee's own email: a mentee cannot be their own mentor",
        ),
        RowError(
            2,
            "preferred_mentors",
            "'a@x.org, b@x.org' is not an email address: it contains a space"
            " (separate emails with ';', not ',')",
        ),
    ]


def test_every_problem_in_a_file_is_reported_in_line_order():
    text = mentors(
        mentor_row("a@example.org", capacity="0", timezone="Nowhere"),
        mentor_row("bad-email"),
        mentor_row("c@example.org"),
        mentor_row("a@example.org"),
    )
    result = parse_mentors(text, VOCABULARY)
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "timezone"),
        (2, "capacity"),
        (3, "email"),
        (5, "email"),
    ]
    assert [record.line for record in result.records] == [4]
    assert not result.ok


def test_row_error_as_api_detail():
    assert RowError(3, "timezone", "x").as_dict() == {
        "line": 3,
        "column": "timezone",
        "message": "x",
    }
    assert str(RowError(1, None, "empty")) == "line 1: empty"


# -- writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "neutralised"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1 555", "'+1 555"),
        ("-3", "'-3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=already", "''=already"),
        ("plain", "plain"),
        ("'quoted", "'quoted"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise_and_restore(value, neutralised):
    assert neutralise_cell(value) == neutralised
    assert restore_cell(neutralised) == value


def test_formula_cells_are_neutralised_in_exports_and_restored_on_import():
    record = MentorRecord(
        line=2,
        email="ana@example.org",
        name='=HYPERLINK("http://evil")',
        site="@site",
        region="-North",
        timezone="UTC",
        specialties=("mtm",),
        availability=(Window(6, 0, 1440),),
        capacity=1,
        credentials="+CPhT",
        years_experience=None,
        bio="'=kept as typed",
    )
    text = mentors_to_csv([record])
    assert "'=HYPERLINK" in text and "'@site" in text and "'-North" in text
    assert "''=kept as typed" in text
    assert parse_mentors(text, VOCABULARY).records == [record]


def test_export_format():
    record = MenteeRecord(
        line=2,
        email="ben@example.org",
        name="Ben, Jr.",
        site="Corner",
        region="West",
        timezone="America/Los_Angeles",
        specialties=("billing", "mtm"),
        availability=(Window(0, 540, 600), Window(5, 480, 1440)),
        goals="",
        preferred_mentors=("a@example.org", "b@example.org"),
    )
    assert mentees_to_csv([record]) == (
        "email,name,site,region,timezone,specialties,availability,goals,preferred_mentors\r\n"
        'ben@example.org,"Ben, Jr.",Corner,West,America/Los_Angeles,billing;mtm,'
        "Mon 09:00-10:00; Sat 08:00-24:00,,a@example.org;b@example.org\r\n"
    )
    assert mentors_to_csv([]) == ",".join(MENTOR_COLUMNS.all) + "\r\n"


@pytest.mark.parametrize(
    ("kind", "parse"), [("mentors", parse_mentors), ("mentees", parse_mentees)]
)
def test_templates_import_cleanly(kind, parse):
    text = template_csv(kind)
    header = text.splitlines()[0].split(",")
    columns = MENTOR_COLUMNS if kind == "mentors" else MENTEE_COLUMNS
    assert header == list(columns.all)
    result = parse(text, VOCABULARY)
    assert result.ok
    assert len(result.records) == 1


def test_unknown_template():
    with pytest.raises(ValueError):
        template_csv("shifts")  # type: ignore[arg-type]
