"""The report pipeline: assessment → summary → report context → HTML → PDF (cached).

:func:`report_context` loads what the report needs (through the one summary function the
dashboard uses, so the two always agree); :func:`report_html` renders the template in the
assessment's language; :class:`ReportJobs` turns HTML into a PDF in the worker process,
keeps the result in a cache keyed by a hash of the HTML (a second download renders
nothing), and tracks jobs so a facilitator sees progress instead of a hanging page.
"""

from __future__ import annotations

import enum
import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import render_template
from flask_babel import force_locale

from assessment import content, discussion, management
from assessment.models import Assessment
from assessment.results import assessment_summary, included_comments, round_comparison
from reports.context import Action, ReportContext, ReportMeta, build_context
from reports.render import Renderer, RenderError

#: Bump when the report's templates or pipeline change in a way the HTML hash would miss.
REPORT_FORMAT = "1"


def software_version() -> str:
    """The installed Regiospiegel version."""
    try:
        return version("regiospiegel")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "0+unknown"


def report_context(assessment: Assessment) -> ReportContext:
    """Everything the report shows for an assessment, with the advice chosen."""
    questionnaire = content.for_assessment(assessment)
    started, _submitted = management.respondent_counts([assessment.id])[assessment.id]
    meta = ReportMeta(
        region=assessment.region, title=assessment.title, language=assessment.language,
        session_date=assessment.session_date or (assessment.closed_at or assessment.opened_at
                                                 or assessment.created_at).date(),
        started=started, invited=assessment.invited_count,
        content_hash=assessment.content_hash,
        software_version=software_version(),
    )
    lesson_titles = {lesson.id: lesson.title for lesson in questionnaire.lessons}
    actions = tuple(
        Action(item.action, item.owner, item.term, lesson_titles.get(item.lesson_id or "", ""))
        for item in discussion.actions(assessment.id))
    return build_context(meta, questionnaire, assessment_summary(assessment),
                         included_comments(assessment.id),
                         comparison=round_comparison(assessment), actions=actions,
                         notes=discussion.lesson_notes(assessment.id))


def report_html(context: ReportContext, static_base: str) -> str:
    """The report as HTML in the assessment's language; ``static_base`` ends with '/'."""
    with force_locale(context.meta.language):
        return render_template("report/report.html", report=context, static_base=static_base,
                               report_format=REPORT_FORMAT)


def report_key(html: str) -> str:
    """The cache key of a report: a hash of everything that shapes its PDF."""
    return hashlib.sha256(f"{REPORT_FORMAT}\n{html}".encode()).hexdigest()


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


class ReportJobs:
    """PDF renders in the background, one at a time, cached on disk by report key."""

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

    def status(self, key: str) -> JobStatus | None:
        """The job's status; DONE when the PDF is cached; None when nothing was asked."""
        if self.cached(key):
            return JobStatus(JobState.DONE)
        with self._lock:
            return self._states.get(key)

    def submit(self, key: str, html: str) -> JobStatus:
        """Start rendering in the background unless it is cached, queued or running."""
        with self._lock:
            current = self._states.get(key)
            if self.cached(key):
                return JobStatus(JobState.DONE)
            if current is not None and current.state in (JobState.QUEUED, JobState.RENDERING):
                return current
            status = self._states[key] = JobStatus(JobState.QUEUED)
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
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        partial = self.path(key).with_suffix(".part")
        partial.write_bytes(pdf)
        partial.replace(self.path(key))  # atomic: a reader never sees half a file
        with self._lock:
            self.renders += 1
            self._states[key] = JobStatus(JobState.DONE)

    def close(self) -> None:
        """Stop the background thread and the worker process."""
        self._executor.shutdown(wait=True)
        self.renderer.close()
