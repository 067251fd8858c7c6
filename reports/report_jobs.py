"""Report jobs: HTML → PDF in the background, kept by report key, with a status to poll.

A facilitator who asks for the report sees progress instead of a hanging page; a second
download of the same report (:func:`reports.build.report_key`) renders nothing.

There are two kinds of report jobs behind one interface (:class:`ReportJobs`):
:class:`LocalReportJobs` (this module) renders in a separate process of this server and
caches in a directory, for one server without Redis; :class:`reports.queue.QueuedReportJobs`
hands the render to a worker through a Redis queue and keeps PDFs in the database, for
several servers. :func:`reports.init_app` chooses one.
"""

from __future__ import annotations

import enum
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assessment.exceptions import RenderError
from reports.render import Renderer


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
    """Renders reports in the background and keeps them by report key."""

    def cached_pdf(self, key: str) -> bytes | None:
        """The PDF of a report key, if it was rendered before."""

    def status(self, key: str) -> JobStatus | None:
        """The job's status; DONE when the PDF is kept; None when nothing was asked."""

    def submit(self, key: str, html: str, assessment_id: int | None = None) -> JobStatus:
        """Start rendering in the background unless it is kept, queued or running.

        ``assessment_id`` names the report's assessment, so its PDF goes when it is deleted.
        """

    def render_now(self, key: str, html: str) -> Path:
        """Render in this server and wait (command line, small PDFs); the PDF's file."""

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

    def path(self, key: str) -> Path:
        """Where the PDF of a report key is kept."""
        return self.cache_dir / f"{key}.pdf"

    def cached(self, key: str) -> Path | None:
        """The cached PDF, if this report was rendered before."""
        path = self.path(key)
        return path if path.is_file() else None

    def cached_pdf(self, key: str) -> bytes | None:
        """The cached PDF's bytes, read whole so a re-render replacing the file cannot cut it."""
        path = self.cached(key)
        try:
            return path.read_bytes() if path is not None else None
        except FileNotFoundError:  # removed between the check and the read
            return None

    def status(self, key: str) -> JobStatus | None:
        """The job's status; DONE when the PDF is cached; None when nothing was asked."""
        if self.cached(key):
            return JobStatus(JobState.DONE)
        with self._lock:
            known = self._states.get(key)
        return known if known is not None else self._failed_elsewhere(key)

    def submit(self, key: str, html: str, assessment_id: int | None = None) -> JobStatus:
        """Start rendering in the background unless it is cached, queued or running."""
        with self._lock:
            current = self._states.get(key)
            if self.cached(key):
                return JobStatus(JobState.DONE)
            if current is not None and current.state in (JobState.QUEUED, JobState.RENDERING):
                return current
            status = self._states[key] = JobStatus(JobState.QUEUED)
            self._failure_path(key).unlink(missing_ok=True)
        self._executor.submit(self._run, key, html)
        return status

    def render_now(self, key: str, html: str) -> Path:
        """Render synchronously (the command line), through the same worker and cache."""
        cached = self.cached(key)
        if cached is not None:
            return cached
        self._run(key, html)
        status = self.status(key)
        if status is None or status.state is not JobState.DONE:
            raise RenderError(status.message if status else "the report was not rendered")
        return self.path(key)

    def _run(self, key: str, html: str) -> None:
        with self._lock:
            self._states[key] = JobStatus(JobState.RENDERING)
        try:
            pdf = self.renderer.render(html)
        except RenderError as exc:
            with self._lock:
                self._states[key] = JobStatus(JobState.FAILED, str(exc))
            # Other gunicorn workers on this machine answer the page's polls too.
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            self._failure_path(key).write_text(str(exc))
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        # A name of its own: two processes rendering the same report must not share one.
        partial = self.path(key).with_suffix(f".{os.getpid()}-{threading.get_ident()}.part")
        partial.write_bytes(pdf)
        partial.replace(self.path(key))  # atomic: a reader never sees half a file
        self._failure_path(key).unlink(missing_ok=True)
        with self._lock:
            self.renders += 1
            self._states[key] = JobStatus(JobState.DONE)

    def _failure_path(self, key: str) -> Path:
        return self.cache_dir / f"{key}.failed"

    def _failed_elsewhere(self, key: str) -> JobStatus | None:
        """FAILED when another process on this machine failed to render this report."""
        try:
            return JobStatus(JobState.FAILED, self._failure_path(key).read_text())
        except OSError:
            return None

    def close(self) -> None:
        """Stop the background thread and the worker process."""
        self._executor.shutdown(wait=True)
        self.renderer.close()
