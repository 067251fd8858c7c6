"""The database: one engine per app, sessions per request, write transactions, migrations.

Two databases are supported, chosen by ``DATABASE_URL``: SQLite (embedded, the default) and
PostgreSQL (``postgresql+psycopg://``; ``postgresql://`` and ``postgres://`` mean the same).

SQLite runs in WAL mode with a busy timeout, and every write transaction begins with
``BEGIN IMMEDIATE``: with SQLite's default deferred transactions two writers that both
read first deadlock on the upgrade to a write lock, and one of them fails at once with
"database is locked" however long the busy timeout. Taking the write lock up front makes
concurrent writers queue instead. Reads stay deferred, so they never wait for a writer.

What is deleted must not stay readable in the file: SQLite connections run with
``secure_delete`` (freed space is overwritten with zeros), and after deleting or purging an
assessment :func:`checkpoint` writes the write-ahead log into the database and truncates it,
so no older copy of a page with deleted text remains in the log either. On PostgreSQL a
deleted row stays in its table's file until vacuum reuses the space (see docs/deploy.md).

PostgreSQL has no single writer: write transactions run at READ COMMITTED side by side.
The services therefore never rely on "nobody else writes meanwhile": a read that decides a
write locks its row (``with_for_update``, which SQLite ignores because it already holds the
write lock), and inserts that may race use ``ON CONFLICT`` against a unique constraint.
Connections come from a pool sized for one gunicorn worker (see :class:`PoolSettings`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from assessment.config import PROJECT_ROOT

if TYPE_CHECKING:  # Alembic loads only to migrate: a web worker or a command does not need it.
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
_WRITE = "regiospiegel_write"


#: Spellings of a PostgreSQL URL that mean "the psycopg 3 driver" (the one installed).
_POSTGRES_DRIVERS = ("postgres", "postgresql", "postgresql+psycopg")


def normalise_url(url: str) -> str:
    """``url`` with a PostgreSQL URL's scheme set to the psycopg 3 driver; others unchanged.

    Hosting platforms hand out ``postgres://`` and ``postgresql://``, which SQLAlchemy would
    take to mean psycopg2 (not installed, or not at all).
    """
    if url.split(":", 1)[0] not in _POSTGRES_DRIVERS:
        return url
    parsed = make_url(url.replace("postgres://", "postgresql://", 1)
                      if url.startswith("postgres://") else url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    """Whether ``url`` names an SQLite database."""
    return url.startswith("sqlite")


@dataclass(frozen=True)
class PoolSettings:
    """The connection pool of a PostgreSQL engine (SQLite ignores these).

    The defaults fit one gunicorn worker with up to 10 threads: a request holds at most one
    connection at a time (:func:`write_transaction` gives the read connection back first), so
    ``size`` connections stay open and ``max_overflow`` more are opened for bursts. A request
    that finds the pool empty waits up to ``timeout`` seconds, then fails. Connections are
    replaced after ``recycle`` seconds, and tested before use (``pre_ping``) so a restarted
    database server costs one reconnect instead of an error page.
    """

    size: int = 10
    max_overflow: int = 10
    timeout: float = 30.0
    recycle: int = 1800
    pre_ping: bool = True

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PoolSettings:
        """The settings ``DATABASE_POOL_SIZE``, ``_MAX_OVERFLOW``, ``_TIMEOUT``, ``_RECYCLE``."""
        default = cls()
        return cls(
            size=int(config.get("DATABASE_POOL_SIZE", default.size)),
            max_overflow=int(config.get("DATABASE_MAX_OVERFLOW", default.max_overflow)),
            timeout=float(config.get("DATABASE_POOL_TIMEOUT", default.timeout)),
            recycle=int(config.get("DATABASE_POOL_RECYCLE", default.recycle)),
        )


def make_engine(url: str, busy_timeout_ms: int = 30_000,
                pool: PoolSettings | None = None) -> Engine:
    """An engine for ``url``: SQLite gets WAL, a busy timeout and IMMEDIATE writes;
    PostgreSQL (through psycopg 3) gets the pool in ``pool``."""
    url = normalise_url(url)
    if not is_sqlite(url):
        pool = pool or PoolSettings()
        return create_engine(url, pool_size=pool.size, max_overflow=pool.max_overflow,
                             pool_timeout=pool.timeout, pool_recycle=pool.recycle,
                             pool_pre_ping=pool.pre_ping)
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
        cursor.execute("PRAGMA secure_delete=ON")
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
    app.extensions["regiospiegel.engine"] = make_engine(
        url, app.config["SQLITE_BUSY_TIMEOUT_MS"], PoolSettings.from_config(app.config))

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

    On SQLite the transaction holds the database's write lock from its first statement; on
    PostgreSQL it runs at READ COMMITTED, so a caller that reads to decide what to write
    locks what it read (``session.get(..., with_for_update=True)``).
    """
    if "db_session" in g:
        g.db_session.close()
    with engine().connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with Session(bind=connection, expire_on_commit=False) as session, session.begin():
            session.connection()  # BEGIN (IMMEDIATE) now, before the caller reads anything
            yield session


#: How long a checkpoint after a delete or purge waits for readers of an older snapshot.
CHECKPOINT_WAIT_MS = 250


def checkpoint() -> None:
    """On SQLite: copy the write-ahead log into the database file and empty the log.

    Called after raw data were deleted (a deleted or purged assessment): the log still holds
    the pages as they were before, with the deleted text; ``secure_delete`` only clears the
    database file. A reader still using an older snapshot keeps the log until it finishes:
    the call then waits at most :data:`CHECKPOINT_WAIT_MS`, not the busy timeout (30 s, for
    writers), and leaves the rest to the next checkpoint or to the last connection's close.
    A busy server always has readers; the facilitator's click must not wait for them.
    PostgreSQL has no such log to empty from here: nothing happens.
    """
    if not is_sqlite(str(engine().url)):
        return
    if "db_session" in g:
        g.db_session.close()  # its connection would hold a snapshot the log must keep
    with engine().connect() as connection:
        # On the driver's connection, outside any transaction: SQLAlchemy would begin one,
        # and a checkpoint cannot empty the log under its own open snapshot.
        driver = connection.connection.driver_connection
        assert driver is not None
        busy_ms = driver.execute("PRAGMA busy_timeout").fetchone()[0]
        driver.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}").close()
        try:
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        finally:
            driver.execute(f"PRAGMA busy_timeout={int(busy_ms)}").close()


def alembic_config(url: str) -> AlembicConfig:
    """Alembic's configuration for this project, pointed at ``url``."""
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Upgrade the database at ``url`` to the latest migration."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def dispose(app: Flask) -> None:
    """Close the app's pooled connections (tests and shutdown)."""
    app.extensions["regiospiegel.engine"].dispose()
