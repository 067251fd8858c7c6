"""Each assessment's questionnaire: the snapshot frozen with it, in the language asked.

Needs no app: it reads only what the assessment it is handed carries, so the domain and
the report can use it without importing Flask or SQLAlchemy. The files a new assessment
can start from are the app's business: :mod:`assessment.questionnaire_files`.

A snapshot is parsed once per process. A participant's pages find it by its content hash
alone (:func:`frozen`), so the frozen text, tens of kilobytes, is read from the database
only the first time: a content hash is the SHA-256 of its snapshot (made so when the
assessment is created, checked when a backup is imported), and only a snapshot that was
checked to match its hash is found by the hash alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from questions.loader import from_snapshot
from questions.schema import Questionnaire

if TYPE_CHECKING:
    from assessment.models import Assessment

#: How many parsed questionnaires a process keeps (each assessment's, in each language;
#: assessments made from the same file share one).
CACHED = 64

#: Parsed questionnaires by content hash, only those whose snapshot matched the hash.
_BY_HASH: dict[str, Questionnaire] = {}


def for_assessment(assessment: Assessment) -> Questionnaire:
    """The questionnaire frozen with an assessment, never the file as it is now."""
    return _parse(assessment.content_hash, assessment.content_snapshot)


def in_language(assessment: Assessment, language: str | None) -> Questionnaire:
    """The assessment's frozen questionnaire in ``language``, else in its own language.

    Found by content hash (:func:`frozen`): the snapshot is read only on the first use in
    this process.
    """
    chosen = next((translation for translation in assessment.translations
                   if translation.language == language != assessment.language), None)
    if chosen is not None:
        return frozen(chosen.content_hash, lambda: chosen.content_snapshot)
    return frozen(assessment.content_hash, lambda: assessment.content_snapshot)


def frozen(content_hash: str, snapshot: Callable[[], str]) -> Questionnaire:
    """The questionnaire with this content hash; ``snapshot()`` is called only if this
    process has not parsed it yet."""
    found = _BY_HASH.get(content_hash)
    return found if found is not None else _parse(content_hash, snapshot())


def participant_language(assessment: Assessment, chosen: str | None) -> str:
    """The language a participant sees: their choice if the assessment offers it."""
    return chosen if chosen in assessment.languages else assessment.language


@lru_cache(maxsize=CACHED)
def _parse(content_hash: str, snapshot: str) -> Questionnaire:
    # Keyed by the snapshot too, so a snapshot that does not match its hash (changed in the
    # database by hand) is parsed as it is, and never found by the hash alone.
    questionnaire = from_snapshot(snapshot)
    if hashlib.sha256(snapshot.encode("utf-8")).hexdigest() == content_hash:
        if len(_BY_HASH) >= CACHED:
            _BY_HASH.clear()
        _BY_HASH[content_hash] = questionnaire
    return questionnaire
