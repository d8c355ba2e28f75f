"""Notifications for other people: rendered in the recipient's language, queued in the outbox
within the current transaction (so a rolled-back change notifies nobody)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role
from domain.texts import t
from handlers.types import Button, keyboard_to_json
from storage import outbox
from storage import users as user_store
from storage.models import User


async def notify_user(session: AsyncSession, user: User, *, key: str, text: str, now: datetime,
                      buttons: tuple[tuple[Button, ...], ...] = (), entity: str | None = None,
                      not_before: datetime | None = None) -> bool:
    return await outbox.enqueue(session, key=f"{key}:u{user.id}", chat_id=user.telegram_id, text=text, now=now,
                                buttons=keyboard_to_json(buttons) or None, entity=entity, not_before=not_before)


async def notify_users(session: AsyncSession, users: Iterable[User], *, key: str, now: datetime,
                       text_key: str | None = None, text_for: Callable[[str], str] | None = None,
                       buttons_for: Callable[[str], tuple[tuple[Button, ...], ...]] | None = None,
                       entity: str | None = None, not_before: datetime | None = None, **params: object) -> int:
    """Queue a message to each user in their own language.

    Either ``text_key`` (+ ``params``) from the catalogue, or ``text_for(language)``
    for texts assembled from several entries (cards); ``buttons_for(language)``
    builds the buttons.
    """
    sent = 0
    for user in users:
        text = text_for(user.language) if text_for else t(user.language, text_key or "", **params)
        buttons = buttons_for(user.language) if buttons_for else ()
        sent += await notify_user(session, user, key=key, text=text, now=now, buttons=buttons, entity=entity,
                                  not_before=not_before)
    return sent


async def people(session: AsyncSession, *roles: Role, store_id: int | None = None) -> list[User]:
    return list(await user_store.users_with_role(session, *roles, store_id=store_id))
