"""Shared fixtures: a settable clock, real databases (SQLite and PostgreSQL), the App.

PostgreSQL: tests marked ``postgres`` (and the ``db_url`` fixture's pg variant)
use ``$ORDERBOT_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``),
each test in its own throw-away database. Where no server answers they are
skipped with the reason — unless ``ORDERBOT_REQUIRE_PG=1`` (as ``.ci/run``
sets), where an unreachable server fails the run instead of hiding tests.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from domain.policy.settings import PolicySettings
from handlers.app import App, AppConfig
from storage.db import create_engine, session_factory
from storage.migrate import upgrade

SHANGHAI = ZoneInfo("Asia/Shanghai")
PG_URL = os.environ.get("ORDERBOT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("ORDERBOT_REQUIRE_PG") == "1"
REQUIRE_BROWSER = os.environ.get("ORDERBOT_REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("ORDERBOT_CHROMIUM", "/usr/bin/chromium")


class FakeClock:
    """A clock the test moves by hand; tests never sleep to wait for time."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


def local(*args: int) -> datetime:
    """An aware datetime in the business time zone: local(2026, 12, 3, 17, 20)."""
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(2026, 12, 3, 17, 20))


_pg_reachable: bool | None = None


def _check_pg() -> bool:
    global _pg_reachable
    if _pg_reachable is None:
        async def probe() -> bool:
            import asyncpg

            try:
                conn = await asyncpg.connect(PG_URL, timeout=3)
            except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
                return False
            await conn.close()
            return True

        try:
            _pg_reachable = asyncio.run(probe())
        except ImportError:
            _pg_reachable = False
    return _pg_reachable


def require_browser() -> str:
    """The system Chromium for the browser tests, or a skip with the reason (a failure under
    ORDERBOT_REQUIRE_BROWSER=1, as CI sets it)."""
    import importlib.util

    reason = None
    if importlib.util.find_spec("playwright") is None:
        reason = "the playwright package is not installed (pip install -e '.[test]')"
    elif not os.access(CHROMIUM, os.X_OK):
        reason = f"no Chromium at {CHROMIUM} (scripts/install-browser installs Debian's; or set ORDERBOT_CHROMIUM)"
    if reason is None:
        return CHROMIUM
    if REQUIRE_BROWSER:
        pytest.fail(f"ORDERBOT_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def require_pg() -> None:
    if _check_pg():
        return
    reason = f"PostgreSQL not reachable at {PG_URL} (set ORDERBOT_TEST_PG_URL to test against one)"
    if REQUIRE_PG:
        pytest.fail(f"ORDERBOT_REQUIRE_PG=1 but {reason}")
    pytest.skip(reason)


def _pg_admin(sql: str) -> None:
    async def run() -> None:
        import asyncpg

        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    require_pg()
    name = f"orderbot_t_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        base = PG_URL.rsplit("/", 1)[0]
        yield f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[object]:
    engine = create_engine(db_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine):  # type: ignore[no-untyped-def]
    return session_factory(engine)


_PARSER = None


def shared_parser():  # type: ignore[no-untyped-def]
    """One parser for the whole run: building it loads dictionaries, which need not happen per test."""
    global _PARSER
    if _PARSER is None:
        from domain.parsing import Parser

        _PARSER = Parser()
    return _PARSER


@pytest.fixture
def app(sessions, clock: FakeClock) -> App:  # type: ignore[no-untyped-def]
    return App(sessions=sessions, clock=clock,
               config=AppConfig(policy=PolicySettings(), admins=(1001,), bot_username="orderbot_test_bot", bot_id=1),
               parser=shared_parser())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)
