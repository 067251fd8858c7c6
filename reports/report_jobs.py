"""Report jobs: HTML → PDF in the background, kept by report key, with a status to poll.

A facilitator who asks for the report sees progress instead of a hanging page; a second
download of the same report (:func:`reports.build.report_key`) renders nothing.

There are two kinds of report jobs behind one interface (:class:`ReportJobs`):
:class:`LocalReportJobs` (this module) renders in a separate process of this server and
caches in a directory, for one server without Redis; :class:`reports.queue.QueuedReportJobs`
hands the render to a worker through a Redis queue and keeps PDFs in the database, for
several servers. :func:`reports.init_app` chooses one.

A rendered PDF holds what the scan holds (its title, included texts, notes, actions), so
the cache keeps nothing longer than needed: a scan's PDFs are kept in a folder of their own
(``scan-<id>``) that :meth:`ReportJobs.forget` removes when the scan is deleted; a new
version of a scan's document replaces the older ones; and every cached file goes after
:data:`KEEP_DAYS` days, as in the database's store.
"""

from __future__ import annotations

import contextlib
import enum
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assessment.exceptions import RenderError
from reports.render import Renderer

#: How long a rendered PDF is kept, here and in the database's store (reports.store); a
#: scan still in use is rendered again after this.
KEEP_DAYS = 30
#: The documents of a scan the cache keeps, one version each: the advice report, and the
#: blank paper form.
REPORT = "report"
PAPER_FORM = "paper"


class JobState(enum.StrEnum):
    """Where a report job stands."""

    QUEUED = "queued"
    RENDERING = "rendering"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class JobStatus:
    """A job's state, and the reason when it failed."""

    state: JobState
    message: str = ""


class ReportJobs(Protocol):
    """Renders reports in the background and keeps them by report key.

    ``assessment_id`` names the scan a document belongs to, so its PDFs go when it is
    deleted (:meth:`forget`) and a new version replaces the older ones.
    """

    def cached_pdf(self, key: str, assessment_id: int | None = None) -> bytes | None:
        """The PDF of a report key, if it was rendered before."""

    def status(self, key: str, assessment_id: int | None = None) -> JobStatus | None:
        """The job's status; DONE when the PDF is kept; None when nothing was asked."""

    def submit(self, key: str, html: str, assessment_id: int | None = None) -> JobStatus:
        """Start rendering in the background unless it is kept, queued or running."""

    def render_now(self, key: str, html: str, assessment_id: int | None = None,
                   document: str = REPORT) -> Path:
        """Render in this server and wait (command line, small PDFs); the PDF's file."""

    def forget(self, assessment_id: int) -> None:
        """Remove every rendered or waiting document of a (deleted) scan."""

    def close(self) -> None:
        """Stop background work and processes."""


class LocalReportJobs:
    """PDF renders in a background thread of this server, one at a time, cached on disk."""

    def __init__(self, renderer: Renderer, cache_dir: Path) -> None:
        self.renderer = renderer
        self.cache_dir = cache_dir
        self.renders = 0
        self._states: dict[str, JobStatus] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report")

    def scan_dir(self, assessment_id: int) -> Path:
        """The folder of one scan's PDFs (removed with the scan)."""
        return self.cache_dir / f"scan-{int(assessment_id)}"

    def path(self, key: str, assessment_id: int | None = None, document: str = REPORT) -> Path:
        """Where the PDF of a report key is kept."""
        if assessment_id is None:
            return self.cache_dir / f"{key}.pdf"
        return self.scan_dir(assessment_id) / f"{document}-{key}.pdf"

    def cached(self, key: str, assessment_id: int | None = None,
               document: str = REPORT) -> Path | None:
        """The cached PDF, if this report was rendered before."""
        path = self.path(key, assessment_id, document)
        return path if path.is_file() else None

    def cached_pdf(self, key: str, assessment_id: int | None = None) -> bytes | None:
        """The cached PDF's bytes, read whole so a re-render replacing the file cannot cut it."""
        path = self.cached(key, assessment_id)
        try:
            return path.read_bytes() if path is not None else None
        except FileNotFoundError:  # removed between the check and the read
            return None

    def status(self, key: str, assessment_id: int | None = None) -> JobStatus | None:
        """The job's status; DONE when the PDF is cached; None when nothing was asked."""
        if self.cached(key, assessment_id):
            return JobStatus(JobState.DONE)
        with self._lock:
            known = self._states.get(key)
        return known if known is not None else self._failed_elsewhere(key, assessment_id,
                                                                      REPORT)

    def submit(self, key: str, html: str, assessment_id: int | None = None) -> JobStatus:
        """Start rendering in the background unless it is cached, queued or running."""
        with self._lock:
            current = self._states.get(key)
            if self.cached(key, assessment_id):
                return JobStatus(JobState.DONE)
            if current is not None and current.state in (JobState.QUEUED, JobState.RENDERING):
                return current
            status = self._states[key] = JobStatus(JobState.QUEUED)
            self._failure_path(key, assessment_id, REPORT).unlink(missing_ok=True)
            # Made here, while the scan exists: a render ending after the scan was deleted
            # finds no folder and keeps nothing.
            self.path(key, assessment_id).parent.mkdir(parents=True, exist_ok=True)
        self._executor.submit(self._run, key, html, assessment_id, REPORT)
        return status

    def render_now(self, key: str, html: str, assessment_id: int | None = None,
                   document: str = REPORT) -> Path:
        """Render synchronously (the command line), through the same worker and cache."""
        cached = self.cached(key, assessment_id, document)
        if cached is not None:
            return cached
        self.path(key, assessment_id, document).parent.mkdir(parents=True, exist_ok=True)
        self._run(key, html, assessment_id, document)
        status = self._states.get(key)
        if status is None or status.state is not JobState.DONE:
            raise RenderError(status.message if status else "the report was not rendered")
        return self.path(key, assessment_id, document)

    def forget(self, assessment_id: int) -> None:
        """Remove the scan's folder: every PDF, failure note and partial file of it."""
        folder = self.scan_dir(assessment_id)
        shutil.rmtree(folder, ignore_errors=True)
        if folder.exists():  # a render wrote into it while it was being removed
            shutil.rmtree(folder, ignore_errors=True)

    def _run(self, key: str, html: str, assessment_id: int | None, document: str) -> None:
        with self._lock:
            self._states[key] = JobStatus(JobState.RENDERING)
        final = self.path(key, assessment_id, document)
        if assessment_id is None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
        try:
            pdf = self.renderer.render(html)
        except RenderError as exc:
            with self._lock:
                self._states[key] = JobStatus(JobState.FAILED, str(exc))
            # Other gunicorn workers on this machine answer the page's polls too.
            with contextlib.suppress(FileNotFoundError):  # the scan was deleted meanwhile
                self._failure_path(key, assessment_id, document).write_text(str(exc))
            return
        # A name of its own: two processes rendering the same report must not share one.
        partial = final.with_suffix(f".{os.getpid()}-{threading.get_ident()}.part")
        try:
            partial.write_bytes(pdf)
            partial.replace(final)  # atomic: a reader never sees half a file
        except FileNotFoundError:
            # The scan was deleted while its report rendered (forget removed its folder).
            partial.unlink(missing_ok=True)
            with self._lock:
                self._states.pop(key, None)
            return
        self._failure_path(key, assessment_id, document).unlink(missing_ok=True)
        self._prune(final, document if assessment_id is not None else None)
        with self._lock:
            self.renders += 1
            self._states[key] = JobStatus(JobState.DONE)

    def _prune(self, kept: Path, document: str | None) -> None:
        """Remove the older versions of ``kept``'s document of its scan, and every cached
        file older than :data:`KEEP_DAYS` days."""
        try:
            newest = kept.stat().st_mtime
        except FileNotFoundError:
            return
        if document is not None:
            for older in kept.parent.glob(f"{document}-*.pdf"):
                with contextlib.suppress(FileNotFoundError):
                    if older != kept and older.stat().st_mtime <= newest:
                        older.unlink()
        expired = time.time() - KEEP_DAYS * 24 * 3600
        for cached in self.cache_dir.rglob("*"):
            with contextlib.suppress(FileNotFoundError):
                if cached.is_file() and cached.stat().st_mtime < expired:
                    cached.unlink()

    def _failure_path(self, key: str, assessment_id: int | None, document: str) -> Path:
        return self.path(key, assessment_id, document).with_suffix(".failed")

    def _failed_elsewhere(self, key: str, assessment_id: int | None,
                          document: str) -> JobStatus | None:
        """FAILED when another process on this machine failed to render this report."""
        try:
            return JobStatus(JobState.FAILED,
                             self._failure_path(key, assessment_id, document).read_text())
        except OSError:
            return None

    def finish(self) -> None:
        """Take no more work: renders not begun are dropped, the one in progress completes."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """Stop the background thread and the worker process."""
        self.finish()
        self.renderer.close()
