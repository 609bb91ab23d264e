"""The UAN parser: every valid number round-trips; every single-part corruption names that part."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentor_match.recertification import AUDIENCES, FORMATS, TOPICS, UanError, parse_uan
from mentor_match.recertification.uan import JOINT_CODES

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def fixed_digits(n: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from("0123456789"), min_size=n, max_size=n).map("".join)


providers = fixed_digits(4).filter(lambda p: p != "0000")
sequences = fixed_digits(3).filter(lambda s: s != "000")
valid_parts = st.fixed_dictionaries(
    {
        "provider": providers,
        "joint": st.sampled_from(sorted(JOINT_CODES)),
        "year": fixed_digits(2),
        "sequence": sequences,
        "format": st.sampled_from(sorted(FORMATS)),
        "topic": st.sampled_from(sorted(TOPICS)),
        "audience": st.sampled_from(sorted(AUDIENCES)),
    }
)


def join(p: dict[str, str]) -> str:
    return (
        f"{p['provider']}-{p['joint']}-{p['year']}-{p['sequence']}-"
        f"{p['format']}{p['topic']}-{p['audience']}"
    )


# On a shared, busy machine an example can take longer than hypothesis' default deadline.
PROFILE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(valid_parts)
def test_every_valid_code_round_trips(parts: dict[str, str]) -> None:
    text = join(parts)
    uan = parse_uan(text)
    assert str(uan) == text
    assert parse_uan(str(uan)) == uan
    assert parse_uan(f"  {text.lower()} ") == uan
    assert (uan.provider, uan.topic, uan.audience) == (
        parts["provider"],
        parts["topic"],
        parts["audience"],
    )


# For each part, values that are wrong for it (and it alone).
BAD_VALUES: dict[str, st.SearchStrategy[str]] = {
    "provider": st.sampled_from(["0000", "017", "01755", "01a5", "", "ABCD"]),
    "joint": st.sampled_from(["0001", "1234", "999", "99999", "00O0"]),
    "year": st.sampled_from(["1", "123", "2x", ""]),
    "sequence": st.sampled_from(["000", "12", "1234", "1O5"]),
    "format": st.sampled_from(["X", "Q", "A", "1"]),
    "topic": st.sampled_from(["00", "09", "10", "99", "5x"]),
    "audience": st.sampled_from(["X", "TP", "", "1", "Z"]),
}


@PROFILE
@given(valid_parts, st.sampled_from(sorted(BAD_VALUES)), st.data())
def test_every_single_part_corruption_is_refused_naming_that_part(
    parts: dict[str, str], part: str, data: st.DataObject
) -> None:
    bad = data.draw(BAD_VALUES[part])
    broken = dict(parts, **{part: bad})
    with pytest.raises(UanError) as exc:
        parse_uan(join(broken))
    assert exc.value.part == part, (join(broken), exc.value.message)


def test_messages_name_the_part_in_words() -> None:
    with pytest.raises(UanError, match="topic code 09 does not exist"):
        parse_uan("0175-0000-14-105-L09-T")
    with pytest.raises(UanError, match="format letter X does not exist"):
        parse_uan("0175-0000-14-105-X05-T")
    with pytest.raises(UanError, match="6 parts"):
        parse_uan("0175-0000-14-105-L05")
    with pytest.raises(UanError, match="empty"):
        parse_uan("   ")


def test_names_of_the_parts() -> None:
    uan = parse_uan("0175-9999-14-105-H03-P")
    assert uan.as_dict() == {
        "number": "0175-9999-14-105-H03-P",
        "provider": "0175",
        "joint": "9999",
        "year": "14",
        "sequence": "105",
        "format": "home study",
        "topic": "law",
        "topic_code": "03",
        "audience": "pharmacist",
    }
    assert not uan.for_technicians
