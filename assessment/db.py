"""The database: one engine per app, sessions per request, write transactions, migrations.

SQLite runs in WAL mode with a busy timeout, and every write transaction begins with
``BEGIN IMMEDIATE``: with SQLite's default deferred transactions two writers that both
read first deadlock on the upgrade to a write lock, and one of them fails at once with
"database is locked" however long the busy timeout. Taking the write lock up front makes
concurrent writers queue instead. Reads stay deferred, so they never wait for a writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from assessment.config import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
_WRITE = "regiospiegel_write"


def make_engine(url: str, busy_timeout_ms: int = 30_000) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and IMMEDIATE writes."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    # SQLite connections are cheap: enough for every thread of a busy server.
    engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000},
                           pool_size=10, max_overflow=90)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def init_app(app: Flask) -> None:
    """Create the app's engine and close the request's session after each request."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    app.extensions["regiospiegel.engine"] = make_engine(url, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def engine() -> Engine:
    """The current app's engine."""
    result: Engine = current_app.extensions["regiospiegel.engine"]
    return result


def read_session() -> Session:
    """The request's session for reading; writes go through :func:`write_transaction`."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    session: Session = g.db_session
    return session


@contextmanager
def write_transaction() -> Iterator[Session]:
    """One write transaction: commits on success, rolls back on any error.

    The request's read session gives its connection back first, so a request never holds two
    connections (with many requests at once, holding one while waiting for another would
    exhaust the pool). Objects it loaded stay usable; its next read sees this write.
    """
    if "db_session" in g:
        g.db_session.close()
    with engine().connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with Session(bind=connection, expire_on_commit=False) as session, session.begin():
            session.connection()  # BEGIN (IMMEDIATE) now, before the caller reads anything
            yield session


def alembic_config(url: str) -> AlembicConfig:
    """Alembic's configuration for this project, pointed at ``url``."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Upgrade the database at ``url`` to the latest migration."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")


def dispose(app: Flask) -> None:
    """Close the app's pooled connections (tests and shutdown)."""
    app.extensions["regiospiegel.engine"].dispose()
