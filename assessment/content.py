"""Each assessment's questionnaire: the snapshot frozen with it, in the language asked.

Needs no app: it reads only what the assessment it is handed carries, so the domain and
the report can use it without importing Flask or SQLAlchemy. The files a new assessment
can start from are the app's business: :mod:`assessment.questionnaire_files`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from questions.loader import from_snapshot
from questions.schema import Questionnaire

if TYPE_CHECKING:
    from assessment.models import Assessment


def for_assessment(assessment: Assessment) -> Questionnaire:
    """The questionnaire frozen with an assessment, never the file as it is now."""
    return _parse(assessment.content_hash, assessment.content_snapshot)


def in_language(assessment: Assessment, language: str | None) -> Questionnaire:
    """The assessment's frozen questionnaire in ``language``, else in its own language."""
    for translation in assessment.translations:
        if translation.language == language and language != assessment.language:
            return _parse(translation.content_hash, translation.content_snapshot)
    return for_assessment(assessment)


def participant_language(assessment: Assessment, chosen: str | None) -> str:
    """The language a participant sees: their choice if the assessment offers it."""
    return chosen if chosen in assessment.languages else assessment.language


@lru_cache(maxsize=64)
def _parse(content_hash: str, snapshot: str) -> Questionnaire:
    # Keyed by hash too, so equal snapshots parse once.
    del content_hash
    return from_snapshot(snapshot)
