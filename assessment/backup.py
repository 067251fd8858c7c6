"""The backup of an assessment with its raw answers, and restoring it: an administrator's tool.

A facilitator's exports hold aggregates only (:mod:`assessment.exchange`). The raw answers
leave an installation only in a backup, made to move a scan to another installation: by an
administrator on the admin pages (confirmed, audited) or by the operator with
``regiospiegel backup``; ``regiospiegel import`` restores it.

The backup (JSON)
    Format ``regiospiegel.assessment``, version 3 (:class:`Backup`): the frozen questionnaire
    with its hash, the assessment's details, the summary at the time of the backup, every
    respondent with source, profile, progress, answers and free texts (with their
    moderation), the lesson notes, the actions, the vote on priorities (each vote's
    lessons, without voters), and the facilitator's report texts with the report's
    "definitief" version (both optional, so files from before them still read), and a
    checksum over all of it (:func:`document_checksum`). So that the file itself tells as
    little as possible about any one person:

    - respondents are in a random order, numbered 1..n in that order: the order says
      nothing about who came when; answers and texts carry no time of their own;
    - a respondent's start and send-in times are only their days (``started_on``,
      ``submitted_on``), without the time of day;
    - a profile answer (of every question type kept in the profile) is left out where its
      group (the respondents in the file with that option of that profile question, or that
      value of that item) is smaller than ``MIN_GROUP_SIZE``. When options are
      left out, more are (smallest first) until they are at least two and hold together at
      least ``MIN_GROUP_SIZE`` respondents (:func:`assessment.anonymity.suppress`), so the
      respondents without an answer to that question are never one small group. The options
      left out are listed in ``withheld_profile``. A respondent's language is treated the
      same way (``withheld_languages``);
    - no token hashes, voter hashes or database ids, no co-facilitators, no audit log and no
      link to a previous round. Texts pass :func:`assessment.safe_text.xml_safe`.

    A free text is written as the facilitator left it: its redacted version when there is
    one. Excluded and pending texts are in the file (a moved scan keeps its moderation).

Restoring
    :func:`import_backup` restores such a file as a new assessment of a given facilitator.
    The file may be at most :data:`MAX_IMPORT_BYTES`; it must match its checksum, the
    snapshot its hash, and pass the questionnaire schema; every answer, text, note and
    action must fit that questionnaire and keep to the limit of the form it comes from; and
    every summary in the file must agree with its answers, computed again
    (:func:`checked_summaries`). The checksum catches a damaged or hand-edited file; anyone
    can compute it again, so what stops forged figures is the summary computed again. The join
    code is kept unless this installation already uses it. Respondents get fresh random token
    hashes: their old personal links do not work in the new installation. Times of a
    respondent become the start (00:00 UTC) of their day. When organisation types were left
    out of a closed scan, the summary from the file is kept with the assessment, so the
    dashboard and the report show exactly what they showed before (it is recomputed from the
    answers when the scan is opened again or a paper form is typed in; the types left out
    then count as unknown).

    A purged scan's file holds no answers: its summary is restored as it is, and the
    restored scan is marked (``figures_imported_at``) so its report says its figures were
    imported, not computed here.

    Version 2 files (without a checksum) and version 1 files (the facilitator's full export
    before version 2) are still read, with a remark that they have no checksum (their
    summaries are checked all the same); version 1 times are cut to the day on import, their
    profiles kept as they are.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Literal

from flask import current_app
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from assessment import content, exchange, priorities, results
from assessment.aggregation import Response, Summary, summarise
from assessment.anonymity import MIN_GROUP_SIZE, suppress
from assessment.db import read_session, write_transaction
from assessment.discussion import (
    MAX_ACTION_LENGTH,
    MAX_NOTES_LENGTH,
    MAX_OWNER_LENGTH,
    MAX_REDACTED_LENGTH,
    MAX_TERM_LENGTH,
)
from assessment.exceptions import BackupError, TamperedBackup, UnknownAssessment, VoteError
from assessment.management import (
    MAX_COMMISSIONER_LENGTH,
    MAX_INVITED,
    MAX_ORGANISATIONS_LENGTH,
    MAX_REGION_LENGTH,
    MAX_TITLE_LENGTH,
    Actor,
    audit,
    new_join_code,
)
from assessment.models import (
    ActionItem,
    Answer,
    Assessment,
    AssessmentTranslation,
    Comment,
    Facilitator,
    LessonNote,
    PriorityVote,
    ReportText,
    Respondent,
    Status,
    as_utc,
    utcnow,
)
from assessment.participation import hash_token, new_token
from assessment.question_types import QUESTION_TYPES, owner
from assessment.report_texts import FOREWORD
from assessment.report_texts import MAX_TEXT_LENGTH as MAX_REPORT_TEXT_LENGTH
from assessment.safe_text import xml_safe
from assessment.snapshots import summary_from_json, summary_to_json
from questions.loader import from_snapshot
from questions.schema import Questionnaire
from questions.translations import structural_mismatches

FORMAT_ID = "regiospiegel.assessment"
FORMAT_VERSION = 3
#: Versions this installation can restore.
READABLE_VERSIONS = (1, 2, 3)
#: The first version with a checksum over the whole document.
CHECKSUM_VERSION = 3
#: The largest backup ``regiospiegel import`` reads (README: "Moving a scan"). Measured: the
#: demo's 28 respondents make 0.27 MB; 1,000 respondents who each wrote 2,000 characters
#: (the form's limit) on every lesson and open question make 31.7 MB.
MAX_IMPORT_BYTES = 32 * 1024 * 1024


# -- the format ----------------------------------------------------------------------------

#: A respondent's text: its length is checked with the fit (a setting gives the limit).
_Text = Annotated[str, AfterValidator(xml_safe)]

#: Characters XML forbids are taken out of every text on reading too.
_XmlSafe = AfterValidator(xml_safe)


def _at_most(limit: int) -> AfterValidator:
    """A text's length check: at most ``limit`` characters, the limit of the form it is from.

    In Python after :func:`xml_safe` rather than as a string constraint, which cannot
    measure a text that still holds a lone surrogate (an escape a hand-edited file may hold).
    """
    def check(text: str) -> str:
        if len(text) > limit:
            raise ValueError(f"has {len(text)} characters, more than the {limit} its form "
                             "allows")
        return text
    return AfterValidator(check)


_NoteText = Annotated[str, _XmlSafe, _at_most(MAX_NOTES_LENGTH)]
_ItemId = Annotated[str, StringConstraints(min_length=1, max_length=40)]
_Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
_Language = Literal["nl", "en"]
_Moderation = Literal["pending", "included", "excluded"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BackupTranslation(_Model):
    """The questionnaire in another language, frozen with the assessment, and its SHA-256."""

    language: _Language
    content_hash: _Hash
    snapshot: str


class BackupContent(_Model):
    """The questionnaire frozen with the assessment, exactly as stored, and its SHA-256."""

    questionnaire_id: _ItemId
    questionnaire_version: Annotated[str, StringConstraints(max_length=20)]
    content_hash: _Hash
    snapshot: str
    translations: tuple[BackupTranslation, ...] = ()


class BackupDetails(_Model):
    """The assessment's own fields (its owner, co-facilitators and previous round stay home)."""

    region: Annotated[str, _XmlSafe, _at_most(MAX_REGION_LENGTH)]
    title: Annotated[str, _XmlSafe, _at_most(MAX_TITLE_LENGTH)]
    language: _Language
    status: Literal["draft", "open", "paused", "closed"]
    join_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{4,12}$")]
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    session_date: date | None
    invited_count: int | None = Field(ge=1, le=MAX_INVITED)
    organisations: Annotated[str, _XmlSafe, _at_most(MAX_ORGANISATIONS_LENGTH)]
    reveal_step: int = Field(ge=0)
    purged_at: datetime | None
    summary_snapshot: str | None
    #: Added within version 2; older files have none of these (report_texts.py).
    commissioner: Annotated[str, _XmlSafe, _at_most(MAX_COMMISSIONER_LENGTH)] = ""
    report_version: int = Field(default=0, ge=0)
    report_final_at: datetime | None = None


class BackupAnswer(_Model):
    """One answer: the statement and the stored code."""

    statement: _ItemId
    value: Annotated[str, StringConstraints(max_length=10)]


class BackupText(_Model):
    """One free text: its lesson or open question, the text, and the facilitator's decision."""

    topic: _ItemId
    text: _Text
    moderation: _Moderation


class BackupRespondent(_Model):
    """One respondent, numbered within the file in a random order; no token, no id, no time."""

    number: int = Field(ge=1)
    source: Literal["link", "personal", "paper"]
    language: _Language | None = None
    profile: dict[str, str]
    last_page: Annotated[str, StringConstraints(max_length=40)]
    started_on: date
    submitted_on: date | None
    answers: tuple[BackupAnswer, ...]
    texts: tuple[BackupText, ...]


class BackupNote(_Model):
    """What the group said about a lesson, and concluded."""

    lesson: _ItemId
    notes: _NoteText
    conclusion: _NoteText
    updated_at: datetime


class BackupReportText(_Model):
    """The facilitator's own report text: the foreword (``_voorwoord``) or a lesson's advice."""

    part: _ItemId
    text: Annotated[str, _XmlSafe, _at_most(MAX_REPORT_TEXT_LENGTH)]
    mode: Literal["replace", "extend"]
    updated_at: datetime


class BackupAction(_Model):
    """An agreed action."""

    lesson: _ItemId | None
    action: Annotated[str, _XmlSafe, _at_most(MAX_ACTION_LENGTH)]
    owner: Annotated[str, _XmlSafe, _at_most(MAX_OWNER_LENGTH)]
    term: Annotated[str, _XmlSafe, _at_most(MAX_TERM_LENGTH)]
    created_at: datetime


class BackupVote(_Model):
    """The vote on priorities: its state, the most lessons per voter, each vote's lessons.

    No voter hashes: a vote is only its lessons, sorted so their order says nothing about who
    voted when.
    """

    status: Literal["none", "open", "closed"]
    max_choices: int = Field(ge=1)
    ballots: tuple[tuple[_ItemId, ...], ...]


class Backup(_Model):
    """A whole assessment with its raw answers (format ``regiospiegel.assessment``, version 3).

    Version 2 is the same without ``checksum``.
    """

    format: Literal["regiospiegel.assessment"]
    format_version: Literal[2, 3]
    exported_at: datetime
    content: BackupContent
    assessment: BackupDetails
    #: The summary when the backup was made (as :mod:`assessment.snapshots` writes it).
    summary: str | None
    #: Per profile question, the options whose answers were left out.
    withheld_profile: dict[str, tuple[str, ...]]
    #: Respondents' languages left out (those respondents read the assessment's language).
    withheld_languages: tuple[_Language, ...]
    respondents: tuple[BackupRespondent, ...]
    lesson_notes: tuple[BackupNote, ...]
    actions: tuple[BackupAction, ...]
    priority_vote: BackupVote | None = None
    #: Added within version 2; older files have none.
    report_texts: tuple[BackupReportText, ...] = ()
    #: SHA-256 of the rest of the document (:func:`document_checksum`); from version 3.
    checksum: _Hash | None = None


class _V1Answer(_Model):
    statement: _ItemId
    value: Annotated[str, StringConstraints(max_length=10)]
    updated_at: datetime


class _V1Text(_Model):
    topic: _ItemId
    text: _Text
    moderation: _Moderation
    updated_at: datetime


class _V1Respondent(_Model):
    number: int = Field(ge=1)
    source: Literal["link", "personal", "paper"]
    language: _Language | None = None
    profile: dict[str, str]
    last_page: Annotated[str, StringConstraints(max_length=40)]
    submitted: bool
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    answers: tuple[_V1Answer, ...]
    texts: tuple[_V1Text, ...]


class _V1Backup(_Model):
    """Version 1: the facilitator's full export until version 2, with exact times."""

    format: Literal["regiospiegel.assessment"]
    format_version: Literal[1]
    exported_at: datetime
    content: BackupContent
    assessment: BackupDetails
    respondents: tuple[_V1Respondent, ...]
    lesson_notes: tuple[BackupNote, ...]
    actions: tuple[BackupAction, ...]
    priority_vote: BackupVote | None = None


# -- writing -------------------------------------------------------------------------------



def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _day(value: datetime) -> date:
    return as_utc(value).date()


def withheld_options(values: Sequence[str | None]) -> frozenset[str]:
    """The values to leave out of a backup: groups under ``MIN_GROUP_SIZE``, then suppressed.

    ``values`` holds one value per respondent (None for no answer). A value given by fewer
    than ``MIN_GROUP_SIZE`` respondents is left out; then more, smallest first, until the
    left-out values are at least two and together hold ``MIN_GROUP_SIZE`` respondents
    (:func:`assessment.anonymity.suppress`), or all of them. Respondents who gave no answer
    are not a part here: a missing answer hides nothing, it only blurs the left-out ones.
    """
    counts = Counter(value for value in values if value is not None)
    return suppress(counts, {value for value, n in counts.items() if n < MIN_GROUP_SIZE})


def backup_document(assessment: Assessment, exported_at: datetime | None = None,
                    shuffle: random.Random | None = None) -> Backup:
    """The backup of an assessment (see the module docstring), read in a handful of queries.

    ``shuffle`` orders the respondents; by default a random order from the system's source.
    """
    session = read_session()
    questionnaire = content.for_assessment(assessment)
    respondents = list(session.scalars(
        select(Respondent).where(Respondent.assessment_id == assessment.id)
        .order_by(Respondent.id)))
    (shuffle or random.SystemRandom()).shuffle(respondents)
    in_assessment = select(Respondent.id).where(Respondent.assessment_id == assessment.id)
    answers: dict[int, list[BackupAnswer]] = defaultdict(list)
    for respondent_id, statement_id, value in session.execute(
            select(Answer.respondent_id, Answer.statement_id, Answer.value)
            .where(Answer.respondent_id.in_(in_assessment))
            .order_by(Answer.respondent_id, Answer.statement_id)):
        answers[respondent_id].append(BackupAnswer(statement=statement_id, value=value))
    texts: dict[int, list[BackupText]] = defaultdict(list)
    for comment in session.scalars(
            select(Comment).where(Comment.respondent_id.in_(in_assessment))
            .order_by(Comment.respondent_id, Comment.topic_id)):
        texts[comment.respondent_id].append(BackupText(
            topic=comment.topic_id, text=comment.shown_text,
            moderation=comment.moderation))
    withheld = {item_id: withheld_options([r.profile.get(item_id) for r in respondents])
                for item_id in profile_items(questionnaire)}
    languages = withheld_options([r.language or assessment.language for r in respondents])
    notes = session.scalars(select(LessonNote).where(LessonNote.assessment_id == assessment.id)
                            .order_by(LessonNote.lesson_id)).all()
    actions = session.scalars(select(ActionItem).where(ActionItem.assessment_id == assessment.id)
                              .order_by(ActionItem.id)).all()
    return sealed(Backup(
        format=FORMAT_ID,
        format_version=FORMAT_VERSION,
        exported_at=as_utc(exported_at or utcnow()),
        content=BackupContent(
            questionnaire_id=assessment.questionnaire_id,
            questionnaire_version=assessment.questionnaire_version,
            content_hash=assessment.content_hash, snapshot=assessment.content_snapshot,
            translations=tuple(
                BackupTranslation(language=t.language, content_hash=t.content_hash,
                                  snapshot=t.content_snapshot)
                for t in assessment.translations)),
        assessment=BackupDetails(
            region=assessment.region, title=assessment.title,
            language=assessment.language, status=assessment.status,
            join_code=assessment.join_code, created_at=as_utc(assessment.created_at),
            opened_at=_utc_or_none(assessment.opened_at),
            closed_at=_utc_or_none(assessment.closed_at),
            session_date=assessment.session_date, invited_count=assessment.invited_count,
            organisations=assessment.organisations,
            reveal_step=assessment.reveal_step, purged_at=_utc_or_none(assessment.purged_at),
            summary_snapshot=assessment.summary_snapshot,
            commissioner=assessment.commissioner, report_version=assessment.report_version,
            report_final_at=_utc_or_none(assessment.report_final_at)),
        summary=summary_to_json(results.assessment_summary(assessment)),
        withheld_profile={question: tuple(sorted(options))
                          for question, options in withheld.items() if options},
        withheld_languages=tuple(sorted(languages)),
        respondents=tuple(
            BackupRespondent(
                number=number, source=respondent.source,
                language=(None if (respondent.language or assessment.language) in languages
                          else respondent.language),
                profile={question: option for question, option in respondent.profile.items()
                         if option not in withheld.get(question, ())},
                last_page=respondent.last_page, started_on=_day(respondent.created_at),
                submitted_on=(None if respondent.submitted_at is None
                              else _day(respondent.submitted_at)),
                answers=tuple(answers[respondent.id]), texts=tuple(texts[respondent.id]))
            for number, respondent in enumerate(respondents, start=1)),
        lesson_notes=tuple(
            BackupNote(lesson=note.lesson_id, notes=note.notes,
                       conclusion=note.conclusion, updated_at=as_utc(note.updated_at))
            for note in notes),
        actions=tuple(
            BackupAction(lesson=action.lesson_id, action=action.action,
                         owner=action.owner, term=action.term,
                         created_at=as_utc(action.created_at))
            for action in actions),
        priority_vote=BackupVote(
            status=assessment.vote_status, max_choices=assessment.vote_max_choices,
            ballots=tuple(sorted(tuple(ballot) for ballot in priorities.ballots(assessment.id)))),
        report_texts=tuple(
            BackupReportText(part=text.part, text=text.text, mode=text.mode,
                             updated_at=as_utc(text.updated_at))
            for text in session.scalars(select(ReportText).where(
                ReportText.assessment_id == assessment.id).order_by(ReportText.part))),
    ))


def document_checksum(raw: Mapping[str, object]) -> str:
    """The SHA-256 of a backup document as JSON data, leaving out its ``checksum``.

    Over a canonical form (keys sorted, no spaces, ASCII escapes), so it does not depend on
    how the file is indented or in which order its keys stand, only on what it says.
    """
    canonical = json.dumps({key: value for key, value in raw.items() if key != "checksum"},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def sealed(document: Backup) -> Backup:
    """The document with its checksum (:func:`document_checksum`) filled in."""
    return document.model_copy(update={
        "checksum": document_checksum(document.model_dump(mode="json"))})


def backup_json(document: Backup) -> str:
    """The backup as indented JSON text (UTF-8, not ASCII-escaped)."""
    return document.model_dump_json(indent=2) + "\n"


def describe_backup(document: Backup) -> str:
    """One line for the audit log: how many respondents, and what was left out."""
    left_out = [f"{question}: {', '.join(options)}"
                for question, options in sorted(document.withheld_profile.items())]
    if document.withheld_languages:
        left_out.append(f"taal: {', '.join(document.withheld_languages)}")
    return (f"{len(document.respondents)} respondents"
            + (f"; left out {'; '.join(left_out)}" if left_out else ""))


def record_backup(assessment_id: int, actor: Actor, detail: str) -> None:
    """Note in the audit log that a backup with raw answers was made, and by whom."""
    with write_transaction() as session:
        assessment = session.get(Assessment, assessment_id)
        if assessment is None:
            raise UnknownAssessment(f"no assessment {assessment_id}")
        audit(session, "backed_up", actor, assessment, detail)


def file_name(assessment: Assessment) -> str:
    """The backup's download name, such as ``regiospiegel-backup-regio-zwolle-….json``."""
    return exchange.file_name(assessment, "backup", "json")


# -- reading and checking ------------------------------------------------------------------


def _too_large() -> BackupError:
    return BackupError(f"the file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MiB, the "
                       "most a backup may be; this is not a backup Regiospiegel wrote")


def read_backup_file(path: Path) -> bytes:
    """The bytes of a backup file, read no further than :data:`MAX_IMPORT_BYTES` allows."""
    with path.open("rb") as file:
        data = file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise _too_large()
    return data


def parse_backup(data: bytes) -> Backup:
    """Read a backup file (version 1, 2 or 3); :class:`BackupError` says what is wrong.

    From version 3 the file's checksum must match the document (:func:`document_checksum`).
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise _too_large()
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"the file is not JSON ({exc}); give the .json file that "
                          "Regiospiegel's backup made") from exc
    if isinstance(raw, dict) and raw.get("format") == "regiospiegel.aggregates":
        raise BackupError("this is a facilitator's export of the aggregates, which holds no "
                          "answers and cannot be restored; an administrator makes a backup "
                          "on the admin pages, or the operator with `regiospiegel backup`")
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_ID:
        raise BackupError(f"this is not a Regiospiegel backup (its 'format' is not "
                          f"'{FORMAT_ID}')")
    version = raw.get("format_version")
    if version not in READABLE_VERSIONS:
        raise BackupError(f"the file has format version {version!r}; this installation reads "
                          f"versions {', '.join(map(str, READABLE_VERSIONS))}; "
                          "update Regiospiegel")
    if version >= CHECKSUM_VERSION:
        _verify_checksum(raw)
    try:
        if version == 1:
            return _from_version_1(_V1Backup.model_validate(raw))
        return Backup.model_validate(raw)
    except ValidationError as exc:
        raise BackupError("the file does not match the backup format: "
                          + _first_errors(exc)) from exc


def _verify_checksum(raw: dict[str, object]) -> None:
    """The checksum of a version 3 file matches what the file says (see :class:`Backup`)."""
    stated = raw.get("checksum")
    if not isinstance(stated, str):
        raise TamperedBackup(f"the file has format version {raw.get('format_version')} but "
                             "no checksum; import the file exactly as Regiospiegel wrote it")
    if not hmac.compare_digest(document_checksum(raw), stated):
        raise TamperedBackup("the file does not match its checksum, so it was changed or "
                             "damaged after the backup; import the file exactly as "
                             "Regiospiegel wrote it")


def _from_version_1(old: _V1Backup) -> Backup:
    """A version 1 file as version 2: times cut to the day, profiles as they are."""
    for respondent in old.respondents:
        if respondent.submitted != (respondent.submitted_at is not None):
            raise BackupError(f"respondent {respondent.number}: 'submitted' and "
                              "'submitted_at' disagree")
    return Backup(
        format=FORMAT_ID, format_version=2, exported_at=old.exported_at,
        content=old.content, assessment=old.assessment, summary=None, withheld_profile={},
        withheld_languages=(),
        respondents=tuple(
            BackupRespondent(
                number=r.number, source=r.source, language=r.language, profile=r.profile,
                last_page=r.last_page, started_on=_day(r.created_at),
                submitted_on=None if r.submitted_at is None else _day(r.submitted_at),
                answers=tuple(BackupAnswer(statement=a.statement, value=a.value)
                              for a in r.answers),
                texts=tuple(BackupText(topic=t.topic, text=t.text, moderation=t.moderation)
                            for t in r.texts))
            for r in old.respondents),
        lesson_notes=old.lesson_notes, actions=old.actions, priority_vote=old.priority_vote)


def _first_errors(exc: ValidationError, limit: int = 5) -> str:
    errors = exc.errors(include_url=False)
    described = ["{}: {}".format(".".join(str(part) for part in error["loc"]) or "the file",
                                 error["msg"]) for error in errors[:limit]]
    more = len(errors) - limit
    return "; ".join(described) + (f" (and {more} more)" if more > 0 else "")


def verified_questionnaire(document: Backup) -> Questionnaire:
    """The backup's questionnaire, after checking it against its hash and the schema."""
    snapshot = document.content.snapshot
    actual = hashlib.sha256(snapshot.encode("utf-8")).hexdigest()
    if not hmac.compare_digest(actual, document.content.content_hash):
        raise TamperedBackup(
            "the questionnaire in the file does not match its content_hash, so the file was "
            "changed after the backup; import the file exactly as Regiospiegel wrote it")
    try:
        questionnaire = from_snapshot(snapshot)
    except ValidationError as exc:
        raise BackupError("the questionnaire in the file does not pass the questionnaire "
                          "schema: " + _first_errors(exc)) from exc
    expected = (document.content.questionnaire_id, document.content.questionnaire_version,
                document.assessment.language)
    if (questionnaire.id, questionnaire.version, questionnaire.language) != expected:
        raise BackupError(
            f"the file says questionnaire {expected[0]} {expected[1]} ({expected[2]}) but its "
            f"snapshot is {questionnaire.id} {questionnaire.version} ({questionnaire.language})")
    _verify_translations(document, questionnaire)
    for name, stored in (("stored summary", document.assessment.summary_snapshot),
                         ("summary", document.summary)):
        if stored is not None:
            try:
                summary_from_json(stored)
            except (ValueError, KeyError, TypeError) as exc:
                raise BackupError(f"the {name} in the file cannot be read: {exc}") from exc
    return questionnaire


def _verify_translations(document: Backup, questionnaire: Questionnaire) -> None:
    """Each translation in the file: unchanged, readable, and the same questionnaire."""
    for translation in document.content.translations:
        actual = hashlib.sha256(translation.snapshot.encode("utf-8")).hexdigest()
        if not hmac.compare_digest(actual, translation.content_hash):
            raise TamperedBackup(
                f"the questionnaire in language {translation.language} does not match its "
                "content_hash, so the file was changed after the backup; import the file "
                "exactly as Regiospiegel wrote it")
        try:
            translated = from_snapshot(translation.snapshot)
        except ValidationError as exc:
            raise BackupError(f"the questionnaire in language {translation.language} does "
                              "not pass the questionnaire schema: " + _first_errors(exc)
                              ) from exc
        mismatches = structural_mismatches(questionnaire, translated)
        if translated.language != translation.language or mismatches:
            reasons = "; ".join(m.message for m in mismatches[:3]) or "its language differs"
            raise BackupError(f"the questionnaire in language {translation.language} is not "
                              f"a translation of the assessment's questionnaire: {reasons}")


def fit_problems(document: Backup, questionnaire: Questionnaire,
                 text_limit: int = MAX_REDACTED_LENGTH) -> list[str]:
    """Everything in the backup that its questionnaire does not have, or that is longer than
    its form allows (empty when it fits).

    ``text_limit`` is the longest free text of a respondent (:func:`longest_text`).
    """
    return list(_fit_problems(document, questionnaire, text_limit))


def longest_text(comment_max_length: int) -> int:
    """The longest free text a backup may hold: as a participant may write it
    (``COMMENT_MAX_LENGTH``), or as a facilitator may redact it."""
    return max(comment_max_length, MAX_REDACTED_LENGTH)


def _fit_problems(document: Backup, questionnaire: Questionnaire,
                  text_limit: int) -> Iterator[str]:
    statements = {s.id: questionnaire.statement_scale(s).answer_codes()
                  for s in questionnaire.statements()}
    lessons = {lesson.id for lesson in questionnaire.lessons}
    topics = lessons | {question.id for question in questionnaire.open_questions}
    numbers = [respondent.number for respondent in document.respondents]
    if numbers != list(range(1, len(numbers) + 1)):
        yield "respondents must be numbered 1, 2, 3, ... in order"
    for question_id, withheld in document.withheld_profile.items():
        for option_id in withheld:
            yield from (f"withheld_profile: {problem}" for problem
                        in _profile_problems(questionnaire, question_id, option_id))
    for respondent in document.respondents:
        yield from _respondent_problems(respondent, statements, topics, questionnaire,
                                        text_limit)
    noted = [note.lesson for note in document.lesson_notes]
    for lesson_id in noted:
        if lesson_id not in lessons:
            yield f"lesson note on unknown lesson '{lesson_id}'"
    if len(set(noted)) != len(noted):
        yield "two lesson notes on the same lesson"
    for number, action in enumerate(document.actions, start=1):
        if action.lesson is not None and action.lesson not in lessons:
            yield f"action {number}: unknown lesson '{action.lesson}'"
    yield from _vote_problems(document.priority_vote, questionnaire)
    parts = [text.part for text in document.report_texts]
    for part in parts:
        if part != FOREWORD and part not in lessons:
            yield f"report text on unknown lesson '{part}'"
    if len(set(parts)) != len(parts):
        yield "two report texts on the same part"


def profile_items(questionnaire: Questionnaire) -> list[str]:
    """The ids of every item whose answers are kept in a respondent's profile, of any type."""
    return [item_id for kind in QUESTION_TYPES.values() if kind.storage == "profile"
            for item_id in kind.items(questionnaire)]


def _profile_problems(questionnaire: Questionnaire, item_id: str, value: str) -> Iterator[str]:
    """What is wrong with a profile value: checked by the type that keeps it there, as a save
    is; a value of no item of the profile is not an option of any question."""
    found = owner(questionnaire, "profile", item_id)
    if found is None:
        yield f"'{value}' is not an option of profile question '{item_id}'"
    elif (problem := found[0].check(questionnaire, found[1], value)) is not None:
        yield problem


def _respondent_problems(respondent: BackupRespondent, statements: dict[str, tuple[str, ...]],
                         topics: set[str], questionnaire: Questionnaire,
                         text_limit: int) -> Iterator[str]:
    where = f"respondent {respondent.number}"
    for item_id, value in respondent.profile.items():
        yield from (f"{where}: {problem}"
                    for problem in _profile_problems(questionnaire, item_id, value))
    seen: set[str] = set()
    for answer in respondent.answers:
        if answer.statement not in statements:
            yield f"{where}: answer to unknown statement '{answer.statement}'"
        elif answer.value not in statements[answer.statement]:
            yield f"{where}: '{answer.value}' is not on the scale of '{answer.statement}'"
        if answer.statement in seen:
            yield f"{where}: two answers to '{answer.statement}'"
        seen.add(answer.statement)
    seen_topics: set[str] = set()
    for text in respondent.texts:
        if text.topic not in topics:
            yield f"{where}: text on unknown lesson or question '{text.topic}'"
        if text.topic in seen_topics:
            yield f"{where}: two texts on '{text.topic}'"
        seen_topics.add(text.topic)
        if len(text.text) > text_limit:
            yield (f"{where}: the text on '{text.topic}' has {len(text.text)} characters, "
                   f"more than the {text_limit} a form allows")
    if respondent.submitted_on is not None and respondent.submitted_on < respondent.started_on:
        yield f"{where}: sent in before it started"


def _vote_problems(vote: BackupVote | None, questionnaire: Questionnaire) -> Iterator[str]:
    if vote is None:
        return
    for number, ballot in enumerate(vote.ballots, start=1):
        if len(set(ballot)) != len(ballot):
            yield f"vote {number} on priorities: a lesson chosen twice"
        try:
            priorities.checked_choice(questionnaire.lessons, ballot, vote.max_choices)
        except VoteError as exc:
            yield f"vote {number} on priorities: {exc}"


# -- the summaries in the file ----------------------------------------------------------


def recomputed_summary(document: Backup, questionnaire: Questionnaire) -> Summary:
    """The summary of everyone the file holds as sent in, computed from the file's answers.

    Their group and role are their profile answers as the file holds them (a value the
    backup left out counts as none).
    """
    grouping, role = questionnaire.grouping_question, questionnaire.role_question
    return summarise(questionnaire, [
        Response(respondent.number,
                 respondent.profile.get(grouping.id) if grouping is not None else None,
                 {answer.statement: answer.value for answer in respondent.answers},
                 {role.id: respondent.profile[role.id]}
                 if role is not None and role.id in respondent.profile else {})
        for respondent in document.respondents if respondent.submitted_on is not None])


def _answer_figures(summary: Summary) -> Summary:
    """The summary without what rests on profiles: the breakdowns by organisation type and
    role, the sizes of the types, and what a gap between types adds (divided, the advice,
    the largest disagreements)."""
    return replace(summary, group_sizes=(), largest_disagreements=(), lessons=tuple(
        replace(lesson, groups=(), roles=(), divided_by_groups=False, roles_differ=False,
                advice=None)
        for lesson in summary.lessons))


def _difference(stored: Summary, computed: Summary) -> str:
    """Where two summaries first differ, for a message."""
    for kept, fresh in zip(stored.lessons, computed.lessons, strict=False):
        if kept != fresh:
            if kept.mean != fresh.mean:
                return (f"lesson '{kept.lesson_id}' has score {_score(kept.mean)} in the file "
                        f"and {_score(fresh.mean)} from its answers")
            return f"the figures of lesson '{kept.lesson_id}' differ"
    return "its figures differ"


def _score(value: float | None) -> str:
    return "none" if value is None else f"{value:.1f}"


def checked_summaries(document: Backup, questionnaire: Questionnaire) -> frozenset[str]:
    """Check every summary the file holds; return those that agree with its answers.

    A file that holds its answers (not purged) must hold only summaries that agree with
    them: computed again from the file (:func:`recomputed_summary`), the same figures. When
    the backup left out profile answers (small groups) or the scan kept the summary of an
    earlier restore, only the figures that rest on answers alone are compared
    (:func:`_answer_figures`); the breakdowns by type and role cannot be computed again
    from the file. A summary that counts fewer respondents than sent in (the latest wait
    for two more while answering is open, :mod:`assessment.anonymity`) cannot be checked
    and is not returned. A purged file holds no answers and its summaries must agree with
    each other; they are returned unchecked (the restore marks its figures as imported).
    :class:`TamperedBackup` says which summary disagrees, and where.
    """
    details = document.assessment
    if details.purged_at is not None:
        return _purged_summaries(document)
    computed = recomputed_summary(document, questionnaire)
    whole = not document.withheld_profile and details.summary_snapshot is None
    checked = set()
    for name, stored in (("summary kept with the scan", details.summary_snapshot),
                         ("summary", document.summary)):
        if stored is None:
            continue
        summary = summary_from_json(stored)
        if summary.respondents > computed.respondents:
            raise TamperedBackup(
                f"the {name} in the file counts {summary.respondents} respondents but the "
                f"file holds {computed.respondents} who sent in, so it was changed after "
                "the backup; import the file exactly as Regiospiegel wrote it")
        if summary.respondents < computed.respondents:
            continue
        if not (summary == computed if whole
                else _answer_figures(summary) == _answer_figures(computed)):
            raise TamperedBackup(
                f"the {name} in the file does not agree with the answers in it "
                f"({_difference(summary, computed)}), so the file was changed after the "
                "backup; import the file exactly as Regiospiegel wrote it")
        checked.add(stored)
    return frozenset(checked)


def _purged_summaries(document: Backup) -> frozenset[str]:
    """A purged file's summaries: no answers, a kept summary, and no second one that differs."""
    kept = document.assessment.summary_snapshot
    if any(respondent.answers for respondent in document.respondents):
        raise TamperedBackup("the file says the scan's answers were purged but it holds "
                             "answers, so it was changed after the backup; import the file "
                             "exactly as Regiospiegel wrote it")
    if kept is None:
        raise BackupError("the file says the scan's answers were purged but holds no summary "
                          "kept at that moment, so it has no figures to restore")
    if document.summary is not None and (summary_from_json(document.summary)
                                         != summary_from_json(kept)):
        raise TamperedBackup("the two summaries in the file of a purged scan differ, so the "
                             "file was changed after the backup; import the file exactly as "
                             "Regiospiegel wrote it")
    return frozenset({kept})


# -- restoring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What a restore made."""

    assessment_id: int
    title: str
    owner_email: str
    join_code: str
    original_join_code: str
    respondents: int
    notes: int
    actions: int
    #: What the user should know about the file: no checksum (an older version), figures
    #: imported from a purged scan.
    remarks: tuple[str, ...] = ()

    @property
    def join_code_changed(self) -> bool:
        """Whether the original join code was taken here, so the assessment got a new one."""
        return self.join_code != self.original_join_code

    def describe(self) -> str:
        """Lines for the terminal."""
        code = (f"  join code {self.original_join_code} is already used here; the new join "
                f"code is {self.join_code}" if self.join_code_changed
                else f"  join code: {self.join_code}")
        return (f"imported '{self.title}' as assessment {self.assessment_id}, owned by "
                f"{self.owner_email}: {self.respondents} respondents, {self.notes} lesson "
                f"notes, {self.actions} actions\n{code}\n"
                "  personal links of the old installation do not work here: every respondent "
                "got a new random token"
                + "".join(f"\n  {remark}" for remark in self.remarks))


def import_backup(data: bytes, owner_email: str, actor: Actor = None) -> ImportResult:
    """Restore a backup as a new assessment owned by ``owner_email``, in one transaction."""
    document = parse_backup(data)
    questionnaire = verified_questionnaire(document)
    problems = fit_problems(document, questionnaire,
                            longest_text(current_app.config["COMMENT_MAX_LENGTH"]))
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise BackupError("the answers in the file do not fit its questionnaire: "
                          + "; ".join(problems[:5]) + more)
    checked = checked_summaries(document, questionnaire)
    email = owner_email.strip().lower()
    with write_transaction() as session:
        owner = session.scalar(select(Facilitator).where(Facilitator.email == email))
        if owner is None:
            raise BackupError(f"no facilitator with e-mail {email}; create one first with "
                              "`regiospiegel create-facilitator`")
        assessment = _restore(session, document, owner.id, checked)
        remarks = _remarks(document)
        audit(session, "imported", actor, assessment,
              f"from a backup of {document.exported_at.isoformat()}, owner {owner.email}"
              + "".join(f"; {remark}" for remark in remarks))
        return ImportResult(
            assessment_id=assessment.id, title=assessment.title, owner_email=owner.email,
            join_code=assessment.join_code, original_join_code=document.assessment.join_code,
            respondents=len(document.respondents), notes=len(document.lesson_notes),
            actions=len(document.actions), remarks=remarks)


def _remarks(document: Backup) -> tuple[str, ...]:
    """What the user should know about a restored file (see :class:`ImportResult`)."""
    remarks = []
    if document.checksum is None:
        remarks.append(
            f"the file is of format version {document.format_version}, from before backups "
            "had a checksum: its answers were checked against its summary, but a change to "
            "its texts, notes or actions cannot be seen")
    if document.assessment.purged_at is not None:
        remarks.append(
            "the answers were purged before the backup: the figures are the file's summary, "
            "imported as they are and not computed here (the report says so)")
    return tuple(remarks)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _kept_summary(document: Backup, checked: frozenset[str]) -> str | None:
    """The summary to keep with the restored assessment, or None to compute it from answers.

    A purged scan keeps its stored summary. A closed scan whose organisation types were
    partly left out keeps the summary from the file, so its figures stay exactly as they
    were (computed again, the left-out types would read "no data" instead of "hidden").
    Only a summary in ``checked`` (:func:`checked_summaries`) is kept.
    """
    details = document.assessment
    if details.summary_snapshot is not None and details.summary_snapshot in checked:
        return details.summary_snapshot
    grouping = from_snapshot(document.content.snapshot).grouping_question
    if (details.status == Status.CLOSED.value and document.summary in checked
            and grouping is not None and document.withheld_profile.get(grouping.id)):
        return document.summary
    return None


def _restore(session: Session, document: Backup, owner_id: int,
             checked: frozenset[str]) -> Assessment:
    details = document.assessment
    assessment = Assessment(
        owner_id=owner_id, region=details.region, title=details.title,
        language=details.language, questionnaire_id=document.content.questionnaire_id,
        questionnaire_version=document.content.questionnaire_version,
        content_hash=document.content.content_hash, content_snapshot=document.content.snapshot,
        status=details.status, join_code=_free_join_code(session, details.join_code),
        created_at=details.created_at, opened_at=details.opened_at,
        closed_at=details.closed_at, session_date=details.session_date,
        invited_count=details.invited_count, organisations=details.organisations,
        reveal_step=details.reveal_step, purged_at=details.purged_at,
        summary_snapshot=_kept_summary(document, checked),
        figures_imported_at=None if details.purged_at is None else utcnow(),
        commissioner=details.commissioner,
        report_version=details.report_version, report_final_at=details.report_final_at,
        translations=[AssessmentTranslation(language=t.language, content_hash=t.content_hash,
                                            content_snapshot=t.snapshot)
                      for t in document.content.translations if t.language != details.language],
    )
    session.add(assessment)
    session.flush()
    offered = set(assessment.languages)
    respondents = []
    for r in document.respondents:
        last_change = _start_of(r.submitted_on or r.started_on)
        respondents.append(Respondent(
            assessment_id=assessment.id, token_hash=hash_token(new_token()),
            profile=dict(r.profile), last_page=r.last_page, source=r.source,
            language=r.language if r.language in offered else None,
            created_at=_start_of(r.started_on), updated_at=last_change,
            submitted_at=None if r.submitted_on is None else last_change))
    session.add_all(respondents)  # inserted in the file's order, so they keep its numbering
    session.flush()
    # The results go on from everyone the file holds as sent in (anonymity.py: steps of three).
    assessment.published_respondents = sum(1 for r in respondents if r.submitted_at)
    answers = [{"respondent_id": row.id, "statement_id": a.statement, "value": a.value,
                "updated_at": row.updated_at}
               for row, r in zip(respondents, document.respondents, strict=True)
               for a in r.answers]
    if answers:
        session.execute(insert(Answer), answers)
    texts = [{"assessment_id": assessment.id, "respondent_id": row.id, "topic_id": t.topic,
              "text": t.text, "moderation": t.moderation, "updated_at": row.updated_at}
             for row, r in zip(respondents, document.respondents, strict=True)
             for t in r.texts]
    if texts:
        session.execute(insert(Comment), texts)
    session.add_all(LessonNote(assessment_id=assessment.id, lesson_id=note.lesson,
                               notes=note.notes, conclusion=note.conclusion,
                               updated_at=note.updated_at) for note in document.lesson_notes)
    session.add_all(ActionItem(assessment_id=assessment.id, lesson_id=action.lesson,
                               action=action.action, owner=action.owner, term=action.term,
                               created_at=action.created_at) for action in document.actions)
    session.add_all(ReportText(assessment_id=assessment.id, part=text.part, text=text.text,
                               mode=text.mode, updated_at=text.updated_at)
                    for text in document.report_texts)
    if document.priority_vote is not None:
        assessment.vote_status = document.priority_vote.status
        assessment.vote_max_choices = document.priority_vote.max_choices
        # Without a voter hash: nobody can change these votes here (the tally stays).
        session.add_all(PriorityVote(assessment_id=assessment.id, lessons=list(ballot))
                        for ballot in document.priority_vote.ballots)
    session.flush()
    return assessment


def _free_join_code(session: Session, wanted: str) -> str:
    """``wanted`` if no assessment here uses it, else a new random join code."""
    code = wanted
    # The transaction holds the write lock, so a code found free stays free until commit.
    while session.scalar(select(Assessment.id).where(Assessment.join_code == code)) is not None:
        code = new_join_code()
    return code
