"""Key-result progress for every direction, on plain numbers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.alignment.progress import progress, weighted_mean

DIRECTIONS = ["increase", "decrease", "above", "below", "range"]
finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


def test_increase_is_linear_from_start_to_target():
    assert progress("increase", 10, 20, 10) == 0
    assert progress("increase", 10, 20, 15) == 50
    assert progress("increase", 10, 20, 20) == 100


def test_increase_is_clamped_beyond_target_and_below_start():
    assert progress("increase", 10, 20, 35) == 100
    assert progress("increase", 10, 20, 2) == 0


def test_decrease_counts_the_way_down():
    assert progress("decrease", 100, 40, 100) == 0
    assert progress("decrease", 100, 40, 70) == 50
    assert progress("decrease", 100, 40, 40) == 100
    assert progress("decrease", 100, 40, 10) == 100
    assert progress("decrease", 100, 40, 130) == 0


def test_a_target_on_the_wrong_side_of_the_start_is_met_or_not():
    # "increase to 5" from 10: there is no distance to cover; reaching 5 or more is done.
    assert progress("increase", 10, 5, 7) == 100
    assert progress("increase", 10, 5, 3) == 0
    assert progress("decrease", 5, 10, 8) == 100
    assert progress("decrease", 5, 10, 12) == 0
    # Start equal to target.
    assert progress("increase", 5, 5, 5) == 100
    assert progress("increase", 5, 5, 4) == 0


def test_keep_above_and_below():
    assert progress("above", 0, 95, 97) == 100
    assert progress("above", 0, 95, 95) == 100
    assert progress("above", 90, 95, 92.5) == 0  # started below, still below: failing now
    assert progress("above", 99, 95, 90) == 0  # started above and fell below
    assert progress("below", 0, 200, 150) == 100
    assert progress("below", 300, 200, 250) == 0
    assert progress("below", 100, 200, 250) == 0


def test_keep_within_a_range():
    assert progress("range", 0, 0, 50, low=40, high=60) == 100
    assert progress("range", 0, 0, 40, low=40, high=60) == 100
    assert progress("range", 20, 0, 30, low=40, high=60) == 0  # outside: no partial credit
    assert progress("range", 50, 0, 30, low=40, high=60) == 0
    assert progress("range", 100, 0, 80, low=40, high=60) == 0


def test_a_zero_width_range_is_a_single_point():
    assert progress("range", 0, 0, 7, low=7, high=7) == 100
    assert progress("range", 0, 0, 3.5, low=7, high=7) == 0
    assert progress("range", 7, 0, 8, low=7, high=7) == 0


def test_a_range_without_bounds_has_no_progress():
    assert progress("range", 0, 0, 5) == 0


def test_milestones_are_done_or_not():
    assert progress("increase", 0, 1, 0, is_milestone=True, done=True) == 100
    assert progress("increase", 0, 1, 1, is_milestone=True, done=False) == 0


def test_non_finite_numbers_count_as_no_progress():
    assert progress("increase", 0, 10, math.nan) == 0
    assert progress("increase", 0, 10, math.inf) == 0


def test_an_unknown_direction_is_refused():
    with pytest.raises(ValueError):
        progress("sideways", 0, 1, 1)


def test_weighted_mean_skips_what_has_no_progress():
    assert weighted_mean([(100, 3), (0, 1)]) == 75
    assert weighted_mean([(None, 5), (40, 1)]) == 40
    assert weighted_mean([]) is None


@given(st.sampled_from(DIRECTIONS), finite, finite, finite, finite, finite)
def test_progress_always_stays_between_0_and_100(direction, start, target, current, low, high):
    p = progress(direction, start, target, current, low=low, high=high)
    assert 0 <= p <= 100


@given(finite, finite, finite, finite)
def test_progress_rises_as_an_increase_key_result_rises(start, target, a, b):
    lo, hi = sorted((a, b))
    assert progress("increase", start, target, lo) <= progress("increase", start, target, hi)
    assert progress("above", start, target, lo) <= progress("above", start, target, hi)


@given(finite, finite, finite, finite)
def test_progress_rises_as_a_decrease_key_result_falls(start, target, a, b):
    lo, hi = sorted((a, b))
    assert progress("decrease", start, target, hi) <= progress("decrease", start, target, lo)
    assert progress("below", start, target, hi) <= progress("below", start, target, lo)


@given(finite, finite, finite, finite, finite)
def test_range_progress_rises_toward_the_range_from_either_side(start, low, high, a, b):
    low, high = sorted((low, high))
    x, y = sorted((a, b))
    p = lambda v: progress("range", start, 0, v, low=low, high=high)  # noqa: E731
    if y <= low:
        assert p(x) <= p(y)
    if x >= high:
        assert p(x) >= p(y)
    if low <= x <= high:
        assert p(x) == 100


@pytest.mark.parametrize(
    ("pct", "elapsed", "state"),
    [
        (47, 0.71, "a little behind"),  # 24 points behind: no signal yet, worth a look
        (45, 0.71, "behind"),  # 26 points: the off-pace signal's tolerance passed
        (65, 0.71, "on pace"),
        (82, 0.71, "ahead"),
        (40, 0.10, "ahead"),
    ],
)
def test_pace_reads_how_far_progress_is_from_the_share_of_the_period_gone(pct, elapsed, state):
    from accord.alignment.progress import pace

    assert pace(pct, "increase", False, elapsed)["state"] == state
    assert pace(pct, "above", False, elapsed)["state"] == ""  # a level has no pace
