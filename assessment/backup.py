"""The backup of an assessment with its raw answers, and restoring it: an administrator's tool.

A facilitator's exports hold aggregates only (:mod:`assessment.exchange`). The raw answers
leave an installation only in a backup, made to move a scan to another installation: by an
administrator on the admin pages (confirmed, audited) or by the operator with
``regiospiegel backup``; ``regiospiegel import`` restores it.

The backup (JSON)
    Format ``regiospiegel.assessment``, version 2 (:class:`Backup`): the frozen questionnaire
    with its hash, the assessment's details, the summary at the time of the backup, every
    respondent with source, profile, progress, answers and free texts (with their
    moderation), the lesson notes, the actions, the vote on priorities (each vote's
    lessons, without voters), and the facilitator's report texts with the report's
    "definitief" version (both optional, so files from before them still read). So that
    the file itself tells as little as possible about any one person:

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
    The snapshot must match its hash (a changed file is refused) and pass the questionnaire
    schema, and every answer, text, note and action must fit that questionnaire. The join
    code is kept unless this installation already uses it. Respondents get fresh random token
    hashes: their old personal links do not work in the new installation. Times of a
    respondent become the start (00:00 UTC) of their day. When organisation types were left
    out of a closed scan, the summary from the file is kept with the assessment, so the
    dashboard and the report show exactly what they showed before (it is recomputed from the
    answers when the scan is opened again or a paper form is typed in; the types left out
    then count as unknown).

    Version 1 files (the facilitator's full export before version 2) are still read: their
    times are cut to the day on import, their profiles kept as they are.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Annotated, Literal

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
from assessment.anonymity import MIN_GROUP_SIZE, suppress
from assessment.db import read_session, write_transaction
from assessment.exceptions import BackupError, TamperedBackup, UnknownAssessment, VoteError
from assessment.management import Actor, audit, new_join_code
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
from assessment.safe_text import xml_safe
from assessment.snapshots import summary_from_json, summary_to_json
from questions.loader import from_snapshot
from questions.schema import Questionnaire
from questions.translations import structural_mismatches

FORMAT_ID = "regiospiegel.assessment"
FORMAT_VERSION = 2
#: Versions this installation can restore.
READABLE_VERSIONS = (1, 2)
#: Far above any real scan (a thousand respondents make a few megabytes).
MAX_IMPORT_BYTES = 64 * 1024 * 1024


# -- the format ----------------------------------------------------------------------------

#: Text as a person wrote it; characters XML forbids are taken out on reading too.
_Text = Annotated[str, AfterValidator(xml_safe)]
_ShortText = Annotated[str, StringConstraints(max_length=200), AfterValidator(xml_safe)]
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

    region: _ShortText
    title: _ShortText
    language: _Language
    status: Literal["draft", "open", "paused", "closed"]
    join_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{4,12}$")]
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    session_date: date | None
    invited_count: int | None = Field(ge=1)
    organisations: _Text
    reveal_step: int = Field(ge=0)
    purged_at: datetime | None
    summary_snapshot: str | None
    #: Added within version 2; older files have none of these (report_texts.py).
    commissioner: _ShortText = ""
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
    notes: _Text
    conclusion: _Text
    updated_at: datetime


class BackupReportText(_Model):
    """The facilitator's own report text: the foreword (``_voorwoord``) or a lesson's advice."""

    part: _ItemId
    text: _Text
    mode: Literal["replace", "extend"]
    updated_at: datetime


class BackupAction(_Model):
    """An agreed action."""

    lesson: _ItemId | None
    action: _Text
    owner: _ShortText
    term: Annotated[str, StringConstraints(max_length=100), AfterValidator(xml_safe)]
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
    """A whole assessment with its raw answers (format ``regiospiegel.assessment``, version 2)."""

    format: Literal["regiospiegel.assessment"]
    format_version: Literal[2]
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
    return Backup(
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
    )


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


def parse_backup(data: bytes) -> Backup:
    """Read a backup file (version 1 or 2); :class:`BackupError` says what is wrong with it."""
    if len(data) > MAX_IMPORT_BYTES:
        raise BackupError(f"the file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MiB; "
                          "this is not a Regiospiegel backup")
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
    try:
        if version == 1:
            return _from_version_1(_V1Backup.model_validate(raw))
        return Backup.model_validate(raw)
    except ValidationError as exc:
        raise BackupError("the file does not match the backup format: "
                          + _first_errors(exc)) from exc


def _from_version_1(old: _V1Backup) -> Backup:
    """A version 1 file as version 2: times cut to the day, profiles as they are."""
    for respondent in old.respondents:
        if respondent.submitted != (respondent.submitted_at is not None):
            raise BackupError(f"respondent {respondent.number}: 'submitted' and "
                              "'submitted_at' disagree")
    return Backup(
        format=FORMAT_ID, format_version=FORMAT_VERSION, exported_at=old.exported_at,
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


def fit_problems(document: Backup, questionnaire: Questionnaire) -> list[str]:
    """Everything in the backup that its questionnaire does not have (empty when it fits)."""
    return list(_fit_problems(document, questionnaire))


def _fit_problems(document: Backup, questionnaire: Questionnaire) -> Iterator[str]:
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
        yield from _respondent_problems(respondent, statements, topics, questionnaire)
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
                         topics: set[str], questionnaire: Questionnaire) -> Iterator[str]:
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
                "got a new random token")


def import_backup(data: bytes, owner_email: str, actor: Actor = None) -> ImportResult:
    """Restore a backup as a new assessment owned by ``owner_email``, in one transaction."""
    document = parse_backup(data)
    questionnaire = verified_questionnaire(document)
    problems = fit_problems(document, questionnaire)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise BackupError("the answers in the file do not fit its questionnaire: "
                          + "; ".join(problems[:5]) + more)
    email = owner_email.strip().lower()
    with write_transaction() as session:
        owner = session.scalar(select(Facilitator).where(Facilitator.email == email))
        if owner is None:
            raise BackupError(f"no facilitator with e-mail {email}; create one first with "
                              "`regiospiegel create-facilitator`")
        assessment = _restore(session, document, owner.id)
        audit(session, "imported", actor, assessment,
              f"from a backup of {document.exported_at.isoformat()}, owner {owner.email}")
        return ImportResult(
            assessment_id=assessment.id, title=assessment.title, owner_email=owner.email,
            join_code=assessment.join_code, original_join_code=document.assessment.join_code,
            respondents=len(document.respondents), notes=len(document.lesson_notes),
            actions=len(document.actions))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _kept_summary(document: Backup) -> str | None:
    """The summary to keep with the restored assessment, or None to compute it from answers.

    A purged scan keeps its stored summary. A closed scan whose organisation types were
    partly left out keeps the summary from the file, so its figures stay exactly as they
    were (computed again, the left-out types would read "no data" instead of "hidden").
    """
    details = document.assessment
    if details.summary_snapshot is not None:
        return details.summary_snapshot
    grouping = from_snapshot(document.content.snapshot).grouping_question
    if (details.status == Status.CLOSED.value and document.summary is not None
            and grouping is not None and document.withheld_profile.get(grouping.id)):
        return document.summary
    return None


def _restore(session: Session, document: Backup, owner_id: int) -> Assessment:
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
        summary_snapshot=_kept_summary(document), commissioner=details.commissioner,
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
