"""The report context: from an assessment's summary to everything the report shows.

The advice is chosen here (per lesson: band × agreement state × information gap, see
:func:`lesson_advice`; the quadrant cell), the charts are drawn, and numbers are formatted
for the assessment's language. The templates only display the result. No Flask, no
database: callers pass what was loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from assessment.aggregation import (
    DIVIDED_GROUP_GAP,
    DIVIDED_SD,
    DIVIDED_SHARE,
    INFORMATION_GAP_SHARE,
    MAJORITY_SHARE,
    Agreement,
    CellStatus,
    ContextSummary,
    HiddenReason,
    LessonSummary,
    StatementSummary,
    Summary,
)
from assessment.anonymity import MIN_GROUP_SIZE, MIN_RESPONDENTS
from assessment.figures import (
    Boundaries,
    at_or_above,
    boundaries_of,
    change_text,
    figure_text,
    score_text,
)
from assessment.group_tables import GroupTable, group_tables
from assessment.priorities import LessonVotes, VoteResult, VoteStatus
from assessment.projector import GroupedAnswer, StatementBar, group_answers, statement_bar
from assessment.rounds import RoundComparison
from assessment.safe_text import xml_safe
from assessment.session import invited_share
from assessment.templating import report_date
from questions.schema import ContextBlock, Lesson, QuadrantText, Questionnaire, Statement
from reports import charts, findings

if TYPE_CHECKING:
    from reports.landscape_view import PeersView

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
    "quadrant_title": N_("Positie van de regio"),
    "previous_score": N_("vorige ronde %(score)s"),
    "quadrant_desc": N_("Horizontaal %(x_label)s: %(x)s; verticaal %(y_label)s: %(y)s (schaal 1 "
                        "tot 5, grens tussen laag en hoog bij %(split)s)."),
    "quadrant_cell": N_("Vak: %(cell)s (eigen duiding)."),
    "statements_title": N_("%(lesson)s: antwoorden per stelling"),
    "disagree": N_("oneens"),
    "agree": N_("eens"),
    "dont_know": N_("weet niet"),
    "too_few": N_("te weinig antwoorden"),
    "reversed": N_("omgekeerd"),
}


#: Advice for an agreement state that a lesson has no text for: a band where the state
#: contradicts the score (see ``questions.schema.ADVICE_STATES``), or a questionnaire
#: frozen before the states existed. Neutral, so true in every band, with or without an
#: information gap.
GENERIC_ADVICE = {
    Agreement.AGREED_WORKS.value: N_(
        "Meer dan de helft van de antwoorden op de schaal is positief over deze les. Bespreek "
        "wat hier werkt, en of dat beeld past bij de score."),
    Agreement.AGREED_FALLS_SHORT.value: N_(
        "Meer dan de helft van de antwoorden op de schaal is negatief over deze les. Bespreek "
        "waar het tekortschiet, en of dat beeld past bij de score."),
    Agreement.NO_MAJORITY.value: N_(
        "De antwoorden op de schaal wijzen niet duidelijk één kant op: positieve en negatieve "
        "antwoorden zijn geen van beide in de meerderheid. Vraag in het gesprek wat de "
        "deelnemers bij deze les voor ogen hadden, voordat u maatregelen kiest."),
}


def lesson_advice(lesson: Lesson, summary: LessonSummary, language: str) -> str | None:
    """The advice text for a lesson's band and agreement state; None without a score.

    The lesson's own text for that band and state; where it has none, the generic text
    for the state (:data:`GENERIC_ADVICE`) in the report's language. The information
    gap's advice is not part of it: the report puts that before this text.
    """
    agreement = summary.agreement
    if summary.band is None or agreement is None:
        return None
    text = lesson.report.advice.text(summary.band, agreement.value)
    return text if text else interface(language).gettext(GENERIC_ADVICE[agreement.value])


@lru_cache(maxsize=8)
def interface(language: str) -> NullTranslations:
    """The interface catalogue of a language, for the words the report's context writes.

    Read with Babel rather than Flask-Babel, so a report builds without a request; a
    language without a catalogue (Dutch, the source) keeps the Dutch words.
    """
    return Translations.load(str(TRANSLATIONS_DIR), [language])


def lessons_profile_title(language: str, lessons: int) -> str:
    """The title over the profile of all lessons, with their number from the questionnaire."""
    title: str = interface(language).ngettext(
        "Profiel van de les", "Profiel van de %(num)d lessen", lessons)
    return title % {"num": lessons}


@lru_cache(maxsize=8)
def chart_labels(language: str) -> Mapping[str, str]:
    """The chart labels in the report's language, from the interface catalogue."""
    translations = interface(language)
    return {key: translations.gettext(text) for key, text in LABELS.items()}


@dataclass(frozen=True)
class Numbers:
    """Number formatting in one language: scores, changes, two decimals, whole percentages.

    Scores go through :func:`assessment.figures.score_text` with the questionnaire's
    ``boundaries`` (:func:`assessment.figures.boundaries_of`), as every page shows them.
    """

    language: str
    boundaries: Boundaries

    @classmethod
    def of(cls, questionnaire: Questionnaire, language: str) -> Numbers:
        """The formatting of a questionnaire's scores in a language."""
        return cls(language, boundaries_of(questionnaire))

    def score(self, value: float | None) -> str:
        """A score such as 3,4 (Dutch) or 3.4 (English), never across a band boundary."""
        return score_text(value, self.boundaries, self.language)

    def score_two(self, value: float | None) -> str:
        """A score with two decimals under the same rule, such as 2,99 (the quadrant's sums)."""
        return score_text(value, self.boundaries, self.language, places=2)

    def figure(self, value: float | None) -> str:
        """A figure that is no score (a spread, a gap) with one decimal, such as 1,0."""
        return figure_text(value, self.language)

    def two(self, value: float | None) -> str:
        """A figure with two decimals, such as a consensus of 0,74."""
        return "–" if value is None else format_decimal(value, "0.00", locale=self.language)

    def percent(self, value: float | None) -> str:
        """A share as a whole percentage."""
        return "–" if value is None else format_percent(value, "0%", locale=self.language)

    def signed(self, change: Decimal | None) -> str:
        """A shown change (the difference of shown scores) with its sign: +0,3, −0,2, ±0,0."""
        return change_text(change, self.language)

    def long_date(self, value: date) -> str:
        """A date written out, such as 27 november 2026 (as the rest of the report does)."""
        return report_date(value, self.language)


@dataclass(frozen=True)
class StatementRow:
    """One statement in the appendix or a lesson section, its answers split for a bar."""

    statement: Statement
    summary: StatementSummary
    bar: StatementBar


@dataclass(frozen=True)
class LessonSection:
    """Everything the report says about one lesson."""

    number: int
    lesson: Lesson
    summary: LessonSummary
    band_label: str | None
    advice_label: str | None
    #: The advice for the band and agreement state (see ``lesson_advice``).
    advice: str | None
    #: The information gap's advice, when the lesson has one; it comes before ``advice``.
    information_gap: str | None
    #: Included texts on the lesson, identical ones once with their count.
    comments: tuple[GroupedAnswer, ...]
    statements: tuple[StatementRow, ...]
    #: The lesson's statements in one chart; None when the lesson has no figures.
    chart: charts.StatementChart | None = None
    previous: float | None = None
    #: The change in shown scores since the previous round (``LessonChange.shown_change``).
    change: Decimal | None = None
    notes: str = ""
    conclusion: str = ""
    #: The facilitator's own text on the advice, and whether it replaces or extends it.
    own_advice: str = ""
    own_advice_mode: str = ""


@dataclass(frozen=True)
class ContextSection:
    """A context block in the appendix: its statements' answers, its mean and n."""

    block: ContextBlock
    summary: ContextSummary
    statements: tuple[StatementRow, ...]
    #: Labels of the quadrant axes the block counts in.
    axes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AxisPart:
    """One part of a quadrant axis, a lesson (with its number) or a context block, and its score."""

    title: str
    value: float | None
    #: The lesson's number; None for a context block.
    lesson_number: int | None = None


@dataclass(frozen=True)
class QuadrantAxis:
    """How one quadrant axis is computed: the mean of its parts, each weighing the same."""

    name: str
    label: str
    parts: tuple[AxisPart, ...]
    value: float | None
    split: float

    @property
    def high(self) -> bool:
        """Whether the axis is high: its exact value at or above the split."""
        return self.value is not None and at_or_above(self.value, self.split)


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


#: The radar's drawing size: small enough that its labels stay legible when it is printed
#: at the width it has beside the sorted bars on the profile page.
RADAR_SIZE = 460

#: Below this many counted respondents the summary warns that one person moves a score.
FEW_RESPONDENTS = 10
#: The summary page lists this many agreed actions; the Actieagenda has them all.
SUMMARY_ACTIONS = 5


@dataclass(frozen=True)
class ResponseLine:
    """Who took part, and the words that say it: one place, for the summary and the cover.

    ``submitted`` counts the respondents who sent in, ``counted`` those the results count
    (fewer while the most recent wait for a step of three, see :mod:`assessment.anonymity`),
    ``invited`` the number of invitations the facilitator gave (None: not given).
    """

    submitted: int
    counted: int
    invited: int | None
    #: "28 van de 35 genodigden deden mee (80 %)." or "28 deelnemers deden mee."
    took_part: str
    #: Why the results count fewer than sent in; empty when they count everyone.
    waiting: str = ""

    @property
    def share(self) -> float | None:
        """The share of the invited who sent in; None without a usable invited count."""
        return invited_share(self.submitted, self.invited)

    @property
    def text(self) -> str:
        """The whole line: who took part, and what the results count when that differs."""
        return f"{self.took_part} {self.waiting}".strip()


def describe_response(submitted: int, counted: int, invited: int | None,
                      numbers: Numbers) -> ResponseLine:
    """The response line in the report's language (see :class:`ResponseLine`)."""
    t = interface(numbers.language)
    share = invited_share(submitted, invited)
    if share is not None:
        took_part = t.ngettext(
            "%(num)d van de %(invited)d genodigden deed mee (%(share)s).",
            "%(num)d van de %(invited)d genodigden deden mee (%(share)s).", submitted,
        ) % {"num": submitted, "invited": invited, "share": numbers.percent(share)}
    elif invited:
        took_part = t.ngettext(
            "%(num)d deelnemer deed mee, meer dan het opgegeven aantal genodigden "
            "(%(invited)d).",
            "%(num)d deelnemers deden mee, meer dan het opgegeven aantal genodigden "
            "(%(invited)d).", submitted) % {"num": submitted, "invited": invited}
    else:
        took_part = t.ngettext("%(num)d deelnemer deed mee.", "%(num)d deelnemers deden mee.",
                               submitted) % {"num": submitted}
    waiting = ""
    if 0 < counted < submitted:
        # Never one or two: results count from three, in steps of three.
        waiting = t.gettext(
            "De uitkomsten tellen er %(num)d: de nieuwste wachten tot er genoeg bij zijn, "
            "zodat niemand herkenbaar is.") % {"num": counted}
    elif counted < submitted:
        waiting = t.gettext("De uitkomsten wachten nog tot er genoeg deelnemers zijn, zodat "
                            "niemand herkenbaar is.")
    return ResponseLine(submitted, counted, invited, took_part, waiting)


def session_held(*, notes: Mapping[str, tuple[str, str]], actions: int, vote_held: bool,
                 session_date: date | None, today: date) -> bool:
    """Whether the group has met to discuss the results: the one rule the report follows.

    Held when the session left a trace: notes or a conclusion on a lesson (blank text does
    not count), an agreed action, or a vote on priorities (opened at all, whatever came of
    it); or when the session date the facilitator entered lies before ``today``. A session
    date of today or later without any trace is a session still to come, and so is no date
    at all.
    """
    noted = any(note.strip() or conclusion.strip() for note, conclusion in notes.values())
    past = session_date is not None and session_date < today
    return noted or actions > 0 or vote_held or past


@dataclass(frozen=True)
class SessionOutcome:
    """What the session produced, for the summary page.

    ``held`` follows :func:`session_held`; ``on`` is the session's date when one was
    entered and it is not in the future (a held session with a later date, or none, is
    told without a date). The vote's top lessons count only for a vote closed with
    enough voters.
    """

    held: bool
    on: date | None
    #: Lessons with a conclusion, in the questionnaire's order.
    conclusions: tuple[LessonSection, ...]
    #: The lessons the group chose to work on first, most votes first.
    chosen: tuple[LessonVotes, ...]
    voters: int
    actions: tuple[Action, ...]

    @property
    def produced(self) -> bool:
        """Whether there is anything to report: a conclusion, a chosen priority, an action."""
        return bool(self.conclusions or self.chosen or self.actions)


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
    #: The session date as the facilitator entered it (None: not entered); ``session_date``
    #: falls back to when the scan closed or opened.
    entered_session_date: date | None = None
    #: The report's status: "voorlopig", "concept" or "definitief" (report_texts.py), and
    #: for a final report its version and the day it was marked.
    status: str = "concept"
    version: int = 0
    final_on: date | None = None
    #: Who asked for the scan, and the facilitator (the scan owner's name); either may be "".
    commissioner: str = ""
    facilitator: str = ""
    #: The day the figures were taken from a backup without answers (None: computed here).
    figures_imported_on: date | None = None


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
    #: "Profiel van de 10 lessen": the profile chapter's heading and the radar's title.
    profile_title: str
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
    #: Who took part, in words (the summary's response line).
    response: ResponseLine | None = None
    #: What the session produced, for the summary page.
    session: SessionOutcome | None = None
    #: Whether the results were discussed, in the content's words (None: older content,
    #: whose introduction still says it itself).
    introduction_session: str | None = None
    #: The context blocks behind the quadrant, for the appendix.
    context_blocks: tuple[ContextSection, ...] = ()
    #: The quadrant's axes as formulas, for the method section (empty without a quadrant).
    quadrant_axes: tuple[QuadrantAxis, ...] = ()
    #: The facilitator's foreword, shown before the summary; "" for none.
    foreword: str = ""
    #: The summary's key messages and the next steps that apply, chosen by the content's
    #: rules (reports.findings).
    key_messages: tuple[findings.KeyMessage, ...] = ()
    next_steps: tuple[findings.NextStepText, ...] = ()
    #: Who sees it differently: lessons × organisation types, then × roles (if asked).
    group_tables: tuple[GroupTable, ...] = ()
    #: The region beside its peers in its programme (reports.landscape_view.PeersView);
    #: None when the scan takes part in no programme.
    peers: PeersView | None = None


def build_context(
    meta: ReportMeta,
    questionnaire: Questionnaire,
    summary: Summary,
    comments: Mapping[str, tuple[str, ...]],
    comparison: RoundComparison | None = None,
    actions: tuple[Action, ...] = (),
    notes: Mapping[str, tuple[str, str]] | None = None,
    vote: VoteResult | None = None,
    today: date | None = None,
    foreword: str = "",
    own_advice: Mapping[str, tuple[str, str]] | None = None,
) -> ReportContext:
    """Choose the advice, draw the charts and format the numbers for one assessment.

    ``own_advice`` gives per lesson the facilitator's text and whether it "replace"s or
    "extend"s the generated advice; it and the foreword are made XML-safe here.
    ``today`` (default: the date today) decides whether a session date lies in the past.
    """
    numbers = Numbers.of(questionnaire, meta.language)
    labels = chart_labels(meta.language)
    profile_title = lessons_profile_title(meta.language, len(questionnaire.lessons))
    bands = questionnaire.band_labels()
    advice_labels = questionnaire.report.advice_labels
    notes = notes or {}
    own_advice = own_advice or {}
    sections = []
    for number, lesson in enumerate(questionnaire.lessons, start=1):
        lesson_summary = summary.lesson(lesson.id)
        change = comparison.lesson(lesson.id) if comparison else None
        note, conclusion = notes.get(lesson.id, ("", ""))
        own_text, own_mode = own_advice.get(lesson.id, ("", ""))
        statements = _statement_rows(lesson, lesson_summary)
        sections.append(LessonSection(
            number=number,
            lesson=lesson,
            summary=lesson_summary,
            band_label=bands.get(lesson_summary.band or ""),
            advice_label=(getattr(advice_labels, lesson_summary.advice.value)
                          if lesson_summary.advice else None),
            advice=lesson_advice(lesson, lesson_summary, meta.language),
            information_gap=(lesson.report.information_gap
                             if lesson_summary.information_gap else None),
            comments=_grouped(comments.get(lesson.id, ())),
            statements=statements,
            chart=statements_chart(questionnaire, lesson, statements, numbers, labels),
            previous=change.previous if change else None,
            change=change.shown_change if change else None,
            notes=xml_safe(note),
            conclusion=xml_safe(conclusion),
            own_advice=xml_safe(own_text),
            own_advice_mode=own_mode if own_text else "",
        ))
    by_id = {section.lesson.id: section for section in sections}
    points = lesson_points(sections, labels)
    facts = findings.lesson_facts(questionnaire, summary, comparison)
    quadrant = summary.quadrant
    quadrant_text = (questionnaire.report.quadrants.cell(quadrant.cell)
                     if quadrant is not None and quadrant.cell else None)
    actions = tuple(Action(xml_safe(a.action), xml_safe(a.owner), xml_safe(a.term),
                           a.lesson_title) for a in actions)
    session = _session_outcome(meta, notes, sections, actions, vote, today or date.today())
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
        bars_chart=bars_chart(points, numbers, labels),
        profile_title=profile_title,
        radar_chart=charts.radar(
            points, numbers.score, title=profile_title,
            desc=_describe(points, numbers, labels), previous_label=labels["previous"],
            size=RADAR_SIZE),
        quadrant_chart=quadrant_chart(questionnaire, summary, numbers, labels),
        has_previous=comparison is not None,
        rules={
            "min_respondents": MIN_RESPONDENTS, "min_group_size": MIN_GROUP_SIZE,
            "few_respondents": FEW_RESPONDENTS, "summary_actions": SUMMARY_ACTIONS,
            "divided_sd": numbers.figure(DIVIDED_SD),
            "divided_share": numbers.percent(DIVIDED_SHARE),
            "divided_gap": numbers.figure(DIVIDED_GROUP_GAP),
            "gap_share": numbers.percent(INFORMATION_GAP_SHARE),
            "majority_share": numbers.percent(MAJORITY_SHARE),
        },
        key_messages=findings.key_messages(questionnaire, facts, numbers),
        next_steps=findings.next_steps(questionnaire, facts, bool(actions), numbers),
        **_priorities(vote),
        response=describe_response(
            meta.submitted if meta.submitted is not None else summary.respondents,
            summary.respondents, meta.invited, numbers),
        session=session,
        introduction_session=questionnaire.report.session_sentence(
            session.held, numbers.long_date(session.on) if session.on else None),
        context_blocks=_context_sections(questionnaire, summary),
        quadrant_axes=quadrant_axes(questionnaire, summary),
        foreword=xml_safe(foreword),
        group_tables=group_tables(questionnaire, summary),
    )


def _session_outcome(meta: ReportMeta, notes: Mapping[str, tuple[str, str]],
                     sections: list[LessonSection], actions: tuple[Action, ...],
                     vote: VoteResult | None, today: date) -> SessionOutcome:
    entered = meta.entered_session_date
    held = session_held(notes=notes, actions=len(actions),
                        vote_held=vote is not None and vote.status is not VoteStatus.NONE,
                        session_date=entered, today=today)
    final = vote is not None and vote.final
    return SessionOutcome(
        held=held,
        on=entered if held and entered is not None and entered <= today else None,
        conclusions=tuple(s for s in sections if s.conclusion.strip()),
        chosen=vote.top if vote is not None and final else (),
        voters=vote.voters if vote is not None and final else 0,
        actions=actions,
    )


def _priorities(vote: VoteResult | None) -> dict[str, Any]:
    """The vote's part of the report: only a vote closed with enough voters is reported."""
    if vote is None or not vote.final:
        return {}
    return {"priorities": tuple(row for row in vote.lessons if row.votes),
            "priority_top": tuple(row.lesson_id for row in vote.top),
            "priority_voters": vote.voters, "priority_max": vote.max_choices}


def lesson_points(sections: Sequence[LessonSection],
                  labels: Mapping[str, str]) -> list[charts.LessonPoint]:
    """The lessons as the profile charts draw them, in the questionnaire's order."""
    return [
        charts.LessonPoint(
            label=f"{s.number}. {s.lesson.title}", short=s.lesson.short_title,
            value=s.summary.mean, band=s.summary.band,
            band_label=s.band_label or labels["no_score"], previous=s.previous)
        for s in sections
    ]


def bars_chart(points: Sequence[charts.LessonPoint], numbers: Numbers,
               labels: Mapping[str, str]) -> str:
    """The lessons' scores as bars, highest first (lessons without a score last)."""
    ranked = sorted(points, key=lambda p: (p.value is None, -(p.value or 0.0)))
    return charts.bars(ranked, numbers.score, title=labels["bars_title"],
                       desc=_describe(ranked, numbers, labels),
                       previous_label=labels["previous"])


def bars_chart_in(context: ReportContext, language: str) -> str:
    """The report's bar chart with the words and numbers of ``language``, for a page read in
    another language than the scan's; the lessons and bands keep the scan's own words, as
    in the table beside it."""
    labels = chart_labels(language)
    return bars_chart(lesson_points(context.lessons, labels),
                      Numbers.of(context.questionnaire, language), labels)


def _describe(
    points: list[charts.LessonPoint], numbers: Numbers, labels: Mapping[str, str]
) -> str:
    """Every lesson's score and band, and its previous score where the chart draws one."""
    def values(p: charts.LessonPoint) -> str:
        if p.previous is None:
            return p.band_label
        return f"{p.band_label}; {labels['previous_score'] % {'score': numbers.score(p.previous)}}"
    return "; ".join(f"{p.label}: {numbers.score(p.value)} ({values(p)})" for p in points)


def _statement_rows(lesson: Lesson, summary: LessonSummary) -> tuple[StatementRow, ...]:
    """The lesson's statements with figures (none while the lesson has none), in order."""
    by_id = {s.statement_id: s for s in summary.statements}
    return tuple(StatementRow(statement, by_id[statement.id],
                              statement_bar(statement, by_id[statement.id]))
                 for statement in lesson.statements if statement.id in by_id)


def statements_chart(questionnaire: Questionnaire, lesson: Lesson,
                     rows: tuple[StatementRow, ...], numbers: Numbers,
                     labels: Mapping[str, str]) -> charts.StatementChart | None:
    """The lesson's statements as one chart of diverging bars; None without statement figures.

    A statement below three valid answers keeps its row, marked "te weinig antwoorden", with
    no bar and no number, also not in the description. The description gives every shown
    statement's counts per answer and its shares, so a screen reader hears the values.
    """
    if not rows:
        return None
    scale = questionnaire.statement_scale(rows[0].statement)
    chart_labels = charts.StatementChartLabels(
        points=tuple(point.label for point in scale.points), disagree=labels["disagree"],
        agree=labels["agree"], dont_know=labels["dont_know"], too_few=labels["too_few"])
    dont_know = next((o.label for o in scale.non_valid if o.code == "weet_niet"),
                     labels["dont_know"])
    described = []
    chart_rows = []
    for row in rows:
        text = row.statement.text + (f" ({labels['reversed']})" if row.statement.reverse
                                     else "")
        chart_rows.append((text, row.bar))
        if not row.bar.shown:
            described.append(f"{text}: {labels['too_few']}")
            continue
        points = questionnaire.statement_scale(row.statement).points
        counts = ", ".join(f"{point.label} {count}" for point, count
                           in zip(points, row.bar.counts, strict=True))
        described.append(
            f"{text}: {counts}, {dont_know} {row.bar.dont_know} "
            f"({labels['disagree']} {numbers.percent(sum(row.bar.disagree) / row.bar.valid)}, "
            f"{labels['agree']} {numbers.percent(sum(row.bar.agree) / row.bar.valid)})")
    return charts.statement_answers(
        chart_rows, chart_labels, numbers.percent,
        title=labels["statements_title"] % {"lesson": lesson.title},
        desc="; ".join(described))


def _context_sections(
    questionnaire: Questionnaire, summary: Summary
) -> tuple[ContextSection, ...]:
    """The context blocks with their statements as worded; none when nothing is shown.

    A summary kept from before statements were summarised per block has the blocks without
    statement rows (the appendix then says so).
    """
    if not summary.shown:
        return ()
    spec = questionnaire.quadrant
    by_id = {block.block_id: block for block in summary.context}
    sections = []
    for block in questionnaire.context_blocks:
        block_summary = by_id.get(block.id)
        if block_summary is None:
            continue
        statements = {s.statement_id: s for s in block_summary.statements}
        axes = tuple(axis.label for axis in ((spec.x, spec.y) if spec else ())
                     if block.id in axis.context_blocks)
        sections.append(ContextSection(
            block, block_summary,
            tuple(StatementRow(statement, statements[statement.id],
                               statement_bar(statement, statements[statement.id]))
                  for statement in block.statements if statement.id in statements),
            axes))
    return tuple(sections)


def quadrant_axes(questionnaire: Questionnaire, summary: Summary) -> tuple[QuadrantAxis, ...]:
    """The quadrant's two axes as the summary computed them: parts, their scores, the mean."""
    spec = questionnaire.quadrant
    position = summary.quadrant
    if spec is None or position is None:
        return ()
    numbers = {lesson.id: n for n, lesson in enumerate(questionnaire.lessons, start=1)}
    titles = {block.id: block.title for block in questionnaire.context_blocks}
    blocks = {block.block_id: block.mean for block in summary.context}
    axes = []
    for name, axis, value in (("x", spec.x, position.x), ("y", spec.y, position.y)):
        parts = [AxisPart(questionnaire.lesson(i).title, summary.lesson(i).mean, numbers[i])
                 for i in axis.lessons]
        parts += [AxisPart(titles[i], blocks.get(i)) for i in axis.context_blocks]
        axes.append(QuadrantAxis(name, axis.label, tuple(parts), value, spec.split))
    return tuple(axes)


def _group_rows(questionnaire: Questionnaire, summary: Summary) -> tuple[GroupRow, ...]:
    labels = questionnaire.group_labels()
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
    where = labels["quadrant_desc"] % {
        "x_label": spec.x.label, "x": numbers.score(position.x),
        "y_label": spec.y.label, "y": numbers.score(position.y),
        "split": numbers.score(position.split)}
    if position.cell:
        where += " " + labels["quadrant_cell"] % {"cell": cells.cell(position.cell).title}
    return charts.quadrant(position.x, position.y, position.split, chart_labels,
                           numbers.score, title=labels["quadrant_title"], desc=where)

