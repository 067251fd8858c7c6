"""The report context: from an assessment's summary to everything the report shows.

The advice is chosen here (per lesson: band × agreement; the quadrant cell; information
gaps), the charts are drawn, and numbers are formatted for the assessment's language. The
templates only display the result. No Flask, no database: callers pass what was loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from assessment.aggregation import (
    DIVIDED_GROUP_GAP,
    DIVIDED_SD,
    DIVIDED_SHARE,
    INFORMATION_GAP_SHARE,
    PROFILE_GROUP_QUESTION,
    CellStatus,
    HiddenReason,
    LessonSummary,
    StatementSummary,
    Summary,
)
from assessment.anonymity import MIN_GROUP_SIZE, MIN_RESPONDENTS
from assessment.group_tables import GroupTable, group_tables
from assessment.priorities import LessonVotes, VoteResult
from assessment.projector import GroupedAnswer, group_answers
from assessment.rounds import RoundComparison
from assessment.safe_text import xml_safe
from questions.schema import Lesson, QuadrantText, Questionnaire, Statement
from reports import charts

#: Where the interface catalogues live (``assessment/translations/<language>``).
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "assessment" / "translations"


def N_(text: str) -> str:
    """Mark a Dutch label for extraction; it is translated when a report is built."""
    return text


#: Labels the charts print, in Dutch (the source language); see ``chart_labels``.
LABELS = {
    "no_score": N_("onvoldoende gegevens"),
    "previous": N_("vorige ronde"),
    "position": N_("uw regio"),
    "bars_title": N_("Scores per les, van hoog naar laag"),
    "radar_title": N_("Profiel van de tien lessen"),
    "quadrant_title": N_("Positie van de regio"),
}


@lru_cache(maxsize=8)
def chart_labels(language: str) -> Mapping[str, str]:
    """The chart labels in the report's language, from the interface catalogue.

    Read with Babel rather than Flask-Babel, so a report builds without a request; a
    language without a catalogue (Dutch, the source) keeps the Dutch labels.
    """
    translations = Translations.load(str(TRANSLATIONS_DIR), [language])
    return {key: translations.gettext(text) for key, text in LABELS.items()}


@dataclass(frozen=True)
class Numbers:
    """Number formatting in one language: one decimal, two decimals, whole percentages."""

    language: str

    def score(self, value: float | None) -> str:
        """A score such as 3,4 (Dutch) or 3.4 (English)."""
        return "–" if value is None else format_decimal(value, "0.0", locale=self.language)

    def two(self, value: float | None) -> str:
        """A figure with two decimals, such as a consensus of 0,74."""
        return "–" if value is None else format_decimal(value, "0.00", locale=self.language)

    def percent(self, value: float | None) -> str:
        """A share as a whole percentage."""
        return "–" if value is None else format_percent(value, "0%", locale=self.language)

    def signed(self, value: float | None) -> str:
        """A change with its sign, such as +0,3 or −0,2."""
        if value is None:
            return "–"
        text = format_decimal(abs(value), "0.0", locale=self.language)
        return ("+" if value >= 0.05 else "−" if value <= -0.05 else "±") + text


@dataclass(frozen=True)
class StatementRow:
    """One statement in the appendix or a lesson section."""

    statement: Statement
    summary: StatementSummary
    chart: str


@dataclass(frozen=True)
class LessonSection:
    """Everything the report says about one lesson."""

    number: int
    lesson: Lesson
    summary: LessonSummary
    band_label: str | None
    advice_label: str | None
    advice: str | None
    information_gap: str | None
    #: Included texts on the lesson, identical ones once with their count.
    comments: tuple[GroupedAnswer, ...]
    statements: tuple[StatementRow, ...]
    previous: float | None = None
    change: float | None = None
    notes: str = ""
    conclusion: str = ""


@dataclass(frozen=True)
class Action:
    """An agreed action: what, who, by when, for which lesson."""

    action: str
    owner: str
    term: str
    lesson_title: str = ""


@dataclass(frozen=True)
class GroupRow:
    """Respondents of one organisation type, as far as anonymity allows."""

    label: str
    status: CellStatus
    n: int | None
    #: Why a hidden group is hidden (None when shown, or in a summary frozen without).
    reason: HiddenReason | None = None


#: Below this many counted respondents the summary warns that one person moves a score.
FEW_RESPONDENTS = 10


def _grouped(texts: tuple[str, ...]) -> tuple[GroupedAnswer, ...]:
    """Included texts for the report: identical ones once with their count, kept whole.

    Characters XML forbids are taken out first, so they neither split nor join texts.
    """
    return group_answers((xml_safe(text) for text in texts), cut=False)


@dataclass(frozen=True)
class ReportMeta:
    """What the report is about: the assessment as stored, and the software that wrote it."""

    region: str
    title: str
    language: str
    session_date: date
    started: int
    invited: int | None
    content_hash: str
    software_version: str
    #: Respondents who sent in; the summary may count fewer while the latest wait (None:
    #: as many as the summary counts).
    submitted: int | None = None
    #: The scan is not closed: people may still answer, so the figures may still change.
    provisional: bool = False


@dataclass(frozen=True)
class ReportContext:
    """The whole report, ready for the template."""

    meta: ReportMeta
    questionnaire: Questionnaire
    summary: Summary
    numbers: Numbers
    lessons: tuple[LessonSection, ...]
    groups: tuple[GroupRow, ...]
    strengths: tuple[LessonSection, ...]
    points_of_attention: tuple[LessonSection, ...]
    largest_disagreements: tuple[LessonSection, ...]
    information_gaps: tuple[LessonSection, ...]
    quadrant_text: QuadrantText | None
    #: Per open question its included answers, identical ones once with their count.
    open_answers: tuple[tuple[str, tuple[GroupedAnswer, ...]], ...]
    actions: tuple[Action, ...]
    bars_chart: str
    radar_chart: str
    quadrant_chart: str
    has_previous: bool
    rules: Mapping[str, Any] = field(default_factory=dict)
    #: The group's vote on priorities (lessons with a vote, most first); empty unless the
    #: vote closed with enough voters.
    priorities: tuple[LessonVotes, ...] = ()
    priority_top: tuple[str, ...] = ()
    priority_voters: int = 0
    priority_max: int = 0
    #: Who sees it differently: lessons × organisation types, then × roles (if asked).
    group_tables: tuple[GroupTable, ...] = ()


def build_context(
    meta: ReportMeta,
    questionnaire: Questionnaire,
    summary: Summary,
    comments: Mapping[str, tuple[str, ...]],
    comparison: RoundComparison | None = None,
    actions: tuple[Action, ...] = (),
    notes: Mapping[str, tuple[str, str]] | None = None,
    vote: VoteResult | None = None,
) -> ReportContext:
    """Choose the advice, draw the charts and format the numbers for one assessment."""
    numbers = Numbers(meta.language)
    labels = chart_labels(meta.language)
    bands: dict[str, str] = {band.id: band.label for band in questionnaire.bands}
    advice_labels = questionnaire.report.advice_labels
    notes = notes or {}
    sections = []
    for number, lesson in enumerate(questionnaire.lessons, start=1):
        lesson_summary = summary.lesson(lesson.id)
        change = comparison.lesson(lesson.id) if comparison else None
        note, conclusion = notes.get(lesson.id, ("", ""))
        sections.append(LessonSection(
            number=number,
            lesson=lesson,
            summary=lesson_summary,
            band_label=bands.get(lesson_summary.band or ""),
            advice_label=(getattr(advice_labels, lesson_summary.advice.value)
                          if lesson_summary.advice else None),
            advice=(lesson.report.advice.text(lesson_summary.band, lesson_summary.divided)
                    if lesson_summary.band else None),
            information_gap=(lesson.report.information_gap
                             if lesson_summary.information_gap else None),
            comments=_grouped(comments.get(lesson.id, ())),
            statements=_statement_rows(questionnaire, lesson, lesson_summary, numbers),
            previous=change.previous if change else None,
            change=change.change if change else None,
            notes=note,
            conclusion=conclusion,
        ))
    by_id = {section.lesson.id: section for section in sections}
    points = [
        charts.LessonPoint(
            label=f"{s.number}. {s.lesson.title}", short=s.lesson.short_title,
            value=s.summary.mean, band=s.summary.band,
            band_label=s.band_label or labels["no_score"], previous=s.previous)
        for s in sections
    ]
    ranked = sorted(points, key=lambda p: (p.value is None, -(p.value or 0.0)))
    quadrant = summary.quadrant
    quadrant_text = (questionnaire.report.quadrants.cell(quadrant.cell)
                     if quadrant is not None and quadrant.cell else None)
    return ReportContext(
        meta=meta,
        questionnaire=questionnaire,
        summary=summary,
        numbers=numbers,
        lessons=tuple(sections),
        groups=_group_rows(questionnaire, summary),
        strengths=tuple(by_id[i] for i in summary.strengths),
        points_of_attention=tuple(by_id[i] for i in summary.points_of_attention),
        largest_disagreements=tuple(by_id[i] for i in summary.largest_disagreements),
        information_gaps=tuple(by_id[i] for i in summary.information_gaps),
        quadrant_text=quadrant_text,
        open_answers=tuple((q.text, _grouped(comments.get(q.id, ())))
                           for q in questionnaire.open_questions),
        actions=actions,
        bars_chart=charts.bars(
            ranked, numbers.score, title=labels["bars_title"],
            desc=_describe(ranked, numbers), previous_label=labels["previous"]),
        radar_chart=charts.radar(
            points, numbers.score, title=labels["radar_title"],
            desc=_describe(points, numbers), previous_label=labels["previous"]),
        quadrant_chart=quadrant_chart(questionnaire, summary, numbers, labels),
        has_previous=comparison is not None,
        rules={
            "min_respondents": MIN_RESPONDENTS, "min_group_size": MIN_GROUP_SIZE,
            "few_respondents": FEW_RESPONDENTS,
            "divided_sd": numbers.score(DIVIDED_SD),
            "divided_share": numbers.percent(DIVIDED_SHARE),
            "divided_gap": numbers.score(DIVIDED_GROUP_GAP),
            "gap_share": numbers.percent(INFORMATION_GAP_SHARE),
        },
        **_priorities(vote),
        group_tables=group_tables(questionnaire, summary),
    )


def _priorities(vote: VoteResult | None) -> dict[str, Any]:
    """The vote's part of the report: only a vote closed with enough voters is reported."""
    if vote is None or not vote.final:
        return {}
    return {"priorities": tuple(row for row in vote.lessons if row.votes),
            "priority_top": tuple(row.lesson_id for row in vote.top),
            "priority_voters": vote.voters, "priority_max": vote.max_choices}


def _describe(points: list[charts.LessonPoint], numbers: Numbers) -> str:
    return "; ".join(f"{p.label}: {numbers.score(p.value)} ({p.band_label})" for p in points)


def _statement_rows(
    questionnaire: Questionnaire, lesson: Lesson, summary: LessonSummary, numbers: Numbers
) -> tuple[StatementRow, ...]:
    by_id = {s.statement_id: s for s in summary.statements}
    rows = []
    for statement in lesson.statements:
        statement_summary = by_id.get(statement.id)
        if statement_summary is None:
            continue
        scale = questionnaire.statement_scale(statement)
        # Below three valid answers the statement keeps its row but gets no chart.
        chart = (charts.distribution(
            statement_summary.distribution.counts, [p.label for p in scale.points],
            numbers.percent, title=statement.text) if statement_summary.shown else "")
        rows.append(StatementRow(statement, statement_summary, chart))
    return tuple(rows)


def _group_rows(questionnaire: Questionnaire, summary: Summary) -> tuple[GroupRow, ...]:
    labels: dict[str, str] = {}
    for question in questionnaire.profile:
        if question.id == PROFILE_GROUP_QUESTION:
            labels = {option.id: option.label for option in question.options}
    return tuple(GroupRow(labels.get(cell.group, cell.group), cell.status, cell.n, cell.reason)
                 for cell in summary.group_sizes)


def quadrant_chart(
    questionnaire: Questionnaire, summary: Summary, numbers: Numbers, labels: Mapping[str, str]
) -> str:
    """The region's position in the quadrant (the report's and the projector's chart)."""
    spec = questionnaire.quadrant
    position = summary.quadrant
    if spec is None or position is None:
        return ""
    cells = questionnaire.report.quadrants
    chart_labels = charts.QuadrantLabels(
        x=spec.x.label, y=spec.y.label, position=labels["position"],
        cells={key: cells.cell(key).title
               for key in ("high-high", "high-low", "low-high", "low-low")})
    where = (f"x = {numbers.score(position.x)}, y = {numbers.score(position.y)}"
             if position.x is not None and position.y is not None else labels["no_score"])
    return charts.quadrant(position.x, position.y, position.split, chart_labels,
                           numbers.score, title=labels["quadrant_title"], desc=where)

