"""Discuss and decide: per lesson the group's notes and conclusion, the action list, and the
moderation of free texts before they can appear on the projector or in the report.

Every write is one transaction and leaves an audit event. The audit log outlives a deleted
assessment, so its events name what changed (a lesson, an action's or a text's number) but
never copy the texts themselves, which may name people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assessment import content, management
from assessment.aggregation import PROFILE_GROUP_QUESTION
from assessment.db import read_session, write_transaction
from assessment.exceptions import RegiospiegelError
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


class DiscussionError(RegiospiegelError):
    """A note, action or moderation names something this assessment does not have."""


# -- notes and conclusions per lesson ----------------------------------------------------


def lesson_notes(assessment_id: int) -> dict[str, tuple[str, str]]:
    """Per lesson id: the notes and the conclusion saved for it."""
    rows = read_session().execute(
        select(LessonNote.lesson_id, LessonNote.notes, LessonNote.conclusion)
        .where(LessonNote.assessment_id == assessment_id))
    return {lesson_id: (notes, conclusion) for lesson_id, notes, conclusion in rows}


def save_lesson_note(
    assessment: Assessment, lesson_id: str, notes: str, conclusion: str,
    actor: Facilitator | None,
) -> None:
    """Save a lesson's notes and conclusion, replacing what was saved (one row per lesson)."""
    _check_lesson(assessment, lesson_id)
    notes, conclusion = notes.strip(), conclusion.strip()
    if max(len(notes), len(conclusion)) > MAX_NOTES_LENGTH:
        raise DiscussionError(f"notes and conclusion may have at most {MAX_NOTES_LENGTH} "
                              "characters each")
    with write_transaction() as session:
        stored = _assessment(session, assessment.id)
        row = {"assessment_id": stored.id, "lesson_id": lesson_id, "notes": notes,
               "conclusion": conclusion, "updated_at": utcnow()}
        # INSERT … ON CONFLICT: two facilitators saving the same lesson at once still leave
        # one row, the last one saved.
        insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql"
                  else sqlite.insert)
        statement = insert(LessonNote).values(row)
        session.execute(statement.on_conflict_do_update(
            index_elements=["assessment_id", "lesson_id"],
            set_={"notes": notes, "conclusion": conclusion, "updated_at": row["updated_at"]}))
        management.audit(session, "notes_saved", actor, stored, lesson_id)


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


def find_action(assessment_id: int, action_id: int) -> ActionItem:
    """One action of this assessment; DiscussionError if it has no such action."""
    item = read_session().get(ActionItem, action_id)
    if item is None or item.assessment_id != assessment_id:
        raise DiscussionError(f"no action {action_id} in assessment {assessment_id}")
    return item


def add_action(assessment: Assessment, data: ActionInput, actor: Facilitator | None) -> int:
    """Add an action to the list; return its id."""
    data = _checked(assessment, data)
    with write_transaction() as session:
        stored = _assessment(session, assessment.id)
        item = ActionItem(assessment_id=stored.id, lesson_id=data.lesson_id,
                          action=data.action, owner=data.owner, term=data.term)
        session.add(item)
        session.flush()
        management.audit(session, "action_added", actor, stored, f"#{item.id}")
        return item.id


def update_action(
    assessment: Assessment, action_id: int, data: ActionInput, actor: Facilitator | None
) -> None:
    """Change an action's text, owner, term or lesson."""
    data = _checked(assessment, data)
    with write_transaction() as session:
        stored = _assessment(session, assessment.id)
        item = _action(session, stored.id, action_id)
        item.action, item.owner, item.term = data.action, data.owner, data.term
        item.lesson_id = data.lesson_id
        management.audit(session, "action_changed", actor, stored, f"#{item.id}")


def delete_action(assessment: Assessment, action_id: int, actor: Facilitator | None) -> None:
    """Remove an action from the list."""
    with write_transaction() as session:
        stored = _assessment(session, assessment.id)
        session.delete(_action(session, stored.id, action_id))
        management.audit(session, "action_deleted", actor, stored, f"#{action_id}")


def _checked(assessment: Assessment, data: ActionInput) -> ActionInput:
    """The action with white space trimmed, or DiscussionError when it does not fit."""
    lesson_id = data.lesson_id or None
    if lesson_id is not None:
        _check_lesson(assessment, lesson_id)
    checked = ActionInput(data.action.strip(), data.owner.strip(), data.term.strip(), lesson_id)
    if not checked.action:
        raise DiscussionError("an action needs a description")
    for value, limit, what in ((checked.action, MAX_ACTION_LENGTH, "action"),
                               (checked.owner, MAX_OWNER_LENGTH, "owner"),
                               (checked.term, MAX_TERM_LENGTH, "term")):
        if len(value) > limit:
            raise DiscussionError(f"the {what} may have at most {limit} characters")
    return checked


def _action(session: Session, assessment_id: int, action_id: int) -> ActionItem:
    # Locked: on PostgreSQL an action deleted meanwhile is then "not found", not a crash.
    item = session.get(ActionItem, action_id, with_for_update=True)
    if item is None or item.assessment_id != assessment_id:
        raise DiscussionError(f"no action {action_id} in assessment {assessment_id}")
    return item


# -- moderating free texts ---------------------------------------------------------------


#: The longest redacted text, in characters (a participant's text is no longer either).
MAX_REDACTED_LENGTH = 5000


@dataclass(frozen=True)
class ModeratedText:
    """One free text as shown (redacted, if so), its state, and why it may identify someone."""

    comment_id: int
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

    def text(self, comment_id: int) -> ModeratedText | None:
        """One of the texts, by its comment's id."""
        for topic in self.topics:
            for text in topic.texts:
                if text.comment_id == comment_id:
                    return text
        return None


def moderation_overview(assessment: Assessment) -> ModerationOverview:
    """The free texts to moderate, in questionnaire order, each with its warnings.

    Each text is its shown text (:attr:`Comment.shown_text`): once redacted, the original is
    not shown here either, and the warnings are those of the redacted version. Within a topic
    texts are sorted by text, as in the report, so their order says nothing about who wrote
    what or when.
    """
    questionnaire = content.for_assessment(assessment)
    session = read_session()
    group = Respondent.profile[PROFILE_GROUP_QUESTION].as_string()
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
            select(Comment).join(Respondent, Respondent.id == Comment.respondent_id)
            .where(Comment.assessment_id == assessment.id,
                   Respondent.submitted_at.is_not(None))):
        found.setdefault(comment.topic_id, []).append(ModeratedText(
            comment.id, comment.shown_text, Moderation(comment.moderation),
            warnings(comment.shown_text, assessment.organisations, small),
            redacted=comment.redacted_text is not None))
    topics = [(lesson.id, lesson.title, True) for lesson in questionnaire.lessons]
    topics += [(question.id, question.text, False) for question in questionnaire.open_questions]
    return ModerationOverview(
        topics=tuple(
            ModerationTopic(topic_id, title, is_lesson,
                            tuple(sorted(found.get(topic_id, ()),
                                         key=lambda t: (t.text, t.comment_id))))
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
        for comment_id in sorted(set(comment_ids)):
            comment = _comment(session, stored, comment_id)
            comment.moderation = moderation.value
            management.audit(session, _MODERATION_EVENTS[moderation], actor, stored,
                             f"#{comment.id} ({comment.topic_id})")
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
                             f"#{comment.id} ({comment.topic_id}): mogelijk herkenbaar")
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
                         f"#{comment.id} ({comment.topic_id})")


# -- helpers -----------------------------------------------------------------------------


def _assessment(session: Session, assessment_id: int) -> Assessment:
    stored = session.get(Assessment, assessment_id)
    if stored is None:
        raise DiscussionError(f"no assessment {assessment_id}")
    return stored


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
