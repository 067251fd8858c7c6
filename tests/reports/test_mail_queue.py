"""Invitation e-mails through the report queue: with REDIS_URL the worker sends them.

Needs Redis at 127.0.0.1:6379 (``TEST_REDIS_URL`` to change); skipped without it, as the
report queue's tests are.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rq import Queue

from assessment import config, mail_jobs, mailing
from tests.helpers import TRYOUT_ID, csrf_token
from tests.mail_steps import mail_settings
from tests.reports.test_report_queue import REDIS_URL, fresh_redis_prefix, run_worker


@pytest.fixture
def queue_prefix() -> Iterator[str]:
    """A Redis key prefix for this test alone; its keys are deleted afterwards."""
    yield from fresh_redis_prefix()


@pytest.fixture
def app_config(app_config, queue_prefix, mail_server):
    return {**app_config, **config.redis_settings(REDIS_URL, queue_prefix),
            **mail_settings(mail_server)}


def test_the_worker_sends_what_the_page_queued(app, facilitator_client, mail_server):
    with app.app_context():
        mailing.invite(TRYOUT_ID, ["anna@dalfsen.nl", "bert@zwolle.nl"], "nl")
    jobs = app.extensions["regiospiegel.mail"]
    assert isinstance(jobs, mail_jobs.QueuedMailJobs)
    page = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen")
    sent = facilitator_client.post(f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen/versturen",
                                   data={"csrf_token": csrf_token(page)})
    assert sent.status_code == 302
    # The web server sends nothing itself: the job waits for the worker.
    assert mail_server.received == []
    assert Queue(jobs.queue.name, connection=jobs.redis).count == 1
    assert run_worker(app)
    assert sorted(a for r in mail_server.received for a in r.recipients) == [
        "anna@dalfsen.nl", "bert@zwolle.nl"]
    with app.app_context():
        assert mailing.progress(TRYOUT_ID).sent == 2
