"""The outbox: notifications for people other than the sender, delivered after commit.

Writing a notification in the same transaction as the change that caused it
means a crash can never lose it nor send it for a change that was rolled back.
``key`` is unique: asking twice to send the same (rule, entity, slot) is a no-op.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage


async def enqueue(session: AsyncSession, *, key: str, chat_id: int, text: str, now: datetime,
                  buttons: list[list[dict[str, str]]] | None = None, entity: str | None = None,
                  not_before: datetime | None = None) -> bool:
    """Queue one notification; False when that key was queued before."""
    exists = (await session.execute(select(OutboxMessage.id).where(OutboxMessage.key == key))).first()
    if exists:
        return False
    session.add(OutboxMessage(
        key=key, chat_id=chat_id, text=text, buttons=json.dumps(buttons, ensure_ascii=False) if buttons else None,
        entity=entity, created_at=now, not_before=not_before or now, state="pending", attempts=0))
    await session.flush()
    return True


async def due(session: AsyncSession, now: datetime, limit: int = 100) -> Sequence[OutboxMessage]:
    query = (select(OutboxMessage).where(OutboxMessage.state == "pending", OutboxMessage.not_before <= now)
             .order_by(OutboxMessage.id).limit(limit))
    if session.bind.dialect.name == "postgresql":
        # Several bot instances may drain the outbox; each row goes to exactly one.
        query = query.with_for_update(skip_locked=True)
    return (await session.execute(query)).scalars().all()


async def for_key(session: AsyncSession, key: str) -> OutboxMessage | None:
    return (await session.execute(select(OutboxMessage).where(OutboxMessage.key == key))).scalar_one_or_none()
