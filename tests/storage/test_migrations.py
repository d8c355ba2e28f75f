"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import create_engine
from tests.e2e.processes import RUN
from storage.migrate import compare_type, current_revision, upgrade
from storage.models import Base


async def test_migrated_schema_matches_the_models(engine) -> None:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        diff = await conn.run_sync(lambda sync: compare_metadata(
        MigrationContext.configure(sync, opts={"compare_type": compare_type}), Base.metadata))
    assert diff == []


async def test_upgrade_twice_is_harmless(engine) -> None:  # type: ignore[no-untyped-def]
    before = await current_revision(engine)
    await upgrade(engine)
    assert await current_revision(engine) == before is not None


@pytest.mark.postgres
async def test_instances_starting_together_migrate_once(pg_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # N instances behind one proxy start at the same moment and each upgrades the schema at start:
    # the others must wait for the first and then find nothing left to do, not fail halfway.
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{pg_url}"\n')
    env = {key: value for key, value in os.environ.items() if not key.startswith("ORDERBOT_")}
    instances = [await asyncio.create_subprocess_exec(
        sys.executable, "-c", RUN, "db", "upgrade", "--config", str(config), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT) for _ in range(3)]
    outputs = [(await asyncio.wait_for(p.communicate(), 120))[0].decode() for p in instances]
    assert [p.returncode for p in instances] == [0, 0, 0], outputs
    engine = create_engine(pg_url)
    try:
        assert await current_revision(engine) is not None
    finally:
        await engine.dispose()
