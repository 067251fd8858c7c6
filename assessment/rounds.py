"""Rounds: compare an assessment with a previous one on the same questionnaire.

Pure functions over summaries and questionnaires (no Flask, no database).

Rules
-----
- Two rounds are comparable only when both used the same questionnaire id; otherwise
  :class:`NotComparable` is raised with the reason ``different_questionnaire``.
- A lesson is compared when it exists in both rounds with the same statement ids and the same
  reverse wording; then ``change`` is the current mean minus the previous mean (unrounded),
  and ``shown_change`` the difference of the two scores as shown (one decimal, on the
  current questionnaire's boundaries, :func:`assessment.figures.shown_change`): the figure
  every surface shows, so "2,8 → 2,9" is always "+0,1".
  A lesson that is new, changed, or without a score in either round has no change, and its
  ``reason`` says why (``new_lesson``, ``statements_changed``, ``no_score``).
- When not a single lesson can be compared, :class:`NotComparable` is raised with the reason
  ``no_common_lessons``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from assessment.aggregation import Summary
from assessment.exceptions import NotComparable
from assessment.figures import boundaries_of, shown_change
from questions.schema import Lesson, Questionnaire


class Reason(enum.StrEnum):
    """Why rounds, or one lesson, cannot be compared."""

    DIFFERENT_QUESTIONNAIRE = "different_questionnaire"
    NO_COMMON_LESSONS = "no_common_lessons"
    NEW_LESSON = "new_lesson"
    STATEMENTS_CHANGED = "statements_changed"
    NO_SCORE = "no_score"


@dataclass(frozen=True)
class LessonChange:
    """One lesson in two rounds: both means, the change, or the reason there is none."""

    lesson_id: str
    previous: float | None
    current: float | None
    change: float | None
    reason: Reason | None = None
    #: The change as shown: the shown current score minus the shown previous one.
    shown_change: Decimal | None = None


@dataclass(frozen=True)
class RoundComparison:
    """The change per lesson, in the current questionnaire's order."""

    lessons: tuple[LessonChange, ...]

    def lesson(self, lesson_id: str) -> LessonChange:
        """The change of one lesson."""
        for change in self.lessons:
            if change.lesson_id == lesson_id:
                return change
        raise KeyError(lesson_id)


def compare_rounds(
    previous_questionnaire: Questionnaire,
    previous: Summary,
    current_questionnaire: Questionnaire,
    current: Summary,
) -> RoundComparison:
    """The change per lesson since the previous round, or :class:`NotComparable`."""
    if previous_questionnaire.id != current_questionnaire.id:
        raise NotComparable(
            Reason.DIFFERENT_QUESTIONNAIRE,
            f"the previous round used questionnaire '{previous_questionnaire.id}', this round "
            f"'{current_questionnaire.id}'; choose a previous round on the same questionnaire",
        )
    earlier = {lesson.id: lesson for lesson in previous_questionnaire.lessons}
    boundaries = boundaries_of(current_questionnaire)
    changes = []
    for lesson in current_questionnaire.lessons:
        now = current.lesson(lesson.id).mean
        old_lesson = earlier.get(lesson.id)
        if old_lesson is None:
            changes.append(LessonChange(lesson.id, None, now, None, Reason.NEW_LESSON))
            continue
        before = previous.lesson(lesson.id).mean
        if _signature(old_lesson) != _signature(lesson):
            changes.append(LessonChange(lesson.id, before, now, None, Reason.STATEMENTS_CHANGED))
        elif before is None or now is None:
            changes.append(LessonChange(lesson.id, before, now, None, Reason.NO_SCORE))
        else:
            changes.append(LessonChange(lesson.id, before, now, now - before,
                                        shown_change=shown_change(now, before, boundaries)))
    if not any(change.change is not None for change in changes):
        raise NotComparable(
            Reason.NO_COMMON_LESSONS,
            "no lesson has a score in both rounds with the same statements",
        )
    return RoundComparison(tuple(changes))


def _signature(lesson: Lesson) -> frozenset[tuple[str, bool]]:
    return frozenset((s.id, s.reverse) for s in lesson.statements)
