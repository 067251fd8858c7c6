"""One cache of compiled SQL for all the test apps of a test process.

SQLAlchemy compiles a statement once per engine and keeps it in the engine's cache, keyed by
the engine's dialect object. A server makes one engine and compiles each statement once in
its life; the suite makes an engine per test (an app per test, on a database of its own), so
each test compiled all its statements again: the same few hundred statements, thousands of
times a run. With :func:`share`, each engine the app makes uses its kind's (SQLite's,
PostgreSQL's) one dialect object and compiled cache in the test process, so a statement is
compiled once per process. By turns, single process, 444 participant, facilitator, export
and priority tests: 67-86 s of CPU against 80-106 s without (about 14 % less; 2026-12-01).

A dialect keeps what it learns about the database server when it first connects (version,
default schema, what the server supports); the tests' databases of one kind all live on one
server, so that is the same for each. The engines keep their own pools and connections.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.util import LRUCache

#: Statements kept per kind: ten times an engine's default, for a suite of many modules.
CACHE_SIZE = 5000

#: Per (dialect name, driver): the kind's dialect (see :func:`adopt`) and compiled cache.
_SHARED: dict[tuple[str, str], tuple[Any, LRUCache[Any, Any]]] = {}


def adopt(engine: Engine) -> Engine:
    """Let ``engine`` use its kind's shared dialect and compiled cache; returns it.

    The kind's dialect is one that has connected (SQLAlchemy sets it up on an engine's first
    connection); until one has, each engine keeps its own and the latest is the candidate.
    """
    key = (engine.dialect.name, engine.dialect.driver)
    dialect, cache = _SHARED.setdefault(key, (engine.dialect, LRUCache(CACHE_SIZE)))
    if dialect.server_version_info is None:
        _SHARED[key] = (engine.dialect, cache)
    else:
        engine.dialect = dialect
        engine.pool._dialect = dialect
    engine._compiled_cache = cache
    return engine


def share() -> None:
    """From now on, every engine the app makes in this process adopts its kind's dialect and
    compiled cache (:func:`adopt`)."""
    from assessment import db

    made = db.make_engine
    if getattr(made, "adopts", False):
        return

    def make_engine(*args: Any, **kwargs: Any) -> Engine:
        return adopt(made(*args, **kwargs))

    make_engine.adopts = True  # type: ignore[attr-defined]
    db.make_engine = make_engine  # type: ignore[assignment]
