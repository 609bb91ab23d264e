"""Coordinator weights: validation and how they shape a score."""

import pytest
from matching_builders import mentee, mentor

from mentor_match.matching import RoundInput, Weights, Window, candidates


def test_defaults_round_trip_through_a_mapping():
    w = Weights()
    assert Weights.from_mapping(w.as_dict()) == w
    assert Weights.from_mapping({}) == w
    assert Weights.from_mapping({"specialty": 1}).specialty == 1.0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"specialities": 0.5}, "unknown weight.*specialities"),
        ({"site": -0.1}, "site.*>= 0"),
        ({"site": float("nan")}, "site"),
        ({"preference": "high"}, "preference.*number"),
        ({"preference": True}, "preference.*number"),
        ({"saturation_hours": 0}, "saturation_hours"),
        (
            {"specialty": 0, "availability": 0, "site": 0, "preference": 0},
            "at least one",
        ),
    ],
)
def test_bad_weights_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ValueError, match=message):
        Weights.from_mapping(data)


def test_a_perfect_pair_scores_one_and_the_breakdown_adds_up():
    week = tuple(Window(d, 0, 1440) for d in range(7))
    data = RoundInput(
        mentors=[mentor(1, ["oncology", "mtm"], week, site="a", region="r")],
        mentees=[mentee(7, ["oncology"], week, site="a", region="r", preferred=[1])],
    )
    [c] = candidates(data, 7)
    assert c.score == pytest.approx(1.0)
    assert set(c.breakdown) == {"specialty", "availability", "site", "preference"}
    assert sum(c.breakdown.values()) == pytest.approx(c.score)
    assert c.overlap_hours == 168.0


def test_factor_rules_for_specialty_priority_region_and_preference_rank():
    weights = Weights(specialty=1, availability=1, site=1, region=0.5, preference=1)
    three_hours = (Window(0, 9 * 60, 12 * 60),)
    data = RoundInput(
        mentors=[
            mentor(1, ["oncology"], three_hours, site="a", region="r"),
            mentor(2, ["mtm"], three_hours, site="b", region="r"),
            mentor(3, ["billing"], three_hours, site=None, region=None),
        ],
        mentees=[
            mentee(
                9,
                ["oncology", "mtm", "billing"],
                three_hours,
                site="a",
                region="r",
                preferred=[3, 2, 99],  # 99 is not in the round: ranks still count
            )
        ],
        weights=weights,
        min_overlap_hours=1,
    )
    by_id = {c.mentor_id: c for c in candidates(data, 9)}
    # Specialty points 3/2/1 of 6; availability 3 h of 6 h saturation = 0.5.
    assert by_id[1].breakdown == pytest.approx(
        {"specialty": 0.5 / 4, "availability": 0.5 / 4, "site": 1 / 4, "preference": 0.0}
    )
    assert by_id[2].breakdown == pytest.approx(
        {"specialty": (2 / 6) / 4, "availability": 0.5 / 4, "site": 0.5 / 4, "preference": 0.8 / 4}
    )
    assert by_id[3].breakdown == pytest.approx(
        {"specialty": (1 / 6) / 4, "availability": 0.5 / 4, "site": 0.0, "preference": 1.0 / 4}
    )


def test_region_credit_never_exceeds_site_credit():
    weights = Weights(site=0.1, region=0.3)
    data = RoundInput(
        mentors=[mentor(1, site="x", region="r")],
        mentees=[mentee(2, site="y", region="r")],
        weights=weights,
    )
    [c] = candidates(data, 2)
    assert c.breakdown["site"] == pytest.approx(0.1 / weights.total)
