"""Rate-limit counters in the app's own database, shared by every server process.

Flask-Limiter counts in a storage of the ``limits`` library, chosen by a URI. Redis
(``REDIS_URL``) is shared by every server; the library's in-memory storage is not even
shared by the worker processes of one gunicorn, so each worker would allow the full limit
and ten failed logins would become ten per worker. Without Redis the app therefore counts
in its database (SQLite or PostgreSQL), which every process of every server already shares:
the storage below registers the URI scheme ``regiospiegel+database://``
(:data:`STORAGE_URI`), the default when ``REDIS_URL`` is not set.

The rules of a counter (the "fixed window" strategy of ``limits``):

- the first hit on a key starts its window: the counter is set to the hit's cost and
  expires ``expiry`` seconds later;
- a hit within the window adds its cost; the window does not move;
- a counter whose window has passed counts as zero, and the next hit starts a new window.

Each hit is one atomic statement (an upsert that returns the new count), so hits from
several processes at the same moment are all counted. The stored key is an HMAC of the
limiter's key with the app's secret key: the table holds no client addresses and no e-mail
addresses, only counts. Expired counters are removed now and then by a hit.

The storage always works on the database of the app handling the request (``current_app``),
so one limiter serves any number of apps, as in the tests.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import random
import time
from typing import Any, ClassVar

from flask import current_app
from limits.storage import Storage
from sqlalchemy import bindparam, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from assessment.config import DATABASE_LIMITS_URI
from assessment.db import engine, write_transaction
from assessment.models import RateLimitCounter

#: The storage URI that selects :class:`DatabaseStorage`.
STORAGE_URI = DATABASE_LIMITS_URI

#: One hit in this many also removes the expired counters.
CLEAN_UP_ONE_IN = 100


#: A counter's count and its window's end while the window lasts; built once, as building a
#: statement costs more than running it (Flask-Limiter reads both for its headers).
_CURRENT = (RateLimitCounter.key == bindparam("key")) & (RateLimitCounter.expires_at
                                                        > bindparam("now"))
_COUNT = select(RateLimitCounter.count).where(_CURRENT)
_EXPIRY = select(RateLimitCounter.expires_at).where(_CURRENT)


class DatabaseStorage(Storage):
    """A ``limits`` storage in the app's database (table ``rate_limit_counter``)."""

    STORAGE_SCHEME: ClassVar[list[str]] = ["regiospiegel+database"]  # type: ignore[misc]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:
        # Options meant for Redis (its key prefix) do not apply: the database is the app's own.
        del options
        super().__init__(uri, wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception]:
        """Errors of the database, which Flask-Limiter may answer by counting in memory."""
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter of ``key``; a new window lasts ``expiry`` seconds."""
        now = time.time()
        with write_transaction() as session:
            statement = _counting(session.get_bind().dialect.name)
            count = int(session.connection().execute(statement, {
                "key": _stored_key(key), "count": amount, "expires_at": now + expiry,
                "now": now}).scalar_one())
            if random.randrange(CLEAN_UP_ONE_IN) == 0:  # noqa: S311 (not a secret)
                session.execute(delete(RateLimitCounter)
                                .where(RateLimitCounter.expires_at <= now))
        return count

    def get(self, key: str) -> int:
        """The counter of ``key`` in its current window (0 when there is none)."""
        with engine().connect() as connection:
            count = connection.scalar(_COUNT, {"key": _stored_key(key), "now": time.time()})
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        """When the window of ``key`` ends (seconds since the epoch; now when there is none)."""
        now = time.time()
        with engine().connect() as connection:
            expires_at = connection.scalar(_EXPIRY, {"key": _stored_key(key), "now": now})
        return float(expires_at if expires_at is not None else now)

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with engine().connect() as connection:
                connection.scalar(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Remove every counter (tests, and an operator who wants a clean slate)."""
        with write_transaction() as session:
            removed = session.execute(delete(RateLimitCounter))
        return int(getattr(removed, "rowcount", 0) or 0)

    def clear(self, key: str) -> None:
        """Remove the counter of ``key``."""
        with write_transaction() as session:
            session.execute(delete(RateLimitCounter)
                            .where(RateLimitCounter.key == _stored_key(key)))


@functools.cache
def _counting(dialect: str) -> Any:
    """The upsert of :meth:`DatabaseStorage.incr`, built once per process and dialect: the
    row (``key``, ``count``, ``expires_at``) and ``now`` come as its parameters."""
    table = RateLimitCounter.__table__
    expired = table.c.expires_at <= bindparam("now", type_=table.c.expires_at.type)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new = insert(RateLimitCounter)
    return new.on_conflict_do_update(
        index_elements=["key"],
        set_={"count": case((expired, new.excluded.count),
                            else_=table.c.count + new.excluded.count),
              "expires_at": case((expired, new.excluded.expires_at),
                                 else_=table.c.expires_at)},
    ).returning(table.c.count)


def _stored_key(key: str) -> str:
    """The limiter's key as stored: an HMAC with the secret key, never the address itself."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()
