"""The questionnaire's schema: what a questionnaire file may contain.

A questionnaire is authored as YAML and validated into these frozen pydantic models.
Cross-references (a statement's scale, the quadrant's lessons and context blocks) and
uniqueness of ids are checked by :meth:`Questionnaire.reference_problems`, so every rule
about a well-formed questionnaire lives in this file.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

#: Ids are lower-case words joined by '-' or '_', so they are safe in URLs and form names.
ID_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]

#: Page names of the participant's path; a lesson may not take one of them as its id.
RESERVED_PAGE_IDS = frozenset({"intro", "profiel", "context", "open-vragen", "overzicht"})


class Model(BaseModel):
    """Base for content models: frozen, and unknown keys are errors (typos must not pass)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ScalePoint(Model):
    """One point of an agreement scale: the stored value and its label."""

    value: int = Field(ge=1, le=9)
    label: Text


class NonValidOption(Model):
    """An answer that is never scored, such as "weet niet" or "niet van toepassing"."""

    code: Literal["weet_niet", "nvt"]
    label: Text


class Scale(Model):
    """An agreement scale: ordered points plus the answers that are left out of every mean."""

    id: Id
    points: tuple[ScalePoint, ...] = Field(min_length=3)
    non_valid: tuple[NonValidOption, ...] = ()

    @model_validator(mode="after")
    def _points_are_consecutive(self) -> Scale:
        values = [p.value for p in self.points]
        if values != list(range(1, len(values) + 1)):
            raise ValueError(f"scale '{self.id}': give the points the values 1, 2, 3, ... in order")
        return self

    @property
    def minimum(self) -> int:
        """The lowest value on the scale."""
        return self.points[0].value

    @property
    def maximum(self) -> int:
        """The highest value on the scale."""
        return self.points[-1].value

    def answer_codes(self) -> tuple[str, ...]:
        """Every code an answer on this scale may store, in display order."""
        return tuple(str(p.value) for p in self.points) + tuple(o.code for o in self.non_valid)


class Band(Model):
    """A band of lesson scores: scores at or above ``minimum`` (and below the next band)."""

    id: Literal["sterk", "aandacht", "zorg"]
    label: Text
    minimum: float | None = None
    description: Text


class Statement(Model):
    """A statement to agree or disagree with. ``reverse`` statements are scored max + min - x."""

    id: Id
    text: Text
    reverse: StrictBool = False
    scale: Id | None = None


class ChoiceOption(Model):
    """One option of a profile question."""

    id: Id
    label: Text


class ProfileQuestion(Model):
    """A question on the profile page: a single choice, never a name.

    ``groups_respondents`` marks the question whose options are the groups (in the product's
    questionnaire: the organisation type) that results are compared by, that the live view
    counts and that a lesson is divided by; at most one question is marked.
    ``respondent_role`` marks the question on the respondent's role (bestuurder, ambtenaar,
    ...): a second breakdown of the lesson scores; at most one question is marked.
    """

    id: Id
    label: Text
    hint: Text | None = None
    options: tuple[ChoiceOption, ...] = Field(min_length=2)
    groups_respondents: StrictBool = False
    respondent_role: StrictBool = False

    def option_labels(self) -> dict[str, str]:
        """Option id → its label, in the question's order."""
        return {option.id: option.label for option in self.options}


#: The agreement states each band's lesson advice is written for: the keys of
#: :class:`BandAdvice` (the states are defined in ``assessment.aggregation.agreement_of``).
#: The other pairs are rare or contradict the score (most answers negative in "sterk" or
#: "aandacht", most positive in "zorg", no majority in "sterk"); they get the report's
#: generic advice for the state, which is true in every band, not a lesson's own text.
ADVICE_STATES: dict[str, tuple[str, ...]] = {
    "sterk": ("agreed_works", "divided"),
    "aandacht": ("agreed_works", "no_majority", "divided"),
    "zorg": ("agreed_falls_short", "no_majority", "divided"),
}


class BandAdvice(Model):
    """Advice for one band, per agreement state; each text must be true in that state.

    ``divided``: the group is divided (verdeeld). ``agreed_works``: not divided and most
    answers on the scale agree. ``agreed_falls_short``: not divided and most disagree.
    ``no_majority``: not divided and neither is most. A file must give the states
    :data:`ADVICE_STATES` names for the band (:meth:`Questionnaire.advice_problems`);
    they are optional here so that questionnaires frozen before these states still load.
    """

    divided: Text
    agreed_works: Text | None = None
    agreed_falls_short: Text | None = None
    no_majority: Text | None = None


class LessonAdvice(Model):
    """Advice per band × agreement state (see :data:`ADVICE_STATES`)."""

    sterk: BandAdvice
    aandacht: BandAdvice
    zorg: BandAdvice

    def text(self, band: str, agreement: str) -> str | None:
        """The advice for a band and agreement state; None when the lesson has none for it."""
        advice: BandAdvice = getattr(self, band)
        text: str | None = getattr(advice, agreement)
        return text


class LessonReport(Model):
    """A lesson's texts in the advice report, written for bestuurders."""

    meaning: Text
    advice: LessonAdvice
    questions: tuple[Text, ...] = Field(min_length=2, max_length=3)
    information_gap: Text


class Lesson(Model):
    """A lesson: a themed group of statements that is scored."""

    id: Id
    title: Text
    short_title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=24)]
    intro: Text
    statements: tuple[Statement, ...] = Field(min_length=1)
    report: LessonReport


class ContextBlock(Model):
    """An unscored block of statements that places the region in the quadrant."""

    id: Id
    title: Text
    intro: Text
    statements: tuple[Statement, ...] = Field(min_length=1)


class OpenQuestion(Model):
    """A free-text question; answers are shown without attribution."""

    id: Id
    text: Text
    hint: Text | None = None


class Axis(Model):
    """One axis of the quadrant: the mean of the named context block and lessons."""

    label: Text
    context_blocks: tuple[Id, ...] = ()
    lessons: tuple[Id, ...] = ()


class Quadrant(Model):
    """The indicative quadrant: x and y axes, each split at ``split``."""

    x: Axis
    y: Axis
    split: float = 3.0


class QuadrantText(Model):
    """One cell of the quadrant: a short name and what it means for the region."""

    title: Text
    text: Text


class QuadrantTexts(Model):
    """The four cells, named x first: ``high_low`` = high broad well-being, low investment."""

    high_high: QuadrantText
    high_low: QuadrantText
    low_high: QuadrantText
    low_low: QuadrantText

    def cell(self, key: str) -> QuadrantText:
        """The text of a cell given as "high-low" and so on."""
        result: QuadrantText = getattr(self, key.replace("-", "_"))
        return result


class AdviceLabels(Model):
    """Names of the four advice quadrants (level × agreement, see ``aggregation.advice_for``).

    ``keep``: band "sterk", not divided. ``talk``: "sterk" but divided, or most answers
    disagree. ``improve``: a lower band, not divided (whether most agree, most disagree or
    neither, so the name must not claim which). ``share``: a lower band and divided.
    """

    keep: Text
    talk: Text
    improve: Text
    share: Text


#: The placeholder the sentence about a held session writes its date in.
SESSION_DATE_PLACEHOLDER = "{date}"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")

# -- findings: the rules that write the summary's key messages and next steps ---------------

#: What the report's rules can find about a lesson (implemented in ``reports.findings``):
#: an information gap; band "zorg" and divided; band "zorg" (divided or not); band "zorg"
#: and not divided; divided (any band); band "sterk" and not divided; band "aandacht";
#: a clear rise or fall since the previous round. Every finding but the information gap
#: needs a lesson score.
LessonFinding = Literal["information_gap", "low_divided", "low", "low_agreed", "divided",
                        "strong_agreed", "attention", "rise", "fall"]
LESSON_FINDINGS: tuple[str, ...] = get_args(LessonFinding)

#: How one rule's lessons are ranked; the lesson order always breaks the last tie.
OrderKey = Literal["lowest_score", "highest_score", "most_dont_know", "lowest_consensus",
                   "largest_change", "lesson_order"]

#: When a next step applies: always, when agreed actions exist or not, or when at least one
#: lesson has the finding (the step then names those lessons).
StepCondition = Literal["always", "actions", "no_actions", LessonFinding]

#: Placeholders every key message about a scored lesson may use.
_SCORED = frozenset({"lesson", "score", "band", "agree", "disagree", "n"})


@dataclass(frozen=True)
class Placeholders:
    """The placeholders a text may use, and those it must use."""

    allowed: frozenset[str]
    required: frozenset[str]


#: Per finding, per text field of its rule: the placeholders of that text. A text field a
#: finding does not list is not used for it.
MESSAGE_PLACEHOLDERS: Mapping[str, Mapping[str, Placeholders]] = {
    "information_gap": {
        "text": Placeholders(_SCORED | {"share"}, frozenset({"lesson", "share"})),
        # A lesson without a score: its information gap shows, its share never does.
        "text_unscored": Placeholders(frozenset({"lesson"}), frozenset({"lesson"})),
    },
    **{finding: {
        "text": Placeholders(_SCORED, frozenset({"lesson", "score"})),
        "text_groups": Placeholders(_SCORED | {"groups"},
                                    frozenset({"lesson", "score", "groups"})),
    } for finding in ("low_divided", "divided")},
    **{finding: {"text": Placeholders(_SCORED, frozenset({"lesson", "score"}))}
       for finding in ("low", "low_agreed", "strong_agreed", "attention")},
    **{finding: {"text": Placeholders(_SCORED | {"previous", "change"},
                                      frozenset({"lesson", "change"}))}
       for finding in ("rise", "fall")},
}

#: The placeholders of a next step's text, per condition.
_NO_PLACEHOLDERS = Placeholders(frozenset(), frozenset())
STEP_PLACEHOLDERS: Mapping[str, Placeholders] = {
    "always": _NO_PLACEHOLDERS, "actions": _NO_PLACEHOLDERS, "no_actions": _NO_PLACEHOLDERS,
    **{finding: Placeholders(frozenset({"lessons"}), frozenset({"lessons"}))
       for finding in LESSON_FINDINGS},
}


class KeyMessageRule(Model):
    """One rule for key messages: which finding, how many at most, how ranked, its texts.

    ``text`` is the message; ``text_unscored`` (information gap only) the message for a
    lesson without a score, which never gives a share; ``text_groups`` (divided findings
    only) the message when shown organisation types differ, naming them with ``{groups}``.
    """

    id: Id
    finding: LessonFinding
    at_most: int | None = Field(default=None, ge=1, le=10)
    only_to_reach_minimum: StrictBool = False
    order: tuple[OrderKey, ...] | None = None
    text: Text
    text_unscored: Text | None = None
    text_groups: Text | None = None


class KeyMessages(Model):
    """How the summary's key messages are chosen: between ``minimum`` and ``maximum``.

    Rules are used in their order (the first has priority); a lesson gets one message. A
    rule gives at most ``at_most`` messages; while fewer than ``minimum`` are chosen, the
    rules are used again in order beyond their ``at_most``, now with those marked
    ``only_to_reach_minimum``. ``order`` ranks a rule's lessons (a rule's own ``order``
    wins); a rise or fall is clear from ``clear_change`` points in the shown scores.
    """

    minimum: int = Field(ge=0, le=10)
    maximum: int = Field(ge=1, le=10)
    order: tuple[OrderKey, ...] = ("lowest_score", "lesson_order")
    clear_change: float = Field(default=0.5, gt=0, le=4)
    rules: tuple[KeyMessageRule, ...] = Field(min_length=1)


class NextStep(Model):
    """A suggested next step and when it applies; a step about lessons names them."""

    id: Id
    when: StepCondition
    text: Text


class ReportTexts(Model):
    """Texts of the advice report that are not about one lesson.

    ``introduction`` says what the report is. Whether the group has discussed the results
    follows in one of the ``introduction_session_*`` sentences, chosen by
    :func:`reports.context.session_held`: ``held`` with the session's date in ``{date}``,
    ``held_undated`` when no date is known, ``pending`` when the results are still to be
    discussed. The three came later: a questionnaire frozen before them has none, and its
    introduction is shown as it was written. Give all three or none.
    """

    introduction: Text
    introduction_session_held: Text | None = None
    introduction_session_held_undated: Text | None = None
    introduction_session_pending: Text | None = None
    quadrant_note: Text
    quadrants: QuadrantTexts
    advice_labels: AdviceLabels
    information_gap: Text
    #: Optional: a questionnaire frozen before key messages existed has none.
    key_messages: KeyMessages | None = None
    next_steps: tuple[NextStep, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _plain_steps_apply_always(cls, data: Any) -> Any:
        """A step written as plain text (every questionnaire before rules) applies always."""
        if isinstance(data, dict) and isinstance(data.get("next_steps"), list | tuple):
            data = {**data, "next_steps": [
                {"id": f"stap-{number}", "when": "always", "text": step}
                if isinstance(step, str) else step
                for number, step in enumerate(data["next_steps"], start=1)]}
        return data

    @field_validator("introduction", "introduction_session_held",
                     "introduction_session_held_undated", "introduction_session_pending")
    @classmethod
    def _placeholders(cls, text: str | None, info: ValidationInfo) -> str | None:
        """Only the held session's sentence fills in a placeholder: {date}, exactly once."""
        if text is None:
            return text
        held = info.field_name == "introduction_session_held"
        allowed = {SESSION_DATE_PLACEHOLDER} if held else set()
        problems = []
        unknown = sorted(set(_PLACEHOLDER.findall(text)) - allowed)
        if unknown:
            where = (f"only {SESSION_DATE_PLACEHOLDER} is filled in here" if held
                     else "nothing is filled in here")
            problems.append(f"unknown placeholder {', '.join(unknown)}: {where}; remove the "
                            "braces or correct the name")
        if held and text.count(SESSION_DATE_PLACEHOLDER) != 1:
            problems.append(f"write {SESSION_DATE_PLACEHOLDER} once where the session's date "
                            "goes")
        if problems:
            raise ValueError("; ".join(problems))
        return text

    @model_validator(mode="after")
    def _session_texts_together(self) -> ReportTexts:
        given = [self.introduction_session_held, self.introduction_session_held_undated,
                 self.introduction_session_pending]
        if any(text is None for text in given) and any(text is not None for text in given):
            raise ValueError("give introduction_session_held, introduction_session_held_undated "
                             "and introduction_session_pending together, or none of them")
        return self

    def session_sentence(self, held: bool, when: str | None) -> str | None:
        """The sentence on whether the results were discussed; None for older content.

        ``when`` is the session's date, written out; None when no date is known.
        """
        if held and when is not None and self.introduction_session_held is not None:
            return self.introduction_session_held.replace(SESSION_DATE_PLACEHOLDER, when)
        return self.introduction_session_held_undated if held \
            else self.introduction_session_pending


class Texts(Model):
    """Participant-facing texts of the questionnaire."""

    intro_title: Text
    intro: Text
    duration_minutes: int = Field(ge=1, le=120)
    privacy: Text
    profile_intro: Text
    context_intro: Text
    open_intro: Text
    comment_label: Text
    thanks: Text


class Questionnaire(Model):
    """A whole questionnaire: profile, lessons, context blocks, open questions and labels."""

    id: Id
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
    language: Literal["nl", "en"]
    title: Text
    texts: Texts
    default_scale: Id
    scales: tuple[Scale, ...] = Field(min_length=1)
    bands: tuple[Band, ...] = Field(min_length=3, max_length=3)
    profile: tuple[ProfileQuestion, ...] = Field(min_length=1)
    lessons: tuple[Lesson, ...] = Field(min_length=1)
    context_blocks: tuple[ContextBlock, ...] = ()
    open_questions: tuple[OpenQuestion, ...] = ()
    quadrant: Quadrant | None = None
    report: ReportTexts

    # -- lookups ---------------------------------------------------------------------------

    def scale(self, scale_id: str | None = None) -> Scale:
        """The scale with this id, or the default scale."""
        wanted = scale_id or self.default_scale
        for scale in self.scales:
            if scale.id == wanted:
                return scale
        raise KeyError(wanted)

    def lesson(self, lesson_id: str) -> Lesson:
        """The lesson with this id."""
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(lesson_id)

    @property
    def grouping_question(self) -> ProfileQuestion | None:
        """The profile question respondents are grouped by (``groups_respondents``), if any."""
        return next((q for q in self.profile if q.groups_respondents), None)

    @property
    def role_question(self) -> ProfileQuestion | None:
        """The profile question on the respondent's role (``respondent_role``), if any."""
        return next((q for q in self.profile if q.respondent_role), None)

    def group_labels(self) -> dict[str, str]:
        """Group id → its label, in order; empty when no profile question groups respondents."""
        question = self.grouping_question
        return question.option_labels() if question is not None else {}

    def band_labels(self) -> dict[str, str]:
        """Band id → its label, as every page, slide, export and report names the band."""
        return {band.id: band.label for band in self.bands}

    def statements(self) -> tuple[Statement, ...]:
        """Every statement, lessons first and then context blocks, in questionnaire order."""
        groups: tuple[Lesson | ContextBlock, ...] = (*self.lessons, *self.context_blocks)
        return tuple(s for group in groups for s in group.statements)

    def statement_scale(self, statement: Statement) -> Scale:
        """The scale a statement is answered on."""
        return self.scale(statement.scale)

    # -- references and uniqueness ---------------------------------------------------------

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Questionnaire:
        if info.context and info.context.get("defer_references"):
            return self
        problems = self.reference_problems()
        if problems:
            raise ValueError("; ".join(p.message for p in problems))
        return self

    def reference_problems(self) -> list[ReferenceProblem]:
        """Duplicate ids, unresolved references and badly ordered bands, each with its place."""
        problems: list[ReferenceProblem] = []
        scale_ids = [s.id for s in self.scales]
        if self.default_scale not in scale_ids:
            problems.append(
                ReferenceProblem(
                    ("default_scale",),
                    f"default_scale '{self.default_scale}' is not a scale; "
                    f"use one of: {', '.join(scale_ids)}",
                )
            )
        _check_unique("scale", ("scales",), scale_ids, problems)
        _check_unique("lesson", ("lessons",), [lesson.id for lesson in self.lessons], problems)
        _check_unique("context block", ("context_blocks",), [b.id for b in self.context_blocks],
                      problems)
        _check_unique("profile question", ("profile",), [q.id for q in self.profile], problems)
        _check_unique("open question", ("open_questions",), [q.id for q in self.open_questions],
                      problems)
        # A mark that at most one profile question may carry, with what it says of it.
        for mark, says in (("groups_respondents", "groups respondents"),
                           ("respondent_role", "asks the respondent's role")):
            marked = [i for i, question in enumerate(self.profile) if getattr(question, mark)]
            for i in marked[1:]:
                problems.append(ReferenceProblem(
                    ("profile", i, mark),
                    f"profile question '{self.profile[i].id}': only one question {says}, "
                    f"and '{self.profile[marked[0]].id}' already does; remove {mark} here",
                ))
        for i, question in enumerate(self.profile):
            _check_unique(
                f"option of profile question '{question.id}'",
                ("profile", i, "options"),
                [o.id for o in question.options],
                problems,
            )
        seen_statements: set[str] = set()
        sections: tuple[tuple[str, tuple[Lesson | ContextBlock, ...]], ...] = (
            ("lessons", self.lessons), ("context_blocks", self.context_blocks))
        for group_key, groups in sections:
            for g, group in enumerate(groups):
                for s, statement in enumerate(group.statements):
                    loc = (group_key, g, "statements", s)
                    if statement.id in seen_statements:
                        problems.append(ReferenceProblem(
                            (*loc, "id"),
                            f"duplicate statement id '{statement.id}': every id must be unique",
                        ))
                    seen_statements.add(statement.id)
                    if statement.scale is not None and statement.scale not in scale_ids:
                        problems.append(ReferenceProblem(
                            (*loc, "scale"),
                            f"statement '{statement.id}': unknown scale '{statement.scale}'; "
                            f"use one of: {', '.join(scale_ids)}",
                        ))
        for i, lesson in enumerate(self.lessons):
            if lesson.id in RESERVED_PAGE_IDS:
                problems.append(ReferenceProblem(
                    ("lessons", i, "id"),
                    f"lesson '{lesson.id}': this id is the name of a page; choose another id",
                ))
        if self.quadrant is not None:
            lesson_ids = {lesson.id for lesson in self.lessons}
            block_ids = {b.id for b in self.context_blocks}
            for name, axis in (("x", self.quadrant.x), ("y", self.quadrant.y)):
                for j, ref in enumerate(axis.lessons):
                    if ref not in lesson_ids:
                        problems.append(ReferenceProblem(
                            ("quadrant", name, "lessons", j),
                            f"quadrant axis {name}: unknown lesson '{ref}'; "
                            f"use one of: {', '.join(sorted(lesson_ids))}",
                        ))
                for j, ref in enumerate(axis.context_blocks):
                    if ref not in block_ids:
                        problems.append(ReferenceProblem(
                            ("quadrant", name, "context_blocks", j),
                            f"quadrant axis {name}: unknown context block '{ref}'; "
                            f"use one of: {', '.join(sorted(block_ids)) or '(none defined)'}",
                        ))
                if not axis.lessons and not axis.context_blocks:
                    problems.append(ReferenceProblem(
                        ("quadrant", name),
                        f"quadrant axis {name}: name at least one lesson or context block",
                    ))
        _check_report_rules(self.report, problems)
        band_order = [b.id for b in self.bands]
        if band_order != ["sterk", "aandacht", "zorg"]:
            problems.append(ReferenceProblem(
                ("bands",), "bands: list them as sterk, aandacht, zorg (highest first)"
            ))
        else:
            high, middle, low = self.bands
            if high.minimum is None or middle.minimum is None or low.minimum is not None:
                problems.append(ReferenceProblem(
                    ("bands",),
                    "bands: sterk and aandacht need a minimum; zorg has none (it is the rest)",
                ))
            elif not high.minimum > middle.minimum:
                problems.append(ReferenceProblem(
                    ("bands",), "bands: the minimum of sterk must be above that of aandacht"
                ))
        return problems

    def advice_problems(self) -> list[ReferenceProblem]:
        """Every lesson advice text a band needs (:data:`ADVICE_STATES`) that is missing.

        Checked when a file is loaded, not for a frozen snapshot: questionnaires frozen
        before the agreement states had only "agreed" and "divided" texts.
        """
        problems: list[ReferenceProblem] = []
        for i, lesson in enumerate(self.lessons):
            for band, states in ADVICE_STATES.items():
                advice: BandAdvice = getattr(lesson.report.advice, band)
                for state in states:
                    if getattr(advice, state) is None:
                        problems.append(ReferenceProblem(
                            ("lessons", i, "report", "advice", band),
                            f"lessons.{i}.report.advice.{band}.{state}: the advice for band "
                            f"'{band}' when {_STATE_WORDS[state]} is missing; add it, worded "
                            "so it is true for every lesson in that state",
                        ))
        return problems


#: What each agreement state means, for messages to authors.
_STATE_WORDS = {
    "agreed_works": "most answers agree (agreed_works)",
    "agreed_falls_short": "most answers disagree (agreed_falls_short)",
    "no_majority": "neither agreeing nor disagreeing answers are most (no_majority)",
    "divided": "the group is divided (divided)",
}


@dataclass(frozen=True)
class ReferenceProblem:
    """A rule across items that the file breaks, with the place (a path into the data)."""

    loc: tuple[str | int, ...]
    message: str


def _check_unique(
    kind: str, loc: tuple[str | int, ...], ids: list[str], problems: list[ReferenceProblem]
) -> None:
    seen: set[str] = set()
    for i, item_id in enumerate(ids):
        if item_id in seen:
            problems.append(ReferenceProblem(
                (*loc, i, "id"), f"duplicate {kind} id '{item_id}': every id must be unique"
            ))
        seen.add(item_id)


def _check_report_rules(report: ReportTexts, problems: list[ReferenceProblem]) -> None:
    """Key message rules and next steps: unique ids, counts that fit, their placeholders."""
    rules = report.key_messages
    if rules is not None:
        loc: tuple[str | int, ...] = ("report", "key_messages")
        if rules.minimum > rules.maximum:
            problems.append(ReferenceProblem(
                (*loc, "minimum"), f"key_messages: minimum {rules.minimum} is above maximum "
                f"{rules.maximum}; make the minimum at most {rules.maximum}"))
        _check_unique("key message rule", (*loc, "rules"), [r.id for r in rules.rules],
                      problems)
        for i, rule in enumerate(rules.rules):
            texts = MESSAGE_PLACEHOLDERS[rule.finding]
            for name in ("text", "text_unscored", "text_groups"):
                text = getattr(rule, name)
                if text is None:
                    continue
                place = (*loc, "rules", i, name)
                where = f"key message rule '{rule.id}' ({rule.finding}): {name}"
                if name not in texts:
                    used_by = sorted(f for f, fields in MESSAGE_PLACEHOLDERS.items()
                                     if name in fields)
                    problems.append(ReferenceProblem(
                        place, f"{where} is only used for {', '.join(used_by)}; remove it"))
                else:
                    _check_placeholders(where, place, text, texts[name], problems)
    _check_unique("next step", ("report", "next_steps"), [s.id for s in report.next_steps],
                  problems)
    for i, step in enumerate(report.next_steps):
        _check_placeholders(f"next step '{step.id}' (when {step.when}): text",
                            ("report", "next_steps", i, "text"), step.text,
                            STEP_PLACEHOLDERS[step.when], problems)


def placeholders_in(text: str) -> list[str]:
    """The placeholder names in a text such as "{lesson} scoort {score}"; ValueError if broken.

    Only plain names are placeholders: a format spec, a conversion, an index, an attribute
    or an empty ``{}`` is refused, so a text can only ever insert the values it is given.
    """
    names = []
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise ValueError(f"{{{shown}}} is not a placeholder; write a name in braces, "
                             "such as {lesson}")
        names.append(name)
    return names


def _check_placeholders(where: str, loc: tuple[str | int, ...], text: str,
                        expected: Placeholders, problems: list[ReferenceProblem]) -> None:
    try:
        used = set(placeholders_in(text))
    except ValueError as exc:
        reason = str(exc)
        if "Single" in reason or "expected '}'" in reason:
            reason = ("a brace without its partner; write placeholders as {name}, and "
                      "leave braces out of the text itself")
        problems.append(ReferenceProblem(loc, f"{where}: {reason}"))
        return
    allowed = ", ".join(f"{{{name}}}" for name in sorted(expected.allowed)) or "none"
    for name in sorted(used - expected.allowed):
        problems.append(ReferenceProblem(
            loc, f"{where}: unknown placeholder {{{name}}}; this text may use {allowed}"))
    for name in sorted(expected.required - used):
        problems.append(ReferenceProblem(
            loc, f"{where}: the placeholder {{{name}}} is missing; add it where the text "
            "names it"))
