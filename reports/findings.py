"""Findings: what this scan found, written as key messages and next steps by content rules.

Pure functions (no Flask, no database): a summary, its questionnaire, the comparison with
the previous round and whether actions were agreed go in; the chosen texts come out,
numbers formatted for the report's language. Which findings count, in which order, how
many and in what words is content (``report.key_messages`` and ``report.next_steps`` in
the questionnaire file, see :mod:`questions.schema`); this module is the one engine that
applies it, to key messages and next steps alike.

Findings (per lesson; :data:`FINDINGS`)
    - ``information_gap``: the lesson has an information gap (30 % or more of its answers
      "weet niet"), also a lesson without a score where the gap signal may show
      (:func:`assessment.anonymity.gap_signal_allowed`); it then never gives its share.
    - every other finding needs a lesson score: ``low`` (band "zorg"), ``low_divided``
      (zorg and divided), ``low_agreed`` (zorg, not divided), ``divided`` (any band),
      ``strong_agreed`` (band "sterk", not divided), ``attention`` (band "aandacht"),
      ``rise`` and ``fall`` (the shown score changed by at least ``clear_change`` since the
      previous round; shown change = difference of the shown scores, so it never
      contradicts them).

Key messages (:func:`key_messages`)
    Rules are used in the content's order, each ranking its lessons by its ``order`` keys
    and finally by lesson order. A lesson gets one message, from the first rule that
    chooses it. First pass: each rule (except ``only_to_reach_minimum``) gives at most
    ``at_most`` messages, in all at most ``maximum``. Second pass, only while there are
    fewer than ``minimum``: the rules again in order, beyond their ``at_most``, now with
    the ``only_to_reach_minimum`` ones. Messages are listed by rule, then by rank. Fewer
    than the minimum remain only when too few lessons have a score.
    A message names shown figures only: an unscored lesson gets its information gap's
    ``text_unscored`` (no share) or nothing; ``{groups}`` names the highest and lowest of
    the organisation types whose mean is shown, and only when those differ by the
    divided-by-groups gap (1.0): a hidden type is never named or implied.

Next steps (:func:`next_steps`)
    A step applies always, when actions were agreed (``actions``), when none were
    (``no_actions``), or when at least one lesson has its finding; ``{lessons}`` then
    names those lessons in lesson order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from babel.lists import format_list

from assessment.aggregation import (
    DIVIDED_GROUP_GAP,
    CellStatus,
    LessonSummary,
    Summary,
)
from assessment.rounds import RoundComparison
from questions.schema import KeyMessageRule, KeyMessages, Lesson, NextStep, Questionnaire

if TYPE_CHECKING:  # reports.context imports this module
    from reports.context import Numbers


@dataclass(frozen=True)
class LessonFacts:
    """One lesson as the rules read it: its summary and its shown change."""

    number: int
    lesson: Lesson
    summary: LessonSummary
    #: The previous round's score, and the change in shown scores (None: no comparison).
    previous: float | None = None
    change: Decimal | None = None

    @property
    def scored(self) -> bool:
        """Whether the lesson has a score (the anonymity rules allow its figures)."""
        return self.summary.shown and self.summary.mean is not None

    @property
    def band(self) -> str | None:
        """The lesson's band, None without a score."""
        return self.summary.band if self.scored else None


@dataclass(frozen=True)
class KeyMessage:
    """One key message: the lesson it is about, the finding, and the text."""

    lesson_id: str
    finding: str
    rule_id: str
    text: str


@dataclass(frozen=True)
class NextStepText:
    """A next step that applies, with the lessons it names (in lesson order)."""

    step_id: str
    text: str
    lesson_ids: tuple[str, ...] = ()


Finding = Callable[[LessonFacts, Decimal], bool]

#: Each finding of :data:`questions.schema.LessonFinding`: does this lesson have it? The
#: second argument is the clear change (rise and fall).
FINDINGS: Mapping[str, Finding] = {
    "information_gap": lambda f, _c: f.summary.information_gap,
    "low": lambda f, _c: f.band == "zorg",
    "low_divided": lambda f, _c: f.band == "zorg" and f.summary.divided,
    "low_agreed": lambda f, _c: f.band == "zorg" and not f.summary.divided,
    "divided": lambda f, _c: f.scored and f.summary.divided,
    "strong_agreed": lambda f, _c: f.band == "sterk" and not f.summary.divided,
    "attention": lambda f, _c: f.band == "aandacht",
    "rise": lambda f, clear: f.scored and f.change is not None and f.change >= clear,
    "fall": lambda f, clear: f.scored and f.change is not None and f.change <= -clear,
}

#: How a rule ranks its lessons, by the ``order`` keys of the content (smallest first;
#: lessons without the figure last).
RANKS: Mapping[str, Callable[[LessonFacts], tuple[bool, float]]] = {
    "lowest_score": lambda f: _last_if_none(f.summary.mean if f.scored else None),
    "highest_score": lambda f: _last_if_none(-f.summary.mean if f.scored and f.summary.mean
                                             is not None else None),
    "most_dont_know": lambda f: _last_if_none(-f.summary.dont_know_share if f.scored
                                              else None),
    "lowest_consensus": lambda f: _last_if_none(f.summary.consensus if f.scored else None),
    "largest_change": lambda f: _last_if_none(-abs(float(f.change)) if f.change is not None
                                              else None),
    "lesson_order": lambda f: (False, float(f.number)),
}


def _last_if_none(value: float | None) -> tuple[bool, float]:
    return (value is None, value if value is not None else 0.0)


#: A rise or fall from this many points when the content does not say (old snapshots).
DEFAULT_CLEAR_CHANGE = 0.5


def lesson_facts(
    questionnaire: Questionnaire, summary: Summary, comparison: RoundComparison | None,
) -> tuple[LessonFacts, ...]:
    """Every lesson in questionnaire order with its summary and its shown change
    (:attr:`assessment.rounds.LessonChange.shown_change`)."""
    facts = []
    for number, lesson in enumerate(questionnaire.lessons, start=1):
        lesson_summary = summary.lesson(lesson.id)
        change = comparison.lesson(lesson.id) if comparison else None
        previous = change.previous if change and change.change is not None else None
        shown_change = change.shown_change if change else None
        facts.append(LessonFacts(number, lesson, lesson_summary, previous, shown_change))
    return tuple(facts)


def key_messages(
    questionnaire: Questionnaire, facts: Sequence[LessonFacts], numbers: Numbers
) -> tuple[KeyMessage, ...]:
    """The summary's key messages, chosen by the questionnaire's rules (see module rules)."""
    rules = questionnaire.report.key_messages
    if rules is None:  # a questionnaire frozen before key messages existed
        return ()
    clear = Decimal(str(rules.clear_change))
    labels = _Labels(questionnaire.group_labels(), questionnaire.band_labels())
    ranked = [_candidates(rules, rule, facts, clear) for rule in rules.rules]
    chosen: dict[str, tuple[int, int, LessonFacts]] = {}

    def take(index: int, limit: int, goal: int) -> None:
        taken = sum(1 for rule_index, _rank, _f in chosen.values() if rule_index == index)
        for rank, fact in enumerate(ranked[index]):
            if len(chosen) >= goal or taken >= limit:
                return
            if fact.lesson.id not in chosen:
                chosen[fact.lesson.id] = (index, rank, fact)
                taken += 1

    for index, rule in enumerate(rules.rules):
        if not rule.only_to_reach_minimum:
            take(index, rule.at_most or rules.maximum, rules.maximum)
    for index in range(len(rules.rules)):
        take(index, rules.maximum, rules.minimum)
    return tuple(
        KeyMessage(fact.lesson.id, rules.rules[index].finding, rules.rules[index].id,
                   _message(rules.rules[index], fact, numbers, labels))
        for index, _rank, fact in sorted(chosen.values(), key=lambda c: (c[0], c[1])))


def _candidates(rules: KeyMessages, rule: KeyMessageRule, facts: Sequence[LessonFacts],
                clear: Decimal) -> list[LessonFacts]:
    """The lessons a rule may write about, best first."""
    finding = FINDINGS[rule.finding]
    keys = [RANKS[key] for key in (*(rule.order or rules.order), "lesson_order")]
    found = [f for f in facts if finding(f, clear) and (f.scored or rule.text_unscored)]
    return sorted(found, key=lambda f: tuple(rank(f) for rank in keys))


@dataclass(frozen=True)
class _Labels:
    """Organisation types and bands by id, as the questionnaire names them."""

    groups: Mapping[str, str]
    bands: Mapping[str, str]


def _message(rule: KeyMessageRule, fact: LessonFacts, numbers: Numbers,
             labels: _Labels) -> str:
    summary = fact.summary
    if not fact.scored:
        assert rule.text_unscored is not None  # only such rules take unscored lessons
        return rule.text_unscored.format_map({"lesson": fact.lesson.title})
    values = {
        "lesson": fact.lesson.title,
        "score": numbers.score(summary.mean),
        "band": labels.bands.get(summary.band or "", ""),
        "agree": numbers.percent(summary.distribution.agree),
        "disagree": numbers.percent(summary.distribution.disagree),
        "n": str(summary.n),
        "share": numbers.percent(summary.dont_know_share),
        "previous": numbers.score(fact.previous),
        "change": numbers.signed(fact.change),
    }
    split = _shown_split(summary)
    if rule.text_groups is not None and split:
        values["groups"] = format_list(
            [f"{labels.groups.get(cell_group, cell_group)} {numbers.score(mean)}"
             for cell_group, mean in split], locale=numbers.language)
        return rule.text_groups.format_map(values)
    return rule.text.format_map(values)


def _shown_split(summary: LessonSummary) -> tuple[tuple[str, float], ...]:
    """The highest and lowest shown organisation types when they differ enough, else ()."""
    shown = [(cell.group, cell.mean) for cell in summary.groups
             if cell.status is CellStatus.SHOWN and cell.mean is not None]
    if len(shown) < 2:
        return ()
    high = max(shown, key=lambda item: item[1])
    low = min(shown, key=lambda item: item[1])
    return (high, low) if high[1] - low[1] >= DIVIDED_GROUP_GAP else ()


def next_steps(
    questionnaire: Questionnaire, facts: Sequence[LessonFacts], has_actions: bool,
    numbers: Numbers,
) -> tuple[NextStepText, ...]:
    """The next steps that apply, in the questionnaire's order (see module rules)."""
    rules = questionnaire.report.key_messages
    clear = Decimal(str(rules.clear_change if rules else DEFAULT_CLEAR_CHANGE))
    result = []
    for step in questionnaire.report.next_steps:
        applies = _step_lessons(step, facts, has_actions, clear)
        if applies is None:
            continue
        titles = [f.lesson.title for f in applies]
        text = (step.text.format_map({"lessons": format_list(titles, locale=numbers.language)})
                if titles else step.text)
        result.append(NextStepText(step.id, text, tuple(f.lesson.id for f in applies)))
    return tuple(result)


def _step_lessons(step: NextStep, facts: Sequence[LessonFacts], has_actions: bool,
                  clear: Decimal) -> list[LessonFacts] | None:
    """The lessons a step is about ([] for a step about none), or None when it does not apply."""
    if step.when == "always":
        return []
    if step.when in ("actions", "no_actions"):
        return [] if has_actions == (step.when == "actions") else None
    finding = FINDINGS[step.when]
    lessons = [f for f in facts if finding(f, clear)]
    return lessons or None
