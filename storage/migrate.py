"""Alembic migrations, applied by ``orderbot db upgrade`` and at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def compare_type(context: Any, _inspected: sa.Column[Any], _metadata: sa.Column[Any], inspected_type: Any,
                 metadata_type: Any) -> bool | None:
    """Alembic's type comparison, except that on SQLite VARCHAR(n) equals TEXT: SQLite
    ignores declared lengths, so both hold any text (None lets Alembic decide)."""
    if context.dialect.name == "sqlite" and isinstance(inspected_type, sa.String) \
            and isinstance(getattr(metadata_type, "impl", metadata_type), sa.Text):
        return False
    return None


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


# An arbitrary constant: the PostgreSQL advisory lock one upgrade holds while it runs.
_UPGRADE_LOCK_KEY = 0x6F62_6D69_6772_6174  # "obmigrat"


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision``. Instances that start together on one PostgreSQL take
    turns: the first migrates, the others then find nothing left to do (without the lock two of
    three failed creating the same table)."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK_KEY})
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
