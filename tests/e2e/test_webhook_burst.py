"""A burst over Telegram's 40 webhook connections on a PostgreSQL that allows few connections.

Telegram keeps up to 40 requests open to a webhook at once. Each request waits until its
update is committed, so a burst must not open a database connection per request: three
instances would then ask for more than PostgreSQL's 100 connections, and every refused one
is an update answered 500 and a chat left waiting. Here the database's role allows only the
connections the chats' lanes need; forty people send an order at the same moment and every
one gets a draft card. Marked ``slow``: CI runs it, ``-m "not slow"`` skips it locally.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer
from tests.conftest import PG_URL, _pg_admin, local, require_pg
from tests.e2e.processes import BotProcess, bot_config, free_port, ready, seed_sales, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.postgres]

PEOPLE = 40
FIRST_ID = 7300
LANES = 4
# A connection for each lane, and one each for recording, the outbox, the inbox's recovery and
# a worker: what an instance needs. An instance that opened one per open request would need 40.
CONNECTIONS = LANES + 6


@pytest.fixture
def limited_pg_url() -> Iterator[str]:
    """A fresh database owned by a role that may hold only ``CONNECTIONS`` connections at once
    (a superuser is exempt from connection limits, so the bot must not be one)."""
    require_pg()
    name = f"orderbot_t_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE ROLE "{name}" LOGIN CONNECTION LIMIT {CONNECTIONS}')
    _pg_admin(f'CREATE DATABASE "{name}" OWNER "{name}"')
    try:
        host = PG_URL.split("@", 1)[1].rsplit("/", 1)[0]
        yield f"postgresql+asyncpg://{name}@{host}/{name}"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'DROP ROLE IF EXISTS "{name}"')


async def _most_connections(url: str, stop: asyncio.Event) -> int:
    """The most connections the bot's role held at once, sampled every 5 ms until ``stop``."""
    import asyncpg

    role = url.split("//", 1)[1].split("@", 1)[0]
    conn = await asyncpg.connect(PG_URL)
    most = 0
    try:
        while not stop.is_set():
            most = max(most, await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE usename = $1", role))
            await asyncio.sleep(0.005)
    finally:
        await conn.close()
    return int(most)


async def _card_for(client: SandboxClient, person: int, after: int) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    cursor = after
    while loop.time() < deadline:
        for event in await client.bot_events(person, cursor, timeout=1.0):
            cursor = max(cursor, event["seq"])
            buttons = [b.get("text") for row in (event.get("reply_markup") or {}).get("inline_keyboard", [])
                       for b in row]
            if event["kind"] == "send" and "确认" in buttons:
                return True
    return False


async def test_a_burst_over_forty_webhook_connections_is_answered_within_the_connection_limit(
        tmp_path: Path, limited_pg_url: str) -> None:
    sandbox = SandboxServer()
    sandbox.clock.set(local(2026, 12, 3, 17, 20))  # inside the intake window
    await sandbox.start()
    await seed_sales(limited_pg_url, [FIRST_ID + i for i in range(PEOPLE)])
    client = SandboxClient(sandbox.root_url)
    port = free_port()
    config = bot_config(tmp_path / "bot.toml", database_url=limited_pg_url, sandbox_port=sandbox.port,
                        webhook_port=port, proxy_url=f"http://127.0.0.1:{port}/tg", files_dir=tmp_path / "files",
                        concurrent_chats=LANES)
    bot = BotProcess(config, tmp_path / "bot.log")
    try:
        bot.start()
        await wait_until(lambda: ready(port), 60, "the instance ready")
        people = [FIRST_ID + i for i in range(PEOPLE)]
        for person in people:
            await client.register_user(person, f"导购{person}")
        after = await client.last_seq()
        stop = asyncio.Event()
        sampler = asyncio.ensure_future(_most_connections(limited_pg_url, stop))
        await asyncio.gather(*(
            client.send_text(person, f"{'张王李赵陈刘杨黄周吴'[n % 10]}{'伟芳娜敏静丽强磊'[n // 10 % 8]} "
                                     f"139{person % 10000:04d}0000 实木床1.8米1张 12月20日送 天河区天河路{n + 1}号 全款",
                             first_name=f"导购{person}")
            for n, person in enumerate(people)))
        answered = await asyncio.gather(*(_card_for(client, person, after) for person in people))
        stop.set()
        most = await sampler
        log = bot.output()
        assert "too many connections" not in log, log[-3000:]
        # Its pool may open 4 + 8 = 12, more than the role's 10: the instance said so at start.
        assert f"PostgreSQL allows {CONNECTIONS} connections" in log and "may need up to 12" in log
        assert sum(answered) == PEOPLE, [p for p, ok in zip(people, answered, strict=True) if not ok]
        # A connection a busy chat (its lock and its work share it) and the one recording.
        assert most <= LANES + 3, most
    finally:
        if bot.alive:
            await bot.terminate()
        await client.close()
        await sandbox.stop()
