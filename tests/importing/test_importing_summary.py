"""The readable availability summary groups days and still parses to the same windows."""

from hypothesis import given
from hypothesis import strategies as st

from mentor_match.importing.availability import (
    Window,
    parse_availability,
    summarise_availability,
)


def test_weekday_runs_become_ranges():
    windows = parse_availability("Mon-Fri 07:00-15:00; Sat 10:00-12:00; Mon 16:00-18:00")
    assert summarise_availability(windows) == [
        "Mon-Fri 07:00-15:00",
        "Mon 16:00-18:00",
        "Sat 10:00-12:00",
    ]


def test_gaps_split_ranges():
    windows = parse_availability("Mon 09:00-10:00; Tue 09:00-10:00; Thu 09:00-24:00")
    assert summarise_availability(windows) == ["Mon-Tue 09:00-10:00", "Thu 09:00-24:00"]


@given(
    st.sets(
        st.tuples(st.integers(0, 6), st.sampled_from([(0, 60), (480, 720), (780, 1440)])),
        max_size=21,
    )
)
def test_summary_parses_back_to_the_same_windows(items):
    windows = {Window(day, start, end) for day, (start, end) in items}
    text = "; ".join(summarise_availability(windows))
    assert set(parse_availability(text)) == windows
