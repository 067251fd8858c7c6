"""The one way from an assessment's stored answers to its summary.

The dashboard, the report and every export call :func:`assessment_summary`, so they can
never disagree. The answers are loaded with one query, not one per respondent.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from assessment import content
from assessment.aggregation import PROFILE_GROUP_QUESTION, Response, Summary, summarise
from assessment.db import read_session
from assessment.models import Answer, Assessment, Respondent


def submitted_responses(assessment_id: int) -> list[Response]:
    """Every submitted respondent's organisation type and answers, in one query."""
    rows = read_session().execute(
        select(Respondent.id, Respondent.profile, Answer.statement_id, Answer.value)
        .outerjoin(Answer, Answer.respondent_id == Respondent.id)
        .where(Respondent.assessment_id == assessment_id,
               Respondent.submitted_at.is_not(None))
        .order_by(Respondent.id)
    )
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    groups: dict[int, str | None] = {}
    for respondent_id, profile, statement_id, value in rows:
        groups.setdefault(respondent_id, (profile or {}).get(PROFILE_GROUP_QUESTION))
        if statement_id is not None:
            answers[respondent_id][statement_id] = value
    return [Response(rid, groups[rid], answers.get(rid, {})) for rid in groups]


def assessment_summary(assessment: Assessment) -> Summary:
    """The group summary of an assessment, on the questionnaire frozen with it."""
    return summarise(content.for_assessment(assessment), submitted_responses(assessment.id))
