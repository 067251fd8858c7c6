"""The facilitator's own words in the report, and whether the report is final.

Texts
    A foreword (``FOREWORD``) and, per lesson, a text that replaces or extends the generated
    advice. Saving writes only the parts the facilitator changed on the page (as the notes
    page does, :mod:`assessment.discussion`), so an old copy never overwrites a colleague's
    newer text; an emptied text removes the part.

Status
    A report is "voorlopig" while the scan is not closed (its figures may still change),
    "concept" when closed but not marked, and "definitief" once the facilitator marked it:
    each marking gives the next version number (1, 2, ...) and the date. Changing a text,
    the cover's details, or reopening the scan makes it a concept again; the next marking
    gives the next version.

Every write is one transaction and leaves an audit event that names the parts changed or the
version marked, never the texts themselves.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assessment import content, management
from assessment.db import read_session, write_transaction
from assessment.exceptions import ChangedMeanwhile, NotClosed, ReportTextError
from assessment.models import Assessment, Facilitator, ReportText, Status, as_utc, utcnow

#: The foreword's part name; a lesson id never starts with "_" (questions.schema.ID_PATTERN).
FOREWORD = "_voorwoord"
#: The longest text of one part, in characters.
MAX_TEXT_LENGTH = 5000


class AdviceMode(enum.StrEnum):
    """What a lesson's own text does with the generated advice."""

    REPLACE = "replace"
    EXTEND = "extend"


class ReportState(enum.StrEnum):
    """Where the report stands."""

    PROVISIONAL = "voorlopig"
    CONCEPT = "concept"
    FINAL = "definitief"


@dataclass(frozen=True)
class ReportStatus:
    """The report's state; for a final report its version and the day it was marked."""

    state: ReportState
    version: int = 0
    final_on: date | None = None

    @property
    def is_final(self) -> bool:
        """Whether the report is marked "definitief" and nothing changed since."""
        return self.state is ReportState.FINAL


def report_status(assessment: Assessment) -> ReportStatus:
    """The report's status from the assessment as stored (see the module docstring).

    A marking made before the scan's last closing no longer counts: the scan was open again
    after it, so its figures may differ from what was marked.
    """
    if assessment.status != Status.CLOSED:
        return ReportStatus(ReportState.PROVISIONAL, assessment.report_version)
    final_at = assessment.report_final_at
    if final_at is None or (assessment.closed_at is not None
                            and as_utc(final_at) < as_utc(assessment.closed_at)):
        return ReportStatus(ReportState.CONCEPT, assessment.report_version)
    return ReportStatus(ReportState.FINAL, assessment.report_version, as_utc(final_at).date())


@dataclass(frozen=True)
class OwnAdvice:
    """A lesson's own text and whether it replaces or extends the generated advice."""

    text: str
    mode: AdviceMode = AdviceMode.EXTEND


@dataclass(frozen=True)
class ReportTexts:
    """The facilitator's texts for one report: the foreword and the lessons' own advice."""

    foreword: str = ""
    advice: Mapping[str, OwnAdvice] = field(default_factory=dict)


def report_texts(assessment_id: int, session: Session | None = None) -> ReportTexts:
    """The texts saved for an assessment's report (read in ``session`` if given)."""
    rows = (session or read_session()).scalars(
        select(ReportText).where(ReportText.assessment_id == assessment_id))
    foreword, advice = "", {}
    for row in rows:
        if row.part == FOREWORD:
            foreword = row.text
        else:
            advice[row.part] = OwnAdvice(row.text, AdviceMode(row.mode))
    return ReportTexts(foreword, advice)


def text_version(text: str, mode: str = AdviceMode.EXTEND) -> str:
    """A short fingerprint of a part as a page showed it (see :func:`discussion.note_version`).

    Without text the mode means nothing, so an empty part has one fingerprint.
    """
    normalised = _normalised(text)
    shown = normalised + "\0" + (mode if normalised else "")
    return hashlib.sha256(shown.encode("utf-8")).hexdigest()[:16]


def texts_version(assessment_id: int, session: Session | None = None) -> str:
    """A fingerprint of all of an assessment's texts, for the page that marks them final."""
    texts = report_texts(assessment_id, session)
    parts = [text_version(texts.foreword, AdviceMode.REPLACE)]
    parts += [f"{lesson_id}:{text_version(own.text, own.mode)}"
              for lesson_id, own in sorted(texts.advice.items())]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ReportTextInput:
    """A part's text and mode as sent, and the version the page showed (or "")."""

    text: str
    mode: str = AdviceMode.EXTEND
    shown: str = ""

    @property
    def changed(self) -> bool:
        """Whether the facilitator changed the part on the page (unknown counts as changed)."""
        return text_version(self.text, self.mode) != self.shown


def save_report_texts(
    assessment: Assessment, texts: Mapping[str, ReportTextInput], actor: Facilitator | None,
) -> tuple[str, ...]:
    """Save every changed part in one transaction; return the parts written.

    A part is written when what was sent differs from what the page showed and from what is
    stored. White space around a text is trimmed and line ends are stored as ``\\n``; an
    empty text removes the part. Writing anything makes a final report a concept again.
    Nothing is written when one part is unknown, too long or has an unknown mode.
    """
    lessons = {lesson.id for lesson in content.for_assessment(assessment).lessons}
    for part, sent in texts.items():
        if part != FOREWORD and part not in lessons:
            raise ReportTextError(f"the questionnaire has no lesson {part!r}")
        if len(_normalised(sent.text)) > MAX_TEXT_LENGTH:
            raise ReportTextError(f"a report text may have at most {MAX_TEXT_LENGTH} characters")
        if sent.mode not in set(AdviceMode):
            raise ReportTextError(f"unknown advice mode {sent.mode!r}")
    changed = {part: sent for part, sent in texts.items() if sent.changed}
    with write_transaction() as session:
        stored = _locked(session, assessment.id)
        saved = {row.part: row for row in session.scalars(
            select(ReportText).where(ReportText.assessment_id == stored.id))}
        written = []
        for part, sent in changed.items():
            text = _normalised(sent.text)
            mode = AdviceMode.REPLACE if part == FOREWORD else AdviceMode(sent.mode)
            row = saved.get(part)
            if row is not None and (row.text, row.mode) == (text, mode.value):
                continue
            if not text:
                if row is None:
                    continue
                session.delete(row)
            else:
                _upsert(session, stored.id, part, text, mode)
            written.append(part)
        if written:
            stored.report_final_at = None
            management.audit(session, "report_texts_saved", actor, stored,
                             ", ".join(_audit_name(part) for part in written))
    return tuple(written)


def mark_final(assessment: Assessment, shown: str, actor: Facilitator | None) -> ReportStatus:
    """Mark the report "definitief": the next version number, today's date; its status.

    ``shown`` is :func:`texts_version` as the page showed it: when a colleague changed a text
    since, nothing is marked (ChangedMeanwhile). A report already final stays as it is.
    Only a closed scan's report can be marked (NotClosed).
    """
    with write_transaction() as session:
        stored = _locked(session, assessment.id)
        if stored.status != Status.CLOSED:
            raise NotClosed("close the scan before marking its report final")
        if texts_version(stored.id, session) != shown:
            raise ChangedMeanwhile("the report texts changed since the page was shown")
        current = report_status(stored)
        if current.is_final:
            return current
        stored.report_version += 1
        stored.report_final_at = utcnow()
        management.audit(session, "report_final", actor, stored,
                         f"versie {stored.report_version}")
        return report_status(stored)


def _upsert(session: Session, assessment_id: int, part: str, text: str,
            mode: AdviceMode) -> None:
    """Insert or replace a part; two facilitators saving it at once still leave one row."""
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql"
              else sqlite.insert)
    now = utcnow()
    statement = insert(ReportText).values(assessment_id=assessment_id, part=part, text=text,
                                          mode=mode.value, updated_at=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=["assessment_id", "part"],
        set_={"text": text, "mode": mode.value, "updated_at": now}))


def _locked(session: Session, assessment_id: int) -> Assessment:
    stored = session.get(Assessment, assessment_id, with_for_update=True)
    if stored is None:
        raise ReportTextError(f"no assessment {assessment_id}")
    return stored


def _audit_name(part: str) -> str:
    return "voorwoord" if part == FOREWORD else part


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


