"""The inbox (收件箱): updates recorded as evidence and not yet answered.

A row is added in the transaction that records the inbound audit entry and is
deleted once the replies went out. Query functions take a session and never
commit; the pipeline in ``bot/pipeline.py`` owns the transactions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import AuditEntry, InboxState, InboxUpdate

# Namespace of the per-chat advisory locks (PostgreSQL), distinct from the scheduler's.
_CHAT_LOCK_NAMESPACE = 0x0B0C


async def add(session: AsyncSession, *, entry_id: int, chat_id: int, update_id: int | None,
              received_at: datetime) -> None:
    session.add(InboxUpdate(entry_id=entry_id, chat_id=chat_id, update_id=update_id, received_at=received_at,
                            state=InboxState.RECEIVED))
    await session.flush()


async def next_for_chat(session: AsyncSession, chat_id: int) -> InboxUpdate | None:
    """The chat's oldest unanswered update, in Telegram's order (update ids only grow)."""
    return (await session.execute(
        select(InboxUpdate).where(InboxUpdate.chat_id == chat_id)
        .order_by(InboxUpdate.update_id.nulls_last(), InboxUpdate.entry_id).limit(1)
    )).scalar_one_or_none()


async def recorded_update(session: AsyncSession, entry_id: int) -> dict[str, Any] | None:
    """The update as it was recorded in the audit log (the inbox keeps no second copy)."""
    payload = (await session.execute(select(AuditEntry.payload).where(AuditEntry.id == entry_id))).scalar_one_or_none()
    if not payload:
        return None
    update = json.loads(payload).get("update")
    return update if isinstance(update, dict) else None


async def mark_applied(session: AsyncSession, entry_id: int, outcome: str) -> None:
    await session.execute(update(InboxUpdate).where(InboxUpdate.entry_id == entry_id)
                          .values(state=InboxState.APPLIED, outcome=outcome))


async def remove(session: AsyncSession, entry_id: int) -> None:
    await session.execute(delete(InboxUpdate).where(InboxUpdate.entry_id == entry_id))


async def chats_waiting(session: AsyncSession, *, received_before: datetime | None = None) -> Sequence[int]:
    """Chats with unanswered updates (older than ``received_before``, when given)."""
    query = select(InboxUpdate.chat_id, func.min(InboxUpdate.entry_id).label("first")).group_by(InboxUpdate.chat_id)
    if received_before is not None:
        query = query.where(InboxUpdate.received_at < received_before)
    return [row.chat_id for row in (await session.execute(query.order_by(text("first")))).all()]


async def lock_chat(connection: AsyncConnection, chat_id: int) -> None:
    """Hold the chat's advisory lock on this connection (PostgreSQL), waiting for another instance
    that is answering the same chat; released by :func:`unlock_chat` or when the connection closes."""
    await connection.execute(text("SELECT pg_advisory_lock(:ns, :key)"),
                             {"ns": _CHAT_LOCK_NAMESPACE, "key": _lock_key(chat_id)})


async def unlock_chat(connection: AsyncConnection, chat_id: int) -> None:
    await connection.execute(text("SELECT pg_advisory_unlock(:ns, :key)"),
                             {"ns": _CHAT_LOCK_NAMESPACE, "key": _lock_key(chat_id)})


def _lock_key(chat_id: int) -> int:
    """The two-int advisory lock takes a 32-bit key; chat ids are 64-bit, so fold them."""
    folded = (chat_id ^ (chat_id >> 32)) & 0xFFFFFFFF
    return folded - (1 << 32) if folded >= (1 << 31) else folded
