"""Engines and sessions.

Query functions elsewhere in ``storage`` take an ``AsyncSession`` and never
commit: the use case that calls them owns the transaction.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, TypeVarTuple

import aiosqlite
from sqlalchemy import Row, Select, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SessionFactory = async_sessionmaker[AsyncSession]

_BUSY_WAIT_MS = 30000  # how long a write waits for another process's
_BEGIN_IMMEDIATE = "BEGIN IMMEDIATE"

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
        else:
            # SQLite has one writer at a time, and every transaction here takes the write lock up
            # front. One pooled connection makes the others wait in the pool's queue, woken the
            # moment it is free, instead of in SQLite's busy handler, which sleeps up to 100 ms
            # between tries — that sleeping, not the work, was most of a busy bot's latency.
            engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, pool_size=1,
                                         max_overflow=0, pool_timeout=120, pool_reset_on_return=None)
            event.listen(engine.sync_engine, "do_connect", _one_trip_sqlite)
            event.listen(engine.sync_engine.pool, "reset", _sqlite_reset)
        # The bot's connection runs statements on the event loop's thread, which must not sleep in
        # SQLite's busy handler: its timeout is 0, and a busy BEGIN IMMEDIATE waits on aiosqlite's
        # thread (_begin_waiting). A reader may wait where it runs, in its worker process.
        event.listen(engine.sync_engine, "connect", partial(_sqlite_pragmas, busy_ms=_BUSY_WAIT_MS if reader else 0))
        event.listen(engine.sync_engine, "begin", _sqlite_begin_deferred if reader else _sqlite_begin_immediate)
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
def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, busy_ms: int) -> None:
    # WAL lets the chat client read while the bot writes; foreign keys are off by
    # default in SQLite and the schema relies on them.
    # Let SQLAlchemy, not the driver, open transactions (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.close()


def _one_trip_sqlite(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    """The bot's SQLite connection: aiosqlite's, whose statements run on the event loop's thread.

    aiosqlite runs every call on its own thread and wakes the event loop for each answer, and
    SQLAlchemy's adapter makes four such calls per statement (open a cursor, execute, fetch,
    close): those hand-offs, not SQLite, were most of an order message's CPU time. Here a
    statement is executed, fetched and closed in one call on the loop (``_OneTripCursor._run``);
    only a commit and a busy BEGIN IMMEDIATE go to aiosqlite's thread. Transactions, locks and
    errors are SQLite's as before."""
    return dialect.loaded_dbapi.connect(*cargs, async_creator_fn=_OneTripConnection.open, **cparams)


def _sqlite_reset(dbapi_connection: Any, _record: Any, state: Any) -> None:
    # The pool's own reset rolls back on every return, a trip to aiosqlite's thread after each
    # commit too; SQLite knows whether a transaction is still open (an exception left it so).
    if state.asyncio_safe and not state.terminate_only and dbapi_connection.driver_connection.in_transaction:
        dbapi_connection.rollback()


class _OneTripConnection(aiosqlite.Connection):
    @classmethod
    def open(cls, database: str, **kwargs: Any) -> _OneTripConnection:
        # Used from the event loop's thread too (see _OneTripCursor._run); never by two at once,
        # since every call is awaited before the next one is made.
        connection = cls(partial(sqlite3.connect, database, **{**kwargs, "check_same_thread": False}), 64)
        # A daemon, as aiosqlite.connect makes it for SQLAlchemy: a forgotten connection must not
        # keep the process alive. (Before aiosqlite 0.22 the connection was the thread.)
        thread: Any = getattr(connection, "_thread", connection)
        thread.daemon = True
        return connection

    def cursor(self) -> _OneTripCursor:  # type: ignore[override]  # a cursor right away, no trip
        return _OneTripCursor(self)

    # A roll-back is no trip to the thread either (see _OneTripCursor._run); a commit, which waits
    # for the disk (fsync) and now and then checkpoints the WAL, is made on aiosqlite's thread.
    async def rollback(self) -> None:
        self._conn.rollback()


def _run_statement(connection: sqlite3.Connection, sql: str, parameters: Any,
                   many: bool) -> tuple[Any, list[Any], int, int | None]:
    """The whole statement, its rows and its counts, in one call."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _begin_waiting(connection: sqlite3.Connection) -> tuple[Any, list[Any], int, int | None]:
    """On aiosqlite's thread: BEGIN IMMEDIATE, waiting up to 30 s for another writer to finish."""
    connection.execute(f"PRAGMA busy_timeout={_BUSY_WAIT_MS}")
    try:
        connection.execute(_BEGIN_IMMEDIATE)
    finally:
        connection.execute("PRAGMA busy_timeout=0")
    return None, [], -1, None


class _OneTripCursor:
    """What SQLAlchemy's aiosqlite adapter uses of ``aiosqlite.Cursor``; the rows come with the
    execute, so fetching and closing need no trip."""

    arraysize = 1

    def __init__(self, connection: _OneTripConnection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> _OneTripCursor:
        return self

    async def _run(self, sql: str, parameters: Any, many: bool) -> _OneTripCursor:
        connection = self._connection._conn
        try:
            # On the event loop's own thread: this connection never waits in SQLite's busy handler
            # (its timeout is 0, see create_engine), and inside a transaction it holds the write
            # lock, so a statement takes microseconds. A trip to aiosqlite's thread per statement cost more
            # CPU than the statement, and the GIL hand-over back made each trip wait milliseconds
            # while the one connection every chat shares sat idle.
            result = _run_statement(connection, sql, parameters, many)
        except sqlite3.OperationalError as error:
            if sql != _BEGIN_IMMEDIATE or error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            # Another process (an admin command) is writing: wait for it on aiosqlite's thread.
            execute: Any = self._connection._execute  # aiosqlite's queue to its thread (untyped)
            result = await execute(_begin_waiting, connection)
        self.description, rows, self.rowcount, self.lastrowid = result
        self._rows = deque(rows)
        return self

    async def execute(self, sql: str, parameters: Any = None) -> _OneTripCursor:
        return await self._run(sql, parameters, False)

    async def executemany(self, sql: str, parameters: Any) -> _OneTripCursor:
        return await self._run(sql, parameters, True)

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = min(size or self.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> Sequence[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()

    def __aiter__(self) -> _OneTripCursor:
        return self

    async def __anext__(self) -> Any:
        if not self._rows:
            raise StopAsyncIteration
        return self._rows.popleft()


def _sqlite_begin_immediate(connection: Connection) -> None:
    # A deferred transaction that reads the audit chain's last hash and then
    # writes would fail (SQLITE_BUSY) or fork the chain when two updates race;
    # taking the write lock up front serialises writers, as the chain needs.
    connection.exec_driver_sql(_BEGIN_IMMEDIATE)


def _sqlite_begin_deferred(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def session_factory(bind: AsyncEngine | AsyncConnection) -> SessionFactory:
    """Sessions on the engine's pool, or all on one connection (a chat's lane holds its lock on it)."""
    return async_sessionmaker(bind, expire_on_commit=False)


Entity = TypeVar("Entity")
Columns = TypeVarTuple("Columns")


async def added(session: AsyncSession, row: Entity) -> Entity:
    """``row`` added to the session and flushed, so it has its id."""
    session.add(row)
    await session.flush()
    return row


async def entities(session: AsyncSession, query: Select[Entity]) -> Sequence[Entity]:
    """The objects ``query`` selects, each once (joined eager loading can repeat one)."""
    return (await session.scalars(query)).unique().all()


async def rows_in(session: AsyncSession, query: Select[*Columns], column: Any,
                  values: Sequence[Any]) -> list[Row[*Columns]]:
    """``query``'s rows whose ``column`` is one of ``values``, 500 values a query: an IN list every
    backend takes, however many values there are."""
    return [row for start in range(0, len(values), 500)
            for row in (await session.execute(query.where(column.in_(values[start:start + 500])))).all()]


def is_postgres(session: AsyncSession) -> bool:
    """Whether the session talks to PostgreSQL (row locks, advisory locks, time zones in SQL)."""
    return session.get_bind().dialect.name == "postgresql"


@dataclass(frozen=True)
class ConnectionRoom:
    """How many connections PostgreSQL lets this role open to this database, and how many are open."""

    limit: int  # the least of the server's (less those kept for superusers), the role's and the database's
    open: int  # client connections to the whole server right now


async def connection_room(engine: AsyncEngine) -> ConnectionRoom | None:
    """PostgreSQL's room for connections (None on SQLite): what N instances must fit in."""
    if engine.dialect.name != "postgresql":
        return None
    async with engine.connect() as connection:
        row = (await connection.execute(_ROOM)).one()
    limits = [row.server] + [n for n in (row.role, row.database) if n is not None and n >= 0 and not row.superuser]
    return ConnectionRoom(limit=min(limits), open=row.open)


_ROOM = text(
    "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
    " AS server, (SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user) AS role,"
    " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,"
    " (SELECT datconnlimit FROM pg_database WHERE datname = current_database()) AS database,"
    " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS open")
