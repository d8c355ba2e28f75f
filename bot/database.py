"""One engine for one command-line operation: opened, used, and always disposed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from storage.db import create_engine

T = TypeVar("T")


def run_on_database(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run ``work(engine)`` to completion on the configured database."""

    async def main() -> T:
        engine = create_engine(settings.database.url.get_secret_value())
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(main())
