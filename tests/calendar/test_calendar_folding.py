"""Folding at 75 octets: never longer, never inside a UTF-8 character, and reversible."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentor_match.calendar import fold_line


def octets(part: str) -> int:
    return len(part.encode("utf-8"))


def unfold(folded: str) -> str:
    return folded.replace("\r\n ", "")


def test_short_line_is_left_alone() -> None:
    assert fold_line("SUMMARY:Shadowing") == "SUMMARY:Shadowing"
    assert fold_line("X" * 75) == "X" * 75


def test_ascii_line_is_cut_at_75_then_74_plus_the_space() -> None:
    folded = fold_line("D" * 200)
    parts = folded.split("\r\n")
    assert [len(p) for p in parts] == [75, 75, 52]
    assert parts[1].startswith(" ") and parts[2].startswith(" ")
    assert unfold(folded) == "D" * 200


def test_multibyte_character_is_never_split() -> None:
    line = "DESCRIPTION:" + "é" * 40 + "💊" * 20
    folded = fold_line(line)
    for part in folded.split("\r\n"):
        assert octets(part) <= 75
    assert unfold(folded) == line


def test_line_with_a_break_is_refused() -> None:
    with pytest.raises(ValueError, match="CR or LF"):
        fold_line("SUMMARY:a\nb")


@given(st.text(alphabet=st.characters(blacklist_characters="\r\n", codec="utf-8"), max_size=600))
def test_folding_never_exceeds_75_octets_and_unfolds_to_the_original(line: str) -> None:
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert all(octets(p) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert all(len(p) > 1 for p in parts[1:]), "a continuation line carries content"
    assert unfold(folded) == line
