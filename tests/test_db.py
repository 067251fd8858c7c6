"""The database layer: migrations match the models, SQLite settings, write transactions."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from assessment import db
from assessment.models import Base


def test_migrations_match_the_models(db_url):
    engine = create_engine(db_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with app.app_context(), db.engine().connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_write_transactions_take_the_write_lock_up_front(app):
    """A second writer waits at BEGIN IMMEDIATE until the first commits, so none fails."""
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
            tables = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name = 'probe2'").all()
        assert tables == []
