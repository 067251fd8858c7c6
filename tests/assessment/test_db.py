"""The database layer: migrations match the models, engine settings, write transactions.

The write-transaction tests run on both databases: on SQLite a second writer queues at
``BEGIN IMMEDIATE``; on PostgreSQL it queues at the row lock the services take. Either way
it must see the first writer's result, never act on what it read before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import create_engine, func, inspect, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from assessment import create_app, db, management, participation
from assessment.exceptions import AlreadySubmitted
from assessment.models import Answer, Assessment, Base, Respondent, Status, utcnow

#: Seconds any thread in these tests may wait for another.
PATIENCE = 10


def test_migrations_match_the_models(db_url):
    engine = create_engine(db.normalise_url(db_url))
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


@pytest.mark.parametrize(("given", "expected"), [
    ("postgres://anna:geheim@db.example:5433/regio",
     "postgresql+psycopg://anna:geheim@db.example:5433/regio"),
    ("postgresql://postgres@127.0.0.1/test", "postgresql+psycopg://postgres@127.0.0.1/test"),
    ("postgresql+psycopg://postgres@127.0.0.1/test",
     "postgresql+psycopg://postgres@127.0.0.1/test"),
    ("postgresql://anna:p%40ss@host/regio", "postgresql+psycopg://anna:p%40ss@host/regio"),
    ("sqlite:///instance/regiospiegel.sqlite3", "sqlite:///instance/regiospiegel.sqlite3"),
])
def test_postgresql_urls_are_normalised_to_the_psycopg_driver(given, expected):
    assert db.normalise_url(given) == expected


def test_a_postgresql_engine_uses_the_pool_settings():
    # Making an engine does not connect, so this needs no PostgreSQL server.
    settings = db.PoolSettings(size=3, max_overflow=4, timeout=5.0, recycle=60)
    engine = db.make_engine("postgres://postgres@127.0.0.1/regio", pool=settings)
    assert engine.dialect.driver == "psycopg"
    assert engine.pool.size() == 3
    assert engine.pool.timeout() == 5.0
    assert engine.pool.overflow() == -3  # no connection yet: overflow counts from -size
    assert engine.pool._max_overflow == 4
    assert engine.pool._recycle == 60
    assert engine.pool._pre_ping is True
    engine.dispose()


def test_pool_settings_come_from_the_environment(monkeypatch, db_url):
    monkeypatch.setenv("DATABASE_POOL_SIZE", "7")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "2")
    monkeypatch.setenv("DATABASE_POOL_TIMEOUT", "12.5")
    monkeypatch.setenv("DATABASE_POOL_RECYCLE", "300")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": db_url})
    assert db.PoolSettings.from_config(app.config) == db.PoolSettings(7, 2, 12.5, 300)
    db.dispose(app)


def test_pool_settings_have_defaults_for_a_gunicorn_worker(db_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": db_url})
    assert db.PoolSettings.from_config(app.config) == db.PoolSettings()
    db.dispose(app)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app, db_dialect):
    if db_dialect != "sqlite":
        pytest.skip("SQLite's own settings (WAL, busy timeout); PostgreSQL has neither")
    with app.app_context(), db.engine().connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_write_transactions_take_the_write_lock_up_front(app, db_dialect):
    """A second writer waits at BEGIN IMMEDIATE until the first commits, so none fails."""
    if db_dialect != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's; on PostgreSQL writers lock rows instead "
                    "(see the tests below, which run on both)")
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = 30_000
    first_has_lock = threading.Event()
    release_first = threading.Event()
    order: list[str] = []

    def first() -> None:
        with app.app_context(), db.write_transaction() as session:
            session.execute(text("CREATE TABLE IF NOT EXISTS probe (n INTEGER)"))
            first_has_lock.set()
            release_first.wait(5)
            order.append("first commits")

    def second() -> None:
        first_has_lock.wait(5)
        with app.app_context(), db.write_transaction() as session:
            order.append("second writes")
            session.execute(text("INSERT INTO probe VALUES (1)"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_has_lock.wait(5)
    release_first.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first commits", "second writes"]


def test_a_failed_write_transaction_stores_nothing(app):
    with app.app_context():
        try:
            with db.write_transaction() as session:
                session.execute(text("CREATE TABLE probe2 (n INTEGER)"))
                session.execute(text("INSERT INTO probe2 VALUES (1)"))
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        with db.engine().connect() as connection:
            assert not inspect(connection).has_table("probe2")


def _contend(app: Flask, db_dialect: str, hold: Callable[[Session], None],
             contender: Callable[[], object]) -> list[str]:
    """Run ``hold`` in a write transaction and, meanwhile, ``contender``; what happened.

    ``hold`` takes the lock the service under test takes, and changes what the contender
    reads. The first transaction commits only once the contender waits for it (seen in
    pg_stat_activity on PostgreSQL; SQLite has no such view, so there it gets a moment).
    """
    first_has_lock = threading.Event()
    release_first = threading.Event()
    events: list[str] = []

    def first() -> None:
        with app.app_context(), db.write_transaction() as session:
            hold(session)
            session.flush()
            first_has_lock.set()
            release_first.wait(PATIENCE)
            events.append("first commits")

    def second() -> None:
        with app.app_context():
            try:
                contender()
                events.append("second done")
            except Exception as exc:
                events.append(f"second refused: {type(exc).__name__}")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_has_lock.wait(PATIENCE)
    threads[1].start()
    _wait_until_blocked(app, db_dialect)
    release_first.set()
    for thread in threads:
        thread.join(PATIENCE)
    assert not any(thread.is_alive() for thread in threads)
    return events


def _wait_until_blocked(app: Flask, db_dialect: str) -> None:
    if db_dialect != "postgresql":
        time.sleep(0.3)
        return
    deadline = time.monotonic() + PATIENCE
    with app.app_context(), db.engine().connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar()
            connection.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the second writer never waited for the first")


def test_a_second_status_change_waits_and_sees_the_first(app, db_dialect, open_assessment):
    """Two facilitators pausing at once: one pauses, the other is told it is paused now."""
    assessment_id = int(open_assessment["id"])

    def pause(session: Session) -> None:
        assessment = session.get(Assessment, assessment_id, with_for_update=True)
        assert assessment is not None
        assessment.status = Status.PAUSED.value

    events = _contend(app, db_dialect, pause, lambda: management.set_status(
        assessment_id, Status.CLOSED, expected=frozenset({Status.OPEN})))
    assert events == ["first commits", "second refused: StatusChangeRefused"]


def test_a_page_saved_while_the_respondent_submits_waits_and_is_refused(
        app, db_dialect, participant):
    """The other tab's save must not slip in after the answers were sent in."""
    with app.app_context():
        respondent = participation.find_respondent(participant.token)
        assert respondent is not None
        respondent_id = respondent.id
        first_statement = participation.content.for_assessment(
            respondent.assessment).statements()[0]

    def submit(session: Session) -> None:
        # As sending in does: the assessment share-locked, then the respondent's row.
        assert participation._locked_state(session, respondent_id) is not None
        session.execute(update(Respondent).where(Respondent.id == respondent_id)
                        .values(submitted_at=utcnow()))

    events = _contend(app, db_dialect, submit, lambda: participation.save_page(
        respondent_id, "urgentie",
        participation.PageAnswers(answers={first_statement.id: "4"})))
    assert events == ["first commits", f"second refused: {AlreadySubmitted.__name__}"]
    with app.app_context():
        assert db.read_session().scalar(select(func.count()).select_from(Answer)) == 0


def test_closing_waits_for_a_save_in_progress(app, db_dialect, participant, open_assessment):
    """A save that began before closing is stored before the assessment counts as closed."""
    with app.app_context():
        respondent = participation.find_respondent(participant.token)
        assert respondent is not None
        respondent_id = respondent.id
        statement = participation.content.for_assessment(respondent.assessment).statements()[0]

    def save(session: Session) -> None:
        participation._answerable_state(session, respondent_id)
        session.add(Answer(respondent_id=respondent_id, statement_id=statement.id, value="3"))

    events = _contend(app, db_dialect, save, lambda: management.set_status(
        int(open_assessment["id"]), Status.CLOSED))
    assert events == ["first commits", "second done"]
    with app.app_context():
        answer = db.read_session().scalar(select(Answer))
        assessment = db.read_session().get(Assessment, int(open_assessment["id"]))
        assert answer is not None and assessment is not None
        assert answer.updated_at <= assessment.closed_at


def test_the_suite_s_apps_compile_a_statement_once_and_each_reads_its_own_database(
        app: Flask, new_db_url: Callable[..., str], tmp_path) -> None:
    # tests/compiled_sql.py: the test apps' engines share their kind's compiled SQL.
    from tests.conftest import TEST_SETTINGS

    count = select(func.count()).select_from(Assessment)

    def counted(application: Flask) -> tuple[int, object]:
        with application.app_context(), db.engine().connect() as connection:
            result = connection.execute(count)
            return result.scalar_one(), result.context.cache_hit

    # The first app has connected (and compiled the statement) before the second is made.
    results = [counted(app)]
    other = create_app({**TEST_SETTINGS, "DATABASE_URL": new_db_url(with_demo=True),
                        "REPORT_CACHE_DIR": str(tmp_path / "reports")})
    try:
        results += [counted(other), counted(app)]
        engines = [application.extensions["regiospiegel.engine"] for application in (app, other)]
    finally:
        other.extensions["regiospiegel.reports"].close()
        db.dispose(other)
    assert engines[0]._compiled_cache is engines[1]._compiled_cache
    assert engines[0].dialect is engines[1].dialect
    cached = engines[0].dialect.CACHE_HIT
    # A fresh database has no scan; the demo's has its two. The second app compiled nothing.
    assert [figure for figure, _hit in results] == [0, 2, 0]
    assert [hit == cached for _figure, hit in results][1:] == [True, True]


def test_a_database_a_test_hands_back_is_lent_again_as_new_unless_its_shape_changed(
        postgres_databases):
    """On PostgreSQL a test's database is emptied for a later test, not dropped and cloned.

    Emptied means as new as a clone: no rows, sequences at their start, the connection a
    test left open (holding a lock) ended. A database whose tables a test changed is dropped
    instead. (Only read here once handed back: it is a spare for the next test.)
    """
    if postgres_databases is None:
        pytest.skip("the PostgreSQL pass lends emptied databases; SQLite tests copy a file")
    databases = postgres_databases
    url = databases.new()
    engine = create_engine(url)
    lingering = engine.connect()
    lingering.execute(text("INSERT INTO programme (name, questionnaire_id, lesson_ids, "
                           "created_at) VALUES ('Regio Deal', 'tien-lessen', '[]', now())"))
    lingering.execute(text("LOCK TABLE programme"))  # and never commits
    lingering_pid = lingering.execute(text("SELECT pg_backend_pid()")).scalar_one()

    databases.hand_back(url)
    databases.settle()

    fresh = create_engine(url)
    with fresh.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM programme")).scalar_one() == 0
        assert connection.execute(text(
            "SELECT last_value, is_called FROM programme_id_seq")).one() == (1, False)
        assert connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": lingering_pid}
        ).scalar_one() == 0
    fresh.dispose()
    with pytest.raises(OperationalError):  # ended by the server
        lingering.execute(text("SELECT 1"))
    lingering.invalidate()
    engine.dispose()

    changed = databases.new()
    engine = create_engine(changed)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE made_by_a_test (id integer)"))
    engine.dispose()
    databases.hand_back(changed)
    databases.settle()
    with databases.admin.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM pg_database WHERE datname = :name"),
                                  {"name": changed.rsplit("/", 1)[1]}).scalar_one() == 0


#: Every row of every table and each sequence's state, as one digest.
_CONTENTS = """
SELECT md5(string_agg(line, E'\\n' ORDER BY line)) FROM (
  SELECT c.relname || ' ' || coalesce((xpath('/row/r/text()', query_to_xml(
           'SELECT md5(string_agg(t::text, '','' ORDER BY t::text)) AS r FROM '
           || quote_ident(c.relname) || ' AS t', false, true, '')))[1]::text, 'empty')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r'
  UNION ALL
  SELECT sequencename || ' ' || coalesce(last_value::text, 'unused') FROM pg_sequences
) AS contents(line)
"""


def test_a_database_with_the_demo_holds_exactly_the_seeded_demo(postgres_databases):
    """The demo's rows are copied into a test's database: the same rows and sequences."""
    if postgres_databases is None:
        pytest.skip("the PostgreSQL pass copies the demo in; SQLite tests copy a file")
    databases = postgres_databases
    url = databases.new(with_demo=True)
    demo_url = databases.url(f"{databases.prefix}_demo")
    digests = []
    for each in (url, demo_url):
        engine = create_engine(each)
        with engine.connect() as connection:
            digests.append(connection.execute(text(_CONTENTS)).scalar_one())
        engine.dispose()
    databases.hand_back(url)
    assert digests[0] == digests[1]
