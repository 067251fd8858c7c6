"""Data retention: remove raw answers of assessments closed long enough ago.

What is removed: every answer, every free text the facilitator did not include, the
originals of redacted texts (the redacted version stays), the respondents' profiles and
their resume tokens (personal links stop working), the voter hashes of the vote on
priorities (an open vote is closed), the addresses of invitations by e-mail (normally
gone since closing), and the exact times: a respondent's start, last save
and send-in, and an included text's last change, keep only their day. What stays: the
summary (stored as JSON, see :mod:`assessment.snapshots`), the included texts, the
session's notes and actions, the lessons each vote chose (so the tally stays), and the
respondent count, so the dashboard and the report look exactly as before (the summary kept
is the one the closed scan shows: respondents still waiting for two more, see
:mod:`assessment.anonymity`, are not added). Each purged assessment is one transaction and
one audit event, after which SQLite's write-ahead log is emptied (:func:`db.checkpoint`).

A purged assessment never opens again (:func:`management.set_status`). Should raw data
reach one all the same (a scan reopened before that rule, a restored backup), it is due for
purging again at once, whatever its status or age; the summary kept at the first purge
stays.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from assessment import invitations, participation, priorities
from assessment.db import checkpoint, read_session, write_transaction
from assessment.management import Actor, audit
from assessment.models import (
    Answer,
    Assessment,
    Comment,
    Moderation,
    Respondent,
    Status,
    utcnow,
)
from assessment.participation import hash_token
from assessment.results import assessment_summary
from assessment.snapshots import summary_to_json


def remove_expired_empty_starts(now: datetime | None = None) -> int:
    """Remove every assessment's starts that never saved a page and are older than
    :data:`participation.EMPTY_START_LIFETIME`; return how many went.

    Starting in an open scan removes its own expired empty starts on the way; this catches
    those of scans nobody starts in any more. Nothing is removed that holds an answer.
    """
    cutoff = (now or utcnow()) - participation.EMPTY_START_LIFETIME
    removed = 0
    for assessment_id in read_session().scalars(
            select(Respondent.assessment_id).where(participation.empty_start(),
                                                   Respondent.created_at < cutoff).distinct()):
        with write_transaction() as session:
            removed += participation.remove_empty_starts(session, assessment_id, cutoff)
    return removed


def due_for_purge(days: int, now: datetime | None = None) -> list[Assessment]:
    """Closed assessments whose answering closed more than ``days`` days ago, not yet purged,
    and purged assessments that hold raw data again (see the module docstring)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(read_session().scalars(
        select(Assessment).where(or_(
            and_(Assessment.status == Status.CLOSED.value, Assessment.closed_at <= cutoff,
                 Assessment.purged_at.is_(None)),
            and_(Assessment.purged_at.is_not(None), raw_data_after_purge())))
        .order_by(Assessment.id)))


def raw_data_after_purge() -> ColumnElement[bool]:
    """Whether a purged assessment (in the query) holds raw data again: an answer, a text not
    included or with its original kept, or a respondent who saved something after the purge."""
    respondents = select(Respondent.id).where(Respondent.assessment_id == Assessment.id)
    return or_(
        exists().where(Answer.respondent_id.in_(respondents.scalar_subquery())),
        exists().where(Comment.assessment_id == Assessment.id,
                       or_(Comment.moderation != Moderation.INCLUDED.value,
                           Comment.redacted_text.is_not(None))),
        exists().where(Respondent.assessment_id == Assessment.id,
                       Respondent.updated_at > Assessment.purged_at))


def day_of(moment: datetime) -> datetime:
    """The start of ``moment``'s day (UTC, as stored): what a purge keeps of a time."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def purge(assessment_id: int, actor: Actor = None, reason: str = "") -> None:
    """Keep the summary, remove the raw answers (see the module docstring).

    Purging a purged assessment again changes nothing, unless raw data reached it since.
    """
    assessment = read_session().get(Assessment, assessment_id)
    if assessment is None:
        return
    # What the closed scan shows, so purging never adds the respondents that still wait
    # (once purged: the summary kept then).
    snapshot = summary_to_json(assessment_summary(assessment))
    with write_transaction() as session:
        # Locked, so two purges at once on PostgreSQL purge once (SQLite queues them anyway).
        stored = session.get(Assessment, assessment_id, with_for_update=True)
        if stored is None or (stored.purged_at is not None and session.scalar(
                select(Assessment.id).where(Assessment.id == assessment_id,
                                            raw_data_after_purge())) is None):
            return
        _remove_raw_data(session, assessment_id)
        if stored.purged_at is None:
            stored.summary_snapshot = snapshot
            stored.purged_at = utcnow()
        if stored.status != Status.CLOSED.value:  # reopened after a purge, before that was refused
            stored.status = Status.CLOSED.value
            stored.closed_at = utcnow()
        audit(session, "purged", actor, stored, reason)
    checkpoint()


def _remove_raw_data(session: Session, assessment_id: int) -> None:
    """Everything per respondent but what the module docstring says stays."""
    respondent_ids = select(Respondent.id).where(Respondent.assessment_id == assessment_id)
    session.execute(delete(Answer).where(Answer.respondent_id.in_(respondent_ids)))
    session.execute(delete(Comment).where(
        Comment.assessment_id == assessment_id,
        Comment.moderation != Moderation.INCLUDED.value))
    # An included text the facilitator redacted keeps only its redacted version.
    session.execute(update(Comment).where(
        Comment.assessment_id == assessment_id, Comment.redacted_text.is_not(None))
        .values(text=Comment.redacted_text, redacted_text=None))
    for comment_id, changed in session.execute(
            select(Comment.id, Comment.updated_at)
            .where(Comment.assessment_id == assessment_id)).all():
        session.execute(update(Comment).where(Comment.id == comment_id)
                        .values(updated_at=day_of(changed)))
    for row in session.execute(
            select(Respondent.id, Respondent.created_at, Respondent.updated_at,
                   Respondent.submitted_at)
            .where(Respondent.assessment_id == assessment_id)).all():
        session.execute(update(Respondent).where(Respondent.id == row.id).values(
            profile={}, token_hash=hash_token(secrets.token_urlsafe(32)),
            created_at=day_of(row.created_at), updated_at=day_of(row.updated_at),
            submitted_at=None if row.submitted_at is None else day_of(row.submitted_at)))
    priorities.forget_voters(session, assessment_id)
    # Normally gone at closing; a scan purged without closing normally (restored) too.
    invitations.forget(session, assessment_id)
