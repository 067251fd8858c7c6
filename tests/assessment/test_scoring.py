"""Scoring one respondent: answer codes, reverse wording and the half-valid rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.scoring import (
    ScaleRange,
    ScoredStatement,
    answer_value,
    group_score,
    reverse,
    scored_value,
)

FIVE = ScaleRange(1, 5)
SEVEN = ScaleRange(1, 7)

#: A lesson of four statements, the last worded in reverse.
LESSON = (ScoredStatement("a"), ScoredStatement("b"), ScoredStatement("c"),
          ScoredStatement("d", reverse=True))
PAIR = (ScoredStatement("x"), ScoredStatement("y"))


# -- reverse wording --------------------------------------------------------------------


@pytest.mark.parametrize(("value", "reversed_value"), [(1, 5), (2, 4), (3, 3), (4, 2), (5, 1)])
def test_reverse_on_five_points(value, reversed_value):
    assert reverse(value) == reversed_value
    assert reverse(value, FIVE) == reversed_value


@pytest.mark.parametrize(("value", "reversed_value"), [(1, 7), (2, 6), (4, 4), (6, 2), (7, 1)])
def test_reverse_on_seven_points(value, reversed_value):
    assert reverse(value, SEVEN) == reversed_value


@pytest.mark.parametrize("scale", [FIVE, SEVEN, ScaleRange(1, 3)])
def test_reversing_twice_is_the_identity(scale):
    for value in range(scale.minimum, scale.maximum + 1):
        assert reverse(reverse(value, scale), scale) == value


@pytest.mark.parametrize(("code", "reversed_statement", "expected"), [
    ("1", False, 1), ("1", True, 5),
    ("2", True, 4), ("3", True, 3),
    ("5", False, 5), ("5", True, 1),
    ("weet_niet", True, None), ("nvt", True, None), (None, True, None),
])
def test_scored_value_reverses_only_valid_answers(code, reversed_statement, expected):
    assert scored_value(code, reversed_statement) == expected


# -- which codes have a value -----------------------------------------------------------


@pytest.mark.parametrize(("code", "expected"), [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)])
def test_scale_points_have_their_value(code, expected):
    assert answer_value(code) == expected


@pytest.mark.parametrize("code", [
    "weet_niet", "nvt", None, "", "drie", "3.0", "3,5", "0", "6", "-1", "99", "WEET_NIET",
])
def test_non_valid_missing_garbage_and_out_of_range_codes_have_no_value(code):
    assert answer_value(code) is None
    assert scored_value(code, True) is None


@pytest.mark.parametrize("code", [" 4", "4 ", "+4", "04", "0_4", "\u0664"])
def test_codes_that_only_look_like_scale_points_have_no_value(code):
    # Only the scale's own codes ("1" … "5") are points; int() would read these as 4
    # (surrounding space, a sign, a leading zero, an underscore, an Arabic-Indic digit).
    assert answer_value(code) is None


def test_range_follows_the_scale():
    assert answer_value("7", SEVEN) == 7
    assert answer_value("7", FIVE) is None
    assert scored_value("6", True, SEVEN) == 2


# -- the half-valid rule ----------------------------------------------------------------


@pytest.mark.parametrize(("answers", "statements", "expected"), [
    pytest.param({"a": "4", "b": "5", "c": "3", "d": "2"}, LESSON, (4 + 5 + 3 + 4) / 4,
                 id="all four valid, d reversed 2→4"),
    pytest.param({"a": "weet_niet", "b": "weet_niet", "c": "weet_niet", "d": "weet_niet"},
                 LESSON, None, id="all weet niet"),
    pytest.param({"a": "nvt", "b": "nvt", "c": "nvt", "d": "nvt"}, LESSON, None, id="all nvt"),
    pytest.param({}, LESSON, None, id="nothing answered"),
    pytest.param({"a": "2", "b": "5", "c": "weet_niet", "d": "nvt"}, LESSON, 3.5,
                 id="2 of 4 valid: mean of the two"),
    pytest.param({"a": "2", "c": "5"}, LESSON, 3.5, id="2 of 4, two left unanswered"),
    pytest.param({"a": "5", "b": "weet_niet", "c": "weet_niet", "d": "weet_niet"}, LESSON, None,
                 id="1 of 4 valid"),
    pytest.param({"d": "1"}, LESSON, None, id="1 of 4, only the reverse one"),
    pytest.param({"a": "4", "b": "weet_niet", "c": "2", "d": "1"}, LESSON, (4 + 2 + 5) / 3,
                 id="3 of 4 with the reverse one"),
    pytest.param({"b": "3", "d": "5"}, LESSON, (3 + 1) / 2, id="2 of 4 with the reverse one"),
    pytest.param({"x": "4", "y": "weet_niet"}, PAIR, 4.0, id="1 of 2 is half"),
    pytest.param({"x": "nvt", "y": "weet_niet"}, PAIR, None, id="0 of 2"),
    pytest.param({"x": "4", "y": "9"}, PAIR, 4.0, id="out-of-range is not valid, 1 of 2"),
    pytest.param({"a": "5", "b": "5", "c": "5", "y": "weet_niet"}, PAIR, None,
                 id="answers to other statements do not count"),
])
def test_group_score(answers, statements, expected):
    result = group_score(answers, statements)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@pytest.mark.parametrize(("valid", "total", "scored"), [
    (1, 3, False), (2, 3, True), (2, 5, False), (3, 5, True), (1, 1, True), (0, 1, False),
])
def test_half_valid_rule_for_odd_groups(valid, total, scored):
    statements = tuple(ScoredStatement(f"s{i}") for i in range(total))
    answers = {f"s{i}": "4" if i < valid else "weet_niet" for i in range(total)}
    assert (group_score(answers, statements) is not None) is scored


def test_group_score_on_a_seven_point_scale():
    statements = (ScoredStatement("p"), ScoredStatement("q", reverse=True))
    assert group_score({"p": "7", "q": "3"}, statements, SEVEN) == pytest.approx((7 + 5) / 2)


def test_an_empty_group_has_no_score():
    assert group_score({"a": "4"}, ()) is None


# -- invariants -------------------------------------------------------------------------

CODES = st.sampled_from(["1", "2", "3", "4", "5", "weet_niet", "nvt", "0", "6", "x"])


@settings(max_examples=100, deadline=None)
@given(
    reverse_flags=st.lists(st.booleans(), min_size=1, max_size=6),
    codes=st.lists(st.one_of(st.none(), CODES), min_size=6, max_size=6),
)
def test_group_score_is_on_the_scale_and_follows_the_half_valid_rule(reverse_flags, codes):
    statements = tuple(ScoredStatement(f"s{i}", flag) for i, flag in enumerate(reverse_flags))
    answers = {s.id: code for s, code in zip(statements, codes, strict=False) if code is not None}
    valid = [v for s in statements
             if (v := scored_value(answers.get(s.id), s.reverse)) is not None]
    result = group_score(answers, statements)
    if 2 * len(valid) >= len(statements) and valid:
        assert result == pytest.approx(sum(valid) / len(valid))
        assert 1 <= result <= 5
    else:
        assert result is None


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["1", "2", "3", "4", "5"]), min_size=1, max_size=6))
def test_reversing_every_statement_mirrors_the_score(codes):
    plain = tuple(ScoredStatement(f"s{i}") for i in range(len(codes)))
    mirrored = tuple(ScoredStatement(f"s{i}", reverse=True) for i in range(len(codes)))
    answers = {f"s{i}": code for i, code in enumerate(codes)}
    assert group_score(answers, mirrored) == pytest.approx(6 - group_score(answers, plain))
