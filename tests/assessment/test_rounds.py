"""Rounds: the change per lesson since a previous assessment, or a clear refusal."""

from __future__ import annotations

import pytest

from assessment.aggregation import Response, summarise
from assessment.exceptions import NotComparable
from assessment.rounds import Reason, compare_rounds
from tests.assessment.test_aggregation import build


def _responses(values: dict[str, str], count: int = 3) -> list[Response]:
    """``count`` respondents who all give the same answers."""
    return [Response(i, "gemeente", values) for i in range(1, count + 1)]


def test_change_per_lesson_is_current_minus_previous():
    questionnaire = build({"samen": ("s1", "s2"), "geld": ("g1", "g2")})
    before = summarise(questionnaire, _responses({"s1": "2", "s2": "3", "g1": "4", "g2": "4"}))
    after = summarise(questionnaire, _responses({"s1": "4", "s2": "4", "g1": "3", "g2": "4"}))
    comparison = compare_rounds(questionnaire, before, questionnaire, after)
    samen = comparison.lesson("samen")
    assert (samen.previous, samen.current, samen.change) == (2.5, 4.0, 1.5)
    assert comparison.lesson("geld").change == pytest.approx(-0.5)
    assert samen.reason is None


def test_a_different_questionnaire_is_refused_with_the_reason():
    first = build({"samen": ("s1", "s2")})
    other = first.model_copy(update={"id": "andere-lijst"})
    summary = summarise(first, _responses({"s1": "3", "s2": "3"}))
    with pytest.raises(NotComparable) as caught:
        compare_rounds(other, summary, first, summary)
    assert caught.value.reason is Reason.DIFFERENT_QUESTIONNAIRE
    assert "andere-lijst" in str(caught.value)


def test_changed_and_new_lessons_have_no_change_but_a_reason():
    before_q = build({"samen": ("s1", "s2"), "geld": ("g1", "g2")})
    after_q = build({"samen": ("s1", "s2"), "geld": ("g1", "g3"), "raad": ("r1", "r2")})
    answers = {"s1": "3", "s2": "4", "g1": "4", "g2": "4", "g3": "4", "r1": "2", "r2": "2"}
    comparison = compare_rounds(before_q, summarise(before_q, _responses(answers)),
                                after_q, summarise(after_q, _responses(answers)))
    assert comparison.lesson("samen").change == 0.0
    assert comparison.lesson("geld").reason is Reason.STATEMENTS_CHANGED
    assert comparison.lesson("geld").change is None
    assert comparison.lesson("raad").reason is Reason.NEW_LESSON
    assert comparison.lesson("raad").previous is None


def test_a_lesson_without_a_score_in_one_round_has_no_change():
    questionnaire = build({"samen": ("s1", "s2"), "geld": ("g1", "g2")})
    before = summarise(questionnaire, _responses({"s1": "3", "s2": "3",
                                                  "g1": "weet_niet", "g2": "weet_niet"}))
    after = summarise(questionnaire, _responses({"s1": "4", "s2": "4", "g1": "4", "g2": "4"}))
    comparison = compare_rounds(questionnaire, before, questionnaire, after)
    assert comparison.lesson("geld").reason is Reason.NO_SCORE
    assert comparison.lesson("geld").current == 4.0


def test_nothing_comparable_is_refused():
    questionnaire = build({"samen": ("s1", "s2")})
    too_few = summarise(questionnaire, _responses({"s1": "3", "s2": "3"}, count=2))
    enough = summarise(questionnaire, _responses({"s1": "3", "s2": "3"}))
    with pytest.raises(NotComparable) as caught:
        compare_rounds(questionnaire, too_few, questionnaire, enough)
    assert caught.value.reason is Reason.NO_COMMON_LESSONS
