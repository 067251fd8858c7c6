"""The questionnaire files this installation offers, loaded once when the app starts.

The app's side of questionnaire content: which files a facilitator can start a new
assessment from. What an existing assessment uses is its frozen snapshot, read by
:mod:`assessment.content` without an app.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from questions.loader import CONTENT_DIR, load_directory
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
