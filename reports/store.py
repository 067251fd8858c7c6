"""Rendered PDF reports kept in the database, so every app server can send what a worker made.

Used with the report queue (``REDIS_URL``). The database rather than a directory: app
servers already share it, its backups already cover it, and it needs no shared file system.
The rows are a cache: each is a report key (a hash of the report's HTML) and its PDF; a
row older than :data:`KEEP_DAYS` is removed when a new one is kept, and so are the older
versions of the same scan's report; a missing report is simply rendered again. Deleting a
scan deletes its rows (the foreign key cascades).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from assessment.db import read_session, write_transaction
from assessment.models import ReportPdf, utcnow
from reports.report_jobs import KEEP_DAYS


def has_pdf(key: str) -> bool:
    """Whether the PDF of a report key is kept."""
    return read_session().scalar(select(ReportPdf.key).where(ReportPdf.key == key)) is not None


def pdf(key: str) -> bytes | None:
    """The PDF of a report key, if it is kept."""
    return read_session().scalar(select(ReportPdf.pdf).where(ReportPdf.key == key))


def keep_pdf(key: str, document: bytes, assessment_id: int | None = None) -> None:
    """Keep the PDF of a report key (once; a second worker's copy is dropped) and prune.

    With ``assessment_id`` the PDF goes when the assessment is deleted, and replaces the
    assessment's older versions.
    """
    try:
        with write_transaction() as session:
            if session.get(ReportPdf, key) is not None:
                return
            session.execute(delete(ReportPdf).where(
                ReportPdf.created_at < utcnow() - timedelta(days=KEEP_DAYS)))
            if assessment_id is not None:
                session.execute(delete(ReportPdf).where(ReportPdf.assessment_id == assessment_id))
            session.add(ReportPdf(key=key, pdf=document, assessment_id=assessment_id))
    except IntegrityError:
        # Another worker kept the same report between our check and our insert (same PDF),
        # or the assessment was deleted while its report rendered.
        return
