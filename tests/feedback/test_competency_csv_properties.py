"""Properties of the competency CSV (no Flask): export→import is the identity, one bad row
fails the file and is reported on its own line, and no input makes the parser raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentor_match.importing.competencies import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    CompetencyRecord,
    competencies_to_csv,
    parse_competencies,
)
from mentor_match.importing.specialties import DEFAULT_SPECIALTIES, SpecialtyVocabulary

VOCABULARY = SpecialtyVocabulary(DEFAULT_SPECIALTIES)
SLUGS = [s.slug for s in DEFAULT_SPECIALTIES]
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60)

# Text without line breaks or control characters, trimmed (the reader trims cells), with
# the characters that make CSV and spreadsheets interesting.
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from('=+-@,";'),
    max_size=40,
).map(str.strip)
codes = st.from_regex(r"[A-Z0-9][A-Z0-9.\-]{0,10}", fullmatch=True)
records = st.builds(
    CompetencyRecord,
    code=codes,
    title=_text.filter(bool).map(lambda t: t[:TITLE_MAX]),
    description=_text.map(lambda t: t[:DESCRIPTION_MAX]),
    specialty=st.none() | st.sampled_from(SLUGS),
    active=st.booleans(),
)


def _key(r: CompetencyRecord) -> tuple:
    return (r.code, r.title, r.description, r.specialty, r.active)


@FAST
@given(st.lists(records, max_size=8, unique_by=lambda r: r.code))
def test_export_then_import_gives_the_same_framework(items):
    parsed = parse_competencies(competencies_to_csv(items), VOCABULARY)
    assert parsed.ok, parsed.errors
    assert [_key(r) for r in parsed.records] == [_key(r) for r in items]


@FAST
@given(st.lists(records, min_size=1, max_size=6, unique_by=lambda r: r.code), st.data())
def test_one_bad_row_is_reported_on_its_line_and_nothing_is_kept(items, data):
    bad = data.draw(st.integers(0, len(items) - 1))
    lines = competencies_to_csv(items).splitlines()
    cells = lines[bad + 1].split(",")
    lines[bad + 1] = ",".join(["not a code!", *cells[1:]])
    parsed = parse_competencies("\n".join(lines) + "\n", VOCABULARY)
    assert not parsed.ok
    assert {(e.line, e.column) for e in parsed.errors} >= {(bad + 2, "code")}


@FAST
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_no_input_makes_the_parser_raise(data):
    parsed = parse_competencies(data, VOCABULARY)
    assert parsed.ok or parsed.errors
