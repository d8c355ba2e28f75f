"""Alembic environment: always run with a connection handed in by storage.migrate."""

from __future__ import annotations

from alembic import context

from storage.migrate import compare_type
from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `orderbot db upgrade` (storage.migrate), which passes a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things in place
    compare_type=compare_type,
)
with context.begin_transaction():
    context.run_migrations()
