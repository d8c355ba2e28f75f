"""Notifications for other people: rendered in the recipient's language, queued in the outbox
within the current transaction (so a rolled-back change notifies nobody).

A notification about something whose state can move on while it waits (a card with buttons,
a reminder) is queued with a render spec (``live=``): the outbox renders it again when it is
sent, or drops it when it no longer applies (see ``handlers.live``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role
from domain.texts import t
from handlers.app import App, ClerkNotices
from handlers.groups import desk
from handlers.live import render_now
from handlers.types import Button, Reply, keyboard_to_json
from storage import outbox
from storage import users as user_store
from storage.models import User


async def notify_user(session: AsyncSession, user: User, *, key: str, text: str, now: datetime,
                      buttons: tuple[tuple[Button, ...], ...] = (), entity: str | None = None,
                      not_before: datetime | None = None, live: dict[str, object] | None = None,
                      app: App | None = None, urgent: bool = False,
                      attachment: dict[str, str] | None = None) -> int:
    """Queue one notification under ``key`` (``:u<id>`` is added); how many rows were queued."""
    mode: ClerkNotices = app.config.clerk_notices if app is not None else "desk"
    queued = 0
    if (desk_group := await desk.desk_for(session, user, mode)) is not None:
        # A clerk's notification goes into the desk group's topic (and, in "both" mode, privately too).
        queued += await desk.queue(session, desk_group, user, key=key, text=text, now=now, mode=mode,
                                   per=app.config.desk_topics if app is not None else "store",
                                   buttons=keyboard_to_json(buttons) or None, entity=entity, not_before=not_before,
                                   live=live, urgent=urgent, attachment=attachment)
        if mode == "desk":
            return queued
    return queued + await outbox.enqueue(session, key=f"{key}:u{user.id}", chat_id=user.telegram_id, text=text,
                                         now=now, buttons=keyboard_to_json(buttons) or None, entity=entity,
                                         not_before=not_before, render=live, urgent=urgent, attachment=attachment)


async def notify_users(session: AsyncSession, users: Iterable[User], *, key: str, now: datetime,
                       app: App | None = None,
                       text_key: str | None = None, text_for: Callable[[str], str] | None = None,
                       buttons_for: Callable[[str], tuple[tuple[Button, ...], ...]] | None = None,
                       entity: str | None = None, not_before: datetime | None = None,
                       live: dict[str, object] | None = None, **params: object) -> int:
    """Queue a message to each user in their own language.

    Either ``text_key`` (+ ``params``) from the catalogue, or ``text_for(language)``
    for texts assembled from several entries (cards); ``buttons_for(language)``
    builds the buttons. Or ``live``: a render spec (``{"kind": …}``, see
    ``handlers.live``) rendered now and again at send time — needs ``app``.
    """
    sent = 0
    for user in users:
        if live is not None:
            assert app is not None and entity is not None, "a live notification needs the app and its entity"
            rendered = await render_now(app, session, user, entity, live)
            if rendered is None:
                continue
            text, buttons = rendered.text, rendered.buttons
        else:
            text = text_for(user.language) if text_for else t(user.language, text_key or "", **params)
            buttons = buttons_for(user.language) if buttons_for else ()
        sent += await notify_user(session, user, key=key, text=text, now=now, buttons=buttons, entity=entity,
                                  not_before=not_before, live=live, app=app)
    return sent


async def people(session: AsyncSession, *roles: Role, store_id: int | None = None) -> list[User]:
    return list(await user_store.users_with_role(session, *roles, store_id=store_id))


async def queue_undelivered_reply(session: AsyncSession, app: App, reply: Reply, *, update_id: int | None,
                                  position: int) -> None:
    """A direct answer Telegram kept refusing goes to the outbox, which retries it like any
    notification (an edit becomes a new message; a document is kept under ``files_dir``)."""
    attachment = None
    document = reply.document or reply.photo
    if document is not None:
        folder = Path(app.config.files_dir) / "outgoing"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{hashlib.sha256(document.content).hexdigest()}-{document.file_name}"
        path.write_bytes(document.content)
        attachment = {"kind": "photo" if reply.photo is not None else "document", "path": str(path),
                      "file_name": document.file_name, "mime_type": document.mime_type}
    await outbox.enqueue(session, key=f"reply:{update_id}:{position}", chat_id=reply.chat_id, text=reply.text,
                         now=app.clock.now(), buttons=keyboard_to_json(reply.buttons) or None, entity=reply.entity,
                         attachment=attachment, answer=True, thread_id=reply.thread_id)
