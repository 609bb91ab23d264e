"""Match rounds a coordinator runs: pins, exclusions, empty pools and the reasons given."""

import pytest
from matching_builders import mentee, mentor

from mentor_match.matching import (
    MatchingError,
    RoundInput,
    Window,
    candidates,
    solve_round,
)

NIGHTS = (Window(0, 0, 6 * 60),)


def pairs(result):
    return {(m.mentee_id, m.mentor_id) for m in result.matches}


def test_empty_rounds_do_not_crash():
    nobody = solve_round(RoundInput(mentors=[], mentees=[]))
    assert nobody.matches == [] and nobody.unmatched == []
    assert nobody.stats["mentees"] == 0 and nobody.stats["matched"] == 0

    no_mentors = solve_round(RoundInput(mentors=[], mentees=[mentee(1), mentee(2)]))
    assert [u.reason for u in no_mentors.unmatched] == ["no_mentors", "no_mentors"]
    assert no_mentors.stats["max_matchable"] == 0
    assert no_mentors.stats["total_score"] == 0.0

    no_mentees = solve_round(RoundInput(mentors=[mentor(1)], mentees=[]))
    assert no_mentees.matches == [] and no_mentees.unmatched == []


def test_stats_have_every_key_the_app_reads():
    result = solve_round(RoundInput(mentors=[mentor(1)], mentees=[mentee(2)]))
    for key in (
        "mentees",
        "matched",
        "max_matchable",
        "total_score",
        "mean_score",
        "min_score",
        "solve_seconds",
        "score_seconds",
        "greedy_matched",
        "greedy_total_score",
    ):
        assert key in result.stats


def test_cardinality_beats_a_single_better_score():
    # Mentee 1 fits mentors 10 and 11 (prefers 10); mentee 2 fits only 10.
    data = RoundInput(
        mentors=[mentor(10, ["oncology", "mtm"]), mentor(11, ["oncology"], site="far")],
        mentees=[mentee(1, ["oncology"], preferred=[10]), mentee(2, ["mtm"])],
    )
    result = solve_round(data)
    assert pairs(result) == {(1, 11), (2, 10)}
    assert result.stats["max_matchable"] == 2


def test_greedy_baseline_is_reported_and_never_beats_the_optimum():
    data = RoundInput(
        mentors=[mentor(10, ["oncology", "mtm"]), mentor(11, ["oncology"], site="far")],
        mentees=[mentee(1, ["oncology"], preferred=[10]), mentee(2, ["mtm"])],
    )
    stats = solve_round(data).stats
    assert stats["greedy_matched"] == 1  # greedy gives 10 to mentee 1 and strands mentee 2
    assert stats["matched"] == 2


def test_capacity_spreads_mentees_over_places():
    data = RoundInput(
        mentors=[mentor(10, capacity=2), mentor(11, capacity=1)],
        mentees=[mentee(i) for i in range(1, 6)],
    )
    result = solve_round(data)
    per_mentor = [m.mentor_id for m in result.matches]
    assert per_mentor.count(10) == 2 and per_mentor.count(11) == 1
    full = [u for u in result.unmatched]
    assert {u.reason for u in full} == {"mentors_full"}
    assert all(u.mentor_ids == (10, 11) for u in full)
    assert "mentor 10, mentor 11" in full[0].message


def test_explanations_name_mentors_when_the_round_knows_their_names():
    from dataclasses import replace

    data = RoundInput(
        mentors=[replace(mentor(10, capacity=1), name="Dana Whitfield")],
        mentees=[mentee(1), mentee(2)],
    )
    [unmatched] = solve_round(data).unmatched
    assert unmatched.message == (
        "Every compatible mentor is full: Dana Whitfield (capacity reached)."
    )


def test_pins_are_kept_even_against_specialty_and_availability():
    data = RoundInput(
        mentors=[mentor(10, ["billing"], NIGHTS), mentor(11)],
        mentees=[mentee(1), mentee(2)],
        pins=frozenset({(1, 10)}),
    )
    result = solve_round(data)
    by_mentee = {m.mentee_id: m for m in result.matches}
    assert by_mentee[1].mentor_id == 10 and by_mentee[1].pinned
    assert by_mentee[2].mentor_id == 11 and not by_mentee[2].pinned
    # The pinned pair is listed among the mentee's candidates with the same score.
    [c] = [c for c in candidates(data, 1) if c.mentor_id == 10]
    assert c.score == by_mentee[1].score and c.breakdown == by_mentee[1].breakdown


def test_pins_use_up_capacity():
    data = RoundInput(
        mentors=[mentor(10, capacity=1)],
        mentees=[mentee(1), mentee(2)],
        pins=frozenset({(2, 10)}),
    )
    result = solve_round(data)
    assert pairs(result) == {(2, 10)}
    [u] = result.unmatched
    assert (u.mentee_id, u.reason, u.mentor_ids) == (1, "mentors_full", (10,))
    assert u.message == "Every compatible mentor is full: mentor 10 (capacity reached)."


@pytest.mark.parametrize(
    ("pins", "extra", "message"),
    [
        ({(1, 99)}, {}, "mentor 99 is not in the round"),
        ({(99, 10)}, {}, "mentee 99 is not in the round"),
        ({(1, 10), (2, 10)}, {}, "mentor 10 has 1 place.*2 mentees"),
        ({(1, 10), (1, 11)}, {}, "mentee 1 is pinned to more than one mentor"),
        ({(1, 10)}, {"exclusions": frozenset({(1, 10)})}, "both pinned to and excluded"),
        ({(1, 10)}, {"past_pairs": frozenset({(1, 10)})}, "earlier round"),
    ],
)
def test_impossible_pins_are_clear_errors(pins, extra, message):
    data = RoundInput(
        mentors=[mentor(10), mentor(11)],
        mentees=[mentee(1), mentee(2)],
        pins=frozenset(pins),
        **extra,
    )
    with pytest.raises(MatchingError, match=message):
        solve_round(data)


def test_pin_to_a_mentor_without_places_is_an_error():
    data = RoundInput(mentors=[mentor(10, capacity=0)], mentees=[mentee(1)], pins={(1, 10)})
    with pytest.raises(MatchingError, match="0 place"):
        solve_round(data)


def test_duplicate_ids_are_an_error():
    with pytest.raises(MatchingError, match="mentor id 3 appears more than once"):
        solve_round(RoundInput(mentors=[mentor(3), mentor(3)], mentees=[mentee(1)]))


def test_exclusions_and_past_pairs_are_never_used():
    data = RoundInput(
        mentors=[mentor(10), mentor(11), mentor(12)],
        mentees=[mentee(1), mentee(2)],
        exclusions=frozenset({(1, 10), (1, 11)}),
        past_pairs=frozenset({(2, 12)}),
    )
    result = solve_round(data)
    assert (1, 10) not in pairs(result) and (1, 11) not in pairs(result)
    assert pairs(result) == {(1, 12), (2, 10)} or pairs(result) == {(1, 12), (2, 11)}


def test_each_unmatched_reason_is_explained():
    data = RoundInput(
        mentors=[mentor(10, ["oncology"]), mentor(11, ["mtm"], NIGHTS), mentor(12, ["billing"])],
        mentees=[
            mentee(1, ["nuclear"]),
            mentee(2, ["mtm"]),
            mentee(3, ["billing"]),
            mentee(4, ["oncology"]),
            mentee(5, ["oncology"]),
        ],
        exclusions=frozenset({(3, 12)}),
        pins=frozenset({(4, 10)}),
    )
    result = solve_round(data)
    reasons = {u.mentee_id: u for u in result.unmatched}
    assert reasons[1].reason == "no_shared_specialty"
    assert "nuclear" in reasons[1].message
    assert reasons[2].reason == "no_shared_availability"
    assert "mentor 11" in reasons[2].message and "2 hours" in reasons[2].message
    assert reasons[3].reason == "excluded"
    assert reasons[3].mentor_ids == (12,)
    assert reasons[5].reason == "mentors_full"
    assert reasons[5].mentor_ids == (10,)
    assert result.stats["matched"] == 1 and result.stats["max_matchable"] == 1


def test_past_pairs_are_named_in_the_explanation():
    data = RoundInput(mentors=[mentor(10)], mentees=[mentee(1)], past_pairs=frozenset({(1, 10)}))
    [u] = solve_round(data).unmatched
    assert u.reason == "excluded" and "earlier round" in u.message


def test_candidates_are_best_first_with_ties_by_mentor_id():
    data = RoundInput(
        mentors=[mentor(12), mentor(10), mentor(11, site="elsewhere"), mentor(13, ["billing"])],
        mentees=[mentee(1)],
    )
    listed = candidates(data, 1)
    assert [c.mentor_id for c in listed] == [10, 12, 11]
    assert listed[0].score == listed[1].score > listed[2].score


def test_candidates_for_an_unknown_mentee_is_an_error():
    with pytest.raises(MatchingError, match="mentee 5"):
        candidates(RoundInput(mentors=[mentor(1)], mentees=[mentee(2)]), 5)


def test_progress_is_reported_in_stages_up_to_done():
    seen = []
    solve_round(
        RoundInput(mentors=[mentor(1)], mentees=[mentee(2)]),
        progress=lambda stage, fraction: seen.append((stage, fraction)),
    )
    stages = [s for s, _ in seen]
    assert stages[0] == "scoring" and "solving" in stages and "explaining" in stages
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_large_sparse_round_uses_the_sparse_solver_and_matches_everyone_it_can():
    mentors = [mentor(1000 + j, capacity=2) for j in range(300)]
    mentees = [mentee(i) for i in range(1, 701)]
    result = solve_round(RoundInput(mentors=mentors, mentees=mentees))
    assert result.stats["solver"] == "sparse"
    assert result.stats["matched"] == result.stats["max_matchable"] == 600


def test_round_places_windows_in_its_own_reference_week():
    from datetime import date

    night = (Window(6, 60, 240),)  # Sunday 01:00-04:00 New York
    always = tuple(Window(d, 0, 1440) for d in range(7))
    people = {
        "mentors": [mentor(1, windows=night, timezone="America/New_York")],
        "mentees": [mentee(2, windows=always, timezone="UTC")],
        "min_overlap_hours": 2.5,
    }
    ordinary = solve_round(RoundInput(**people, week_start=date(2026, 2, 23)))
    assert ordinary.stats["matched"] == 1
    # Any day of the week names that week: Sunday 2026-03-08 is the spring-forward day.
    spring = solve_round(RoundInput(**people, week_start=date(2026, 3, 8)))
    [gap] = spring.unmatched
    assert gap.reason == "no_shared_availability" and "2 hours" in gap.message


def test_mentor_with_no_places_left_is_not_a_candidate_and_is_named_full():
    data = RoundInput(mentors=[mentor(1, capacity=0)], mentees=[mentee(2)])
    assert candidates(data, 2) == []
    [gap] = solve_round(data).unmatched
    assert (gap.reason, gap.mentor_ids) == ("mentors_full", (1,))
