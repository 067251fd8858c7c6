"""Rate limits counted in the database: one count for every process, without Redis.

Under gunicorn every worker is its own process; counted in each process's memory, ten
failed logins allowed per client became ten per worker. Without ``REDIS_URL`` the limits
are therefore counted in the app's database (:mod:`assessment.rate_limits`). The last test
starts two real server processes on one database and sends a client's requests to each in
turn: the limit holds for the two together; the test after it does the same for one
gunicorn with three workers, as `make serve` runs it.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from assessment import config, db
from assessment.extensions import limiter
from assessment.models import RateLimitCounter
from assessment.rate_limits import DatabaseStorage
from tests.conftest import SECRET
from tests.loopback import START_TIMEOUT, Browser, Server, ServerGone, free_port, hidden_value


def test_without_redis_the_limits_are_counted_in_the_database(app: Flask) -> None:
    assert app.config["RATELIMIT_STORAGE_URI"] == config.DATABASE_LIMITS_URI
    assert isinstance(limiter.storage, DatabaseStorage)


def test_a_counter_adds_up_within_its_window_and_starts_again_after_it(app: Flask) -> None:
    storage = DatabaseStorage()
    with app.app_context():
        assert storage.get("LIMITER/10.0.0.1/login") == 0
        assert storage.incr("LIMITER/10.0.0.1/login", 600) == 1
        assert storage.incr("LIMITER/10.0.0.1/login", 600, amount=2) == 3
        assert storage.incr("LIMITER/10.0.0.2/login", 600) == 1
        assert storage.get("LIMITER/10.0.0.1/login") == 3
        # The window has passed: the counter counts as zero, and the next hit starts anew.
        with db.write_transaction() as session:
            session.execute(update(RateLimitCounter).values(expires_at=0.0))
        assert storage.get("LIMITER/10.0.0.1/login") == 0
        assert storage.incr("LIMITER/10.0.0.1/login", 600) == 1
        storage.clear("LIMITER/10.0.0.1/login")
        assert storage.get("LIMITER/10.0.0.1/login") == 0
        assert storage.check()


def test_the_table_holds_no_client_address_or_account(app: Flask, client) -> None:
    client.post("/begeleider/inloggen", data={"email": "iemand@example.nl",
                                              "password": "fout"},
                environ_base={"REMOTE_ADDR": "192.0.2.77"})
    client.get("/d/ZZZZ99", environ_base={"REMOTE_ADDR": "192.0.2.77"})
    with app.app_context():
        keys = db.read_session().scalars(select(RateLimitCounter.key)).all()
    assert keys, "the wrong code was counted in the database"
    assert all("192.0.2.77" not in key and "example" not in key and len(key) == 64
               for key in keys)


@pytest.mark.servers
def test_two_server_processes_count_one_limit_together(db_url: str, tmp_path: Path) -> None:
    """Wrong codes sent to two processes in turn are refused after the limit, not twice it."""
    limit = 4
    db.upgrade(db_url)
    servers = []
    for name in ("a", "b"):
        port = free_port()
        servers.append(Server(port, {
            "DATABASE_URL": db_url, "SECRET_KEY": SECRET, "REDIS_URL": "",
            "BASE_URL": f"http://127.0.0.1:{port}", "REGIOSPIEGEL_ENV": "development",
            "REPORT_CACHE_DIR": str(tmp_path / f"reports-{name}"),
            "JOIN_RATE_LIMIT": f"{limit} per 10 minutes"}, tmp_path / f"server-{name}.log"))
    try:
        for server in servers:
            server.start()
        browsers = [Browser(server.base_url) for server in servers]
        statuses = [browsers[i % 2].get(f"/d/ZZZZ{i:02d}").status for i in range(limit + 2)]
    finally:
        for server in servers:
            server.kill()
    assert statuses == [404] * limit + [429, 429]


@pytest.mark.servers
def test_under_gunicorn_the_workers_count_failed_logins_together(
        db_url: str, tmp_path: Path) -> None:
    """`make serve`'s gunicorn with three workers: the 11th failed login is refused.

    Which worker takes a connection is up to the kernel; counted in each worker's memory the
    11th was let through in every trial run. The test above is the deterministic one.
    """
    from tests.test_multiserver import VENV_BIN, Process

    db.upgrade(db_url)
    port = free_port()
    server = Process("gunicorn", [str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py"], {
        "DATABASE_URL": db_url, "SECRET_KEY": SECRET, "REDIS_URL": "",
        "REGIOSPIEGEL_ENV": "production", "BASE_URL": f"http://127.0.0.1:{port}",
        "TRUSTED_HOSTS": "127.0.0.1",
        "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "1",
        "REPORT_CACHE_DIR": str(tmp_path / "reports")}, tmp_path / "gunicorn.log")
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        _wait_until_answering(server, browser)
        limit = 10  # LOGIN_RATE_LIMIT's default
        statuses = []
        for _ in range(limit + 2):
            page = browser.get("/begeleider/inloggen")
            statuses.append(browser.post("/begeleider/inloggen", {
                "csrf_token": hidden_value(page.body, "csrf_token"),
                "email": "niemand@example.nl", "password": "fout-fout-fout"}).status)
    finally:
        server.stop()
    assert statuses == [401] * limit + [429, 429]


def _wait_until_answering(server: Any, browser: Browser) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.alive(), server.output()
        with contextlib.suppress(ServerGone, OSError):
            if browser.get("/").status == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer in time:\n{server.output()}")
