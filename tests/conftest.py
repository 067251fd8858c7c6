"""Fixtures: an app on a fresh database per test, its client and CLI runner.

The database is a fresh SQLite file per test, copied from one migrated file. With
``TEST_DATABASE_URL`` set to a PostgreSQL server, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test`` (that database is only the entry point
for creating others), every test gets its own PostgreSQL database instead, as new as a clone
of a template migrated once per run (``tests/postgres_databases.py``). Their names carry the
process id, so two runs at once never meet; whatever a run creates, it drops. ``db_dialect``
tells a test which one it runs on.
"""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from assessment import create_app, db
from assessment.config import PROJECT_ROOT
from assessment.extensions import limiter
from reports.render import Renderer, RenderLimits
from reports.report_jobs import LocalReportJobs
from tests import compiled_once, compiled_sql
from tests.helpers import Participant, login
from tests.mail_server import MailServer
from tests.postgres_databases import PostgresDatabases

compiled_once.share()
compiled_sql.share()

SECRET = "test-secret-key-not-for-production"
#: Every test app's settings, to which a test adds its database and the like. Passwords are
#: hashed cheaply (scrypt costs a tenth of a second by design; the suite makes hundreds).
TEST_SETTINGS: dict[str, object] = {
    "TESTING": True, "SECRET_KEY": SECRET, "BASE_URL": "http://regiospiegel.test",
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
}
#: Where the tests' PostgreSQL databases are made; unset means SQLite.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Iterator[object]:
    """Collect with the garbage collector paused, then leave what it loaded out of its walks.

    Collecting imports the tests, the app and its libraries: hundreds of thousands of objects
    that a test process holds for the whole run, and that every full collection walks again.
    Paused, collecting took 2.3–2.7 s instead of 4.1–4.4 s; frozen afterwards, a run of the
    participant, export and paper tests took 15–20 % less CPU (2026-11-30, by turns).
    """
    gc.disable()
    try:
        return (yield)
    finally:
        gc.collect()
        gc.freeze()
        gc.enable()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Hand out the long tests first, so that the short ones fill the workers' last minutes.

    ``make test`` runs the browser tests and the several-server tests in the same
    pytest-xdist run as the others. A browser test takes 3–25 s; handed out last, one of them
    would keep a worker busy while the other has nothing left to do. The several-server
    tests make their own databases, Redis prefixes and ports, so they may run beside each
    other. The order within each kind stays as collected. ``make test`` hands out two tests
    at a time (``--maxschedchunk 2``); pytest-xdist's first chunk would otherwise be a
    quarter of a worker's share, and every browser test would go to the first worker.
    """
    def kind(item: pytest.Item) -> int:
        if item.get_closest_marker("browser") is not None:
            return 0
        return 1 if item.get_closest_marker("servers") is not None else 2

    items.sort(key=kind)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database file migrated once; each SQLite test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db.upgrade(f"sqlite:///{path}")
    return path


def seed_demo(url: str) -> None:
    """Seed the demo as the ``demo`` fixture has it into the database at ``url``."""
    from assessment import demo as demo_module

    application = create_app({**TEST_SETTINGS, "DATABASE_URL": url})
    try:
        with application.app_context():
            demo_module.seed(session_held=False, programme=False)
    finally:
        application.extensions["regiospiegel.reports"].close()
        db.dispose(application)


@pytest.fixture(scope="session")
def demo_db(migrated_db: Path) -> Path:
    """An SQLite file with the demo seeded once; tests that ask for the demo get a copy.

    Seeding takes a good part of a second (28 respondents and a vote), and some 300 tests
    use the demo: copying a seeded file saves minutes a run.
    """
    path = migrated_db.with_name("demo.sqlite3")
    shutil.copy(migrated_db, path)
    seed_demo(f"sqlite:///{path}")
    # Everything in the file itself, so a copy of the file alone is the whole database.
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases | None]:
    """The run's PostgreSQL databases when ``TEST_DATABASE_URL`` is set, else None."""
    if not TEST_DATABASE_URL:
        yield None
        return
    databases = PostgresDatabases(TEST_DATABASE_URL, seed_demo)
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def db_dialect(postgres_databases: PostgresDatabases | None) -> str:
    """The database the tests run on: "sqlite" or "postgresql" (SQLAlchemy's dialect name)."""
    return "sqlite" if postgres_databases is None else "postgresql"


@pytest.fixture(scope="session")
def new_db_url(
    postgres_databases: PostgresDatabases | None, migrated_db: Path,
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest,
) -> Callable[..., str]:
    """Make another fresh, migrated database on the tests' database; returns its URL.

    For tests that need a second database (an import into another installation) or one
    shared by a module; ``with_demo=True`` starts it with the demo seeded. Databases made
    here are dropped at the end of the run.
    """
    def new(*, with_demo: bool = False) -> str:
        if postgres_databases is not None:
            return postgres_databases.new(with_demo=with_demo)
        target = tmp_path_factory.mktemp("db") / "regiospiegel.sqlite3"
        shutil.copy(request.getfixturevalue("demo_db") if with_demo else migrated_db, target)
        return f"sqlite:///{target}"

    return new


@contextmanager
def app_of_its_own(url: str, cache_dir: Path,
                   warm: Renderer | None = None) -> Iterator[Flask]:
    """A test app on the database at ``url``, for a fixture shared by a module."""
    application = create_app({**TEST_SETTINGS, "DATABASE_URL": url,
                              "REPORT_CACHE_DIR": str(cache_dir)})
    try:
        with lent_renderer(application, warm):
            yield application
    finally:
        application.extensions["regiospiegel.reports"].close()
        db.dispose(application)


@pytest.fixture
def db_url(
    postgres_databases: PostgresDatabases | None, migrated_db: Path, tmp_path: Path,
    request: pytest.FixtureRequest,
) -> Iterator[str]:
    """A fresh, migrated database for this test: an SQLite file, or a PostgreSQL database.

    A test that uses the ``demo`` fixture (itself or through another) starts from a copy
    with the demo seeded already.
    """
    with_demo = "demo" in request.fixturenames
    if postgres_databases is not None:
        url = postgres_databases.new(with_demo=with_demo)
        yield url
        postgres_databases.hand_back(url)
        return
    target = tmp_path / "regiospiegel.sqlite3"
    shutil.copy(request.getfixturevalue("demo_db") if with_demo else migrated_db, target)
    yield f"sqlite:///{target}"


@pytest.fixture
def app_config(db_url: str, tmp_path: Path) -> dict[str, object]:
    """The test app's settings; tests may change them before asking for ``app``."""
    return {**TEST_SETTINGS, "DATABASE_URL": db_url,
            "REPORT_CACHE_DIR": str(tmp_path / "reports")}


#: The warm report process's limits: a server's, but at normal priority. A server lowers the
#: report's priority so that participants' requests go first; in the tests the only other
#: work is the test waiting for the report, and a lowered report starves behind the tests
#: running beside it.
WARM_LIMITS = RenderLimits(niceness=0)


class RememberingRenderer(Renderer):
    """A report process that renders an HTML document once per test run.

    Rendering is deterministic: the same HTML with the same code, stylesheets and fonts gives
    the same PDF. Many tests render the same report (the demo scan's, on a database copied
    from one file), each in an app of its own; this one keeps each PDF in ``folder``, shared
    by the run's test processes, beside how long its render took, and hands it out again.
    A render that took longer than the current time limit is rendered again, so a test of
    the limit still meets it; failures are never kept. ``folder`` lives one run.
    """

    def __init__(self, static_dir: Path, limits: RenderLimits, folder: Path) -> None:
        super().__init__(static_dir, limits)
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def render(self, html: str) -> bytes:
        key = hashlib.sha256(html.encode()).hexdigest()
        pdf_path, took_path = self.folder / f"{key}.pdf", self.folder / f"{key}.seconds"
        with suppress(FileNotFoundError, ValueError):
            if float(took_path.read_text()) <= self.limits.seconds:
                return pdf_path.read_bytes()
        started = time.perf_counter()
        pdf = super().render(html)
        took = time.perf_counter() - started
        # Written whole under a name of this process, then moved: another test process
        # reads either nothing or a complete file, and the PDF before its time.
        for path, content in ((pdf_path, pdf), (took_path, f"{took:.3f}".encode())):
            partial = path.with_name(f"{path.name}.{os.getpid()}")
            partial.write_bytes(content)
            partial.replace(path)
        return pdf


@pytest.fixture(scope="session")
def warm_renderer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renderer]:
    """One report process for the run's apps, kept warm from one test to the next.

    Each app starts its own report process on its first render (as a server does once);
    a test process makes hundreds of apps, and starting the process and loading WeasyPrint
    and its fonts anew costs seconds a report test. The test apps borrow this one instead
    (see :func:`lent_renderer`). It renders each document once per run
    (:class:`RememberingRenderer`), in a folder all the run's test processes share.
    """
    run_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_folder = run_folder.parent  # the workers' folders are in the run's
    renderer = RememberingRenderer(PROJECT_ROOT / "assessment" / "static", WARM_LIMITS,
                                   run_folder / "rendered-reports")
    yield renderer
    renderer.close()


@contextmanager
def lent_renderer(application: Flask, warm: Renderer | None) -> Iterator[None]:
    """Let ``application`` render in the warm process while the block runs.

    Only an app with the server's memory cap borrows it (a test of the cap keeps its own).
    The app's time limit applies. A test may set other limits; then the process, which may
    have started again with them (after a render over its time limit), is stopped at the
    end, so the next test starts one with the warm limits.
    """
    local = _local_jobs(application)
    own = local.renderer
    if warm is None or (own.static_dir.resolve(), own.limits.memory_mb) != (
            warm.static_dir.resolve(), warm.limits.memory_mb):
        yield
        return
    warm.limits = replace(WARM_LIMITS, seconds=own.limits.seconds)
    local.renderer = warm
    try:
        yield
    finally:
        # A render the test started but did not wait for completes in the warm process (one
        # queued behind it is dropped), not in a process of the app's own started for it.
        local.finish()
        local.renderer = own
        changed = warm.limits
        if (changed.niceness, changed.memory_mb) != (WARM_LIMITS.niceness, WARM_LIMITS.memory_mb):
            warm.close()  # it may have started again with the test's limits
        warm.limits = WARM_LIMITS


@pytest.fixture
def app(app_config: dict[str, object], warm_renderer: Renderer) -> Iterator[Flask]:
    """The app, with rate-limit counters reset, rendering reports in the warm process."""
    application = create_app(app_config)
    with application.app_context():
        limiter.reset()
    with lent_renderer(application, warm_renderer):
        yield application
    application.extensions["regiospiegel.reports"].close()
    application.extensions["regiospiegel.mail"].close()
    db.dispose(application)


def _local_jobs(application: Flask) -> LocalReportJobs:
    """The app's report jobs in this process (behind the queue, when there is one)."""
    jobs = application.extensions["regiospiegel.reports"]
    local: LocalReportJobs = getattr(jobs, "local", jobs)
    return local


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser without cookies."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """The app's CLI."""
    return app.test_cli_runner()


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo facilitator, its filled-in scan as before the session, and the try-out scan.

    Without the session's notes, actions and moderated texts, so the tests of those start
    from a clean slate; tests/assessment/test_demo.py checks the demo as `make run` seeds it.
    """
    from assessment import demo as demo_module

    with app.app_context():
        # Usually the database came seeded (see ``db_url``) and this finds the demo; a test
        # that asks for this fixture only while it runs gets the demo seeded here.
        demo_module.seed(session_held=False, programme=False)


@pytest.fixture
def facilitator_client(app: Flask, demo: None) -> FlaskClient:
    """A browser logged in as the demo facilitator."""
    browser = app.test_client()
    login(browser, "demo@regiospiegel.nl", "demo-regiospiegel")
    return browser


@pytest.fixture
def open_assessment(app: Flask) -> dict[str, object]:
    """A facilitator and an open assessment on the product's questionnaire; no answers."""
    from assessment import management, questionnaire_files
    from assessment.models import Assessment, Status

    with app.app_context():
        owner = management.create_facilitator("begeleider@example.nl", "lang-genoeg-wachtwoord")
        questionnaire = questionnaire_files.available()[("tien-lessen", "nl")]
        assessment_id = management.create_assessment(owner, "Regio Test", "Testscan",
                                                     questionnaire)
        management.set_status(assessment_id, Status.OPEN)
        code = db.read_session().get(Assessment, assessment_id).join_code
    return {"id": assessment_id, "code": code, "owner_id": owner}


@pytest.fixture
def participant(app: Flask, open_assessment: dict[str, object]) -> Participant:
    """A participant who has started the open assessment."""
    person = Participant(app.test_client())
    person.join(str(open_assessment["code"]))
    return person


@pytest.fixture
def discussed_demo(app: Flask, demo: None) -> None:
    """The demo with notes, actions and moderated free texts, as after a session."""
    from sqlalchemy import select

    from assessment.db import write_transaction
    from assessment.models import ActionItem, Comment, LessonNote, Moderation

    with app.app_context(), write_transaction() as session:
        session.add_all([
            LessonNote(assessment_id=1, lesson_id="leiderschap", notes="Beeld verschilt",
                       conclusion="Gesprek met bestuurders plannen"),
            LessonNote(assessment_id=1, lesson_id="legitimiteit", notes="Raden weten weinig",
                       conclusion=""),
            ActionItem(assessment_id=1, lesson_id="legitimiteit", action="Regioavond voor raden",
                       owner="Griffie", term="Q3"),
            ActionItem(assessment_id=1, lesson_id=None, action="Over een jaar opnieuw scannen",
                       owner="Regiobureau", term="2027"),
        ])
        comments = session.scalars(select(Comment).order_by(Comment.id)).all()
        for index, comment in enumerate(comments):
            comment.moderation = (Moderation.INCLUDED if index % 3 == 0 else
                                  Moderation.EXCLUDED if index % 3 == 1 else Moderation.PENDING)


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server on a free loopback port (aiosmtpd) that keeps what it receives."""
    server = MailServer().start()
    yield server
    server.stop()
