"""Weekly overlap in UTC: time zones, DST weeks, 24:00 ends and weeks that wrap around."""

from datetime import date

import pytest

from mentor_match.matching import MatchingError, Mentee, Mentor, Window, overlap_hours
from mentor_match.matching.availability import slot_minutes, utc_intervals

MON, SAT, SUN = 0, 5, 6


def hm(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def win(day: int, start: str, end: str) -> Window:
    return Window(day, hm(start), hm(end))


def test_chicago_morning_meets_new_york_late_morning_for_two_hours():
    mentor = [win(MON, "09:00", "12:00")]
    mentee = [win(MON, "11:00", "15:00")]
    assert overlap_hours(mentor, "America/Chicago", mentee, "America/New_York") == 2.0
    # Same wall-clock windows in one zone would overlap only 1 hour.
    assert overlap_hours(mentor, "America/Chicago", mentee, "America/Chicago") == 1.0


def test_overlap_is_symmetric():
    a = [win(MON, "09:00", "12:00"), win(SAT, "20:00", "24:00")]
    b = [win(MON, "10:15", "18:00"), win(SUN, "00:00", "03:00")]
    ab = overlap_hours(a, "America/Denver", b, "America/Phoenix")
    ba = overlap_hours(b, "America/Phoenix", a, "America/Denver")
    assert ab == ba


def test_spring_forward_sunday_window_lasts_its_real_two_hours():
    week = date(2026, 3, 2)  # contains Sunday 2026-03-08, when US clocks jump 02:00 -> 03:00
    night = [win(SUN, "01:00", "04:00")]
    whole_day_utc = [Window(d, 0, 1440) for d in range(7)]
    assert overlap_hours(night, "America/New_York", whole_day_utc, "UTC", week) == 2.0
    # The week before has no change: three hours.
    assert overlap_hours(night, "America/New_York", whole_day_utc, "UTC", date(2026, 2, 23)) == 3.0


def test_fall_back_sunday_window_lasts_its_real_four_hours():
    week = date(2026, 10, 26)  # contains Sunday 2026-11-01, when 02:00 falls back to 01:00
    night = [win(SUN, "00:00", "03:00")]
    always = [Window(d, 0, 1440) for d in range(7)]
    assert overlap_hours(night, "America/New_York", always, "UTC", week) == 4.0


def test_dst_week_shifts_offsets_only_after_the_change():
    week = date(2026, 3, 2)
    new_york_monday = [win(MON, "09:00", "10:00")]
    utc_monday = [win(MON, "14:00", "15:00")]  # 09:00 EST
    assert overlap_hours(new_york_monday, "America/New_York", utc_monday, "UTC", week) == 1.0
    new_york_sunday = [win(SUN, "09:00", "10:00")]
    utc_sunday_edt = [win(SUN, "13:00", "14:00")]  # 09:00 EDT, after the change
    assert overlap_hours(new_york_sunday, "America/New_York", utc_sunday_edt, "UTC", week) == 1.0


def test_window_ending_at_midnight_reaches_the_next_day():
    late = [win(MON, "20:00", "24:00")]
    early = [Window(1, 0, 60)]  # Tuesday 00:00-01:00
    # Chicago 20:00-24:00 Monday is New York 21:00-01:00 Tuesday.
    assert overlap_hours(late, "America/Chicago", early, "America/New_York") == 1.0
    assert overlap_hours(late, "UTC", [win(MON, "23:30", "24:00")], "UTC") == 0.5


def test_week_wraps_sunday_evening_into_monday_morning():
    # Los Angeles Sunday 20:00-24:00 is Monday 04:00-08:00 UTC of the following week.
    sunday_evening = [win(SUN, "20:00", "24:00")]
    monday_morning = [win(MON, "05:00", "06:30")]
    assert overlap_hours(sunday_evening, "America/Los_Angeles", monday_morning, "UTC") == 1.5


def test_quarter_hour_and_odd_offsets_are_exact():
    a = [win(MON, "09:10", "10:55")]
    b = [win(MON, "09:40", "12:00")]
    assert overlap_hours(a, "UTC", b, "UTC") == pytest.approx(75 / 60)
    # Kathmandu is UTC+05:45.
    kathmandu = [win(MON, "15:45", "17:45")]
    assert overlap_hours(kathmandu, "Asia/Kathmandu", [win(MON, "10:00", "11:00")], "UTC") == 1.0


def test_overlapping_windows_of_one_person_count_once():
    a = [win(MON, "09:00", "12:00"), win(MON, "10:00", "13:00")]
    b = [Window(MON, 0, 1440)]
    assert overlap_hours(a, "UTC", b, "UTC") == 4.0


def test_no_windows_means_no_overlap():
    assert overlap_hours([], "UTC", [Window(MON, 0, 1440)], "UTC") == 0.0


def test_unknown_time_zone_is_a_clear_error():
    with pytest.raises(MatchingError, match="Mars/Olympus"):
        overlap_hours([win(MON, "09:00", "10:00")], "Mars/Olympus", [], "UTC")


def test_slots_are_as_coarse_as_the_boundaries_allow():
    hours = [utc_intervals([win(MON, "09:00", "17:00")], "America/Chicago", date(2026, 1, 5))]
    assert slot_minutes(hours) == 60
    quarter = hours + [utc_intervals([win(MON, "09:15", "10:00")], "UTC", date(2026, 1, 5))]
    assert slot_minutes(quarter) == 15
    odd = [[(0, 7)]]
    assert slot_minutes(odd) == 5


@pytest.mark.parametrize(
    ("weekday", "start", "end"),
    [(7, 0, 60), (-1, 0, 60), (0, 60, 60), (0, 120, 60), (0, 0, 1441), (0, -5, 60)],
)
def test_invalid_windows_are_rejected(weekday, start, end):
    window = Window(weekday, start, end)
    assert window.problems()
    with pytest.raises(ValueError, match="window"):
        Mentee(1, ("oncology",), (window,), "UTC", None, None)
    with pytest.raises(ValueError, match="window"):
        Mentor(2, ("oncology",), (window,), "UTC", None, None, capacity=1)
