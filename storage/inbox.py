"""The inbox (收件箱): updates recorded as evidence and not yet answered.

A row is added in the transaction that records the inbound audit entry and is
deleted once the replies went out. Query functions take a session and never
commit; the pipeline in ``bot/pipeline.py`` owns the transactions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import AuditEntry, InboxState, InboxUpdate

# Namespace of the per-chat advisory locks (PostgreSQL), distinct from the scheduler's.
_CHAT_LOCK_NAMESPACE = 0x0B0C


# Core statements on the table: an inbox row is written, marked and deleted, never loaded as an
# object, so the ORM's unit of work would only add cost.
_INBOX = InboxUpdate.metadata.tables[InboxUpdate.__tablename__]


async def add(session: AsyncSession, *, entry_id: int, chat_id: int, update_id: int | None,
              received_at: datetime) -> None:
    await session.execute(_INSERT, {"entry_id": entry_id, "chat_id": chat_id, "update_id": update_id,
                                    "received_at": received_at, "state": InboxState.RECEIVED})


@dataclass(frozen=True)
class Waiting:
    """A chat's next unanswered update: its audit entry, how far it got, and the update as recorded."""

    entry_id: int
    state: InboxState
    outcome: str | None  # the replies still to send, once applied
    update: dict[str, Any] | None  # None: the audit entry holds no readable update


async def next_for_chat(session: AsyncSession, chat_id: int) -> Waiting | None:
    """The chat's oldest unanswered update, in Telegram's order (update ids only grow), with the
    update as it was recorded in the audit log (the inbox keeps no second copy)."""
    row = (await session.execute(_NEXT_FOR_CHAT, {"chat_id": chat_id})).first()
    if row is None:
        return None
    update = json.loads(row.payload).get("update") if row.payload else None
    return Waiting(row.entry_id, InboxState(row.state), row.outcome, update if isinstance(update, dict) else None)


async def any_waiting(session: AsyncSession, chat_id: int) -> bool:
    """Whether the chat has an unanswered update."""
    return (await session.execute(_ANY_WAITING, {"chat_id": chat_id})).first() is not None


async def mark_applied(session: AsyncSession, entry_id: int, outcome: str) -> None:
    await session.execute(_MARK_APPLIED, {"entry": entry_id, "new_outcome": outcome})


async def remove(session: AsyncSession, entry_id: int) -> None:
    await session.execute(_REMOVE, {"entry": entry_id})


# Built once, with bound parameters: SQLAlchemy reuses their cache keys and compiled forms.
_INSERT = _INBOX.insert()
_NEXT_FOR_CHAT = (
    select(_INBOX.c.entry_id, _INBOX.c.state, _INBOX.c.outcome, AuditEntry.payload)
    .join_from(_INBOX, AuditEntry, AuditEntry.id == _INBOX.c.entry_id, isouter=True)
    .where(_INBOX.c.chat_id == bindparam("chat_id"))
    .order_by(_INBOX.c.update_id.nulls_last(), _INBOX.c.entry_id).limit(1)
)
_ANY_WAITING = select(_INBOX.c.entry_id).where(_INBOX.c.chat_id == bindparam("chat_id")).limit(1)
_MARK_APPLIED = _INBOX.update().where(_INBOX.c.entry_id == bindparam("entry")) \
    .values(state=InboxState.APPLIED, outcome=bindparam("new_outcome"))
_REMOVE = _INBOX.delete().where(_INBOX.c.entry_id == bindparam("entry"))


async def chats_waiting(session: AsyncSession, *, received_before: datetime | None = None) -> Sequence[int]:
    """Chats with unanswered updates (older than ``received_before``, when given)."""
    query = select(InboxUpdate.chat_id, func.min(InboxUpdate.entry_id).label("first")).group_by(InboxUpdate.chat_id)
    if received_before is not None:
        query = query.where(InboxUpdate.received_at < received_before)
    return [row.chat_id for row in (await session.execute(query.order_by(text("first")))).all()]


async def try_lock_chat(connection: AsyncConnection, chat_id: int) -> bool:
    """Take the chat's advisory lock on this connection (PostgreSQL) unless another instance's
    lane holds it; released by :func:`unlock_chat` or when the connection closes."""
    return bool((await connection.execute(text("SELECT pg_try_advisory_lock(:ns, :key)"),
                                          {"ns": _CHAT_LOCK_NAMESPACE, "key": _lock_key(chat_id)})).scalar())


async def unlock_chat(connection: AsyncConnection, chat_id: int) -> None:
    await connection.execute(text("SELECT pg_advisory_unlock(:ns, :key)"),
                             {"ns": _CHAT_LOCK_NAMESPACE, "key": _lock_key(chat_id)})


def _lock_key(chat_id: int) -> int:
    """The two-int advisory lock takes a 32-bit key; chat ids are 64-bit, so fold them."""
    folded = (chat_id ^ (chat_id >> 32)) & 0xFFFFFFFF
    return folded - (1 << 32) if folded >= (1 << 31) else folded
