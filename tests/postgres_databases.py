"""The tests' PostgreSQL databases: a template migrated once, a fresh database per test.

A test's database is a clone of the template (``CREATE DATABASE … TEMPLATE``) or one that an
earlier test handed back and that was emptied since: as new as a copied SQLite file (no rows,
sequences from 1, no connection left), with no tables or other objects beyond the template's.
Emptying is checked, not assumed: the database's catalogue and sequences must then read
exactly as the template's (:data:`SHAPE`), else it is dropped and never lent again. A test
that asks for the demo gets the demo's rows copied in from a database seeded once.

Why not a clone each time: a clone and its drop cost the server about 0.2 s together (each
clone writes the template's 8.5 MB, each drop forces a checkpoint), more than most tests
take. Dropping beside the tests fell behind: a run of the PostgreSQL pass ended with 217–314
drops still queued in each test process and waited 26–50 s for them (2026-12-01). Emptying a
handed-back database takes about 0.05 s (end its connections, ``TRUNCATE`` the tables that
hold rows, restart the sequences drawn from, read its shape), beside the next test. The pass
took 143 s instead of 198–204 s on the same quiet machine, the same day.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress

from sqlalchemy import Connection, Engine, create_engine, make_url, pool, text
from sqlalchemy.exc import SQLAlchemyError

from assessment import db

#: The chore of making a spare clone ready (any name a database cannot have).
_SPARE = "\0spare"

#: Emptied databases kept ready for the next tests; more are dropped beside the tests.
SPARES_KEPT = 3

#: Schemas of the server itself, left out of a database's shape.
_OWN = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_t%'"

#: A database's shape, one digest: its relations, columns with defaults, constraints,
#: indexes, functions, types, triggers, schemas, extensions and settings, each sequence's
#: state, the large objects and the migration it is at. An emptied database lent to the
#: next test must have the template's shape (and no rows: it is emptied before it is read).
SHAPE = text(f"""
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
  SELECT 'relation ' || c.oid::regclass::text || ' ' || c.relkind::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_OWN}
  UNION ALL
  SELECT 'column ' || a.attrelid::regclass::text || '.' || a.attname || ' '
         || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text || ' '
         || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE {_OWN} AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' '
         || pg_get_constraintdef(c.oid)
    FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE {_OWN}
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_OWN}
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {_OWN}
  UNION ALL
  SELECT 'type ' || t.oid::regtype::text
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE {_OWN} AND t.typrelid = 0 AND t.typelem = 0
  UNION ALL
  SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname
    FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL
  SELECT 'schema ' || n.nspname FROM pg_namespace n WHERE {_OWN}
  UNION ALL
  SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
  UNION ALL
  SELECT 'sequence ' || schemaname || '.' || sequencename || ' '
         || coalesce(last_value::text, 'unused')
    FROM pg_sequences
  UNION ALL
  SELECT 'setting ' || array_to_string(setconfig, ',') FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL
  SELECT 'large objects ' || count(*)::text FROM pg_largeobject_metadata
  UNION ALL
  SELECT 'migration ' || version_num FROM alembic_version
) AS items(item)
""")

#: Every table a test may fill: all but the migration's own.
_TABLES = text("""
SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public' AND c.relname <> 'alembic_version'
""")


#: Connections a test left open to its database, which may hold locks: ended (waiting up to 5 s).
_END_OTHER_CONNECTIONS = text("""
SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
""")

#: Every sequence a test drew from, back to its start as in a new database (ids from 1).
_RESTART_USED_SEQUENCES = text("""
SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)
FROM pg_sequences WHERE last_value IS NOT NULL
""")


#: Each sequence drawn from, by name, with its value.
_SEQUENCES = text("""
SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences
WHERE last_value IS NOT NULL
""")


class ShapeChanged(Exception):
    """A handed-back database no longer has the template's shape (a test changed it)."""


class PostgresDatabases:
    """Fresh migrated PostgreSQL databases for one test process, all dropped at its end.

    ``seed_demo(url)`` seeds the demo into a database, for :meth:`new` with the demo.
    """

    def __init__(self, server_url: str, seed_demo: Callable[[str], None]) -> None:
        self.server_url = db.normalise_url(server_url)
        self.prefix = f"regiospiegel_test_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self.admin: Engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT",
                                           poolclass=pool.NullPool)
        self.created: list[str] = []
        self._seed_demo = seed_demo
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        # Server work a test need not wait for, done beside the tests: emptying handed-back
        # databases, two at a time (their names; None stops one), cloning a spare for the
        # next test when none is ready (_SPARE; None stops), and dropping spares beyond
        # those kept (a spare's name; None stops).
        self._handed_back: queue.Queue[str | None] = queue.Queue()
        self._spare_wanted: queue.Queue[str | None] = queue.Queue()
        self._spare_added: queue.Queue[str | None] = queue.Queue()
        self._spares: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._failures: list[str] = []
        self._closing = False
        self._demo_contents: tuple[list[str], list[tuple[str, int]]] | None = None
        self._emptiers = [
            threading.Thread(target=self._in_turn, args=(self._handed_back, self._empty),
                             daemon=True) for _ in range(2)]
        self._helpers = [
            *self._emptiers,
            threading.Thread(target=self._in_turn, args=(self._spare_wanted, self._clone_spare),
                             daemon=True),
            threading.Thread(target=self._in_turn,
                             args=(self._spare_added, self._drop_a_spare_beyond_kept),
                             daemon=True)]
        with self.admin.connect() as connection:
            version = connection.dialect.server_version_info or (0,)
        # WAL_LOG (PostgreSQL 15) clones a small database without forcing a checkpoint.
        self._strategy = " STRATEGY WAL_LOG" if version >= (15,) else ""
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._execute(f'CREATE DATABASE "{self.template}"')
        self.created.append(self.template)
        db.upgrade(self.url(self.template))
        self.shape = self._shape_of(self.template)
        for helper in self._helpers:
            helper.start()
        self._spare_wanted.put(_SPARE)

    def url(self, name: str) -> str:
        """The URL of database ``name`` on the test server."""
        return make_url(self.server_url).set(database=name).render_as_string(
            hide_password=False)

    def new(self, *, with_demo: bool = False) -> str:
        """The URL of a fresh database (an emptied or cloned spare), with the demo if asked.

        A spare is made ready beside the test before, if it could.
        """
        try:
            name = self._spares.get_nowait()
        except queue.Empty:
            name = self._clone(self.template)
        self._spare_wanted.put(_SPARE)
        if with_demo:
            self._copy_demo_into(name)
        return self.url(name)

    def _clone(self, template: str) -> str:
        with self._lock:
            name = f"{self.prefix}_{next(self._numbers)}"
            self.created.append(name)
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self._strategy}')
        return name

    def _copy_demo_into(self, name: str) -> None:
        """Copy the demo's rows and sequences into the new database ``name``.

        Faster than a clone of a seeded template, and the database can be emptied for the
        next test like any other (a clone per test would have to be dropped). Rows go in in
        the order the seeding wrote them, the foreign keys unchecked (they held there).
        """
        tables, sequences = self._demo()
        source = create_engine(self.url(f"{self.prefix}_demo"), poolclass=pool.NullPool)
        target = create_engine(self.url(name), poolclass=pool.NullPool)
        try:
            with source.connect() as reading, target.connect() as writing:
                reading_copy = reading.connection.driver_connection
                writing_copy = writing.connection.driver_connection
                assert reading_copy is not None and writing_copy is not None
                writing.execute(text("SET LOCAL session_replication_role = replica"))
                for table in tables:
                    with reading_copy.cursor().copy(
                            f"COPY {table} TO STDOUT (FORMAT BINARY)") as rows, \
                         writing_copy.cursor().copy(
                            f"COPY {table} FROM STDIN (FORMAT BINARY)") as into:
                        for block in rows:
                            into.write(block)
                for sequence, value in sequences:
                    writing.execute(text("SELECT setval(CAST(:sequence AS regclass), :value)"),
                                    {"sequence": sequence, "value": value})
                writing.commit()
        finally:
            source.dispose()
            target.dispose()

    def _demo(self) -> tuple[list[str], list[tuple[str, int]]]:
        """The demo's filled tables and drawn sequences (their values), seeded on first use."""
        if self._demo_contents is None:
            name = f"{self.prefix}_demo"
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"{self._strategy}')
            with self._lock:
                self.created.append(name)
            self._seed_demo(self.url(name))
            engine = create_engine(self.url(name), poolclass=pool.NullPool)
            try:
                with engine.connect() as connection:
                    self._demo_contents = (
                        _filled(connection, connection.execute(_TABLES).scalars().all()),
                        [(sequence, value) for sequence, value in connection.execute(_SEQUENCES)])
            finally:
                engine.dispose()
        return self._demo_contents

    def hand_back(self, url: str) -> None:
        """Take back a database made by :meth:`new`, to empty it for a later test beside
        the next one (or drop it, when a test changed its shape)."""
        name = make_url(url).database
        with self._lock:
            if name not in self.created:
                return
        self._handed_back.put(name)

    def _empty(self, name: str) -> None:
        """Make ``name`` a spare as new as a clone, or drop it."""
        if self._closing:
            return  # dropped with the others
        engine = create_engine(self.url(name), poolclass=pool.NullPool)
        try:
            with engine.connect() as connection:
                connection.execute(_END_OTHER_CONNECTIONS)
                connection.execute(text("SET LOCAL lock_timeout = '5s'"))
                filled = _filled(connection, connection.execute(_TABLES).scalars().all())
                if filled:
                    connection.exec_driver_sql(f"TRUNCATE {', '.join(filled)} CASCADE")
                connection.execute(_RESTART_USED_SEQUENCES)
                if _shape(connection) != self.shape:
                    raise ShapeChanged(name)
                connection.commit()
        except (SQLAlchemyError, ShapeChanged):
            engine.dispose()
            self._drop(name)
        else:
            engine.dispose()
            self._spares.put(name)
            self._spare_added.put(name)

    def _drop_a_spare_beyond_kept(self, _added: str) -> None:
        """Drop a spare when there are more than :data:`SPARES_KEPT`.

        A test that finds no spare ready has one cloned for itself, and one for the next
        test; their handed-back databases would otherwise add up over a run.
        """
        if self._spares.qsize() > SPARES_KEPT:
            with suppress(queue.Empty):
                self._drop(self._spares.get_nowait())

    def _drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        with self._lock:
            self.created.remove(name)

    def _clone_spare(self, _chore: str) -> None:
        if self._spares.empty() and self._handed_back.empty():
            self._spares.put(self._clone(self.template))

    def settle(self) -> None:
        """Wait until every database handed back so far is emptied (or dropped)."""
        self._handed_back.join()

    def _in_turn(self, chores: queue.Queue[str | None], do: Callable[[str], None]) -> None:
        while (chore := chores.get()) is not None:
            try:
                do(chore)
            except Exception as exc:  # reported at close, not lost
                self._failures.append(f"{chore!r}: {exc}")
            finally:
                chores.task_done()

    def _shape_of(self, name: str) -> str:
        engine = create_engine(self.url(name), poolclass=pool.NullPool)
        try:
            with engine.connect() as connection:
                return _shape(connection)
        finally:
            engine.dispose()

    def close(self) -> None:
        """Drop every database this process made, the template last."""
        self._closing = True
        for _ in self._emptiers:
            self._handed_back.put(None)
        self._spare_wanted.put(None)
        self._spare_added.put(None)
        for helper in self._helpers:
            helper.join()
        for name in [*self.created[1:], *self.created[:1]]:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()
        self.admin.dispose()
        if self._failures:
            raise RuntimeError("test databases: " + "; ".join(self._failures))

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(sql)


def _filled(connection: Connection, tables: Sequence[str]) -> list[str]:
    """Those of ``tables`` that hold a row, in their order."""
    if not tables:
        return []
    numbers = connection.exec_driver_sql(" UNION ALL ".join(
        f"SELECT {number} WHERE EXISTS (SELECT FROM {table})"
        for number, table in enumerate(tables))).scalars().all()
    return [tables[number] for number in sorted(numbers)]


def _shape(connection: Connection) -> str:
    return str(connection.execute(SHAPE).scalar_one())
