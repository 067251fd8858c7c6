"""Who sees it differently: every lesson's score per group (organisation type), and per role.

Pure functions over the summary of :func:`assessment.results.assessment_summary` (no Flask,
no database). The PDF report, the facilitator's scan page and the projector's overview
slide show these same tables, so they never disagree.

The rules
    - One table per profile question a breakdown is made by (:func:`breakdowns`: the
      question the questionnaire groups respondents by, the organisation type, then the
      question it marks as the role), only when the questionnaire has it and the summary is
      shown.
    - Columns: the question's options in questionnaire order, except an option nobody chose
      (it would be empty on every lesson). Headers use the option's label up to its
      explanation in brackets ("Bestuurder (wethouder, …)" → "Bestuurder").
    - Rows: every lesson in questionnaire order, the whole group's score beside the cells.
      A lesson without a score has no cells.
    - Cells are the summary's own, under :mod:`assessment.anonymity`: a mean from 5 scores
      (``MIN_GROUP_SIZE``), complementary suppression, and a hidden cell carries its true
      reason (too small, or hidden to protect a small group).
    - ``gap``: the highest minus the lowest shown mean, both as shown (one decimal), with
      at least two shown cells; else None.
    - ``differs``: the summary's own signal: two groups with at least 5 scores each differ
      by ``DIVIDED_GROUP_GAP`` or more, hidden ones included (``divided_by_groups`` for the
      types, ``roles_differ`` for the roles). When the shown cells do not show that gap
      (``differs_unseen``), a hidden group is part of it: the surfaces then say that the
      groups differ without naming the hidden one, and never give its mean.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.aggregation import (
    DIVIDED_GROUP_GAP,
    CellStatus,
    GroupCell,
    HiddenReason,
    LessonSummary,
    Summary,
)
from assessment.figures import Boundaries, boundaries_of, shown_score
from questions.schema import Questionnaire


def breakdowns(questionnaire: Questionnaire) -> tuple[str, ...]:
    """The profile questions a table is made by, in the order they are shown.

    The grouping question first, then the role question; each only where the profile has it.
    """
    wanted = (questionnaire.grouping_question, questionnaire.role_question)
    # dict.fromkeys: a file that groups by the role has one table by it, not two.
    return tuple(dict.fromkeys(question.id for question in wanted if question is not None))


@dataclass(frozen=True)
class Column:
    """One option of the profile question: its id and its short label."""

    group: str
    label: str


@dataclass(frozen=True)
class Row:
    """One lesson: the whole group's figures, the cells per column, the gap between them."""

    number: int
    summary: LessonSummary
    #: Aligned with the table's columns; empty when the lesson has no score.
    cells: tuple[GroupCell, ...]
    gap: float | None
    differs: bool

    @property
    def differs_unseen(self) -> bool:
        """The groups differ, but the shown cells do not show it: a hidden group is in it."""
        return self.differs and (self.gap is None or self.gap < DIVIDED_GROUP_GAP)


@dataclass(frozen=True)
class GroupTable:
    """Lessons × the options of one profile question; ``by_groups``: the grouping question."""

    question_id: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    by_groups: bool = False

    @property
    def reasons(self) -> frozenset[HiddenReason | None]:
        """The reasons of the hidden cells in the table (None: a summary frozen without)."""
        return frozenset(cell.reason for row in self.rows for cell in row.cells
                         if cell.status is CellStatus.HIDDEN)

    def shown_figures(self, row: Row) -> tuple[tuple[str, float], ...]:
        """(label, mean) of the row's shown cells, in column order: never a hidden one."""
        pairs = zip(self.columns, row.cells, strict=False)  # no cells without a score
        return tuple((column.label, cell.mean) for column, cell in pairs
                     if cell.status is CellStatus.SHOWN and cell.mean is not None)

    @property
    def marked(self) -> tuple[Row, ...]:
        """The rows whose groups differ by ``DIVIDED_GROUP_GAP`` or more."""
        return tuple(row for row in self.rows if row.differs)


def short_label(label: str) -> str:
    """An option's label without its explanation in brackets, for a column header."""
    return label.split(" (", 1)[0].strip() or label


def _cells(summary: LessonSummary, by_groups: bool) -> tuple[GroupCell, ...]:
    return summary.groups if by_groups else summary.roles


def _differs(summary: LessonSummary, by_groups: bool) -> bool:
    return summary.divided_by_groups if by_groups else summary.roles_differ


def _gap(cells: tuple[GroupCell, ...], boundaries: Boundaries) -> float | None:
    shown = [shown_score(cell.mean, boundaries) for cell in cells
             if cell.status is CellStatus.SHOWN and cell.mean is not None]
    if len(shown) < 2:
        return None
    return float(max(shown) - min(shown))


def group_table(questionnaire: Questionnaire, summary: Summary,
                question_id: str) -> GroupTable | None:
    """The table by one profile question (see the module's rules); None when there is none."""
    question = next((q for q in questionnaire.profile if q.id == question_id), None)
    if question is None or not summary.shown:
        return None
    by_groups = question.groups_respondents
    chosen = {cell.group for lesson in summary.lessons for cell in _cells(lesson, by_groups)
              if cell.status is not CellStatus.NO_DATA}
    columns = tuple(Column(option.id, short_label(option.label))
                    for option in question.options if option.id in chosen)
    if not columns:
        return None
    boundaries = boundaries_of(questionnaire)
    rows = []
    for number, lesson in enumerate(questionnaire.lessons, start=1):
        lesson_summary = summary.lesson(lesson.id)
        by_group = {cell.group: cell for cell in _cells(lesson_summary, by_groups)}
        cells = (tuple(by_group.get(c.group, GroupCell(c.group, CellStatus.NO_DATA))
                       for c in columns) if by_group else ())
        rows.append(Row(number, lesson_summary, cells, _gap(cells, boundaries),
                        _differs(lesson_summary, by_groups)))
    return GroupTable(question_id, columns, tuple(rows), by_groups)


def group_tables(questionnaire: Questionnaire, summary: Summary) -> tuple[GroupTable, ...]:
    """Every table the questionnaire's profile allows, types first, then roles."""
    tables = (group_table(questionnaire, summary, question_id)
              for question_id in breakdowns(questionnaire))
    return tuple(table for table in tables if table is not None)

