"""Data retention: remove raw answers of assessments closed long enough ago.

What is removed: every answer, every free text the facilitator did not include, the
originals of redacted texts (the redacted version stays), the respondents' profiles and
their resume tokens (personal links stop working), and the voter hashes of the vote on
priorities (an open vote is closed). What stays: the summary (stored as JSON, see
:mod:`assessment.snapshots`), the included texts, the session's notes and actions, the
lessons each vote chose (so the tally stays), and the respondent count, so the dashboard and
the report look exactly as before (the summary kept is the one the closed scan shows:
respondents still waiting for two more, see :mod:`assessment.anonymity`, are not added).
Each purged assessment is one transaction and one audit event.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from assessment import participation, priorities
from assessment.db import read_session, write_transaction
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
    """Closed assessments whose answering closed more than ``days`` days ago, not yet purged."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(read_session().scalars(
        select(Assessment).where(Assessment.status == Status.CLOSED.value,
                                 Assessment.closed_at <= cutoff,
                                 Assessment.purged_at.is_(None))
        .order_by(Assessment.id)))


def purge(assessment_id: int, actor: Actor = None, reason: str = "") -> None:
    """Keep the summary, remove the raw answers (see the module docstring)."""
    assessment = read_session().get(Assessment, assessment_id)
    if assessment is None or assessment.purged_at is not None:
        return
    # What the closed scan shows, so purging never adds the respondents that still wait.
    snapshot = summary_to_json(assessment_summary(assessment))
    respondent_ids = select(Respondent.id).where(Respondent.assessment_id == assessment_id)
    with write_transaction() as session:
        # Locked, so two purges at once on PostgreSQL purge once (SQLite queues them anyway).
        stored = session.get(Assessment, assessment_id, with_for_update=True)
        if stored is None or stored.purged_at is not None:
            return
        session.execute(delete(Answer).where(Answer.respondent_id.in_(respondent_ids)))
        session.execute(delete(Comment).where(
            Comment.assessment_id == assessment_id,
            Comment.moderation != Moderation.INCLUDED.value))
        # An included text the facilitator redacted keeps only its redacted version.
        session.execute(update(Comment).where(
            Comment.assessment_id == assessment_id, Comment.redacted_text.is_not(None))
            .values(text=Comment.redacted_text, redacted_text=None))
        for respondent_id in session.scalars(respondent_ids):
            session.execute(update(Respondent).where(Respondent.id == respondent_id).values(
                profile={}, token_hash=hash_token(secrets.token_urlsafe(32))))
        priorities.forget_voters(session, assessment_id)
        stored.summary_snapshot = snapshot
        stored.purged_at = utcnow()
        audit(session, "purged", actor, stored, reason)
