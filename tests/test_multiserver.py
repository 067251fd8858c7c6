"""Several app servers for real: two gunicorn servers, one PostgreSQL database, one Redis.

The deployment of docs/deploy.md on the loopback interface: a fresh PostgreSQL database
(migrated with `regiospiegel db upgrade`), two gunicorn servers on free ports sharing it, one
Redis (a key prefix of this run) and one `regiospiegel worker`. 200 simulated participants
(threads, each with its own cookie jar, taking CSRF tokens from the forms like a browser)
send every request to the other server than the one before. Then:

- every acknowledged answer is stored exactly once, with the last value sent;
- a report asked for on server A is rendered by the worker and downloaded from server B
  (the facilitator's session cookie from A works on B: the servers share SECRET_KEY);
- the per-client join limit used up on server A with wrong codes is refused on server B.

Bounded: loopback only, a deadline on every request and on the run; the servers and the
worker are killed, the database dropped and the Redis keys deleted, whatever happens.
Skips without PostgreSQL (``TEST_POSTGRES_URL``, else ``TEST_DATABASE_URL``, else
postgres@127.0.0.1:5432) or Redis (``TEST_REDIS_URL``), unless
``REGIOSPIEGEL_REQUIRE_SERVICES=1``, then it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, pool, text
from sqlalchemy.exc import OperationalError

from assessment import create_app, db, management, questionnaire_files
from assessment.config import PROJECT_ROOT
from assessment.models import Assessment, Status
from assessment.participation import hash_token
from questions.loader import CONTENT_DIR, load_questionnaire
from tests.loopback import CONNECTION_ERRORS, Browser, Reply, free_port, hidden_value
from tests.reports.test_report_queue import (
    REDIS_URL,
    REQUIRE_SERVICES,
    delete_keys,
    reachable_redis,
)

#: Its own servers and databases: the same test whichever database the suite runs on.
pytestmark = pytest.mark.servers

POSTGRES_URL = (os.environ.get("TEST_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL")
                or "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "multiserver-secret-shared-by-both-servers"
PASSWORD = "lang-genoeg-wachtwoord"
PARTICIPANTS = 200
#: Participants answering at the same moment (each a thread with its own cookie jar).
AT_ONCE = 32
#: The per-client join limit both servers run with, so the test can use it up quickly.
JOIN_LIMIT = 5
#: Seconds for the whole run of participants, for a server to start and for the report.
RUN_DEADLINE = 150.0
START_TIMEOUT = 45.0
REPORT_DEADLINE = 120.0

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
LESSONS = {lesson.id: lesson for lesson in QUESTIONNAIRE.lessons[:2]}
PROFILE = {q.id: [o.id for o in q.options] for q in QUESTIONNAIRE.profile}
PAGES = ("profiel", *LESSONS)
VALUES = ("1", "2", "3", "4", "5", "weet_niet", "nvt")
VENV_BIN = Path(sys.executable).parent


def _skip_or_fail(message: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}; REGIOSPIEGEL_REQUIRE_SERVICES=1 requires it")
    pytest.skip(message)


# -- the deployment -----------------------------------------------------------------------


class Process:
    """A server or worker in its own process group, its output in a log file."""

    def __init__(self, name: str, command: list[str], environment: dict[str, str],
                 log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("ab") as output:
            self.popen = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env={**os.environ, **environment}, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.popen.poll() is None

    def group(self) -> list[int]:
        """The processes of its group: the master and every process it started."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[2]) == self.popen.pid:  # field 5 of stat: the process group
                    found.append(int(entry.name))
        return found

    def stop(self) -> None:
        """TERM the whole group, then KILL what is left; never leaves a process behind."""
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            if self.popen.poll() is not None:
                break
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.popen.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError):  # workers left by a master that died
            os.killpg(self.popen.pid, signal.SIGKILL)
        if self.popen.poll() is None:
            self.popen.wait(timeout=10)

    def output(self) -> str:
        """The end of its log, for a failure message."""
        return self.log.read_text(errors="replace")[-4000:]


@dataclass
class Deployment:
    """Two servers, a worker, and what the test needs to reach and check them."""

    database_url: str
    code: str
    owner_email: str
    servers: list[str] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)

    def wait_until_answering(self, process: Process, base_url: str) -> None:
        """Wait until a server answers GET /, or fail with its log."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not process.alive():
                raise AssertionError(f"{process.name} exited:\n{process.output()}")
            try:
                with urllib.request.urlopen(base_url + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, *CONNECTION_ERRORS):
                time.sleep(0.2)
        raise AssertionError(f"{process.name} did not answer in time:\n{process.output()}")


def _admin_engine() -> Engine:
    engine = create_engine(db.normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT",
                           poolclass=pool.NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        _skip_or_fail(f"PostgreSQL is not reachable at {POSTGRES_URL} "
                      f"({str(exc).splitlines()[0]})")
    return engine


def _seed(database_url: str, tmp_path: Path) -> tuple[str, str]:
    """An owner and an open assessment in the fresh database; the join code and e-mail."""
    app = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": database_url,
                      "REPORT_CACHE_DIR": str(tmp_path / "seed-reports")})
    try:
        with app.app_context():
            owner = management.create_facilitator("meerdere@example.nl", PASSWORD)
            assessment_id = management.create_assessment(
                owner, "Regio Twee", "Twee servers",
                questionnaire_files.available()[("tien-lessen", "nl")])
            management.set_status(assessment_id, Status.OPEN)
            assessment = db.read_session().get(Assessment, assessment_id)
            assert assessment is not None
            return str(assessment.join_code), "meerdere@example.nl"
    finally:
        app.extensions["regiospiegel.reports"].close()
        db.dispose(app)


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    """The migrated database, two gunicorn servers and a worker; all gone afterwards."""
    redis = reachable_redis()
    admin = _admin_engine()
    name = f"regiospiegel_multiserver_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    marker = f"rs-multi-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    database_url = make_url(db.normalise_url(POSTGRES_URL)).set(database=name) \
        .render_as_string(hide_password=False)
    processes: list[Process] = []
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        migrated = subprocess.run(
            [str(VENV_BIN / "regiospiegel"), "db", "upgrade"], cwd=PROJECT_ROOT,
            env={**os.environ, "DATABASE_URL": database_url}, capture_output=True,
            text=True, timeout=120, check=False)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        code, owner = _seed(database_url, tmp_path)
        ports = [free_port(), free_port()]
        shared = {
            "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
            "REGIOSPIEGEL_ENV": "production", "REDIS_URL": REDIS_URL,
            "REDIS_PREFIX": f"{marker}:", "JOIN_RATE_LIMIT": f"{JOIN_LIMIT} per 10 minutes",
            "BASE_URL": f"http://127.0.0.1:{ports[0]}", "TRUSTED_HOSTS": "127.0.0.1",
        }
        found = Deployment(database_url, code, owner, processes=processes)
        for letter, port in zip("AB", ports, strict=True):
            server = Process(f"server {letter}", [
                str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py"], {
                **shared, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
                "GUNICORN_THREADS": "4",
                # Each server its own cache directory: only the database is shared.
                "REPORT_CACHE_DIR": str(tmp_path / f"reports-{letter}")},
                tmp_path / f"server-{letter}.log")
            processes.append(server)
            found.servers.append(f"http://127.0.0.1:{port}")
        processes.append(Process("worker", [str(VENV_BIN / "regiospiegel"), "worker"], {
            **shared, "REPORT_CACHE_DIR": str(tmp_path / "reports-worker")},
            tmp_path / "worker.log"))
        for server, base_url in zip(processes, found.servers, strict=False):
            found.wait_until_answering(server, base_url)
        yield found
    finally:
        for process in processes:
            process.stop()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
        delete_keys(redis, marker)
        redis.close()


# -- the people ---------------------------------------------------------------------------


class AlternatingBrowser(Browser):
    """One browser (one cookie jar) that sends each request to the next server in turn."""

    def __init__(self, servers: list[str], first: int = 0) -> None:
        super().__init__(servers[first])
        self.servers = servers
        self.turn = first
        self.seen: set[str] = set()

    def _send(self, request: urllib.request.Request) -> Reply:
        server = self.servers[self.turn % len(self.servers)]
        self.turn += 1
        self.seen.add(server)
        path = request.full_url.removeprefix(self.base_url)
        request.full_url = server + path
        self.base_url = server
        return super()._send(request)


class Participant:
    """Joins, answers the profile and two lessons (a page now and then sent twice), submits."""

    def __init__(self, index: int, servers: list[str], code: str, deadline: float) -> None:
        self.rng = random.Random(7000 + index)
        self.browser = AlternatingBrowser(servers, first=index % 2)
        self.code = code
        self.deadline = deadline
        self.token = ""
        self.acknowledged: dict[str, str] = {}  # statement id -> last value acknowledged
        self.statuses: list[int] = []

    def send(self, path: str, data: dict[str, str] | None = None) -> Reply:
        """One request; no 5xx, and within the run's deadline."""
        assert time.monotonic() < self.deadline, "the run took too long"
        reply = self.browser.get(path) if data is None else self.browser.post(path, data)
        self.statuses.append(reply.status)
        assert reply.status < 500, f"{path}: {reply.status}\n{reply.body[:1500]}"
        return reply

    def run(self) -> None:
        """The participant's path through the scan."""
        welcome = self.send(f"/d/{self.code}")
        assert welcome.status == 200, welcome.status
        started = self.send(f"/d/{self.code}", {
            "csrf_token": hidden_value(welcome.body, "csrf_token"),
            "start_key": hidden_value(welcome.body, "start_key")})
        assert started.status == 302, started.status
        self.token = started.location.split("/")[2]
        for page_id in PAGES:
            page = self.send(f"/r/{self.token}/{page_id}")
            assert page.status == 200, (page_id, page.status)
            csrf = hidden_value(page.body, "csrf_token")
            data = self.answers(page_id)
            for _time in range(1 + (self.rng.random() < 0.2)):  # sometimes a double click
                saved = self.send(f"/r/{self.token}/{page_id}",
                                  {"csrf_token": csrf, "action": "volgende", **data})
                assert saved.status == 302, (page_id, saved.status, saved.body[:1500])
                self.acknowledged.update(
                    {name[2:]: value for name, value in data.items() if name.startswith("a_")})
        review = self.send(f"/r/{self.token}/overzicht")
        done = self.send(f"/r/{self.token}/verzenden",
                         {"csrf_token": hidden_value(review.body, "csrf_token")})
        assert done.status == 302, done.status

    def answers(self, page_id: str) -> dict[str, str]:
        """What the participant fills in on a page."""
        if page_id == "profiel":
            return {f"p_{q}": self.rng.choice(options) for q, options in PROFILE.items()}
        statements = LESSONS[page_id].statements
        chosen = self.rng.sample(statements, self.rng.randint(1, len(statements)))
        return {f"a_{s.id}": self.rng.choice(VALUES) for s in chosen}


def _run_participants(servers: list[str], code: str) -> list[Participant]:
    deadline = time.monotonic() + RUN_DEADLINE
    people = [Participant(i, servers, code, deadline) for i in range(PARTICIPANTS)]
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run(person: Participant) -> None:
        try:
            person.run()
        except BaseException as exc:  # collected, so the test reports it
            with lock:
                failures.append(exc)

    with ThreadPoolExecutor(max_workers=AT_ONCE, thread_name_prefix="deelnemer") as pool_:
        list(pool_.map(run, people))
    assert not failures, f"{len(failures)} participants failed; first: {failures[0]!r}"
    return people


def _stored_answers(database_url: str) -> tuple[list[tuple[str, str, str]], int]:
    """(token hash, statement, value) of every stored answer, and the submitted count."""
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            rows = [(str(h), str(s), str(v)) for h, s, v in connection.execute(text(
                "SELECT r.token_hash, a.statement_id, a.value FROM answer a "
                "JOIN respondent r ON r.id = a.respondent_id"))]
            submitted = connection.execute(text(
                "SELECT count(*) FROM respondent WHERE submitted_at IS NOT NULL")).scalar_one()
    finally:
        engine.dispose()
    return rows, int(submitted)


# -- the test -----------------------------------------------------------------------------


def test_two_servers_share_answers_reports_and_limits(deployment: Deployment) -> None:
    servers = deployment.servers
    people = _run_participants(servers, deployment.code)
    assert all(person.browser.seen == set(servers) for person in people)

    rows, submitted = _stored_answers(deployment.database_url)
    expected = {(hash_token(p.token), statement): value
                for p in people for statement, value in p.acknowledged.items()}
    stored = {(h, s): v for h, s, v in rows}
    assert len(stored) == len(rows), "an answer is stored more than once"
    assert stored == expected
    assert submitted == PARTICIPANTS

    # The facilitator logs in on A, asks for the report there, and gets it from B.
    facilitator = Browser(servers[0])
    login = facilitator.get("/begeleider/inloggen")
    assert facilitator.post("/begeleider/inloggen", {
        "csrf_token": hidden_value(login.body, "csrf_token"),
        "email": deployment.owner_email, "password": PASSWORD}).status == 302
    asked = facilitator.get("/begeleider/scans/1/rapport.pdf")
    assert asked.status == 202 and "Rapport wordt opgesteld" in asked.body
    facilitator.base_url = servers[1]  # the same browser, its cookie, the other server
    deadline = time.monotonic() + REPORT_DEADLINE
    state = ""
    while state not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.5)
        status = facilitator.get("/begeleider/scans/1/rapport/status")
        assert status.status == 200, status.status
        state = json.loads(status.body)["state"]
    worker = deployment.processes[2]
    assert state == "done", f"report {state or 'not ready'}; worker log:\n{worker.output()}"
    request = urllib.request.Request(servers[1] + "/begeleider/scans/1/rapport.pdf")
    with facilitator.opener.open(request, timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.read(5) == b"%PDF-"
    # The web servers rendered nothing themselves: no renderer process under either.
    for server in deployment.processes[:2]:
        for pid in server.group():
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            assert b"multiprocessing" not in command, f"{server.name} started a renderer"

    # Wrong codes on A use up the per-client join limit; B refuses the next one too.
    wrong_a, wrong_b = Browser(servers[0]), Browser(servers[1])
    for attempt in range(JOIN_LIMIT):
        assert wrong_a.get(f"/d/ZZZZ{attempt:02d}").status == 404
    refused = wrong_b.get("/d/ZZZZ99")
    assert refused.status == 429, refused.status
    assert "Even wachten" in refused.body
