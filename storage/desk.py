"""One-time tickets for the desk's actions (确认/免除罚款, 已处理): issued, then used once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import added
from storage.models import DeskNonce


async def issue(session: AsyncSession, *, nonce: str, telegram_id: int, now: datetime) -> None:
    await added(session, DeskNonce(nonce=nonce, telegram_id=telegram_id, issued_at=now))


async def use(session: AsyncSession, *, nonce: str, telegram_id: int, now: datetime, max_age: timedelta) -> bool:
    """Mark the ticket used; False if it is unknown, someone else's, too old or used already.

    One conditional UPDATE: of two requests racing with the same ticket, on either
    database, exactly one sees its row change."""
    # An UPDATE gives a CursorResult (with the row count); execute() is typed as the general Result.
    result = cast(CursorResult[Any], await session.execute(
        update(DeskNonce).where(DeskNonce.nonce == nonce, DeskNonce.telegram_id == telegram_id,
                                DeskNonce.used_at.is_(None), DeskNonce.issued_at > now - max_age)
        .values(used_at=now).execution_options(synchronize_session=False)))
    return result.rowcount == 1


async def forget_older_than(session: AsyncSession, before: datetime) -> None:
    """Tickets past their age prove nothing any more; used ones stay findable in the audit log."""
    await session.execute(delete(DeskNonce).where(DeskNonce.issued_at < before))
