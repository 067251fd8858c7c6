"""Several app servers on one Redis: report jobs on a queue, PDFs shared, limits shared.

Two apps on the same database and Redis stand in for two servers: a report asked for on
server A is rendered by a worker (RQ's SimpleWorker in this process, once the real
`regiospiegel worker --burst` command) and downloaded from server B. A failed render and an
unreachable Redis both end on the friendly "could not be made" page.

Needs Redis at 127.0.0.1:6379 (``TEST_REDIS_URL`` to change); the tests skip without it,
unless ``REGIOSPIEGEL_REQUIRE_SERVICES=1``, then they fail. Every key they write starts
with a prefix unique to the test, and is deleted afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import func, select

from assessment import config, create_app, db, management
from assessment.config import PROJECT_ROOT
from assessment.exceptions import RenderError
from assessment.models import ActionItem, Assessment, ReportPdf
from reports.build import report_context, report_html, report_key
from reports.queue import QueuedReportJobs, report_worker
from reports.render import Renderer, RenderLimits
from reports.report_jobs import JobState, LocalReportJobs
from tests.helpers import DEMO_JOIN_CODE, csrf_token, login

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("REGIOSPIEGEL_REQUIRE_SERVICES") == "1"
PDF = "/begeleider/scans/1/rapport.pdf"
STATUS = "/begeleider/scans/1/rapport/status"
FAILED_PAGE = "Het rapport kon niet worden opgesteld."


def reachable_redis(url: str = REDIS_URL) -> Redis:
    """A client of the test Redis; skips (or fails, when services are required) without it."""
    client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except RedisError as exc:
        client.close()
        message = f"Redis is not reachable at {url} ({exc})"
        if REQUIRE_SERVICES:
            pytest.fail(f"{message}; REGIOSPIEGEL_REQUIRE_SERVICES=1 requires it")
        pytest.skip(f"{message}; start Redis or set TEST_REDIS_URL to run these tests")
    return client


def delete_keys(client: Redis, marker: str) -> None:
    """Delete every key whose name contains ``marker``, and RQ's references to them."""
    for name in list(client.scan_iter(match=f"*{marker}*", count=1000)):
        client.delete(name)
    for registry in ("rq:queues", "rq:workers"):
        for member in client.smembers(registry):
            if marker in member.decode():
                client.srem(registry, member)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix for this test alone; its keys are deleted afterwards."""
    yield from fresh_redis_prefix()


def fresh_redis_prefix() -> Iterator[str]:
    """A Redis key prefix of its own, its keys deleted when the generator ends (a fixture)."""
    client = reachable_redis()
    marker = f"rs-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield f"{marker}:"
    delete_keys(client, marker)
    client.close()


@pytest.fixture
def app_config(app_config: dict[str, object], redis_prefix: str) -> dict[str, object]:
    """The test app's settings, with Redis for rate limits and report jobs."""
    return {**app_config, **config.redis_settings(REDIS_URL, redis_prefix)}


@pytest.fixture
def second_app(app: Flask, app_config: dict[str, object]) -> Iterator[Flask]:
    """Server B: another app on the same database and the same Redis."""
    other = create_app(app_config)
    yield other
    other.extensions["regiospiegel.reports"].close()
    db.dispose(other)


def same_browser_on(app: Flask, browser: FlaskClient) -> FlaskClient:
    """A browser on ``app`` holding ``browser``'s session cookie (the same person)."""
    cookie = browser.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def run_worker(app: Flask) -> bool:
    """Work the app's report queue in this process until it is empty; whether it did a job."""
    # RQ installs its own SIGINT/SIGTERM handlers; give pytest its own back afterwards.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return report_worker(app).work(burst=True, logging_level="WARNING")
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def queued(app: Flask) -> QueuedReportJobs:
    """The app's report jobs, which must be the queued kind."""
    jobs = app.extensions["regiospiegel.reports"]
    assert isinstance(jobs, QueuedReportJobs)
    return jobs


def waiting_jobs(app: Flask) -> int:
    """How many jobs wait on the app's report queue."""
    jobs = queued(app)
    return Queue(jobs.queue.name, connection=jobs.redis).count


def kept_reports(app: Flask) -> int:
    """How many PDFs the database keeps."""
    with app.app_context():
        return int(db.read_session().scalar(select(func.count()).select_from(ReportPdf)) or 0)


def test_a_report_asked_on_one_server_is_rendered_by_the_worker_and_sent_by_another(
        app, second_app, facilitator_client):
    first = facilitator_client.get(PDF)
    assert first.status_code == 202
    assert "Rapport wordt opgesteld" in first.get_data(as_text=True)
    assert facilitator_client.get(STATUS).get_json()["state"] == "queued"

    browser_b = same_browser_on(second_app, facilitator_client)
    assert browser_b.get(PDF).status_code == 202  # asked again, on B, while queued
    assert browser_b.get(STATUS).get_json()["state"] == "queued"
    assert waiting_jobs(app) == 1

    assert run_worker(app)
    assert queued(app).renders == 1

    download = browser_b.get(PDF)
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")
    assert facilitator_client.get(PDF).data == download.data
    assert facilitator_client.get(STATUS).get_json()["state"] == "done"
    assert kept_reports(app) == 1
    # Neither web server rendered anything itself.
    assert queued(second_app).renderer.pid is None
    assert waiting_jobs(app) == 0


def test_a_report_is_not_queued_again_while_it_waits_and_not_rendered_twice(
        app, second_app, facilitator_client):
    browser_b = same_browser_on(second_app, facilitator_client)
    for browser in (facilitator_client, browser_b, facilitator_client, browser_b):
        assert browser.get(PDF).status_code == 202
    assert waiting_jobs(app) == 1
    run_worker(app)
    assert browser_b.get(PDF).status_code == 200
    assert facilitator_client.get(PDF).status_code == 200
    assert waiting_jobs(app) == 0
    assert queued(app).renders == 1
    assert kept_reports(app) == 1


def test_deleting_an_assessment_deletes_its_kept_report(app, facilitator_client):
    assert facilitator_client.get(PDF).status_code == 202
    run_worker(app)
    assert kept_reports(app) == 1
    with app.app_context():
        management.delete_assessment(1, None)
    assert kept_reports(app) == 0


def test_a_failed_render_ends_as_failed_with_the_friendly_page_and_can_be_retried(
        app, second_app, facilitator_client):
    queued(app).renderer.limits = RenderLimits(seconds=0.01)
    assert facilitator_client.get(PDF).status_code == 202
    run_worker(app)

    browser_b = same_browser_on(second_app, facilitator_client)
    status = browser_b.get(STATUS).get_json()
    assert status["state"] == "failed"
    assert "longer than" in status["message"]
    page = browser_b.get(PDF)
    assert page.status_code == 202
    text = page.get_data(as_text=True)
    assert FAILED_PAGE in text and "Opnieuw proberen" in text
    assert "Traceback" not in text
    assert waiting_jobs(app) == 0  # a failed report is not asked again by itself
    assert kept_reports(app) == 0

    queued(app).renderer.limits = RenderLimits(seconds=60)
    assert browser_b.get(PDF + "?opnieuw=1").status_code == 202
    assert waiting_jobs(app) == 1
    run_worker(app)
    assert facilitator_client.get(PDF).status_code == 200


def test_an_unreachable_redis_gives_the_friendly_page_not_an_error(
        app_config, redis_prefix):
    # Rate limits stay on the working Redis; the report queue points where nothing listens.
    broken = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    try:
        from assessment import demo as demo_module

        with broken.app_context():
            demo_module.seed()
        browser = broken.test_client()
        login(browser, "demo@regiospiegel.nl", "demo-regiospiegel")
        page = browser.get(PDF)
        assert page.status_code == 202
        assert FAILED_PAGE in page.get_data(as_text=True)
        status = browser.get(STATUS).get_json()
        assert status["state"] == "failed"
        assert "cannot be reached" in status["message"]
        assert browser.get("/begeleider/scans/1").status_code == 200
    finally:
        broken.extensions["regiospiegel.reports"].close()
        db.dispose(broken)


def test_the_worker_command_renders_what_a_web_server_queued(
        app, second_app, facilitator_client, app_config, tmp_path):
    assert facilitator_client.get(PDF).status_code == 202
    environment = {
        **os.environ, "DATABASE_URL": str(app_config["DATABASE_URL"]),
        "REDIS_URL": REDIS_URL, "REDIS_PREFIX": str(app_config["REDIS_PREFIX"]),
        "SECRET_KEY": str(app_config["SECRET_KEY"]), "REGIOSPIEGEL_ENV": "production",
        "BASE_URL": "http://regiospiegel.test", "TRUSTED_HOSTS": "regiospiegel.test",
        "REPORT_CACHE_DIR": str(tmp_path / "worker-cache"),
        # Beside the other tests a lowered report process waits for the processor.
        "REPORT_NICENESS": "0",
    }
    command = Path(sys.executable).parent / "regiospiegel"
    finished = subprocess.run([str(command), "worker", "--burst"], env=environment,
                              capture_output=True, text=True, timeout=180, check=False)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "report worker" in finished.stdout
    download = same_browser_on(second_app, facilitator_client).get(PDF)
    assert download.status_code == 200
    assert download.data.startswith(b"%PDF")
    assert kept_reports(app) == 1


def test_the_worker_command_without_redis_says_what_to_set(db_url):
    environment = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "x"}
    environment.pop("REDIS_URL", None)
    command = Path(sys.executable).parent / "regiospiegel"
    finished = subprocess.run([str(command), "worker", "--burst"], env=environment,
                              capture_output=True, text=True, timeout=60, check=False)
    assert finished.returncode == 1
    assert "set REDIS_URL" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_a_join_limit_reached_on_one_server_is_refused_by_the_other(
        app_config, redis_prefix):
    settings = {**app_config, "JOIN_RATE_LIMIT": "3 per 10 minutes"}
    server_a, server_b = create_app(settings), create_app(settings)
    try:
        browser_a, browser_b = server_a.test_client(), server_b.test_client()
        for _attempt in range(3):
            assert browser_a.get("/d/ZZZZ99").status_code == 404  # unknown code: counts
        refused = browser_b.get("/d/ZZZZ98")
        assert refused.status_code == 429
        assert "Even wachten" in refused.get_data(as_text=True)
        # The count lives in Redis under this test's prefix, not in either process.
        client = reachable_redis()
        assert list(client.scan_iter(match=f"{redis_prefix}limits*"))
        client.close()
    finally:
        for server in (server_a, server_b):
            server.extensions["regiospiegel.reports"].close()
            db.dispose(server)


def test_without_redis_the_report_jobs_stay_in_the_server(db_url, tmp_path):
    local = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": db_url,
                        "REPORT_CACHE_DIR": str(tmp_path / "reports"),
                        **config.redis_settings(None)})
    try:
        assert isinstance(local.extensions["regiospiegel.reports"], LocalReportJobs)
        assert local.config["RATELIMIT_STORAGE_URI"] == config.DATABASE_LIMITS_URI
    finally:
        local.extensions["regiospiegel.reports"].close()
        db.dispose(local)


def test_without_redis_a_failure_shows_in_every_process_of_the_server(tmp_path):
    static = PROJECT_ROOT / "assessment" / "static"
    # Two gunicorn workers of one server: separate job tables, one cache directory.
    first = LocalReportJobs(Renderer(static, RenderLimits(seconds=0.01)), tmp_path)
    second = LocalReportJobs(Renderer(static), tmp_path)
    try:
        assert second.status("abc") is None
        with pytest.raises(RenderError):
            first.render_now("abc", "<html><body><p>Hallo</p></body></html>")
        status = second.status("abc")
        assert status is not None and status.state is JobState.FAILED
        assert "longer than" in status.message
        # "Opnieuw proberen" on the other process renders again.
        assert second.submit("abc", "<html><body><p>Hallo</p></body></html>").state \
            is JobState.QUEUED
        second.close()  # waits for the render
        assert second.cached_pdf("abc").startswith(b"%PDF")
        assert not (tmp_path / "abc.failed").exists()
    finally:
        first.close()
        second.close()


# -- nothing left behind (issue 19) ------------------------------------------------------


def current_report_key(app: Flask) -> str:
    """The report key of the demo scan's report as a download would ask for it now."""
    with app.app_context():
        assessment = db.read_session().get(Assessment, 1)
        static = Path(app.static_folder or "").resolve().as_uri() + "/"
        return report_key(report_html(report_context(assessment), static))


def redis_names_with(client: Redis, prefix: str, text: str) -> list[bytes]:
    """This test's Redis keys (``prefix``) whose name holds ``text``.

    Only this test's: another test's demo scan renders the same report, with the same key.
    """
    marker = prefix.rstrip(":")
    return list(client.scan_iter(match=f"*{marker}*{text}*", count=1000))


def add_action(app: Flask, action: str) -> None:
    """An agreed action, which changes the report (a new version)."""
    with app.app_context(), db.write_transaction() as session:
        session.add(ActionItem(assessment_id=1, lesson_id=None, action=action,
                               owner="Griffie", term="Q3"))


def test_the_report_html_leaves_redis_once_the_worker_took_it(app, facilitator_client,
                                                              redis_prefix):
    assert facilitator_client.get(PDF).status_code == 202
    key = current_report_key(app)
    run_worker(app)
    assert facilitator_client.get(PDF).status_code == 200
    client = reachable_redis()
    try:
        for name in redis_names_with(client, redis_prefix, key):
            if client.type(name) == b"string":
                assert b"<html" not in client.get(name)
        job = queued(app)._job(key)
        if job is not None:
            assert not any("<html" in str(argument) for argument in job.args)
    finally:
        client.close()


def test_deleting_a_scan_removes_its_reports_from_redis_and_the_database(
        app, facilitator_client, redis_prefix):
    assert facilitator_client.get(PDF).status_code == 202
    first = current_report_key(app)
    run_worker(app)
    add_action(app, "Regioavond voor raden")
    assert facilitator_client.get(PDF).status_code == 202
    second = current_report_key(app)
    run_worker(app)
    assert facilitator_client.get(PDF).status_code == 200
    assert kept_reports(app) == 1  # the newer version replaced the older
    add_action(app, "Over een jaar opnieuw scannen")
    assert facilitator_client.get(PDF).status_code == 202
    third = current_report_key(app)
    assert waiting_jobs(app) == 1

    page = facilitator_client.get("/begeleider/scans/1/verwijderen")
    deleted = facilitator_client.post("/begeleider/scans/1/verwijderen", data={
        "csrf_token": csrf_token(page), "confirm": DEMO_JOIN_CODE})
    assert deleted.status_code == 302
    assert kept_reports(app) == 0
    assert waiting_jobs(app) == 0
    client = reachable_redis()
    try:
        for key in (first, second, third):
            assert redis_names_with(client, redis_prefix, key) == []
            for registry in redis_names_with(client, redis_prefix, ""):
                if client.type(registry) == b"zset":
                    assert not any(key.encode() in member
                                   for member in client.zrange(registry, 0, -1))
    finally:
        client.close()
    assert not run_worker(app)
    assert kept_reports(app) == 0
