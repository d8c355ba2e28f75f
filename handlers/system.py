"""Acting without an incoming message: the sweep's own context and evidence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.app import App
from handlers.context import Context
from handlers.types import Incoming
from storage import audit
from storage.models import User


async def system_context(app: App, session: AsyncSession, now: datetime, *, on_behalf_of: User | None,
                         reason: str) -> Context:
    """A Context for a use case the clock triggers: its evidence is a system entry saying why."""
    entry = await audit.append(session, kind=audit.Kind.SYSTEM, recorded_at=now, text=reason)
    chat = on_behalf_of.telegram_id if on_behalf_of else 0
    incoming = Incoming(kind="message", update_id=None, user_id=chat, chat_id=chat, sent_at=now)
    return Context(app, session, incoming, now, on_behalf_of, entry.id)
