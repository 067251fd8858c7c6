"""The projector's slides: which slides an assessment has, in what order, and what each shows.

Pure functions over the summary of :func:`assessment.results.assessment_summary` and plain
data (no Flask, no database), so the projector, its presenter view and the tests see the same
deck. The web layer draws the charts and words the texts.

The deck (:func:`slide_deck`), in order
    1. the join slide (code, QR code, link);
    2. the overview: every lesson by score, highest first;
    3. per lesson: its statements as diverging bars, then "wie ziet het anders" (the score
       per organisation type); a lesson with more than ``STATEMENTS_PER_SLIDE`` statements
       gets more than one statement slide;
    4. "wie ziet het anders" over all lessons at once: the table of lessons × organisation
       types, then × roles, one slide each, for the profile questions the questionnaire
       asks (:mod:`assessment.group_tables`);
    5. the quadrant, when the questionnaire has one;
    6. the included free texts: each open question, then each lesson that has any, with
       identical texts counted once (:func:`group_answers`), split into pages that fit;
    7. the group's priorities, once a vote on them was opened (:mod:`assessment.priorities`
       decides what of the tally may be shown);
    8. the agreed actions, split into pages that fit (one slide saying "none yet" when
       there are none);
    9. any extra slides the caller passes, at the end.

    Slides 1–5 depend only on the questionnaire, so the stored position keeps pointing at the
    same slide while answers arrive; only the texts and actions at the end change in number.

Anonymity (the rules are :mod:`assessment.anonymity`'s)
    Every result slide shows results only when the summary is shown (``MIN_RESPONDENTS``
    counted, in steps of three while answering is open); before that it says that results
    follow. A lesson without a score shows no bars; a statement below 3 valid answers shows
    "te weinig antwoorden". Group figures are the summary's own cells (``MIN_GROUP_SIZE``,
    complementary suppression), a hidden one with its true reason; a gap that rests on a
    hidden group is marked without naming it. Free texts are only those the facilitator
    included, of respondents who submitted, and only once the summary is shown.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assessment.aggregation import (
    CellStatus,
    HiddenReason,
    LessonSummary,
    StatementSummary,
    Summary,
)
from assessment.group_tables import breakdowns
from questions.schema import Lesson, Questionnaire, Statement

#: Statements on one lesson slide; a longer lesson continues on the next slide.
STATEMENTS_PER_SLIDE = 5
#: Lessons on one overview slide.
LESSONS_PER_SLIDE = 10
#: At most this many grouped texts or actions on one slide, and at most this many lines
#: (estimated at ``CHARACTERS_PER_LINE``), so every slide fits a 16:9 screen.
ITEMS_PER_SLIDE = 6
LINES_PER_SLIDE = 13
CHARACTERS_PER_LINE = 80
#: A text longer than this is shortened on the projector (the report has it in full).
MAX_SHOWN_CHARACTERS = 600


class SlideKind(enum.StrEnum):
    """What a slide shows; each kind has one template and one content builder."""

    JOIN = "join"
    OVERVIEW = "overview"
    LESSON = "lesson"
    GROUPS = "groups"
    GROUP_TABLE = "group_table"
    QUADRANT = "quadrant"
    TEXTS = "texts"
    PRIORITIES = "priorities"
    ACTIONS = "actions"


@dataclass(frozen=True)
class SlideSpec:
    """One slide of the deck: its kind and what it is about.

    ``subject`` is a lesson id (lesson, groups, texts about a lesson), a profile question's
    id (group table) or an open question's id (texts); ``start``/``stop`` select the
    statements, lessons, texts or actions of a paged slide, ``page`` of ``pages``.
    """

    kind: SlideKind
    subject: str = ""
    start: int = 0
    stop: int = 0
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class GroupedAnswer:
    """One text as shown, with how many respondents wrote it (compared normalised)."""

    text: str
    count: int
    shortened: bool = False


def normalise(text: str) -> str:
    """A text for comparison: trimmed, white space collapsed to one space, case folded."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def shorten(text: str) -> tuple[str, bool]:
    """The text cut at a word before ``MAX_SHOWN_CHARACTERS`` with "…", and whether it was."""
    if len(text) <= MAX_SHOWN_CHARACTERS:
        return text, False
    cut = text[:MAX_SHOWN_CHARACTERS].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + " …", True


def group_answers(texts: Iterable[str], cut: bool = True) -> tuple[GroupedAnswer, ...]:
    """Identical texts counted once, most frequent first, then alphabetically.

    Texts are identical when their :func:`normalise` forms are equal; the shown text is the
    first of the group in sorted order (trimmed, white space collapsed), so the result does
    not depend on who answered first. With ``cut`` (a slide), texts longer than
    ``MAX_SHOWN_CHARACTERS`` are cut at a word and marked ``shortened``; the report keeps
    them whole. Empty texts are left out.
    """
    groups: dict[str, list[str]] = {}
    for shown in sorted(re.sub(r"\s+", " ", text).strip() for text in texts):
        if shown:
            groups.setdefault(normalise(shown), []).append(shown)
    grouped = []
    for members in groups.values():
        text, shortened = shorten(members[0]) if cut else (members[0], False)
        grouped.append(GroupedAnswer(text, len(members), shortened))
    return tuple(sorted(grouped, key=lambda answer: (-answer.count, normalise(answer.text))))


def pages(lengths: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """Split items of these text lengths into slides: (start, stop) per slide, at least one.

    A slide takes items while it has at most ``ITEMS_PER_SLIDE`` and their estimated lines
    (a line per ``CHARACTERS_PER_LINE`` characters, rounded up, plus half a line between
    items) stay within ``LINES_PER_SLIDE``; an item that alone is longer gets a slide alone.
    """
    result: list[tuple[int, int]] = []
    start, lines = 0, 0.0
    for index, length in enumerate(lengths):
        need = -(-max(length, 1) // CHARACTERS_PER_LINE) + 0.5
        if index > start and (index - start >= ITEMS_PER_SLIDE or lines + need > LINES_PER_SLIDE):
            result.append((start, index))
            start, lines = index, 0.0
        lines += need
    result.append((start, len(lengths)))
    return tuple(result)


def _paged(kind: SlideKind, ranges: Sequence[tuple[int, int]],
           subject: str = "") -> list[SlideSpec]:
    return [SlideSpec(kind, subject, start, stop, page, len(ranges))
            for page, (start, stop) in enumerate(ranges, start=1)]


def _chunks(count: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, count)) for start in range(0, count, size)] or [(0, 0)]


def slide_deck(
    questionnaire: Questionnaire,
    texts: dict[str, tuple[GroupedAnswer, ...]],
    action_lengths: Sequence[int],
    extra: Sequence[SlideSpec] = (),
    *,
    vote_held: bool = False,
) -> tuple[SlideSpec, ...]:
    """The assessment's slides in order (see the module's rules).

    ``texts`` are the included texts per lesson or open question, grouped
    (:func:`group_answers`), and empty while the summary is not shown; ``action_lengths``
    the length of each agreed action's text in the order agreed; ``vote_held`` whether a
    vote on priorities was opened; ``extra`` slides go last.
    """
    deck = [SlideSpec(SlideKind.JOIN)]
    deck += _paged(SlideKind.OVERVIEW, _chunks(len(questionnaire.lessons), LESSONS_PER_SLIDE))
    for lesson in questionnaire.lessons:
        deck += _paged(SlideKind.LESSON, _chunks(len(lesson.statements), STATEMENTS_PER_SLIDE),
                       lesson.id)
        deck.append(SlideSpec(SlideKind.GROUPS, lesson.id))
    deck += [SlideSpec(SlideKind.GROUP_TABLE, question_id)
             for question_id in breakdowns(questionnaire)]
    if questionnaire.quadrant is not None:
        deck.append(SlideSpec(SlideKind.QUADRANT))
    topics = [question.id for question in questionnaire.open_questions]
    topics += [lesson.id for lesson in questionnaire.lessons]
    for topic in topics:
        answers = texts.get(topic, ())
        if answers:
            deck += _paged(SlideKind.TEXTS, pages([len(a.text) for a in answers]), topic)
    if vote_held:
        deck.append(SlideSpec(SlideKind.PRIORITIES))
    deck += _paged(SlideKind.ACTIONS, pages(action_lengths))
    deck += extra
    return tuple(deck)


def position(deck: Sequence[SlideSpec], index: int) -> int:
    """A stored index brought into the deck (the deck may have shrunk meanwhile)."""
    return max(0, min(index, len(deck) - 1))


# -- what the slides show ----------------------------------------------------------------


@dataclass(frozen=True)
class OverviewRow:
    """One lesson on the overview: its number in the questionnaire, title and figures."""

    number: int
    lesson: Lesson
    summary: LessonSummary


def overview(questionnaire: Questionnaire, summary: Summary) -> tuple[OverviewRow, ...]:
    """Every lesson, highest score first; lessons without a score last, in questionnaire order.

    Ties in score keep the questionnaire's order. Empty while the summary is not shown.
    """
    if not summary.shown:
        return ()
    rows = [OverviewRow(number, lesson, summary.lesson(lesson.id))
            for number, lesson in enumerate(questionnaire.lessons, start=1)]
    return tuple(sorted(rows, key=lambda row: (row.summary.mean is None,
                                               -(row.summary.mean or 0.0), row.number)))


@dataclass(frozen=True)
class StatementBar:
    """One statement as worded, with its answers split for a diverging bar.

    ``counts`` are per point of the scale; ``disagree`` and ``agree`` the counts on the
    points below and above the middle, from the middle outwards (so the strongest answers
    are at the ends); ``neutral`` the
    count at the middle (0 on an even scale); ``dont_know`` and ``not_applicable`` are
    apart, outside the bar.
    """

    statement: Statement
    counts: tuple[int, ...]
    disagree: tuple[int, ...]
    neutral: int
    agree: tuple[int, ...]
    dont_know: int
    not_applicable: int
    #: False below three valid answers: the slide then says "te weinig antwoorden".
    shown: bool = True

    @property
    def valid(self) -> int:
        """Answers on the scale."""
        return sum(self.disagree) + self.neutral + sum(self.agree)


    @property
    def reach(self) -> float:
        """The larger side's share of the answers, half the neutral ones included."""
        if not self.valid:
            return 0.0
        return (max(sum(self.disagree), sum(self.agree)) + self.neutral / 2) / self.valid


def statement_bar(statement: Statement, summary: StatementSummary) -> StatementBar:
    """A statement's distribution (as worded, not reversed) split around the middle point."""
    counts = summary.distribution.counts
    half = len(counts) // 2
    middle = counts[half] if len(counts) % 2 else 0
    return StatementBar(
        statement=statement,
        counts=counts,
        disagree=tuple(reversed(counts[:half])),
        neutral=middle,
        agree=tuple(counts[len(counts) - half:]),
        dont_know=summary.distribution.dont_know,
        not_applicable=summary.distribution.not_applicable,
        shown=summary.shown,
    )


def statement_bars(lesson: Lesson, summary: LessonSummary, start: int,
                   stop: int) -> tuple[StatementBar, ...]:
    """The bars of the lesson's statements ``start``..``stop``; empty while not shown.

    A lesson without a score has no statement figures (so no bars); a statement with fewer
    than 3 valid answers has a bar marked not ``shown``, with no counts.
    """
    by_id = {s.statement_id: s for s in summary.statements}
    return tuple(statement_bar(statement, by_id[statement.id])
                 for statement in lesson.statements[start:stop] if statement.id in by_id)


@dataclass(frozen=True)
class GroupRow:
    """One organisation type's score on a lesson, or why it is not shown."""

    group: str
    label: str
    status: CellStatus
    n: int | None
    mean: float | None
    #: Why a hidden type is hidden (None when shown, or in a summary frozen without).
    reason: HiddenReason | None = None


def group_rows(labels: dict[str, str], summary: LessonSummary) -> tuple[GroupRow, ...]:
    """The lesson's score per organisation type, as the summary's cells allow.

    A type with fewer than ``MIN_GROUP_SIZE`` scores, or hidden so that a small group cannot
    be derived from the total, is "hidden"; a type nobody belongs to is "no data". Empty
    when the lesson has no score (then no group has one either).
    """
    return tuple(GroupRow(cell.group, labels.get(cell.group, cell.group), cell.status,
                          cell.n, cell.mean, cell.reason) for cell in summary.groups)
