"""Aggregation: from all respondents' answers to what the group thinks.

Pure functions over plain data (no Flask, no database, no globals) that return frozen
dataclasses; templates, the report and exports only display them.

Who counts
    Only respondents who submitted are counted, and of those the ones the caller passes:
    :mod:`assessment.results` passes the first in submission order that
    :func:`assessment.anonymity.counted_respondents` allows (steps of three while answering
    is open). Their lesson scores follow :mod:`assessment.scoring` (reverse wording, "weet
    niet"/"n.v.t." left out, half-valid rule).

Per lesson
    - ``shown``: whether the lesson has a score: at least 3 respondents with a lesson score.
      Below that, only ``n`` and the information-gap signal are given (see Anonymity).
    - ``mean``: the mean of the respondents' lesson scores (each person weighs the same);
      ``median`` beside it; ``n``: respondents with a lesson score; ``sd``: the sample standard
      deviation (n − 1) of those scores, 0 for a single score.
    - ``distribution``: counts of the scored answers (reverse wording applied) to the lesson's
      statements on each point of the scale; ``agree``/``neutral``/``disagree``: shares of
      those answers at 4–5, 3 and 1–2 (on a 5-point scale: the top two, the middle, the
      bottom two points).
    - ``consensus``: Tastle and Wierman's measure on that distribution: 1 when every answer is
      the same, 0 when the answers are split between the two ends of the scale.
    - ``dont_know_share``: "weet niet" answers as a share of all answers given to the lesson
      (valid, "weet niet" and "n.v.t."); 30 % or more is an *information gap*.
    - *divided* (verdeeld) when the SD is 1.0 or more, or at least 25 % agree and 25 %
      disagree, or two organisation types (the options of the profile question the
      questionnaire marks ``groups_respondents``) with at least 5 scores each
      (``MIN_GROUP_SIZE``) differ by 1.0 or more: also when one of them is hidden by
      complementary suppression (its mean is then not given; the surfaces say the types
      differ without naming it).
      ``divided_by_groups`` holds this last sign. The types' means are compared as shown
      (one decimal, :func:`assessment.figures.shown_score`), so a gap of "1,0" between two
      shown figures is always a gap of 1.0.
    - Means are summed exactly (``math.fsum``), so scores such as 8/3, 10/3 and 3 average to
      exactly 3.0 and land in the right band.
    - ``band`` on the unrounded (exact, :func:`assessment.figures.exact`) mean, from the
      questionnaire's bands: at or above the minimum
      of "sterk", "sterk"; else at or above that of "aandacht", "aandacht"; else "zorg".
    - ``advice``: level × agreement: high (band "sterk") or low, agreed or divided; high
      while most answers disagree counts as divided (see :func:`advice_for`).
    - ``agreement`` (derived, not stored): how the answers lean, which with the band and the
      information gap chooses the advice text; see :func:`agreement_of`.

Per context block (unscored; it places the region in the quadrant)
    - ``mean``: scored as a lesson (reverse wording, half-valid rule, each person the same);
      ``n``: respondents with a block score.
    - ``statements``: each statement's answers and mean, as for a lesson's statements.

Anonymity (the rules are :mod:`assessment.anonymity`'s; this applies them)
    No aggregate is computed for fewer than 3 respondents (``MIN_RESPONDENTS``): neither the
    whole summary nor a lesson. A lesson with fewer than 3 scores carries no figures at all:
    its distribution is empty (so no agree, neutral, disagree or "weet niet" share) and it
    has no statement figures (a context block with fewer than 3 scores: no mean, and its
    statements without figures); its ``information_gap`` is set only when at least 3
    respondents answered the lesson (any answer) and 30 % or more of those answers are
    "weet niet", and is then shown as a signal without its share. A statement's figures
    (counts, "weet niet", "n.v.t." and mean) are given only from 3 valid answers; below that
    its distribution is empty and ``shown`` is False ("te weinig antwoorden"). By
    organisation type, a group's lesson mean is shown only when at least 5 of its
    respondents (``MIN_GROUP_SIZE``) have a score on that lesson; when cells are hidden, more
    are hidden (smallest first) until what the shown cells leave over of the lesson's n is
    at least two parts with together at least 5 respondents, respondents without a type
    being one such part, so no hidden group follows from the total by subtraction
    (:func:`assessment.anonymity.suppress`). A hidden cell carries its true ``reason``
    (:func:`assessment.anonymity.withheld`): too small, or hidden to protect a small group.
    A type nobody belongs to is "no data", not "hidden".

By role (and any other profile question)
    The same cells, under the same rules, per role (``roles``, profile question ``rol``,
    when the questionnaire asks it; see :func:`breakdown`). ``roles_differ`` is the role's
    counterpart of ``divided_by_groups`` (two roles with at least 5 scores each differ by
    1.0 or more); it is a finding of its own and does not make a lesson divided.

Rankings (ties broken as stated, finally by questionnaire order)
    - strengths: lessons in band "sterk", highest mean first, then highest consensus;
    - points of attention: lessons in "aandacht" or "zorg", lowest mean first, then lowest
      consensus;
    - largest disagreements: divided lessons, lowest consensus first, then highest SD;
    - information gaps: lessons with an information gap, highest "weet niet" share first.
"""

from __future__ import annotations

import enum
import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain

# Re-exported: templates read the thresholds from this module's ``rules``.
from assessment.anonymity import MIN_GROUP_SIZE as MIN_GROUP_SIZE
from assessment.anonymity import MIN_RESPONDENTS as MIN_RESPONDENTS
from assessment.anonymity import MIN_VALID_ANSWERS as MIN_VALID_ANSWERS
from assessment.anonymity import HiddenReason as HiddenReason
from assessment.anonymity import figure_allowed, gap_signal_allowed, withheld
from assessment.anonymity import suppress as suppress
from assessment.figures import Boundaries, at_or_above, boundaries_of, shown_score
from assessment.scoring import (
    DONT_KNOW,
    NOT_APPLICABLE,
    ScaleRange,
    ScoredStatement,
    group_scorer,
    score_table,
)
from questions.schema import ContextBlock, Lesson, ProfileQuestion, Questionnaire, Statement

DIVIDED_SD = 1.0
DIVIDED_SHARE = 0.25
DIVIDED_GROUP_GAP = 1.0
_GAP = Decimal(repr(DIVIDED_GROUP_GAP))
INFORMATION_GAP_SHARE = 0.30
#: "Most answers": more than this share of the answers on the scale (see ``agreement_of``).
MAJORITY_SHARE = 0.5


class Advice(enum.StrEnum):
    """The level × agreement quadrant that chooses a lesson's advice."""

    KEEP = "keep"                  # high and not divided: keep it and use it
    TALK = "talk"                  # high but divided (or most disagree): talk about it
    IMPROVE = "improve"            # low and agreed: improve together
    SHARE_PICTURE = "share"        # low and divided: first share the picture


class Agreement(enum.StrEnum):
    """How a lesson's answers lean; with the band it chooses the advice text.

    "The group agrees" is not "the group agrees that it works": a lesson that is not
    divided may still have no majority either way. The values are the keys of a band's
    advice in the questionnaire (``questions.schema.BandAdvice``).
    """

    DIVIDED = "divided"                          # divided (verdeeld), by any of its signs
    AGREED_WORKS = "agreed_works"                # not divided; most answers agree
    AGREED_FALLS_SHORT = "agreed_falls_short"    # not divided; most answers disagree
    NO_MAJORITY = "no_majority"                  # not divided; neither is most


class CellStatus(enum.StrEnum):
    """Whether a group's figure is shown, hidden for anonymity, or has no data."""

    SHOWN = "shown"
    HIDDEN = "hidden"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Response:
    """One submitted respondent: their group and answers (statement id → code).

    ``group`` is their option on the questionnaire's grouping question (the organisation
    type); ``profile`` holds their other profile answers that a breakdown is made by
    (question id → option id: the role).
    """

    respondent_id: int
    group: str | None
    answers: Mapping[str, str]
    profile: Mapping[str, str] = field(default_factory=dict)

    def option(self, question_id: str) -> str | None:
        """The option this respondent chose on a non-grouping profile question (None: not)."""
        return self.profile.get(question_id)


@dataclass(frozen=True)
class Distribution:
    """Answers on a scale: counts per point, and the non-valid answers beside them.

    Shares are of the valid answers; ``dont_know_share`` is of all answers given.
    """

    counts: tuple[int, ...]
    dont_know: int
    not_applicable: int

    @property
    def valid(self) -> int:
        """Answers on the scale."""
        return sum(self.counts)

    @property
    def given(self) -> int:
        """All answers given, non-valid ones included."""
        return self.valid + self.dont_know + self.not_applicable

    def share(self, points: Iterable[int]) -> float:
        """The share of valid answers on these points (1-based); 0 without valid answers."""
        if not self.valid:
            return 0.0
        return sum(self.counts[p - 1] for p in points) / self.valid

    @property
    def agree(self) -> float:
        """Share at the top two points."""
        top = len(self.counts)
        return self.share((top - 1, top))

    @property
    def disagree(self) -> float:
        """Share at the bottom two points."""
        return self.share((1, 2))

    @property
    def neutral(self) -> float:
        """Share of the points between (on 1–5: the 3)."""
        top = len(self.counts)
        return self.share(range(3, top - 1))

    @property
    def dont_know_share(self) -> float:
        """"Weet niet" as a share of all answers given; 0 when none were given."""
        return self.dont_know / self.given if self.given else 0.0

    @property
    def consensus(self) -> float | None:
        """Tastle–Wierman consensus of the valid answers; None without any."""
        return consensus(self.counts)


def consensus(counts: Sequence[int]) -> float | None:
    """Tastle and Wierman's consensus for frequencies on an ordinal scale 1..k.

    Cns = 1 + Σ pᵢ · log₂(1 − |i − μ| / (k − 1)), μ the mean. 1 when all answers are on one
    point, 0 when they are split evenly between the two ends. None for no answers.
    """
    total = sum(counts)
    if total == 0:
        return None
    width = len(counts) - 1
    mean = sum((i + 1) * c for i, c in enumerate(counts)) / total
    result = 1.0
    for i, count in enumerate(counts):
        if count:
            # The distance to the mean is below the scale's width unless every answer sits
            # on one end, and then it is 0: the logarithm is always defined.
            result += (count / total) * math.log2(1 - abs(i + 1 - mean) / width)
    return min(1.0, max(0.0, result))


@dataclass(frozen=True)
class GroupCell:
    """One group's figure for a lesson (an organisation type, or a role): shown, hidden, or
    no data; a hidden cell says why (None only in summaries frozen before reasons were kept).
    """

    group: str
    status: CellStatus
    n: int | None = None
    mean: float | None = None
    reason: HiddenReason | None = None


@dataclass(frozen=True)
class StatementSummary:
    """One statement's answers as worded (not reversed), and its mean as scored."""

    statement_id: str
    reverse: bool
    distribution: Distribution
    scored_mean: float | None

    @property
    def shown(self) -> bool:
        """Whether the statement's figures may show: at least 3 valid answers."""
        return self.distribution.valid >= MIN_VALID_ANSWERS


@dataclass(frozen=True)
class LessonSummary:
    """A lesson's figures; ``shown`` is False below the anonymity threshold (then no figures)."""

    lesson_id: str
    title: str
    shown: bool
    n: int
    mean: float | None
    median: float | None
    sd: float | None
    distribution: Distribution
    consensus: float | None
    band: str | None
    information_gap: bool
    divided_by_sd: bool
    divided_by_polarisation: bool
    divided_by_groups: bool
    advice: Advice | None
    groups: tuple[GroupCell, ...]
    statements: tuple[StatementSummary, ...]
    #: The lesson per role (empty when the profile does not ask it, or without a score).
    roles: tuple[GroupCell, ...] = ()
    #: Two roles with at least 5 scores each differ by 1.0 or more (hidden ones included).
    roles_differ: bool = False

    @property
    def divided(self) -> bool:
        """Whether the group is divided on this lesson, by any of the three signs."""
        return self.divided_by_sd or self.divided_by_polarisation or self.divided_by_groups

    @property
    def dont_know_share(self) -> float:
        """"Weet niet" as a share of all answers given to the lesson."""
        return self.distribution.dont_know_share

    @property
    def agreement(self) -> Agreement | None:
        """How the answers lean (see :func:`agreement_of`); None without a score."""
        if not self.shown:
            return None
        return agreement_of(self.divided, self.distribution)


@dataclass(frozen=True)
class ContextSummary:
    """A context block's mean (for the quadrant), its n, and its statements' figures."""

    block_id: str
    n: int
    mean: float | None
    #: Per statement as worded, under the lessons' rules; empty in summaries kept from
    #: before they were added (the block's mean was all they held).
    statements: tuple[StatementSummary, ...] = ()


@dataclass(frozen=True)
class QuadrantPosition:
    """Where the region stands: x (broad well-being), y (investment), each split at ``split``."""

    x: float | None
    y: float | None
    split: float

    @property
    def cell(self) -> str | None:
        """"high-high", "high-low", "low-high" or "low-low" (x first); None when one is missing."""
        if self.x is None or self.y is None:
            return None
        x = "high" if at_or_above(self.x, self.split) else "low"
        y = "high" if at_or_above(self.y, self.split) else "low"
        return f"{x}-{y}"


@dataclass(frozen=True)
class Summary:
    """Everything the dashboard, the report and the exports show of an assessment."""

    questionnaire_id: str
    questionnaire_version: str
    respondents: int
    shown: bool
    lessons: tuple[LessonSummary, ...]
    context: tuple[ContextSummary, ...]
    group_sizes: tuple[GroupCell, ...]
    overall_index: float | None
    quadrant: QuadrantPosition | None
    strengths: tuple[str, ...]
    points_of_attention: tuple[str, ...]
    largest_disagreements: tuple[str, ...]
    information_gaps: tuple[str, ...]

    def lesson(self, lesson_id: str) -> LessonSummary:
        """The summary of one lesson."""
        for lesson in self.lessons:
            if lesson.lesson_id == lesson_id:
                return lesson
        raise KeyError(lesson_id)


# -- the pipeline ------------------------------------------------------------------------


def summarise(questionnaire: Questionnaire, responses: Sequence[Response]) -> Summary:
    """The group summary of an assessment's submitted responses."""
    group_ids = _group_ids(questionnaire)
    sizes = {group: 0 for group in group_ids}
    for response in responses:
        if response.group in sizes:
            sizes[response.group] += 1
    shown = figure_allowed(len(responses))
    tallies = _tallies(questionnaire, responses) if shown else {}
    lessons = tuple(
        _summarise_lesson(questionnaire, lesson, responses, tallies, group_ids, shown)
        for lesson in questionnaire.lessons
    )
    context = tuple(_summarise_context(questionnaire, block, responses, tallies, shown)
                    for block in questionnaire.context_blocks)
    means = [lesson.mean for lesson in lessons if lesson.mean is not None]
    return Summary(
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        respondents=len(responses),
        shown=shown,
        lessons=lessons,
        context=context,
        group_sizes=_group_size_cells(sizes) if shown else (),
        overall_index=math.fsum(means) / len(means) if means else None,
        quadrant=_quadrant(questionnaire, lessons, context),
        **_rankings(lessons),
    )


def _tallies(
    questionnaire: Questionnaire, responses: Sequence[Response]
) -> dict[str, Counter[str | None]]:
    """How often each code was given per statement, counted once for every use after."""
    pairs = Counter(chain.from_iterable(r.answers.items() for r in responses))
    tallies: dict[str, Counter[str | None]] = {
        s.id: Counter() for s in questionnaire.statements()}
    for (statement_id, code), count in pairs.items():
        if statement_id in tallies:
            tallies[statement_id][code] = count
    return tallies


def _group_ids(questionnaire: Questionnaire) -> tuple[str, ...]:
    """The options of the grouping question, in order; empty when no question groups."""
    return tuple(questionnaire.group_labels())


def _role_ids(questionnaire: Questionnaire) -> tuple[str, ...]:
    """The options of the role question, in order; empty when no question asks the role."""
    role = questionnaire.role_question
    return tuple(option.id for option in role.options) if role is not None else ()


def _scale(questionnaire: Questionnaire, scale_id: str | None = None) -> ScaleRange:
    scale = questionnaire.scale(scale_id)
    return ScaleRange(scale.minimum, scale.maximum)


def _scored(statements: Iterable[Statement]) -> tuple[ScoredStatement, ...]:
    return tuple(ScoredStatement(s.id, s.reverse) for s in statements)


def lesson_scorer(
    questionnaire: Questionnaire, lesson: Lesson
) -> Callable[[Mapping[str, str]], float | None]:
    """One respondent's score on a lesson, as every summary scores it (see scoring)."""
    return group_scorer(_scored(lesson.statements), _scale(questionnaire))


def _summarise_lesson(
    questionnaire: Questionnaire,
    lesson: Lesson,
    responses: Sequence[Response],
    tallies: Mapping[str, Counter[str | None]],
    group_ids: tuple[str, ...],
    shown: bool,
) -> LessonSummary:
    scale = _scale(questionnaire)
    statements = _scored(lesson.statements)
    scorer = lesson_scorer(questionnaire, lesson)
    scores = {
        r.respondent_id: score for r in responses if (score := scorer(r.answers)) is not None
    }
    points = scale.maximum - scale.minimum + 1
    n = len(scores)
    if not shown:
        return LessonSummary(
            lesson.id, lesson.title, False, n, None, None, None,
            Distribution((0,) * points, 0, 0), None, None, False, False, False, False, None,
            (), (),
        )
    distribution = _distribution(
        ((tallies[s.id], score_table(s.reverse, scale)) for s in statements), scale)
    if not figure_allowed(n):
        # Too few opinions for any figure; what people did not know may show as a signal
        # only (see the module's rules), never as a share or a distribution.
        answering = sum(1 for r in responses
                        if any(s.id in r.answers for s in lesson.statements))
        information_gap = (gap_signal_allowed(answering)
                           and distribution.dont_know_share >= INFORMATION_GAP_SHARE)
        return LessonSummary(
            lesson.id, lesson.title, False, n, None, None, None,
            Distribution((0,) * points, 0, 0), None, None, information_gap, False, False,
            False, None, (), (),
        )
    statement_summaries = tuple(
        _summarise_statement(s.id, s.reverse, tallies[s.id], scale) for s in lesson.statements
    )
    information_gap = distribution.dont_know_share >= INFORMATION_GAP_SHARE
    values = list(scores.values())
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    boundaries = boundaries_of(questionnaire)
    groups = breakdown(responses, scores, _group_of, group_ids, boundaries)
    role = questionnaire.role_question
    roles = breakdown(responses, scores,
                      lambda response: response.option(role.id) if role is not None else None,
                      _role_ids(questionnaire), boundaries)
    by_sd = sd >= DIVIDED_SD
    by_polarisation = (distribution.agree >= DIVIDED_SHARE
                       and distribution.disagree >= DIVIDED_SHARE)
    by_groups = groups.wide_gap
    band = band_of(questionnaire, mean)
    divided = by_sd or by_polarisation or by_groups
    return LessonSummary(
        lesson_id=lesson.id,
        title=lesson.title,
        shown=True,
        n=n,
        mean=mean,
        median=statistics.median(values),
        sd=sd,
        distribution=distribution,
        consensus=distribution.consensus,
        band=band,
        information_gap=information_gap,
        divided_by_sd=by_sd,
        divided_by_polarisation=by_polarisation,
        divided_by_groups=by_groups,
        advice=advice_for(band, agreement_of(divided, distribution)),
        groups=groups.cells,
        statements=statement_summaries,
        roles=roles.cells,
        roles_differ=roles.wide_gap,
    )


def band_of(questionnaire: Questionnaire, score: float) -> str:
    """The band of an unrounded score, from the questionnaire's band minimums.

    Judged on the exact score (:func:`assessment.figures.exact`), as the shown score is.
    """
    for band in questionnaire.bands:
        if band.minimum is None or at_or_above(score, band.minimum):
            return band.id
    return questionnaire.bands[-1].id


def advice_for(band: str, agreement: Agreement) -> Advice:
    """Level (band "sterk" is high) × agreement state → the advice quadrant.

    High and divided, or high while most answers disagree (the score and the answers point
    different ways), is "talk"; otherwise high is "keep". Low and divided is "share the
    picture first"; otherwise low is "improve together".
    """
    if band == "sterk":
        if agreement in (Agreement.DIVIDED, Agreement.AGREED_FALLS_SHORT):
            return Advice.TALK
        return Advice.KEEP
    return Advice.SHARE_PICTURE if agreement is Agreement.DIVIDED else Advice.IMPROVE


def agreement_of(divided: bool, distribution: Distribution) -> Agreement:
    """The agreement state of a lesson, from its divided flag and its distribution.

    - *divided* whenever the lesson is divided (verdeeld): a majority beside a large
      minority, a wide spread or two organisation types far apart is no agreement;
    - else *agreed that it works* when more than half (``MAJORITY_SHARE``, strictly) of
      the answers on the scale agree (the top two points, reverse wording applied, so
      every agreeing answer says that something works);
    - else *agreed that it falls short* when more than half disagree (the bottom two);
    - else *no clear majority*: neither agreeing nor disagreeing answers are most.

    Shares are of the answers on the scale: "weet niet" and "n.v.t." count in neither,
    exactly as in the lesson's agree and disagree figures. Exactly half is no majority.
    """
    if divided:
        return Agreement.DIVIDED
    if distribution.agree > MAJORITY_SHARE:
        return Agreement.AGREED_WORKS
    if distribution.disagree > MAJORITY_SHARE:
        return Agreement.AGREED_FALLS_SHORT
    return Agreement.NO_MAJORITY


def _distribution(
    tallies: Iterable[tuple[Counter[str | None], Mapping[str, int]]], scale: ScaleRange
) -> Distribution:
    """Counts per scale point of (code tally, score table) pairs, non-valid codes beside."""
    counts = [0] * (scale.maximum - scale.minimum + 1)
    dont_know = not_applicable = 0
    for tally, table in tallies:
        for code, count in tally.items():
            value = table.get(code) if code is not None else None
            if value is not None:
                counts[value - scale.minimum] += count
            elif code == DONT_KNOW:
                dont_know += count
            elif code == NOT_APPLICABLE:
                not_applicable += count
    return Distribution(tuple(counts), dont_know, not_applicable)


def _summarise_statement(
    statement_id: str, reverse: bool, tally: Counter[str | None], scale: ScaleRange
) -> StatementSummary:
    """A statement's answers as worded, and the mean of its scores (reverse applied).

    Empty (no counts, no mean) below ``MIN_VALID_ANSWERS`` valid answers.
    """
    distribution = _distribution([(tally, score_table(False, scale))], scale)
    if distribution.valid < MIN_VALID_ANSWERS:
        return StatementSummary(statement_id, reverse,
                                Distribution((0,) * len(distribution.counts), 0, 0), None)
    scored = _distribution([(tally, score_table(reverse, scale))], scale)
    total = sum(scored.counts)
    mean = sum((i + scale.minimum) * c for i, c in enumerate(scored.counts)) / total
    return StatementSummary(statement_id, reverse, distribution, mean)


def statement_summary(questionnaire: Questionnaire, statement: Statement,
                      codes: Iterable[str]) -> StatementSummary:
    """One statement's figures from the codes the counted respondents gave it, under the
    rules of its figures in the group summary (the statement row of the question types)."""
    return _summarise_statement(statement.id, statement.reverse, Counter(codes),
                                _scale(questionnaire))


def _summarise_context(
    questionnaire: Questionnaire, block: ContextBlock, responses: Sequence[Response],
    tallies: Mapping[str, Counter[str | None]], shown: bool,
) -> ContextSummary:
    """A context block as a lesson is summarised: its mean and its statements' figures.

    No figures when the summary is not shown; below 3 respondents with a block score the
    statements keep their place but without figures ("te weinig antwoorden").
    """
    scale = _scale(questionnaire)
    scorer = group_scorer(_scored(block.statements), scale)
    scores = [s for r in responses if (s := scorer(r.answers)) is not None]
    if not shown:
        return ContextSummary(block.id, len(scores), None)
    if not figure_allowed(len(scores)):
        empty = Distribution((0,) * (scale.maximum - scale.minimum + 1), 0, 0)
        return ContextSummary(block.id, len(scores), None, tuple(
            StatementSummary(s.id, s.reverse, empty, None) for s in block.statements))
    statements = tuple(_summarise_statement(s.id, s.reverse, tallies[s.id], scale)
                       for s in block.statements)
    return ContextSummary(block.id, len(scores), math.fsum(scores) / len(scores), statements)


# -- anonymity ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    """A lesson's cells by one profile question, and whether two of its groups differ."""

    cells: tuple[GroupCell, ...]
    #: Two groups with at least ``MIN_GROUP_SIZE`` scores each differ by
    #: ``DIVIDED_GROUP_GAP`` or more, whether their cells are shown or not.
    wide_gap: bool


def _group_of(response: Response) -> str | None:
    return response.group


def breakdown(
    responses: Sequence[Response], scores: Mapping[int, float],
    option_of: Callable[[Response], str | None], option_ids: tuple[str, ...],
    boundaries: Boundaries = (),
) -> Breakdown:
    """Per option of a profile question: the lesson mean, or hidden, or no data.

    ``option_of`` gives a respondent's option on the question (None: not answered).

    ``scores`` are the respondents' lesson scores (respondent id → score). The rules are
    the module's (see Anonymity): a cell shows from ``MIN_GROUP_SIZE`` scores, with
    complementary suppression, respondents without an answer to the question counting as
    one part; a hidden cell carries its reason. The gap counts every group with at least
    ``MIN_GROUP_SIZE`` scores, also one hidden to protect a small group: its mean stays in
    here and is never given. Means are compared as shown (``boundaries``: the
    questionnaire's, see :func:`assessment.figures.shown_score`).
    """
    size = {group: 0 for group in option_ids}
    values: dict[str, list[float]] = {group: [] for group in option_ids}
    for response in responses:
        group = option_of(response)
        if group in size:
            size[group] += 1
            if response.respondent_id in scores:
                values[group].append(scores[response.respondent_id])
    counts = {group: len(values[group]) for group in option_ids if size[group]}
    # Scored respondents without a known option are in the lesson's n but in no cell.
    unassigned = len(scores) - sum(counts.values())
    hidden = withheld(counts, unassigned)
    means = {group: math.fsum(v) / len(v) for group, v in values.items() if v}
    cells = []
    for group in option_ids:
        if not size[group]:
            cells.append(GroupCell(group, CellStatus.NO_DATA))
        elif group in hidden:
            cells.append(GroupCell(group, CellStatus.HIDDEN, reason=hidden[group]))
        else:
            cells.append(GroupCell(group, CellStatus.SHOWN, counts[group], means[group]))
    # Compared as shown (one decimal), so a gap in a table is the difference of its figures.
    large = [shown_score(means[group], boundaries)
             for group, n in counts.items() if n >= MIN_GROUP_SIZE]
    wide_gap = len(large) >= 2 and max(large) - min(large) >= _GAP
    return Breakdown(tuple(cells), wide_gap)


def _group_size_cells(sizes: Mapping[str, int]) -> tuple[GroupCell, ...]:
    """The number of respondents per type, under the same rules as the lesson figures."""
    present = {group: n for group, n in sizes.items() if n}
    hidden = withheld(present)
    return tuple(
        GroupCell(group, CellStatus.NO_DATA) if not n
        else GroupCell(group, CellStatus.HIDDEN, reason=hidden[group]) if group in hidden
        else GroupCell(group, CellStatus.SHOWN, n)
        for group, n in sizes.items()
    )


def option_counts(question: ProfileQuestion, chosen: Iterable[str]) -> tuple[GroupCell, ...]:
    """How many counted respondents chose each option of a profile question, hidden under
    the rules of the group sizes (the profile row of the question types)."""
    tally = Counter(chosen)
    return _group_size_cells({option.id: tally[option.id] for option in question.options})


# -- quadrant and rankings ---------------------------------------------------------------


def _quadrant(
    questionnaire: Questionnaire, lessons: Sequence[LessonSummary],
    context: Sequence[ContextSummary],
) -> QuadrantPosition | None:
    spec = questionnaire.quadrant
    if spec is None:
        return None
    lesson_means = {lesson.lesson_id: lesson.mean for lesson in lessons}
    block_means = {block.block_id: block.mean for block in context}

    def axis_value(lesson_ids: Sequence[str], block_ids: Sequence[str]) -> float | None:
        parts = [lesson_means[i] for i in lesson_ids] + [block_means[i] for i in block_ids]
        if not parts or any(p is None for p in parts):
            return None
        return math.fsum(p for p in parts if p is not None) / len(parts)

    return QuadrantPosition(
        axis_value(spec.x.lessons, spec.x.context_blocks),
        axis_value(spec.y.lessons, spec.y.context_blocks),
        spec.split,
    )


def _rankings(lessons: Sequence[LessonSummary]) -> dict[str, tuple[str, ...]]:
    order = {lesson.lesson_id: i for i, lesson in enumerate(lessons)}
    shown = [lesson for lesson in lessons if lesson.mean is not None]

    def cons(lesson: LessonSummary) -> float:
        return lesson.consensus if lesson.consensus is not None else 0.0

    def mean(lesson: LessonSummary) -> float:
        return lesson.mean if lesson.mean is not None else 0.0

    strengths = sorted((x for x in shown if x.band == "sterk"),
                       key=lambda x: (-mean(x), -cons(x), order[x.lesson_id]))
    attention = sorted((x for x in shown if x.band != "sterk"),
                       key=lambda x: (mean(x), cons(x), order[x.lesson_id]))
    divided = sorted((x for x in shown if x.divided),
                     key=lambda x: (cons(x), -(x.sd or 0.0), order[x.lesson_id]))
    gaps = sorted((x for x in lessons if x.information_gap),
                  key=lambda x: (-x.dont_know_share, order[x.lesson_id]))
    return {
        "strengths": tuple(x.lesson_id for x in strengths),
        "points_of_attention": tuple(x.lesson_id for x in attention),
        "largest_disagreements": tuple(x.lesson_id for x in divided),
        "information_gaps": tuple(x.lesson_id for x in gaps),
    }
