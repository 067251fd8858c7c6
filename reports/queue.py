"""Report jobs through a Redis queue, for several app servers (``REDIS_URL`` set).

A web server enqueues a render on an RQ queue and answers at once; a worker process
(`regiospiegel worker`) renders it with the same :class:`~reports.render.Renderer` (a
separate process with its time limit and memory cap) and keeps the PDF in the database
(:mod:`reports.store`), where every web server finds it. Job states live in Redis, so a
facilitator may poll any server. Every Redis key starts with ``REDIS_PREFIX``.

One job per report key: the job id is the report key, and a short Redis lock around
"look, then enqueue" keeps two servers from enqueueing the same report at once. When Redis
cannot be reached the job shows as failed with :data:`UNREACHABLE`, and the facilitator sees
the friendly "could not be made" page instead of an error.

The report's HTML (with the scan's texts, notes and actions) is not part of the job: it
waits under a key of its own, which the worker takes (reads and deletes) when it starts the
job, and which expires with the job when no worker comes. Per scan a set names its report
keys, so deleting the scan removes its HTML, jobs and locks from Redis (:meth:`forget`).
"""

from __future__ import annotations

import logging
import os
import re
import socket
from pathlib import Path
from typing import Any

from flask import Flask
from redis import Redis
from redis.exceptions import LockError, RedisError
from rq import Queue, SimpleWorker, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job

from assessment.exceptions import RenderError, ReportQueueUnavailable
from reports import store
from reports.render import Renderer
from reports.report_jobs import REPORT, JobState, JobStatus, LocalReportJobs

log = logging.getLogger(__name__)

#: Why a job shows as failed when Redis does not answer.
UNREACHABLE = "the report queue (Redis) cannot be reached"
#: A job not picked up by a worker within this many seconds is dropped (no worker runs?);
#: the next download asks again.
QUEUE_TTL = 15 * 60
#: How long a failed job's state is kept; until then the page offers "try again".
FAILURE_TTL = 60 * 60

# By value: RQ 2 lacks some of RQ 3's states, and the project allows both.
_WAITING = {"created", "queued", "deferred", "scheduled", "ready_to_enqueue", "rate_limited"}
_ENDED = {"failed", "stopped", "canceled"}


def redis_connection(url: str, *, blocking: bool = False) -> Redis:
    """A Redis client; a web server's gives up quickly, a worker's may wait for jobs."""
    if blocking:
        # The worker blocks on the queue for minutes; a socket timeout would cut that off.
        return Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


class QueuedReportJobs:
    """Report jobs on a Redis queue, PDFs in the database; the same interface as local jobs."""

    def __init__(self, local: LocalReportJobs, redis_url: str, prefix: str) -> None:
        self.local = local
        self.redis_url = redis_url
        self.prefix = prefix
        self.redis = redis_connection(redis_url)
        self.queue = Queue(f"{prefix}reports", connection=self.redis)
        # RQ job ids allow letters, digits, '-' and '_' only.
        self._job_prefix = re.sub(r"[^A-Za-z0-9_-]", "-", prefix)
        self.renders = 0

    @property
    def renderer(self) -> Renderer:
        """The renderer this process uses (in the worker, and for :meth:`render_now`)."""
        return self.local.renderer

    @property
    def static_base(self) -> str:
        """The ``file:`` URL of this server's static folder, as report HTML refers to it."""
        return self.renderer.static_dir.resolve().as_uri() + "/"

    def job_id(self, key: str) -> str:
        """The RQ job id of a report key."""
        return f"{self._job_prefix}report-{key}"

    def html_key(self, key: str) -> str:
        """The Redis key under which a report's HTML waits for the worker."""
        return f"{self.prefix}report-html:{key}"

    def scan_key(self, assessment_id: int) -> str:
        """The Redis set of the report keys asked for a scan (see :meth:`forget`)."""
        return f"{self.prefix}report-scan:{int(assessment_id)}"

    def cached_pdf(self, key: str, assessment_id: int | None = None) -> bytes | None:
        """The PDF of a report key from the database, if a worker rendered it."""
        return store.pdf(key)

    def status(self, key: str, assessment_id: int | None = None) -> JobStatus | None:
        """DONE when the PDF is kept, else the job's state in Redis; None when never asked."""
        if store.has_pdf(key):
            return JobStatus(JobState.DONE)
        try:
            return self._job_status(key)
        except RedisError:
            return JobStatus(JobState.FAILED, UNREACHABLE)

    def submit(self, key: str, html: str, assessment_id: int | None = None) -> JobStatus:
        """Enqueue a render unless the PDF is kept or the report is queued or rendering."""
        if store.has_pdf(key):
            return JobStatus(JobState.DONE)
        try:
            # Look-then-enqueue must not interleave between servers, or both would enqueue.
            with self.redis.lock(f"{self.prefix}report-lock:{key}", timeout=30,
                                 blocking_timeout=10):
                current = self._job_status(key)
                if current is not None and current.state in (JobState.QUEUED,
                                                              JobState.RENDERING):
                    return current
                self._forget(key)
                with self.redis.pipeline() as waiting:
                    waiting.set(self.html_key(key), html, ex=QUEUE_TTL)
                    if assessment_id is not None:
                        waiting.sadd(self.scan_key(assessment_id), key)
                        waiting.expire(self.scan_key(assessment_id), QUEUE_TTL + FAILURE_TTL)
                    waiting.execute()
                self.queue.enqueue(
                    render_report, key, self.static_base, assessment_id,
                    job_id=self.job_id(key),
                    job_timeout=int(self.renderer.limits.seconds) + 30, ttl=QUEUE_TTL,
                    result_ttl=600, failure_ttl=FAILURE_TTL,
                    description=f"advice report {key[:12]}")
        except (RedisError, LockError):
            return JobStatus(JobState.FAILED, UNREACHABLE)
        return JobStatus(JobState.QUEUED)

    def render_now(self, key: str, html: str, assessment_id: int | None = None,
                   document: str = REPORT) -> Path:
        """Render in this process, cached in its own directory (command line, paper forms)."""
        return self.local.render_now(key, html, assessment_id, document)

    def forget(self, assessment_id: int) -> None:
        """Remove a deleted scan's documents: this server's files, and in Redis the HTML,
        jobs and locks of its reports. Its PDFs in the database went with the scan (the
        foreign key cascades). When Redis does not answer, what waits there expires within
        :data:`FAILURE_TTL` seconds."""
        self.local.forget(assessment_id)
        try:
            members: set[bytes] = self.redis.smembers(  # type: ignore[assignment]
                self.scan_key(assessment_id))
            keys = [member.decode() for member in members]
            for key in keys:
                self._forget(key)
                self.redis.delete(self.html_key(key), f"{self.prefix}report-lock:{key}")
            self.redis.delete(self.scan_key(assessment_id))
        except RedisError as exc:
            log.warning("could not remove the reports of assessment %s from Redis: %s",
                        assessment_id, exc)

    def render_in_worker(self, key: str, static_base: str,
                         assessment_id: int | None = None) -> None:
        """The job's work, in the worker: render and keep the PDF; RenderError when it fails."""
        html = self._take_html(key)
        if store.has_pdf(key):
            return
        try:
            if html is None:
                raise RenderError("the report waited too long for a worker; ask for it again")
            if static_base != self.static_base:
                # The web server may live in another directory than this worker; point the
                # report's fonts and styles at this worker's static folder.
                html = html.replace(static_base, self.static_base)
            document = self.renderer.render(html)
        except RenderError as exc:
            job = get_current_job()
            if job is not None:
                job.meta["message"] = str(exc)
                job.save_meta()  # type: ignore[no-untyped-call]
            raise
        store.keep_pdf(key, document, assessment_id)
        self.renders += 1

    def _take_html(self, key: str) -> str | None:
        """The report's HTML, removed from Redis as it is read (one transaction)."""
        with self.redis.pipeline() as taking:
            taking.get(self.html_key(key))
            taking.delete(self.html_key(key))
            found, _deleted = taking.execute()
        return found.decode() if found is not None else None

    def close(self) -> None:
        """Stop the renderer process and close the Redis connections."""
        self.local.close()
        self.redis.close()

    def _job(self, key: str) -> Job | None:
        try:
            return Job.fetch(self.job_id(key), connection=self.redis)
        except NoSuchJobError:
            return None

    def _job_status(self, key: str) -> JobStatus | None:
        job = self._job(key)
        state = job.get_status(refresh=False) if job is not None else None
        if job is None or state is None:
            return None
        if state.value in _WAITING:
            return JobStatus(JobState.QUEUED)
        if state.value == "started":
            return JobStatus(JobState.RENDERING)
        if state.value in _ENDED:
            return JobStatus(JobState.FAILED, str(job.meta.get("message")
                                                  or "the report job stopped"))
        # Finished, yet no PDF kept (removed since): as if never asked, so it is asked again.
        return None

    def _forget(self, key: str) -> None:
        """Remove an ended job, so the same id can be enqueued again."""
        job = self._job(key)
        if job is not None:
            job.delete()


def render_report(key: str, static_base: str, assessment_id: int | None = None) -> None:
    """The queued job (runs in `regiospiegel worker`): render one report and keep its PDF.

    Its HTML waits in Redis under :meth:`QueuedReportJobs.html_key`, not in the job.
    """
    from reports import jobs

    queued = jobs()
    if not isinstance(queued, QueuedReportJobs):
        raise ReportQueueUnavailable("the worker runs without REDIS_URL")
    queued.render_in_worker(key, static_base, assessment_id)


class ReportWorker(SimpleWorker):
    """An RQ worker that renders in its own process and runs each job in an app context.

    SimpleWorker, not RQ's forking worker: the renderer is already a separate process with
    a time limit and memory cap, and kept warm; forking per job would start it cold each
    time. A fresh app context per job gives each job its own database session.
    """

    app: Flask

    def execute_job(self, job: Job, queue: Queue) -> Any:
        """Run one job inside the app's context."""
        with self.app.app_context():
            return super().execute_job(job, queue)


def report_worker(app: Flask) -> ReportWorker:
    """A worker on the app's report queue; ReportQueueUnavailable without REDIS_URL."""
    from reports import jobs

    with app.app_context():
        queued = jobs()
    if not isinstance(queued, QueuedReportJobs):
        raise ReportQueueUnavailable(
            "there is no report queue: set REDIS_URL (the web servers' value) to run a worker")
    connection = redis_connection(queued.redis_url, blocking=True)
    name = f"{queued.job_id('worker')}-{socket.gethostname()}-{os.getpid()}"
    worker = ReportWorker([Queue(queued.queue.name, connection=connection)],
                          connection=connection, name=re.sub(r"[^A-Za-z0-9_.-]", "-", name))
    worker.app = app
    return worker
