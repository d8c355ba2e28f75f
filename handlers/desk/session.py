"""Who is looking at the desk: the person behind a checked initData, as a use-case Context."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role
from handlers.app import App
from handlers.context import Context
from handlers.types import Incoming
from storage import users as user_store
from storage.models import User

# Those who see figures across orders (as /status, /kpi): not sales, not admins.
DESK_ROLES = frozenset({Role.MANAGER, Role.STORE_MANAGER, Role.CLERK})


async def desk_user(session: AsyncSession, telegram_id: int) -> User | None:
    """The registered, active person with a desk role; None for anyone else (a stranger, sales)."""
    user = await user_store.user_by_telegram_id(session, telegram_id)
    if user is None or not user.active or Role(user.role) not in DESK_ROLES:
        return None
    return user


def desk_context(app: App, session: AsyncSession, user: User, now: datetime) -> Context:
    """A read-only Context for the desk's screens: the same scope and language rules as a chat command.

    Nothing is recorded for reading (evidence_id 0); actions go through ``handlers.desk.actions``,
    which records them like a button press."""
    incoming = Incoming(kind="message", update_id=None, user_id=user.telegram_id, chat_id=user.telegram_id,
                        sent_at=now)
    return Context(app, session, incoming, now, user, evidence_id=0)
