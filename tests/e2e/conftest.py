"""End-to-end fixtures: the sandbox Bot API server, the real bot runtime, a client acting as users."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import settings_from_mapping
from bot.runtime import Runtime
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer
from tests.conftest import local
from tests.e2e.harness import Harness

FRAMEWORKS = ["python-telegram-bot", "aiogram"]


def _merge(base: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def e2e_settings(db_url: str, framework: str, files_dir: str | None = None, environ: dict | None = None,  # type: ignore[no-untyped-def]
                 **overrides):
    data = {
        "database": {"url": db_url},
        "telegram": {"framework": framework},
        "sandbox": {"port": 0, "demo_groups": False},  # tests make the groups they need
        "desk": {"port": 0},
        "scheduler": {"enabled": False},
        "bot": {"files_dir": files_dir or "orderbot-files"},
    }
    return settings_from_mapping(_merge(data, overrides), environ=environ or {})


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def e2e_db_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite+aiosqlite:///{tmp_path / 'e2e.sqlite3'}"


@pytest.fixture
def e2e_overrides() -> dict:
    """Override per test module to change settings (a dict of TOML sections)."""
    return {}


@pytest.fixture
def e2e_environ() -> dict:
    """Override per test module to give the bot environment variables (the audit signing key file …)."""
    return {}


@pytest.fixture
async def harness(e2e_db_url: str, framework: str, e2e_overrides: dict, e2e_environ: dict,  # type: ignore[no-untyped-def]
                  tmp_path) -> AsyncIterator[Harness]:
    sandbox = SandboxServer()
    # Thursday 2026-12-03 17:20 Shanghai: inside the 17:00–18:00 intake window.
    sandbox.clock.set(local(2026, 12, 3, 17, 20))
    await sandbox.start()
    runtime = Runtime(e2e_settings(e2e_db_url, framework, files_dir=str(tmp_path / "files"), environ=e2e_environ,
                                   **e2e_overrides),
                      sandbox=sandbox, first_backoff=0.05)
    await runtime.start()
    client = SandboxClient(sandbox.root_url)
    try:
        yield Harness(sandbox, client, runtime)
    finally:
        await client.close()
        await runtime.stop()
        await sandbox.stop()
