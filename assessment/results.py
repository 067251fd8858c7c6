"""The one way from an assessment's stored answers to its summary.

The dashboard, the report and every export call :func:`assessment_summary`, so they can
never disagree. The answers are loaded with one query, not one per respondent.

The summary counts the submitted respondents in the order they sent in (time, then id) up
to the number :func:`assessment.anonymity.counted_respondents` allows: while answering is
open the results move in steps of three and hold back the most recent, so two views never
differ by one or two respondents. Counts of people (started, sent in) are not limited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, null, select

from assessment import anonymity, content
from assessment.aggregation import Response, Summary, summarise
from assessment.db import read_session
from assessment.exceptions import NotComparable
from assessment.models import Answer, Assessment, Comment, Moderation, Respondent, Status
from assessment.question_types import QUESTION_TYPES, QuestionType, Storage, SummaryTable
from assessment.rounds import RoundComparison, compare_rounds
from assessment.snapshots import summary_from_json
from questions.schema import Questionnaire

#: Separators inside the aggregated answers; ids and answer codes contain neither.
_PAIR, _ITEM = "=", ";"


def submitted_responses(assessment_id: int, questionnaire: Questionnaire) -> list[Response]:
    """Every submitted respondent's group, role and answers, in one query.

    The group and the role are their options on the questions the assessment's
    questionnaire marks as grouping respondents and as asking their role.

    In the order they sent in (submission time, then id), so a prefix is the first to send in.

    The database joins each respondent's answers into one string ("id=value;id=value"), so
    a thousand respondents come back as a thousand rows, not one row per answer.
    """
    # Only the group and the role of the profile, so no JSON is decoded in Python.
    group = chosen_group(questionnaire)
    role_question = questionnaire.role_question
    role = chosen_option(role_question.id if role_question is not None else None)
    answers = func.aggregate_strings(Answer.statement_id + _PAIR + Answer.value, _ITEM)
    rows = read_session().execute(
        select(Respondent.id, group, role, answers)
        .outerjoin(Answer, Answer.respondent_id == Respondent.id)
        .where(Respondent.assessment_id == assessment_id,
               Respondent.submitted_at.is_not(None))
        .group_by(Respondent.id, Respondent.submitted_at)
        .order_by(Respondent.submitted_at, Respondent.id)
    )
    return [
        Response(respondent_id, group_id, _parse(joined),
                 {role_question.id: role_id}
                 if role_question is not None and role_id is not None else {})
        for respondent_id, group_id, role_id, joined in rows
    ]


def chosen_group(questionnaire: Questionnaire) -> ColumnElement[Any]:
    """A respondent's option on the questionnaire's grouping question, as a column to select.

    NULL when no question groups respondents, so a count by group counts nobody as chosen
    (cast, because PostgreSQL refuses a bare NULL in GROUP BY).
    """
    question = questionnaire.grouping_question
    return chosen_option(question.id if question is not None else None)


def chosen_option(question_id: str | None) -> ColumnElement[Any]:
    """A respondent's option on a profile question, as a column to select (NULL: none)."""
    if question_id is None:
        return cast(null(), String)
    option: ColumnElement[Any] = Respondent.profile[question_id].as_string()
    return option


def _parse(joined: str | None) -> dict[str, str]:
    if not joined:
        return {}
    parts = joined.replace(_PAIR, _ITEM).split(_ITEM)
    return dict(zip(parts[::2], parts[1::2], strict=True))


def counted_summary(assessment: Assessment) -> tuple[Summary, anonymity.Counting]:
    """The group summary and how many of the submitted respondents it counts (see above).

    After the raw answers were purged, the summary kept at that moment (it counts all it
    counted then).
    """
    closed = assessment.status == Status.CLOSED
    if assessment.summary_snapshot is not None:
        summary = summary_from_json(assessment.summary_snapshot)
        return summary, anonymity.Counting(summary.respondents, summary.respondents, closed,
                                           summary.respondents)
    questionnaire = content.for_assessment(assessment)
    responses = submitted_responses(assessment.id, questionnaire)
    counting = anonymity.counting(len(responses), assessment.published_respondents, closed)
    return (summarise(questionnaire, responses[:counting.counted]),
            counting)


def assessment_summary(assessment: Assessment) -> Summary:
    """The group summary of an assessment, on the questionnaire frozen with it.

    It counts the respondents :func:`counted_summary` allows; after the raw answers were
    purged, it is the summary kept at that moment.
    """
    return counted_summary(assessment)[0]


def counting(assessment: Assessment) -> anonymity.Counting:
    """How many submitted respondents the summary counts, without loading any answer."""
    closed = assessment.status == Status.CLOSED
    if assessment.summary_snapshot is not None:
        respondents = summary_from_json(assessment.summary_snapshot).respondents
        return anonymity.Counting(respondents, respondents, closed, respondents)
    return anonymity.counting(submitted_count(assessment.id), assessment.published_respondents,
                              closed)


def counted_respondent_ids(assessment: Assessment) -> list[int]:
    """The ids of the submitted respondents the summary counts now (see :func:`counting`).

    The first to send in, as many as the step rule allows: what is shown of them one by one
    (the free texts on the moderation page) appears in the same steps as the figures.
    """
    ids = read_session().scalars(
        select(Respondent.id)
        .where(Respondent.assessment_id == assessment.id,
               Respondent.submitted_at.is_not(None))
        .order_by(Respondent.submitted_at, Respondent.id)).all()
    return list(ids[:counting(assessment).counted])


def submitted_count(assessment_id: int) -> int:
    """How many respondents of the assessment sent in their answers."""
    return read_session().scalar(
        select(func.count()).select_from(Respondent)
        .where(Respondent.assessment_id == assessment_id,
               Respondent.submitted_at.is_not(None))) or 0


def item_summary(assessment: Assessment, type_name: str, item_id: str) -> object | None:
    """The group's figures for one item, by its question type's ``summarise``.

    Over the respondents the summary counts now (:func:`counted_respondent_ids`), from
    their stored answers. None when fewer are counted than
    :data:`assessment.anonymity.MIN_RESPONDENTS`, fewer than that many of them stored an
    answer to the item, the raw answers were purged, or the questionnaire has no such item
    of that type.
    """
    questionnaire = content.for_assessment(assessment)
    kind = QUESTION_TYPES[type_name]
    item = kind.items(questionnaire).get(item_id)
    if item is None:
        return None
    return _item_summary(assessment, questionnaire, kind, item,
                         counted_respondent_ids(assessment))


def _item_summary(assessment: Assessment, questionnaire: Questionnaire, kind: QuestionType,
                  item: Any, counted: list[int]) -> object | None:
    if assessment.purged_at is not None or not anonymity.figure_allowed(len(counted)):
        return None
    values = _stored_values(kind.storage, str(item.id), counted)
    if not anonymity.figure_allowed(len(values)):
        return None
    return kind.summarise(questionnaire, item, values)


@dataclass(frozen=True)
class TypeSummaries:
    """A question type's item summaries, for a type with a table of its own.

    ``items`` holds each item with its figures (None: withheld, see :func:`item_summary`);
    ``purged`` says the raw answers were purged, so no figure is there any more (the kept
    summary holds only the product's own figures).
    """

    kind: QuestionType
    table: SummaryTable
    items: tuple[tuple[Any, object | None], ...]
    purged: bool


def type_summaries(assessment: Assessment) -> tuple[TypeSummaries, ...]:
    """Every registered type with a ``summary_table``: its items' figures, in table order.

    For the exports and the scan page; the product's own types have their figures in the
    summary (:func:`assessment_summary`) instead.
    """
    kinds = [kind for kind in QUESTION_TYPES.values() if kind.summary_table is not None]
    if not kinds:
        return ()
    questionnaire = content.for_assessment(assessment)
    counted = counted_respondent_ids(assessment)
    return tuple(
        TypeSummaries(kind, kind.summary_table, tuple(
            (item, _item_summary(assessment, questionnaire, kind, item, counted))
            for item in kind.items(questionnaire).values()),
            purged=assessment.purged_at is not None)
        for kind in kinds if kind.summary_table is not None)


def _stored_values(storage: Storage, item_id: str, respondent_ids: list[int]) -> list[str]:
    """What these respondents stored for one item, read from the table of its storage."""
    query = {
        "answers": select(Answer.value).where(Answer.statement_id == item_id,
                                              Answer.respondent_id.in_(respondent_ids)),
        "texts": select(Comment.text).where(Comment.topic_id == item_id,
                                            Comment.respondent_id.in_(respondent_ids)),
        "profile": select(Respondent.profile[item_id].as_string())
                   .where(Respondent.id.in_(respondent_ids)),
    }[storage]
    return [value for value in read_session().scalars(query) if value is not None]


def included_comments(assessment_id: int) -> dict[str, tuple[str, ...]]:
    """Free texts the facilitator included, per lesson or open question, as shown.

    Each is its shown text (the redacted version, if any: :attr:`Comment.shown_text`), which
    feeds the projector, the discussion page, the report and the exports. Sorted by text, so
    the order says nothing about who wrote what or when.
    """
    rows = read_session().execute(
        select(Comment.topic_id, Comment.shown_text)
        .join(Respondent, Respondent.id == Comment.respondent_id)
        .where(Comment.assessment_id == assessment_id,
               Comment.moderation == Moderation.INCLUDED.value,
               Respondent.submitted_at.is_not(None))
    )
    found: dict[str, list[str]] = {}
    for topic, text in rows:
        found.setdefault(topic, []).append(text)
    return {topic: tuple(sorted(texts)) for topic, texts in found.items()}


def round_comparison(assessment: Assessment) -> RoundComparison | None:
    """The change per lesson since the assessment's previous round, if it has a comparable one."""
    if assessment.previous_id is None:
        return None
    previous = read_session().get(Assessment, assessment.previous_id)
    if previous is None:
        return None
    try:
        return compare_rounds(content.for_assessment(previous), assessment_summary(previous),
                              content.for_assessment(assessment), assessment_summary(assessment))
    except NotComparable:
        return None
