"""Sending invitation e-mails outside the request: a thread here, or the report worker.

Two kinds behind one interface (:class:`MailJobs`), chosen as the report jobs are
(:func:`reports.init_app`): without Redis, :class:`LocalMailJobs` sends in a background thread
of this server, one run at a time; with ``REDIS_URL``, :class:`QueuedMailJobs` puts a job on
the report queue, and `regiospiegel worker` sends. Either way the work is
:func:`assessment.mailing.send_queued`, which claims each message in the database first, so
two runs at once (two servers, a double click) never send one message twice.
"""

from __future__ import annotations

import logging
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from flask import Flask, current_app

log = logging.getLogger(__name__)

_KEY = "regiospiegel.mail"


class MailJobs(Protocol):
    """Sends an assessment's waiting e-mails in the background."""

    def submit(self, assessment_id: int) -> None:
        """Start sending the assessment's waiting messages (soon, not in this request)."""

    def close(self) -> None:
        """Stop background work (waiting for a run in progress)."""


class LocalMailJobs:
    """Runs in a background thread of this server, one run after another."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._executor: ThreadPoolExecutor | None = None
        self._futures: list[Future[None]] = []
        self._lock = threading.Lock()

    def submit(self, assessment_id: int) -> None:
        """Queue a run for the assessment in this server's mail thread."""
        with self._lock:
            if self._executor is None:  # made on first use: a forking server forks none
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")
            self._futures = [future for future in self._futures if not future.done()]
            self._futures.append(self._executor.submit(self._run, assessment_id))

    def _run(self, assessment_id: int) -> None:
        from assessment import mailing

        with self.app.app_context():
            try:
                mailing.send_queued(assessment_id)
            except Exception:  # a thread has nobody to tell: the log, and the page's states
                log.exception("sending the invitations of assessment %s failed",
                              assessment_id)

    def wait(self, timeout: float | None = None) -> None:
        """Wait until every run asked for so far has ended (the tests, a clean stop)."""
        with self._lock:
            futures = list(self._futures)
        for future in futures:
            future.result(timeout=timeout)

    def close(self) -> None:
        """Wait for the run in progress and stop the thread."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)


class QueuedMailJobs:
    """Puts a run on the report queue in Redis; `regiospiegel worker` sends."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        from rq import Queue

        from reports.queue import redis_connection

        self.redis = redis_connection(redis_url)
        self.queue = Queue(f"{prefix}reports", connection=self.redis)
        self._job_prefix = re.sub(r"[^A-Za-z0-9_-]", "-", prefix)

    def submit(self, assessment_id: int) -> None:
        """Enqueue a run; when Redis does not answer, the messages keep waiting (the page
        offers to send again)."""
        from redis.exceptions import RedisError

        try:
            self.queue.enqueue(send_invitations, int(assessment_id), job_timeout=6 * 3600,
                               result_ttl=600, failure_ttl=24 * 3600,
                               description=f"invitations of assessment {int(assessment_id)}")
        except RedisError as exc:
            log.warning("could not queue the invitations of assessment %s: %s",
                        assessment_id, exc)

    def close(self) -> None:
        """Close the Redis connection."""
        self.redis.close()


def send_invitations(assessment_id: int) -> None:
    """The queued job (runs in `regiospiegel worker`, inside the app's context)."""
    from assessment import mailing

    mailing.send_queued(assessment_id)


def init_app(app: Flask) -> None:
    """The app's mail jobs: on the report queue when REDIS_URL is set, else a thread here."""
    redis_url = app.config.get("REDIS_URL")
    jobs: MailJobs = (QueuedMailJobs(redis_url, app.config.get("REDIS_PREFIX")
                                     or "regiospiegel:")
                      if redis_url else LocalMailJobs(app))
    app.extensions[_KEY] = jobs


def jobs() -> MailJobs:
    """The current app's mail jobs."""
    found: MailJobs = current_app.extensions[_KEY]
    return found
