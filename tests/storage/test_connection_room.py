"""connection_room: what PostgreSQL lets the bot's role open, the least of the server's, the role's
and the database's limits; nothing to say on SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from storage.db import connection_room, create_engine
from tests.conftest import PG_URL, _pg_admin, require_pg


@pytest.fixture
def limited() -> Iterator[tuple[str, str]]:
    """A database allowing 9 connections, owned by a role allowing 7: (the role's URL, a superuser's)."""
    require_pg()
    name = f"orderbot_t_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE ROLE "{name}" LOGIN CONNECTION LIMIT 7')
    _pg_admin(f'CREATE DATABASE "{name}" OWNER "{name}" CONNECTION LIMIT 9')
    host = PG_URL.split("@", 1)[1].rsplit("/", 1)[0]
    try:
        yield f"postgresql+asyncpg://{name}@{host}/{name}", f"postgresql+asyncpg://postgres@{host}/{name}"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'DROP ROLE IF EXISTS "{name}"')


async def test_sqlite_has_no_connection_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'room.sqlite3'}")
    try:
        assert await connection_room(engine) is None
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_the_least_limit_counts_and_a_superuser_has_only_the_servers(limited: tuple[str, str]) -> None:
    role_url, superuser_url = limited
    for url, expected in ((role_url, lambda n: n == 7), (superuser_url, lambda n: n > 9)):
        engine = create_engine(url)
        try:
            room = await connection_room(engine)
            assert room is not None and expected(room.limit) and room.open >= 1
        finally:
            await engine.dispose()
