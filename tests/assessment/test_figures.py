"""The one rule from a score to its shown figure (assessment/figures.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.aggregation import band_of
from assessment.figures import (
    boundaries_of,
    change_text,
    exact,
    score_text,
    shown_change,
    shown_score,
)
from questions.loader import CONTENT_DIR, load_questionnaire

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
BOUNDARIES = boundaries_of(QUESTIONNAIRE)
#: Each band's shown range: the one-decimal figures a score in the band may show.
SHOWN_RANGES = {"zorg": (Decimal("1.0"), Decimal("2.9")),
                "aandacht": (Decimal("3.0"), Decimal("3.9")),
                "sterk": (Decimal("4.0"), Decimal("5.0"))}
scores = st.floats(min_value=1.0, max_value=5.0, allow_nan=False)
#: Means as the product makes them: a sum of respondents' scores (k/v, v ≤ 4) over n.
means = st.lists(st.fractions(min_value=1, max_value=5, max_denominator=4),
                 min_size=1, max_size=60).map(lambda values: float(sum(values)) / len(values))


def test_the_boundaries_are_the_band_minimums_and_the_quadrant_split():
    assert boundaries_of(QUESTIONNAIRE) == (Decimal("3.0"), Decimal("4.0"))


@pytest.mark.parametrize(("score", "shown"), [
    (2.958, "2,9"),    # band zorg: rounding up would land on 3,0, where aandacht starts
    (2.95, "2,9"),
    (2.94, "2,9"),
    (3.0, "3,0"),
    (3.04, "3,0"),
    (3.25, "3,3"),     # an exact half rounds up, as everywhere
    (2.35, "2,4"),
    (3.96, "3,9"),     # aandacht stays under 4,0
    (3.2499999999999996, "3,3"),  # a true 3.25 that floating point left a hair under
    (4.0, "4,0"),
    (4.96, "5,0"),
    (1.04, "1,0"),
])
def test_a_score_is_shown_with_one_decimal_never_across_a_band_boundary(score, shown):
    assert score_text(score, BOUNDARIES, "nl") == shown


def test_english_writes_a_decimal_point_and_none_is_a_dash():
    assert score_text(3.25, BOUNDARIES, "en") == "3.3"
    assert score_text(None, BOUNDARIES, "nl") == "–"


@given(scores)
def test_every_shown_score_lies_in_its_band_s_shown_range(score):
    low, high = SHOWN_RANGES[_band(score)]
    assert low <= shown_score(score, BOUNDARIES) <= high


@given(means)
def test_every_shown_mean_lies_in_its_band_s_shown_range(score):
    low, high = SHOWN_RANGES[_band(score)]
    assert low <= shown_score(score, BOUNDARIES) <= high


@given(scores)
def test_a_shown_score_is_at_most_a_tenth_from_the_score(score):
    assert abs(shown_score(score, BOUNDARIES) - exact(score)) < Decimal("0.1")


@given(scores, scores)
def test_a_shown_change_is_the_difference_of_the_shown_scores(current, previous):
    change = shown_change(current, previous, BOUNDARIES)
    assert change == shown_score(current, BOUNDARIES) - shown_score(previous, BOUNDARIES)
    # And as text: the change's digits are the difference of the two shown texts.
    texts = [score_text(v, BOUNDARIES, "en") for v in (current, previous)]
    difference = Decimal(texts[0]) - Decimal(texts[1])
    assert change_text(change, "en") == change_text(difference, "en")


@pytest.mark.parametrize(("current", "previous", "text"), [
    (2.86, 2.84, "+0,1"),  # 2,8 → 2,9: never "±0,0"
    (2.84, 2.86, "−0,1"),
    (3.04, 2.96, "+0,1"),  # 2,9 → 3,0 (2.96 is zorg, so 2,9)
    (3.3, 3.3, "±0,0"),
])
def test_a_change_is_written_with_its_sign(current, previous, text):
    assert change_text(shown_change(current, previous, BOUNDARIES), "nl") == text


def test_a_boundary_between_tenths_is_not_crossed_either_way():
    boundaries = (Decimal("3.25"),)
    assert shown_score(3.24, boundaries) == Decimal("3.2")
    assert shown_score(3.26, boundaries) == Decimal("3.3")
    low = (Decimal("3.23"),)
    assert shown_score(3.24, low) == Decimal("3.3")   # 3,2 would be under 3.23
    assert shown_score(3.22, low) == Decimal("3.2")


def test_a_band_and_its_shown_score_read_the_same_exact_score():
    # A mean that is truly 3 but computed a hair under it is "aandacht", shown 3,0.
    assert band_of(QUESTIONNAIRE, 2.9999999999999996) == "aandacht"
    assert score_text(2.9999999999999996, BOUNDARIES, "nl") == "3,0"


def _band(score: float) -> str:
    return band_of(QUESTIONNAIRE, score)
