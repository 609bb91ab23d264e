"""Weekly availability text: what coordinators and the profile editor may write, and the errors."""

import pytest

from mentor_match.importing.availability import (
    AvailabilityError,
    Window,
    format_availability,
    parse_availability,
    parse_window_spec,
    validate_windows,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def problems(text: str) -> tuple[str, ...]:
    with pytest.raises(AvailabilityError) as caught:
        parse_availability(text)
    return caught.value.problems


def test_single_window():
    assert parse_window_spec("Mon 08:00-12:00") == [Window(MON, 480, 720)]


def test_window_prints_canonically():
    assert str(Window(SUN, 0, 1440)) == "Sun 00:00-24:00"
    assert str(Window(TUE, 65, 599)) == "Tue 01:05-09:59"


def test_day_range_gives_one_window_per_day():
    assert parse_window_spec("Mon-Fri 09:00-17:00") == [
        Window(day, 540, 1020) for day in (MON, TUE, WED, THU, FRI)
    ]


def test_day_range_may_wrap_past_sunday():
    assert parse_window_spec("Sat-Mon 10:00-11:00") == [
        Window(SAT, 600, 660),
        Window(SUN, 600, 660),
        Window(MON, 600, 660),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "mon 8:00-12:00",
        "MONDAY 08:00-12:00",
        "Monday 08:00 - 12:00",
        "  Mon   08:00-12:00  ",
        "Mon 08:00\u201312:00",  # en dash, as word processors write it
    ],
)
def test_lenient_spellings(text):
    assert parse_window_spec(text) == [Window(MON, 480, 720)]


def test_full_day_range_names_and_24_00_end():
    assert parse_window_spec("Saturday-Sunday 18:00-24:00") == [
        Window(SAT, 1080, 1440),
        Window(SUN, 1080, 1440),
    ]


def test_availability_is_sorted_and_touching_windows_are_fine():
    assert parse_availability("Tue 12:00-13:00; Mon 12:00-14:00; Mon 08:00-12:00") == (
        Window(MON, 480, 720),
        Window(MON, 720, 840),
        Window(TUE, 720, 780),
    )


def test_empty_text_and_empty_items():
    assert parse_availability("") == ()
    assert parse_availability("  ;  ") == ()
    assert parse_availability("Mon 08:00-09:00;") == (Window(MON, 480, 540),)


def test_bad_end_time_says_which_part():
    assert problems("Mon 08:00-25:00") == (
        "'Mon 08:00-25:00': end time '25:00' is not a time of day (use HH:MM, 00:00\u201324:00)",
    )


def test_bad_start_time_says_which_part():
    assert problems("Mon 8:75-12:00") == (
        "'Mon 8:75-12:00': start time '8:75' is not a time of day (use HH:MM, 00:00\u201324:00)",
    )


def test_24_00_only_ends_a_window():
    (problem,) = problems("Mon 24:00-24:00")
    assert "cannot start at 24:00" in problem
    assert "24:30" in problems("Mon 20:00-24:30")[0]


def test_window_ending_before_it_starts():
    (problem,) = problems("Fri 12:00-09:00")
    assert problem.startswith("'Fri 12:00-09:00': the window ends before it starts")


def test_empty_window():
    (problem,) = problems("Fri 09:00-09:00")
    assert "empty" in problem


def test_unknown_day():
    assert problems("Mnday 08:00-12:00") == (
        "'Mnday 08:00-12:00': unknown day 'Mnday' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
    )


def test_unknown_day_in_range_and_bad_time_are_both_reported():
    assert problems("Mon-Fry 08:00-26:00") == (
        "'Mon-Fry 08:00-26:00': unknown day 'Fry' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
        "'Mon-Fry 08:00-26:00': end time '26:00' is not a time of day"
        " (use HH:MM, 00:00\u201324:00)",
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("mornings", "no times given"),
        ("08:00-12:00", "no day given"),
        ("Mon 08:00", "give a start and an end time"),
        ("Mon 08:00-", "the end time is missing"),
        ("Mon-Tue-Wed 08:00-09:00", "is not a day or a day range"),
        ("Mon, Tue 08:00-09:00", "separate windows with ';'"),
    ],
)
def test_shape_problems(text, fragment):
    (problem,) = problems(text)
    assert fragment in problem
    assert problem.startswith(repr(text))


def test_overlap_names_both_windows():
    assert problems("Mon 08:00-12:00; Mon 11:00-13:00") == (
        "'Mon 08:00-12:00' and 'Mon 11:00-13:00' overlap",
    )


def test_overlap_from_a_day_range_names_the_day():
    assert problems("Mon-Fri 09:00-17:00; Wed 16:00-18:00") == (
        "'Wed 09:00-17:00' and 'Wed 16:00-18:00' overlap",
    )


def test_window_inside_a_longer_one_and_repeats():
    assert problems(
        "Mon 08:00-18:00; Mon 09:00-10:00; Mon 11:00-12:00; Tue 08:00-09:00; Tue 08:00-09:00"
    ) == (
        "'Mon 08:00-18:00' and 'Mon 09:00-10:00' overlap",
        "'Mon 08:00-18:00' and 'Mon 11:00-12:00' overlap",
        "'Tue 08:00-09:00' is listed twice",
    )


def test_every_problem_is_collected_and_in_the_message():
    with pytest.raises(AvailabilityError) as caught:
        parse_availability("Mnday 08:00-12:00; Tue 10:00-09:00; Wed 08:00-12:00")
    assert len(caught.value.problems) == 2
    assert isinstance(caught.value, ValueError)
    for problem in caught.value.problems:
        assert problem in str(caught.value)


def test_format_round_trips():
    windows = parse_availability("Sat-Mon 09:00-24:00; Wed 07:30-08:15")
    assert format_availability(windows) == [
        "Mon 09:00-24:00",
        "Wed 07:30-08:15",
        "Sat 09:00-24:00",
        "Sun 09:00-24:00",
    ]
    assert parse_availability("; ".join(format_availability(windows))) == windows


def test_validate_windows_accepts_good_windows():
    validate_windows([Window(MON, 0, 1440), Window(TUE, 60, 120), Window(TUE, 120, 180)])
    validate_windows([])


def test_validate_windows_reports_bounds_and_overlaps():
    with pytest.raises(AvailabilityError) as caught:
        validate_windows(
            [
                Window(7, 60, 120),
                Window(MON, -1, 60),
                Window(MON, 60, 1441),
                Window(TUE, 600, 600),
                Window(WED, 60, 180),
                Window(WED, 120, 240),
            ]
        )
    found = caught.value.problems
    assert len(found) == 5
    assert "weekday 7 is not a day" in found[0]
    assert "start time" in found[1]
    assert "end time '24:01'" in found[2]
    assert "ends before" in found[3]
    assert found[4] == "'Wed 01:00-03:00' and 'Wed 02:00-04:00' overlap"


def test_validate_windows_rejects_non_numbers():
    with pytest.raises(AvailabilityError, match="whole numbers"):
        validate_windows([Window(MON, "08:00", 600)])  # type: ignore[arg-type]
