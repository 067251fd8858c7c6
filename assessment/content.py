"""Questionnaire content for the app: the available files, and each assessment's snapshot."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app

from assessment.models import Assessment
from questions.loader import CONTENT_DIR, from_snapshot, load_directory
from questions.schema import Questionnaire

_KEY = "regiospiegel.questionnaires"


def init_app(app: Flask) -> None:
    """Load and validate every questionnaire file; a broken file stops the app here."""
    directory = Path(app.config.get("QUESTIONS_DIR") or CONTENT_DIR)
    app.extensions[_KEY] = load_directory(directory)


def available() -> dict[tuple[str, str], Questionnaire]:
    """The questionnaires this installation offers, keyed by (id, language)."""
    found: dict[tuple[str, str], Questionnaire] = current_app.extensions[_KEY]
    return found


def offered_in_order(language: str) -> list[tuple[tuple[str, str], Questionnaire]]:
    """The available questionnaires for a new assessment, those in ``language`` first.

    ``language`` is the facilitator's interface language: a new assessment starts in it
    unless they choose otherwise, never in whichever language sorts first.
    """
    return sorted(available().items(),
                  key=lambda item: (item[0][1] != language, item[0][0], item[0][1]))


def translations_of(questionnaire: Questionnaire) -> list[Questionnaire]:
    """The same questionnaire (id and version) in this installation's other languages."""
    return [other for (qid, language), other in sorted(available().items())
            if qid == questionnaire.id and language != questionnaire.language
            and other.version == questionnaire.version]


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
