"""Engines and sessions.

Query functions elsewhere in ``storage`` take an ``AsyncSession`` and never
commit: the use case that calls them owns the transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SessionFactory = async_sessionmaker[AsyncSession]

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


def async_url(url: str) -> str:
    """Accept the plain URLs people write (``sqlite:///x.db``, ``postgresql://…``)."""
    parsed = make_url(url)
    if "+" not in parsed.drivername and parsed.drivername in _ASYNC_DRIVERS:
        parsed = parsed.set(drivername=_ASYNC_DRIVERS[parsed.drivername])
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, *, echo: bool = False, connections: int | None = None, reader: bool = False) -> AsyncEngine:
    """``connections``: how many PostgreSQL connections the process may need at once (the pool's
    ceiling); SQLAlchemy's default (5 + 10 overflow) otherwise. ``reader``: an engine that only
    reads (SQLite: plain deferred transactions, many connections)."""
    url = async_url(url)
    if url.startswith("sqlite"):
        _make_parent(url)
        if reader:
            # A long read (an export in the worker process) must not hold the write lock: WAL lets
            # it read a snapshot while the bot goes on writing.
            engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(engine.sync_engine, "begin", _sqlite_begin_deferred)
            return engine
        # SQLite has one writer at a time, and every transaction here takes the write lock up
        # front. One pooled connection makes the others wait in the pool's queue, woken the
        # moment it is free, instead of in SQLite's busy handler, which sleeps up to 100 ms
        # between tries — that sleeping, not the work, was most of a busy bot's latency.
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, pool_size=1, max_overflow=0,
                                     pool_timeout=120)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    if connections is not None:
        return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=max(connections // 2, 5),
                                   max_overflow=max(connections - connections // 2, 10))
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


def _make_parent(url: str) -> None:
    """SQLite creates the file but not its folder (the default lives in ./orderbot-data/)."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


# The listeners get the driver's own connection objects, which SQLAlchemy types as Any.
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the chat client read while the bot writes; foreign keys are off by
    # default in SQLite and the schema relies on them.
    # Let SQLAlchemy, not the driver, open transactions (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    # A deferred transaction that reads the audit chain's last hash and then
    # writes would fail (SQLITE_BUSY) or fork the chain when two updates race;
    # taking the write lock up front serialises writers, as the chain needs.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


def is_postgres(session: AsyncSession) -> bool:
    """Whether the session talks to PostgreSQL (row locks, advisory locks, time zones in SQL)."""
    return session.get_bind().dialect.name == "postgresql"
