"""Use-case side of the evidence log: what gets recorded, in whose words."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.app import App
from handlers.types import Incoming, Reply, keyboard_to_json
from storage import audit, inbox
from storage.audit import Kind

_KIND = {"message": Kind.INBOUND, "edited_message": Kind.INBOUND_EDIT, "callback": Kind.CALLBACK}


async def record_inbound(app: App, incomings: Sequence[Incoming], received_at: datetime, *,
                         queue: bool = False) -> list[int | None]:
    """Commit updates as evidence, in their order, in one transaction; None for each update that
    was recorded before.

    ``queue`` also puts them in the inbox in the same transaction: once this returns, the
    updates may be acknowledged to Telegram, since their answers can no longer be lost.
    """
    async with app.sessions() as session, session.begin():
        return [await _record_inbound(session, app, incoming, received_at, queue) for incoming in incomings]


async def _record_inbound(session: AsyncSession, app: App, incoming: Incoming, received_at: datetime,
                          queue: bool) -> int | None:
    payload: dict[str, Any] = {"update": incoming.raw} if incoming.raw else {}
    if incoming.callback_data is not None:
        payload["callback_data"] = incoming.callback_data
    if incoming.files:
        payload["files"] = [
            {"kind": f.kind, "file_id": f.file_id, "file_unique_id": f.file_unique_id, "size": f.size,
             "file_name": f.file_name} for f in incoming.files
        ]
    version = (await audit.next_message_version(session, incoming.chat_id, incoming.message_id)
               if incoming.kind == "edited_message" and incoming.message_id is not None else 1)
    entry, duplicate = await audit.record_update(
        session, bot_id=app.config.bot_id, update_id=incoming.update_id, kind=_KIND[incoming.kind],
        recorded_at=received_at, telegram_time=incoming.sent_at, chat_id=incoming.chat_id,
        actor_id=incoming.user_id, message_id=incoming.message_id, version=version, text=incoming.text,
        payload=payload or None)
    if duplicate:
        return None
    if queue:
        await inbox.add(session, entry_id=entry.id, chat_id=incoming.chat_id, update_id=incoming.update_id,
                        received_at=received_at)
    return entry.id


async def record_unreadable(app: App, *, body: str, reason: str, update_id: int | None,
                            received_at: datetime) -> int | None:
    """Commit an update the bot cannot read, raw, as evidence; None when its id was recorded before.

    ``body`` is the request body as received (decoded with ``surrogateescape``, so
    even bytes that are not UTF-8 survive in the escaped payload).
    """
    async with app.sessions() as session, session.begin():
        entry, duplicate = await audit.record_update(
            session, bot_id=app.config.bot_id, update_id=update_id, kind=Kind.UNREADABLE,
            recorded_at=received_at, text=reason, payload={"body": body})
        return None if duplicate else entry.id


async def record_outbound(app: App, reply: Reply, *, message_id: int | None, sent_at: datetime) -> None:
    """Log what the bot said (or edited), with the Telegram message id it got."""
    async with app.sessions() as session, session.begin():
        await log_outbound(session, reply, message_id=message_id, sent_at=sent_at)


async def log_outbound(session: AsyncSession, reply: Reply, *, message_id: int | None, sent_at: datetime) -> None:
    """:func:`record_outbound` in the caller's transaction."""
    payload: dict[str, Any] = {}
    if reply.buttons:
        payload["buttons"] = keyboard_to_json(reply.buttons)
    if reply.document is not None:
        payload["document"] = {"file_name": reply.document.file_name, "size": len(reply.document.content),
                               "sha256": hashlib.sha256(reply.document.content).hexdigest()}
    await audit.append_at_commit(session, kind=Kind.OUTBOUND_EDIT if reply.edit_message_id else Kind.OUTBOUND,
                                 recorded_at=sent_at, chat_id=reply.chat_id,
                                 message_id=message_id if message_id is not None else reply.edit_message_id,
                                 entity=reply.entity, text=reply.text, payload=payload or None)


async def state_change(session: AsyncSession, now: datetime, *, entity: str, actor_id: int | None, event: str,
                       data: dict[str, Any] | None = None, evidence_id: int | None = None) -> None:
    """Record a state change in the caller's transaction, pointing at its evidence message."""
    payload = {"event": event, **(data or {})}
    if evidence_id is not None:
        payload["evidence"] = evidence_id
    await audit.append_at_commit(session, kind=Kind.STATE_CHANGE, recorded_at=now, entity=entity,
                                 actor_id=actor_id, text=event, payload=payload)
