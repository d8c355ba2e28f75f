"""Bots as real processes (to kill with SIGKILL), sharing one sandbox, and a round-robin proxy.

Used by the crash tests and the load benchmarks: ``orderbot run`` in a subprocess,
attached to a sandbox the test runs (``[sandbox] attach``), on SQLite or PostgreSQL,
polling or behind the proxy in webhook mode. Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from storage import users
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from tests.conftest import local

RUN = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def seed_sales(url: str, people: list[int]) -> None:
    """The database at ``url`` migrated, with store S1 (天河店) and each of ``people`` (Telegram
    ids) a sales person there, as the load tests and benchmarks need before the bots start."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            now = local(2026, 12, 3, 17, 0)
            store = await users.store_by_code(session, "S1") or await users.add_store(session, code="S1",
                                                                                      name="天河店", now=now)
            for person in people:
                await users.add_user(session, telegram_id=person, name=f"导购{person}", role="sales", now=now,
                                     store_id=store.id)
    finally:
        await engine.dispose()


def bot_config(path: Path, *, database_url: str, sandbox_port: int, framework: str = "python-telegram-bot",
               webhook_port: int | None = None, proxy_url: str | None = None, files_dir: Path,
               concurrent_chats: int | None = None) -> Path:
    lines = [
        "[telegram]", f'framework = "{framework}"',
        *(['mode = "webhook"'] if webhook_port else []),
        "",
        "[database]", f'url = "{database_url}"', "",
        "[sandbox]", f"port = {sandbox_port}", "attach = true", "demo_team = true", "",
        "[desk]", "port = 0", "",
        "[bot]", f'files_dir = "{files_dir}"', "",
        "[updates]", *([f"concurrent_chats = {concurrent_chats}"] if concurrent_chats else []),
        "inbox_recovery_seconds = 2.0", "",
        "[scheduler]", "enabled = false", "",
        "[outbox]", "lease_seconds = 5.0", "",
    ]
    if webhook_port:
        lines += ["[telegram.webhook]", f'url = "{proxy_url}"', 'listen = "127.0.0.1"', f"port = {webhook_port}",
                  'path = "/tg"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@dataclass
class BotProcess:
    config: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERBOT_")}
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n--- start {self.starts} ---\n".encode())
            out.flush()
            self.process = subprocess.Popen([sys.executable, "-c", RUN, "run", "--config", str(self.config)],
                                            stdout=out, stderr=subprocess.STDOUT, env=env)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a power cut or the OOM killer."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    async def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, waiting without blocking the event loop: the sandbox a starting bot still
        talks to runs on it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.to_thread(self.process.wait, timeout)
        except subprocess.TimeoutExpired:
            self.kill()  # never leave a bot running after a test or a benchmark
            raise

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


async def wait_until(predicate, timeout: float, what: str, interval: float = 0.05) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


async def ready(port: int) -> bool:
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as http:
            async with http.get(f"http://127.0.0.1:{port}/readyz") as resp:
                return resp.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return False


@dataclass
class RoundRobinProxy:
    """What nginx or Caddy does in front of N instances: each request to the next upstream,
    and on to the one after when an upstream is down or not ready (5xx)."""

    upstreams: list[str]
    port: int = field(default_factory=free_port)
    forwarded: dict[str, int] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/tg"

    async def start(self) -> None:
        self._cycle = itertools.cycle(range(len(self.upstreams)))
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        app = web.Application()
        app.router.add_post("/tg", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-telegram")}
        headers["Content-Type"] = "application/json"
        first = next(self._cycle)
        for step in range(len(self.upstreams) * 2):
            upstream = self.upstreams[(first + step) % len(self.upstreams)]
            try:
                async with self._session.post(upstream, data=body, headers=headers) as resp:
                    text = await resp.text()
                    if resp.status < 500:
                        self.forwarded[upstream] = self.forwarded.get(upstream, 0) + 1
                        return web.Response(status=resp.status, text=text)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                pass
            await asyncio.sleep(0.05)
        return web.Response(status=502, text="no upstream answered")
