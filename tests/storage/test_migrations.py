"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
