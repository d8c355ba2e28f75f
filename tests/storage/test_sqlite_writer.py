"""The bot's SQLite connection runs its statements on the event loop's thread (``storage.db``):
another process's write must make it wait without freezing the loop, and without failing."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from storage.db import create_engine, session_factory


async def test_a_transaction_waits_off_the_loop_while_another_connection_writes(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await session.execute(text("CREATE TABLE t (x INTEGER)"))
    # An admin command in another process: it holds the write lock for 0.6 s.
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    release = threading.Timer(0.6, other.commit)
    release.start()
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        async with sessions() as session, session.begin():
            await session.execute(text("INSERT INTO t VALUES (2)"))
        async with sessions() as session:
            rows = (await session.execute(text("SELECT x FROM t ORDER BY x"))).scalars().all()
    finally:
        ticker.cancel()
        release.join()
        other.close()
        await engine.dispose()
    assert rows == [1, 2]  # waited for the other writer, then wrote after it
    assert ticks >= 10  # the loop went on running other chats' work during the wait (~30 ticks)


async def test_a_failing_statement_rolls_back_and_the_connection_goes_on(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'fail.sqlite3'}")
    sessions = session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            await session.execute(text("CREATE TABLE t (x INTEGER UNIQUE)"))
            await session.execute(text("INSERT INTO t VALUES (1)"))
        try:
            async with sessions() as session, session.begin():
                await session.execute(text("INSERT INTO t VALUES (2)"))
                await session.execute(text("INSERT INTO t VALUES (1)"))
        except Exception as error:
            assert "UNIQUE" in str(error)
        else:
            raise AssertionError("a duplicate was accepted")
        async with sessions() as session:
            assert (await session.execute(text("SELECT x FROM t"))).scalars().all() == [1]
    finally:
        await engine.dispose()
