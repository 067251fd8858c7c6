"""Every write a participant causes: starting, saving a page, submitting.

Each function is one transaction. Saving is an idempotent upsert per respondent and
statement (and per respondent and comment topic), so a page posted twice, from the back
button or from two tabs, leaves exactly the last answers sent.

"Last" means last to arrive: each request is stamped with the time it reached the app
(:func:`request_arrival`, before anything else runs), and a save stores that stamp as the
``updated_at`` of every answer and text it writes. A save replaces an answer or a text only
when the stored one did not arrive later. Two posts of one page a few milliseconds apart can
reach the database in either order (each waits for the respondent's lock, and the later one
may get it first); the answers of the later-arrived post remain either way. With several app
servers, "arrived" is each server's clock, so keep their clocks synchronised (NTP); posts
closer together than the servers' clock difference keep an arbitrary one of them.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, get_args

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import (
    ColumnElement,
    bindparam,
    case,
    delete,
    exists,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, defer, joinedload
from wtforms import Field

from assessment import content, invitation_links, invitations, question_types
from assessment.db import read_session, write_transaction
from assessment.exceptions import (
    AlreadySubmitted,
    AssessmentClosed,
    AssessmentPaused,
    InvalidAnswers,
    LanguageNotOffered,
)
from assessment.models import (
    Answer,
    Assessment,
    AssessmentTranslation,
    Comment,
    Moderation,
    Respondent,
    Source,
    Status,
    as_utc,
    utcnow,
)
from questions.schema import Questionnaire

#: 32 random bytes: 256 bits, far beyond guessing.
TOKEN_BYTES = 32

#: How long a start that never saved a page is kept: as long as the browser remembers it
#: (the session cookie's lifetime) and the forms of its pages stay valid.
EMPTY_START_LIFETIME = timedelta(hours=12)


def hash_token(token: str) -> str:
    """The stored form of a resume token; the token itself is never stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh resume token for a personal link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class PageAnswers:
    """What one posted page says: statement answers, free texts and profile choices.

    Each part is where the question types of that storage keep their answers
    (:data:`assessment.question_types.Storage`), by item id. A statement or text that is
    absent keeps its stored value; an empty text deletes it.
    """

    answers: Mapping[str, str] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    profile: Mapping[str, str] = field(default_factory=dict)


#: The parts of :class:`PageAnswers`, one per storage of the question types.
STORAGES: tuple[question_types.Storage, ...] = get_args(question_types.Storage)


def posted_answers(asked: Iterable[question_types.Asked], fields: Mapping[str, Field]
                   ) -> PageAnswers:
    """What a validated form says, each item decoded by its type; unanswered ones left out."""
    parts: dict[str, dict[str, str]] = {storage: {} for storage in STORAGES}
    for item in asked:
        value = item.kind.decode(fields[item.name])
        if value is not None:
            parts[item.kind.storage][str(item.item.id)] = value
    return PageAnswers(**parts)


#: A respondent's answers and texts in one statement, a round trip less on every page view.
_STORED = union_all(
    select(literal("answers"), Answer.statement_id, Answer.value)
    .where(Answer.respondent_id == bindparam("respondent_id")),
    select(literal("texts"), Comment.topic_id, Comment.text)
    .where(Comment.respondent_id == bindparam("respondent_id")))


def stored_answers(respondent: Respondent) -> PageAnswers:
    """Everything a respondent has stored: answers, texts and profile choices, by item id."""
    stored: dict[str, dict[str, str]] = {"answers": {}, "texts": {}}
    for storage, item_id, value in read_session().execute(
            _STORED, {"respondent_id": respondent.id}):
        stored[storage][item_id] = value
    return PageAnswers(**stored,
                       profile={key: str(value) for key, value in respondent.profile.items()})


def form_data(asked: Iterable[question_types.Asked], stored: PageAnswers) -> dict[str, str]:
    """The stored values of the asked items, by field name: a page as it was saved."""
    data: dict[str, str] = {}
    for item in asked:
        value = getattr(stored, item.kind.storage).get(item.item.id)
        if value is not None:
            data[item.name] = value
    return data


def not_started() -> ColumnElement[bool]:
    """A respondent who never saved a page and did not send in: not counted as started.

    Saving any page moves ``last_page`` away from the intro, and so does sending in. Who is
    still "on the intro" pressed "Beginnen" (or opened a personal link made in advance) and
    nothing more: a participant who walked away, or a script that pressed it 300 times.
    Neither counts as started on the dashboard, the live view, the projector or the report.
    """
    return (Respondent.last_page == "intro") & Respondent.submitted_at.is_(None)


def empty_start() -> ColumnElement[bool]:
    """A start by join code that never saved a page and holds nothing: safe to remove.

    Personal links made in advance are never removed (their owners have not used them yet),
    and neither is anyone with a stored answer or text.
    """
    return (not_started() & (Respondent.source == Source.LINK.value)
            & ~exists().where(Answer.respondent_id == Respondent.id)
            & ~exists().where(Comment.respondent_id == Respondent.id))


def remove_empty_starts(session: Session, assessment_id: int,
                        started_before: datetime | None = None) -> int:
    """Delete an assessment's empty starts (those before ``started_before`` only, if given).

    Runs inside the caller's write transaction; returns how many were removed.
    """
    removed = session.execute(_removing_empty_starts(started_before is not None),
                              {"assessment_id": assessment_id, "started_before": started_before})
    return int(getattr(removed, "rowcount", 0) or 0)


@functools.cache
def _removing_empty_starts(before: bool) -> Any:
    """The DELETE of :func:`remove_empty_starts`, built once per process (every start runs it,
    and building it cost more than running it)."""
    condition = (Respondent.assessment_id == bindparam("assessment_id")) & empty_start()
    if before:
        condition = condition & (Respondent.created_at
                                 < bindparam("started_before", type_=Respondent.created_at.type))
    return (delete(Respondent).where(condition)
            .execution_options(synchronize_session=False))


def start(assessment_id: int, token: str | None = None, language: str | None = None) -> str:
    """Create an anonymous respondent in an open assessment; return their resume token.

    Starting twice with the same token (a double click) creates one respondent.
    ``language`` is the participant's choice, if it differs from the assessment's. Starts
    of this assessment that stayed empty longer than :data:`EMPTY_START_LIFETIME` are
    removed on the way, so abandoned (or scripted) starts do not pile up.
    """
    token = token or new_token()
    with write_transaction() as session:
        assessment = _open_assessment(session, assessment_id)
        if assessment is None or not assessment.is_open:
            raise AssessmentClosed()
        now = utcnow()
        remove_empty_starts(session, assessment_id, started_before=now - EMPTY_START_LIFETIME)
        row = {"assessment_id": assessment_id, "token_hash": hash_token(token), "profile": {},
               "last_page": "intro", "created_at": now, "updated_at": now,
               "language": language if language != assessment.language else None}
        session.connection().execute(_inserting_respondent(session.get_bind().dialect.name), row)
    return token


@functools.cache
def _inserting_respondent(dialect: str) -> Any:
    """INSERT of a new respondent that does nothing when the token exists (a double click),
    built once per process and dialect; the row comes as its parameters."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(Respondent).on_conflict_do_nothing()


def choose_language(respondent_id: int, language: str) -> None:
    """Remember the language a respondent chose (one of the assessment's languages)."""
    with write_transaction() as session:
        respondent = session.get(Respondent, respondent_id)
        if respondent is None:
            return
        if language not in respondent.assessment.languages:
            raise LanguageNotOffered(f"the assessment does not offer language {language!r}")
        respondent.language = None if language == respondent.assessment.language else language


#: A respondent by token hash, with the assessment and its languages joined but without the
#: frozen questionnaires (read on first use only; :func:`assessment.content.frozen`). Built
#: once: building a statement with its loader options costs more than running it.
_RESPONDENT_BY_TOKEN = (
    select(Respondent).where(Respondent.token_hash == bindparam("token_hash"))
    .options(joinedload(Respondent.assessment).options(
        defer(Assessment.content_snapshot),
        joinedload(Assessment.translations).defer(AssessmentTranslation.content_snapshot))))


#: The same, by a mailed invitation link whose respondent has not sent in yet.
_RESPONDENT_BY_MAILED_LINK = (
    select(Respondent).where(Respondent.invitation_hash == bindparam("link_hash"),
                             Respondent.submitted_at.is_(None))
    .options(joinedload(Respondent.assessment).options(
        defer(Assessment.content_snapshot),
        joinedload(Assessment.translations).defer(AssessmentTranslation.content_snapshot))))


def find_respondent(token: str) -> Respondent | None:
    """The respondent a resume token belongs to, with their assessment, or None.

    The token is the respondent's own, or the personal link of an invitation e-mail
    (:mod:`assessment.invitation_links`) while its respondent has not sent in: the mailed
    link resumes the answers on any device until then (one more statement, only when the
    first finds nobody).
    """
    if not token or len(token) > 200:
        return None
    found = read_session().execute(
        _RESPONDENT_BY_TOKEN, {"token_hash": hash_token(token)}).unique().scalar_one_or_none()
    if found is not None:
        return found
    digest = invitation_links.link_hash(str(current_app.config["SECRET_KEY"]), token)
    return read_session().execute(
        _RESPONDENT_BY_MAILED_LINK, {"link_hash": digest}).unique().scalar_one_or_none()


def accept_invitation(invitation: str, token: str) -> bool:
    """Exchange a personal link made in advance for the participant's own ``token``.

    The facilitator's file holds the invitation; only the participant's browser learns
    ``token``, so after this the file opens none of the answers. Accepting again with the same
    ``token`` (a double click) is fine; False when the invitation is unknown or was accepted
    before with another token (by someone else, or in another browser).
    """
    if not invitation or len(invitation) > 200:
        return False
    with write_transaction() as session:
        respondent = session.scalar(
            select(Respondent).where(Respondent.invitation_hash == hash_token(invitation))
            .with_for_update())
        if respondent is None:
            return False
        if respondent.token_hash == hash_token(token):
            return True
        if not respondent.invitation_pending:
            return False
        respondent.token_hash = hash_token(token)
        return True


def invitation_accepted(invitation: str) -> bool:
    """Whether this was a personal link made in advance that someone has begun with."""
    if not invitation or len(invitation) > 200:
        return False
    digest = hash_token(invitation)
    return read_session().scalar(
        select(exists().where(Respondent.invitation_hash == digest,
                              Respondent.token_hash != digest))) or False


def init_app(app: Flask) -> None:
    """Stamp each request's arrival first thing, so saves keep the order in which they came."""
    app.before_request(_stamp_arrival)


def _stamp_arrival() -> None:
    g.arrived_at = utcnow()


def request_arrival() -> datetime:
    """When the current request reached the app; now, outside a request."""
    if has_request_context() and "arrived_at" in g:
        return as_utc(g.arrived_at)
    return utcnow()



def save_page(
    respondent_id: int, page_id: str, posted: PageAnswers, arrived: datetime | None = None
) -> None:
    """Store a page's answers for a respondent who may still answer, in one transaction.

    ``arrived`` is when the post arrived (default: :func:`request_arrival`). What a later
    arrived post of the same respondent already stored stays (see the module's rules): its
    answers and texts, its page, and the profile choices it made; this post's profile
    choices fill in only questions still unanswered.

    A page of statements costs three statements: the assessment's status (share-locked),
    the respondent's page and time (one UPDATE, which row-locks the respondent and refuses
    one who sent in meanwhile), and the answers' upsert; a text one more. Profile choices
    merge with the stored ones, so their page reads the respondent first (row-locked).
    """
    arrived = arrived or request_arrival()
    with write_transaction() as session:
        found = _answerable_state(session, respondent_id)
        _check(found.questionnaire(session), posted)
        if posted.profile:
            _merge_profile(session, respondent_id, page_id, posted.profile, arrived)
        else:
            _move_to_page(session, respondent_id, page_id, arrived)
        _store_checked(session, respondent_id, found.assessment_id, posted, arrived)


def submit(respondent_id: int) -> None:
    """Send in a respondent's answers; afterwards they are read-only. Submitting twice is fine.

    A respondent who came through an invitation e-mail is unlinked from it in the same
    transaction (:func:`assessment.invitations.mark_sent_in`).
    """
    with write_transaction() as session:
        found = _locked_state(session, respondent_id)
        if found is None:
            raise AssessmentClosed()
        if found.submitted:
            return
        _refuse_unless_open(found.status)
        # Only a respondent not sent in meanwhile (the UPDATE waits for a save in progress).
        sent = session.execute(
            update(Respondent)
            .where(Respondent.id == respondent_id, Respondent.submitted_at.is_(None))
            .values(submitted_at=utcnow(), last_page="bedankt")
            .returning(Respondent.invitation_hash)).first()
        if sent is not None and sent.invitation_hash is not None:
            # Came in through an invitation e-mail: it shows "verzonden", and from now on
            # nothing stored links these answers to the address (models.Invitation).
            invitations.mark_sent_in(session, respondent_id, sent.invitation_hash)


@dataclass(frozen=True)
class _State:
    """What a save needs to know of a respondent and their assessment, read in one go."""

    assessment_id: int
    status: str
    content_hash: str
    submitted: bool

    def questionnaire(self, session: Session) -> Questionnaire:
        """The assessment's frozen questionnaire (the snapshot read only on first use)."""
        return content.frozen(self.content_hash, lambda: session.scalar(
            select(Assessment.content_snapshot).where(Assessment.id == self.assessment_id))
            or "")


_STATE = (select(Assessment.id, Assessment.status, Assessment.content_hash,
                 Respondent.submitted_at)
          .join(Respondent, Respondent.assessment_id == Assessment.id)
          .where(Respondent.id == bindparam("respondent_id"))
          .with_for_update(read=True, of=Assessment))


def _locked_state(session: Session, respondent_id: int) -> _State | None:
    """The respondent's assessment, share-locked until the transaction ends, and whether
    the respondent sent in; None if the respondent is gone.

    On PostgreSQL closing (an UPDATE of the assessment) then waits for saves in progress,
    and a save that begins later sees the assessment closed, as with SQLite's single
    writer. Only the assessment is locked here: the respondent's row is locked by the write
    that follows (always after the assessment, in the same order as closing or deleting it,
    so the two never deadlock). Whether the respondent sent in is read unlocked, and
    checked again by that write.
    """
    row = session.connection().execute(_STATE, {"respondent_id": respondent_id}).first()
    if row is None:
        return None
    return _State(row.id, row.status, row.content_hash, row.submitted_at is not None)


def _answerable_state(session: Session, respondent_id: int) -> _State:
    """:func:`_locked_state` of a respondent who may still answer, as far as it can tell
    (sending in may happen until the respondent's row is locked)."""
    found = _locked_state(session, respondent_id)
    if found is None:
        raise AssessmentClosed()
    _refuse_unless_open(found.status)
    if found.submitted:
        raise AlreadySubmitted()
    return found


def _refuse_unless_open(status: str) -> None:
    if status == Status.PAUSED:
        raise AssessmentPaused()
    if status != Status.OPEN:
        raise AssessmentClosed()


_ARRIVED = bindparam("arrived", type_=Respondent.updated_at.type)
_MOVE = (update(Respondent)
         .where(Respondent.id == bindparam("respondent_id"), Respondent.submitted_at.is_(None))
         .values(last_page=case((Respondent.updated_at <= _ARRIVED, bindparam("page_id")),
                                else_=Respondent.last_page),
                 updated_at=case((Respondent.updated_at <= _ARRIVED, _ARRIVED),
                                 else_=Respondent.updated_at)))


def _move_to_page(session: Session, respondent_id: int, page_id: str,
                  arrived: datetime) -> None:
    """Record the page and time of a save, unless a later-arrived save already did.

    One UPDATE: it row-locks the respondent (serialising their posts on PostgreSQL) and
    refuses, with nothing stored, a respondent who sent in meanwhile.
    """
    moved = session.connection().execute(
        _MOVE, {"respondent_id": respondent_id, "page_id": page_id, "arrived": arrived})
    if not moved.rowcount:
        raise AlreadySubmitted()


def _merge_profile(session: Session, respondent_id: int, page_id: str,
                   profile: Mapping[str, str], arrived: datetime) -> None:
    """Merge posted profile choices into the respondent's (row-locked), and move to the page.

    Choices of a later-arrived save stay; this one's fill in only questions still open.
    """
    respondent = session.get(Respondent, respondent_id, with_for_update=True)
    if respondent is None or respondent.submitted:
        raise AlreadySubmitted()
    if as_utc(respondent.updated_at) > arrived:
        respondent.profile = {**profile, **respondent.profile}
        return
    respondent.profile = {**respondent.profile, **profile}
    respondent.last_page = page_id
    respondent.updated_at = arrived


def store_answers(
    session: Session, respondent: Respondent, questionnaire: Questionnaire,
    posted: PageAnswers, now: datetime,
) -> None:
    """Check answers, texts and profile choices against the questionnaire; store the first two.

    Runs inside the caller's transaction, so a refused value (:class:`InvalidAnswers`)
    leaves nothing stored; the caller stores the (checked) profile itself. For writes that
    are not a participant's page, such as a paper questionnaire typed in by the facilitator.
    ``now`` is when the post arrived: an answer or text stored by a post that arrived later
    is kept.
    """
    _check(questionnaire, posted)
    _store_checked(session, respondent.id, respondent.assessment_id, posted, now)


def _store_checked(session: Session, respondent_id: int, assessment_id: int,
                   posted: PageAnswers, now: datetime) -> None:
    """Upsert checked answers and texts (one statement each; emptied texts one more)."""
    if posted.answers:
        rows = [
            {"respondent_id": respondent_id, "statement_id": statement_id, "value": value,
             "updated_at": now}
            for statement_id, value in posted.answers.items()
        ]
        session.connection().execute(_upsert(session, Answer), rows)
    _save_texts(session, respondent_id, assessment_id, posted.texts, now)


def _check(questionnaire: Questionnaire, posted: PageAnswers) -> None:
    """Refuse items the questionnaire does not have and values their type does not allow."""
    for storage in STORAGES:
        for item_id, value in getattr(posted, storage).items():
            found = question_types.owner(questionnaire, storage, item_id)
            if found is None:
                raise InvalidAnswers(f"unknown item '{item_id}' in {storage}")
            kind, item = found
            problem = kind.check(questionnaire, item, value)
            if problem is not None:
                raise InvalidAnswers(problem)


def _open_assessment(session: Session, assessment_id: int) -> Assessment | None:
    """The assessment, share-locked until the transaction ends.

    On PostgreSQL closing (an UPDATE of this row) then waits for saves in progress, and a
    save that begins later sees the assessment closed, as with SQLite's single writer.
    """
    return session.scalar(select(Assessment).where(Assessment.id == assessment_id)
                          .with_for_update(read=True))


def _save_texts(
    session: Session, respondent_id: int, assessment_id: int, texts: Mapping[str, str],
    now: Any,
) -> None:
    keep = {topic: text for topic, text in texts.items() if text.strip()}
    drop = [topic for topic, text in texts.items() if not text.strip()]
    if drop:
        session.execute(
            delete(Comment).where(Comment.respondent_id == respondent_id,
                                  Comment.topic_id.in_(drop), Comment.updated_at <= now)
        )
    if keep:
        # A changed text is moderated again before it can be shown anywhere.
        rows = [
            {"assessment_id": assessment_id, "respondent_id": respondent_id,
             "topic_id": topic, "text": text, "updated_at": now,
             "moderation": Moderation.PENDING.value, "redacted_text": None}
            for topic, text in keep.items()
        ]
        session.connection().execute(_upsert(session, Comment), rows)


#: Per stored kind: the columns a row is known by, the columns an upsert replaces, and the
#: column that orders two writes (a stored row newer than the write is kept).
_UPSERTED: dict[type[Answer] | type[Comment], tuple[tuple[str, ...], tuple[str, ...], str]] = {
    Answer: (("respondent_id", "statement_id"), ("value", "updated_at"), "updated_at"),
    Comment: (("respondent_id", "topic_id"),
              ("text", "updated_at", "moderation", "redacted_text"), "updated_at"),
}


def _upsert(session: Session, model: type[Answer] | type[Comment]) -> Any:
    """INSERT … ON CONFLICT (key) DO UPDATE for ``model``, in the session's database's dialect.

    A stored row is updated only when its ordering column is not later than the new row's,
    so a write that arrived earlier never replaces one that arrived later. The statement
    takes its rows as parameters (one statement, executed for each row), so it is the same
    statement every time and SQLAlchemy compiles it once per process.
    """
    return _upsert_statement(session.get_bind().dialect.name, model)


@functools.cache
def _upsert_statement(dialect: str, model: type[Answer] | type[Comment]) -> Any:
    key, update, not_after = _UPSERTED[model]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model)
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={column: getattr(statement.excluded, column) for column in update},
        where=getattr(model, not_after) <= getattr(statement.excluded, not_after),
    )
