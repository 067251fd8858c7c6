"""Discuss and decide: per lesson the group's notes and conclusion, the action list, and the
moderation of free texts before they can appear on the projector or in the report.

Every write is one transaction and leaves an audit event. The audit log outlives a deleted
assessment, so its events name what changed (a lesson, an action's number, a text's
reference) but never copy the texts themselves, which may name people.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assessment import content, management, results
from assessment.db import read_session, write_transaction
from assessment.exceptions import DiscussionError
from assessment.models import (
    ActionItem,
    Assessment,
    Comment,
    Facilitator,
    LessonNote,
    Moderation,
    Respondent,
    utcnow,
)
from assessment.moderation import TextWarning, groups_are_small, warnings

#: The longest notes or conclusion of one lesson, in characters.
MAX_NOTES_LENGTH = 5000
#: The longest action, owner and term (the last two as the columns allow).
MAX_ACTION_LENGTH = 1000
MAX_OWNER_LENGTH = 200
MAX_TERM_LENGTH = 100


# -- notes and conclusions per lesson ----------------------------------------------------


def lesson_notes(assessment_id: int) -> dict[str, tuple[str, str]]:
    """Per lesson id: the notes and the conclusion saved for it."""
    rows = read_session().execute(
        select(LessonNote.lesson_id, LessonNote.notes, LessonNote.conclusion)
        .where(LessonNote.assessment_id == assessment_id))
    return {lesson_id: (notes, conclusion) for lesson_id, notes, conclusion in rows}


def note_version(notes: str, conclusion: str) -> str:
    """A short fingerprint of a lesson's notes and conclusion as a page showed them.

    The notes page sends it back with every lesson, so that saving writes only the lessons
    the facilitator changed there, and never puts an old copy over a colleague's newer text.
    """
    shown = _normalised(notes) + "\0" + _normalised(conclusion)
    return hashlib.sha256(shown.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class LessonNoteInput:
    """A lesson's notes and conclusion as sent, and the version the page showed (or "")."""

    notes: str
    conclusion: str
    shown: str = ""

    @property
    def changed(self) -> bool:
        """Whether the facilitator changed the text on the page (unknown counts as changed)."""
        return note_version(self.notes, self.conclusion) != self.shown


def save_lesson_notes(
    assessment: Assessment, notes: Mapping[str, LessonNoteInput], actor: Facilitator | None,
) -> tuple[str, ...]:
    """Save every changed lesson's notes and conclusion in one transaction; return their ids.

    A lesson is written when what was sent differs from what the page showed and from what
    is stored; the others are left alone. White space around a text is trimmed and line
    ends are stored as ``\n``. Nothing is written when one lesson is unknown or too long.
    """
    for lesson_id, note in notes.items():
        _check_lesson(assessment, lesson_id)
        if max(len(_normalised(note.notes)), len(_normalised(note.conclusion))) > \
                MAX_NOTES_LENGTH:
            raise DiscussionError(f"notes and conclusion may have at most {MAX_NOTES_LENGTH} "
                                  "characters each")
    changed = {lesson_id: note for lesson_id, note in notes.items() if note.changed}
    with write_transaction() as session:
        stored = _assessment(session, assessment.id)
        saved = {row.lesson_id: (row.notes, row.conclusion) for row in session.scalars(
            select(LessonNote).where(LessonNote.assessment_id == stored.id))}
        written = []
        now = utcnow()
        for lesson_id, note in changed.items():
            text = (_normalised(note.notes), _normalised(note.conclusion))
            if saved.get(lesson_id, ("", "")) == text:
                continue
            # INSERT … ON CONFLICT: two facilitators saving the same lesson at once still
            # leave one row, the last one saved.
            insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql"
                      else sqlite.insert)
            statement = insert(LessonNote).values(
                assessment_id=stored.id, lesson_id=lesson_id, notes=text[0],
                conclusion=text[1], updated_at=now)
            session.execute(statement.on_conflict_do_update(
                index_elements=["assessment_id", "lesson_id"],
                set_={"notes": text[0], "conclusion": text[1], "updated_at": now}))
            management.audit(session, "notes_saved", actor, stored, lesson_id)
            written.append(lesson_id)
    return tuple(written)


def save_lesson_note(
    assessment: Assessment, lesson_id: str, notes: str, conclusion: str,
    actor: Facilitator | None,
) -> None:
    """Save one lesson's notes and conclusion, as :func:`save_lesson_notes` does."""
    save_lesson_notes(assessment, {lesson_id: LessonNoteInput(notes, conclusion)}, actor)


# -- actions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    """An action as a facilitator writes it down; ``lesson_id`` None for a general one."""

    action: str
    owner: str = ""
    term: str = ""
    lesson_id: str | None = None


def actions(assessment_id: int) -> list[ActionItem]:
    """The assessment's actions in the order they were agreed."""
    return list(read_session().scalars(
        select(ActionItem).where(ActionItem.assessment_id == assessment_id)
        .order_by(ActionItem.created_at, ActionItem.id)))


def add_action(assessment: Assessment, data: ActionInput, actor: Facilitator | None) -> int:
    """Add an action to the list; return its id."""
    data = _checked(assessment, data)
    with write_transaction() as session:
        stored = _assessment(session, assessment.id)
        return _add(session, stored, data, actor)


def action_version(data: ActionInput) -> str:
    """A short fingerprint of an action as a page showed it (see :func:`note_version`)."""
    shown = "\0".join((_normalised(data.action), _normalised(data.owner),
                       _normalised(data.term), data.lesson_id or ""))
    return hashlib.sha256(shown.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ActionRow:
    """An existing action's row as sent: its fields, the version the page showed, removal."""

    action_id: int
    data: ActionInput
    shown: str = ""
    remove: bool = False

    @property
    def changed(self) -> bool:
        """Whether the facilitator changed the row on the page (unknown counts as changed)."""
        return action_version(self.data) != self.shown


@dataclass(frozen=True)
class ActionsSaved:
    """How many actions one save changed, removed and added."""

    changed: int = 0
    removed: int = 0
    added: int = 0

    @property
    def anything(self) -> bool:
        """Whether the save wrote anything."""
        return bool(self.changed or self.removed or self.added)


def save_actions(
    assessment: Assessment, rows: Sequence[ActionRow], new: ActionInput | None,
    actor: Facilitator | None,
) -> ActionsSaved:
    """Save the whole action list as one page sent it, in one transaction.

    A removed row is deleted (if a colleague deleted it already, that is fine). A row is
    written only when what was sent differs from what the page showed and from what is
    stored, so rows nobody touched never overwrite a colleague's newer text. A changed row
    whose action a colleague deleted meanwhile is added again: nothing typed is lost.
    ``new``, if given, is added last. Nothing is written when one row does not fit.
    """
    changed = [(row, _checked(assessment, row.data)) for row in rows
               if not row.remove and row.changed]
    added = _checked(assessment, new) if new is not None else None
    counts = {"changed": 0, "removed": 0, "added": 0}
    with write_transaction() as session:
        stored = _assessment(session, assessment.id)
        for row in rows:
            if row.remove and (item := _own_action(session, stored.id, row.action_id)):
                session.delete(item)
                management.audit(session, "action_deleted", actor, stored, f"#{item.id}")
                counts["removed"] += 1
        for row, data in changed:
            item = _own_action(session, stored.id, row.action_id)
            if item is None:
                _add(session, stored, data, actor)
                counts["added"] += 1
            elif (item.action, item.owner, item.term, item.lesson_id) != (
                    data.action, data.owner, data.term, data.lesson_id):
                item.action, item.owner, item.term = data.action, data.owner, data.term
                item.lesson_id = data.lesson_id
                management.audit(session, "action_changed", actor, stored, f"#{item.id}")
                counts["changed"] += 1
        if added is not None:
            _add(session, stored, added, actor)
            counts["added"] += 1
    return ActionsSaved(**counts)


def _add(session: Session, stored: Assessment, data: ActionInput,
         actor: Facilitator | None) -> int:
    item = ActionItem(assessment_id=stored.id, lesson_id=data.lesson_id,
                      action=data.action, owner=data.owner, term=data.term)
    session.add(item)
    session.flush()
    management.audit(session, "action_added", actor, stored, f"#{item.id}")
    return item.id


def _checked(assessment: Assessment, data: ActionInput) -> ActionInput:
    """The action with white space trimmed, or DiscussionError when it does not fit."""
    lesson_id = data.lesson_id or None
    if lesson_id is not None:
        _check_lesson(assessment, lesson_id)
    checked = ActionInput(_normalised(data.action), _normalised(data.owner),
                          _normalised(data.term), lesson_id)
    if not checked.action:
        raise DiscussionError("an action needs a description")
    for value, limit, what in ((checked.action, MAX_ACTION_LENGTH, "action"),
                               (checked.owner, MAX_OWNER_LENGTH, "owner"),
                               (checked.term, MAX_TERM_LENGTH, "term")):
        if len(value) > limit:
            raise DiscussionError(f"the {what} may have at most {limit} characters")
    return checked


def _own_action(session: Session, assessment_id: int, action_id: int) -> ActionItem | None:
    """The action if this assessment still has it; locked, so a delete meanwhile waits."""
    item = session.get(ActionItem, action_id, with_for_update=True)
    return item if item is not None and item.assessment_id == assessment_id else None


# -- moderating free texts ---------------------------------------------------------------


#: The longest redacted text, in characters (a participant's text is no longer either).
MAX_REDACTED_LENGTH = 5000

#: How many characters a text's reference has (url-safe base64 of a truncated HMAC).
REFERENCE_LENGTH = 16


def text_reference(assessment_id: int, comment_id: int) -> str:
    """The opaque name of a free text on the moderation pages and in the audit log.

    Comment ids are sequential: texts one participant saves together or one after another
    get adjacent ids, so ids on the page would link one person's texts across topics and
    put them in order of writing. The reference is an HMAC-SHA256 keyed with the app's
    SECRET_KEY over the assessment and the comment, cut to :data:`REFERENCE_LENGTH`
    url-safe characters: stable across requests, without order, and not guessable.
    """
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"moderation-text:{assessment_id}:{comment_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:REFERENCE_LENGTH]


def is_text_reference(value: str) -> bool:
    """Whether ``value`` has the shape of a text's reference (not whether it names one)."""
    return len(value) == REFERENCE_LENGTH and all(
        char.isascii() and (char.isalnum() or char in "-_") for char in value)


@dataclass(frozen=True)
class ModeratedText:
    """One free text as shown (redacted, if so), its state, and why it may identify someone."""

    #: Internal only: never on a page, in a URL or in the audit log (see :attr:`reference`).
    comment_id: int
    #: What the pages and the audit log call the text (:func:`text_reference`).
    reference: str
    text: str
    moderation: Moderation
    warnings: tuple[TextWarning, ...]
    redacted: bool = False

    @property
    def flagged(self) -> bool:
        """Whether something in the text may identify someone."""
        return bool(self.warnings)


@dataclass(frozen=True)
class ModerationTopic:
    """A lesson or open question with the texts written about it."""

    topic_id: str
    title: str
    is_lesson: bool
    texts: tuple[ModeratedText, ...]


@dataclass(frozen=True)
class ModerationOverview:
    """Every free text of an assessment per lesson and open question, for moderation.

    Only texts of respondents who submitted are listed: only those can ever be shown, and a
    text changed before submitting is pending again anyway.
    """

    topics: tuple[ModerationTopic, ...]
    small_groups: bool

    def count(self, moderation: Moderation) -> int:
        """How many texts are in this state."""
        return sum(1 for topic in self.topics for text in topic.texts
                   if text.moderation is moderation)

    def text(self, reference: str) -> ModeratedText | None:
        """One of the listed texts, by its reference; None for a text not listed here."""
        if not is_text_reference(reference):
            return None  # also keeps non-ASCII input away from compare_digest, which refuses it
        for topic in self.topics:
            for text in topic.texts:
                if hmac.compare_digest(text.reference, reference):
                    return text
        return None


def moderation_overview(assessment: Assessment) -> ModerationOverview:
    """The free texts to moderate, in questionnaire order, each with its warnings.

    Each text is its shown text (:attr:`Comment.shown_text`): once redacted, the original is
    not shown here either, and the warnings are those of the redacted version. Within a topic
    texts are sorted by text, as in the report, so their order says nothing about who wrote
    what or when. Only texts of the respondents the results count are listed
    (:func:`results.counted_respondent_ids`): while answering is open a new text appears
    together with at least two others, never just as someone sends in.
    """
    questionnaire = content.for_assessment(assessment)
    session = read_session()
    counted = results.counted_respondent_ids(assessment)
    group = results.chosen_group(questionnaire)
    sizes: dict[str | None, int] = {
        type_id: count for type_id, count in session.execute(
            select(group, func.count())
            .where(Respondent.assessment_id == assessment.id,
                   Respondent.submitted_at.is_not(None))
            .group_by(group))}
    small = groups_are_small({g: n for g, n in sizes.items() if g is not None},
                             sum(sizes.values()))
    found: dict[str, list[ModeratedText]] = {}
    for comment in session.scalars(
            select(Comment).where(Comment.assessment_id == assessment.id,
                                  Comment.respondent_id.in_(counted))):
        found.setdefault(comment.topic_id, []).append(ModeratedText(
            comment.id, text_reference(assessment.id, comment.id), comment.shown_text,
            Moderation(comment.moderation),
            warnings(comment.shown_text, assessment.organisations, small),
            redacted=comment.redacted_text is not None))
    topics = [(lesson.id, lesson.title, True) for lesson in questionnaire.lessons]
    topics += [(question.id, question.text, False) for question in questionnaire.open_questions]
    return ModerationOverview(
        topics=tuple(
            ModerationTopic(topic_id, title, is_lesson,
                            tuple(sorted(found.get(topic_id, ()),
                                         key=lambda t: (t.text, t.reference))))
            for topic_id, title, is_lesson in topics),
        small_groups=small,
    )


#: The audit event for each decision.
_MODERATION_EVENTS: Mapping[Moderation, str] = {
    Moderation.INCLUDED: "text_included", Moderation.EXCLUDED: "text_excluded",
    Moderation.PENDING: "text_pending",
}


def set_moderation(
    assessment: Assessment, comment_id: int, moderation: Moderation, actor: Facilitator | None
) -> None:
    """Include or exclude a free text for the projector and the report."""
    set_moderation_of(assessment, [comment_id], moderation, actor)


def set_moderation_of(
    assessment: Assessment, comment_ids: Iterable[int], moderation: Moderation,
    actor: Facilitator | None,
) -> int:
    """Include or exclude several free texts at once; how many.

    One transaction with one audit event per text: if one of them is not this assessment's,
    none changes.
    """
    with write_transaction() as session:
        stored = _assessment(session, assessment.id)
        changed = 0
        # In reference order (a fixed order, so locks are taken alike): audit events written
        # in id order would tell which references were written one after another.
        for comment_id in sorted(set(comment_ids),
                                 key=lambda i: text_reference(stored.id, i)):
            comment = _comment(session, stored, comment_id)
            comment.moderation = moderation.value
            management.audit(session, _MODERATION_EVENTS[moderation], actor, stored,
                             _audited(comment))
            changed += 1
        return changed


def exclude_flagged(assessment: Assessment) -> int:
    """Exclude every pending text that may identify someone; how many.

    The rule: a text nobody has judged yet and that carries a warning (see
    :mod:`assessment.moderation`) is "not included" by default, from the moment the moderation
    page first sees it so. The facilitator may still include it; a decision once made is
    never changed here. One transaction, one audit event per text (no actor: the rule did it).
    """
    overview = moderation_overview(assessment)
    flagged = [text.comment_id for topic in overview.topics for text in topic.texts
               if text.moderation is Moderation.PENDING and text.flagged]
    if not flagged:
        return 0
    with write_transaction() as session:
        stored = _assessment(session, assessment.id)
        changed = 0
        for comment_id in flagged:
            comment = session.get(Comment, comment_id, with_for_update=True)
            # Judged meanwhile (or removed): the facilitator's decision stands.
            if (comment is None or comment.assessment_id != stored.id
                    or comment.moderation != Moderation.PENDING.value):
                continue
            comment.moderation = Moderation.EXCLUDED.value
            management.audit(session, _MODERATION_EVENTS[Moderation.EXCLUDED], None, stored,
                             f"{_audited(comment)}: mogelijk herkenbaar")
            changed += 1
        return changed


def redact(assessment: Assessment, comment_id: int, redacted: str,
           actor: Facilitator | None) -> None:
    """Replace what a free text shows by the facilitator's version (names taken out).

    The original stays in the database only, until the raw answers are purged; nothing shows
    it again. A version equal to what is shown changes nothing; an empty one is refused.
    """
    redacted = redacted.strip()
    if not redacted:
        raise DiscussionError("a redacted text cannot be empty")
    if len(redacted) > MAX_REDACTED_LENGTH:
        raise DiscussionError(f"a redacted text has at most {MAX_REDACTED_LENGTH} characters")
    with write_transaction() as session:
        stored = _assessment(session, assessment.id)
        comment = _comment(session, stored, comment_id)
        if redacted == comment.shown_text:
            return
        comment.redacted_text = redacted
        management.audit(session, "text_redacted", actor, stored,
                         _audited(comment))


# -- helpers -----------------------------------------------------------------------------


def _assessment(session: Session, assessment_id: int) -> Assessment:
    stored = session.get(Assessment, assessment_id)
    if stored is None:
        raise DiscussionError(f"no assessment {assessment_id}")
    return stored


def _audited(comment: Comment) -> str:
    """How the audit log names a text: its reference, as on the moderation page."""
    return f"#{text_reference(comment.assessment_id, comment.id)} ({comment.topic_id})"


def _normalised(text: str) -> str:
    """``text`` trimmed, with the ``\r\n`` line ends browsers send stored as ``\n``."""
    return text.replace("\r\n", "\n").strip()


def _comment(session: Session, assessment: Assessment, comment_id: int) -> Comment:
    # Locked: a text its writer removes meanwhile is then "not found", not a crash.
    comment = session.get(Comment, comment_id, with_for_update=True)
    if comment is None or comment.assessment_id != assessment.id:
        raise DiscussionError(f"no text {comment_id} in assessment {assessment.id}")
    return comment


def _check_lesson(assessment: Assessment, lesson_id: str) -> None:
    if lesson_id not in {lesson.id for lesson in content.for_assessment(assessment).lessons}:
        raise DiscussionError(f"the questionnaire of assessment {assessment.id} has no lesson "
                              f"'{lesson_id}'")
