"""What a participant takes home: their own lesson scores beside the group's.

The scores are computed as the group's are (:func:`assessment.aggregation.lesson_scorer`:
reverse wording, "weet niet"/"n.v.t." left out, the half-valid rule), so a participant's own
score and the group's mean mean the same thing.

Rules
-----
- Results are for a participant to see once the facilitator has shown them: the projector
  went past the join screen (``reveal_step`` > 0), or the scan is closed.
- The group's figure is the lesson mean of :func:`assessment.results.assessment_summary`,
  only where that summary shows the lesson (3 or more respondents, see aggregation).
- Both scores are compared as they are shown (:func:`assessment.figures.shown_score`, as
  the pages' ``score`` filter shows them), so the reading never contradicts the figures
  beside it.
- The reading: own − group at least ``READING_THRESHOLD`` (0.5 on the 1–5 scale) is "more
  positive", at most −0.5 "less positive", otherwise "about the same". Without an own score:
  "no answer that counts"; without a group figure: no comparison.

The rule and its texts live here and nowhere else; the texts are lazy, so this module needs
no request to be imported or used, only to render a text.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from assessment.aggregation import Summary, lesson_scorer
from assessment.figures import Boundaries, boundaries_of, shown_score
from questions.schema import Questionnaire

#: How far (on the shown, one-decimal scores) one's own view must lie from the group's.
READING_THRESHOLD = Decimal("0.5")


class Reading(enum.StrEnum):
    """How a participant's own lesson score relates to the group's."""

    MORE_POSITIVE = "more_positive"
    ABOUT_THE_SAME = "about_the_same"
    LESS_POSITIVE = "less_positive"
    NO_OWN_SCORE = "no_own_score"
    NO_GROUP_SCORE = "no_group_score"


#: The one-line reading per case, in B1 Dutch (English in the catalogue).
READING_TEXTS = {
    Reading.MORE_POSITIVE: _l("U ziet dit positiever dan de groep."),
    Reading.ABOUT_THE_SAME: _l("U ziet dit ongeveer zoals de groep."),
    Reading.LESS_POSITIVE: _l("U ziet dit minder positief dan de groep."),
    Reading.NO_OWN_SCORE: _l("U gaf hier geen antwoord dat meetelt."),
    Reading.NO_GROUP_SCORE: _l("Te weinig mensen gaven hier een antwoord om de groep te "
                               "laten zien."),
}


def results_shown(status: str, reveal_step: int) -> bool:
    """Whether the facilitator has shown the results: the projector moved on, or closed."""
    return reveal_step > 0 or status == "closed"


def reading(own: float | None, group: float | None, boundaries: Boundaries = ()) -> Reading:
    """The reading of one's own score beside the group's (see the module's rules)."""
    if own is None:
        return Reading.NO_OWN_SCORE
    if group is None:
        return Reading.NO_GROUP_SCORE
    difference = shown_score(own, boundaries) - shown_score(group, boundaries)
    if difference >= READING_THRESHOLD:
        return Reading.MORE_POSITIVE
    if difference <= -READING_THRESHOLD:
        return Reading.LESS_POSITIVE
    return Reading.ABOUT_THE_SAME


@dataclass(frozen=True)
class LessonComparison:
    """One lesson: the participant's own score, the group's (or None), and the reading."""

    lesson_id: str
    title: str
    own: float | None
    group: float | None
    reading: Reading

    @property
    def text(self) -> str:
        """The reading as one line for the participant."""
        return str(READING_TEXTS[self.reading])


def compare_with_group(
    questionnaire: Questionnaire, answers: Mapping[str, str], summary: Summary
) -> tuple[LessonComparison, ...]:
    """Per lesson, in questionnaire order: own score, the group's where shown, the reading."""
    shown = {lesson.lesson_id: lesson.mean for lesson in summary.lessons
             if summary.shown and lesson.shown}
    boundaries = boundaries_of(questionnaire)
    result = []
    for lesson in questionnaire.lessons:
        own = lesson_scorer(questionnaire, lesson)(answers)
        group = shown.get(lesson.id)
        result.append(LessonComparison(lesson.id, lesson.title, own, group,
                                       reading(own, group, boundaries)))
    return tuple(result)
