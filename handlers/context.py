"""The per-update context a use case works with: who, when, in which transaction — and the sweep's own,
for acting without an incoming message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.localtime import local_moment
from domain.texts import t, to_traditional
from domain.visibility import shown_in_group
from handlers.app import App
from handlers.audit_trail import state_change
from handlers.notify import notify_users
from handlers.types import Button, Incoming, Job, Reply
from storage import audit as audit_store
from storage.models import GroupLink, User


@dataclass(slots=True)
class Context:
    app: App
    session: AsyncSession
    incoming: Incoming
    now: datetime  # the server's receive time, from the App's clock
    user: User | None
    evidence_id: int  # the audit entry of the incoming update
    replies: list[Reply] = field(default_factory=list)
    callback_answer: str | None = None
    menus: list[tuple[int, str, str]] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    group: GroupLink | None = None  # the linked group the update came from (None: private, or unlinked)
    group_checked: bool = False  # the group router (handlers.groups.routing) has seen this update

    @property
    def sent_local(self) -> datetime:
        """The message's own time on the business's wall clock: what 今天/明天 count from."""
        return local_moment(self.incoming.sent_at, self.app.config.tz)

    @property
    def person(self) -> User:
        """The registered sender. The routing table runs commands, buttons and awaited answers
        only for a registered person (strangers get the onboarding answer), so inside a use case
        there always is one."""
        if self.user is None:
            raise RuntimeError("a use case for registered people ran for a stranger")
        return self.user

    @property
    def language(self) -> str:
        return self.user.language if self.user is not None else self.app.config.default_language

    def t(self, key: str, /, **params: object) -> str:
        return t(self.language, key, **params)

    def shows_store(self, store_id: int | None) -> bool:
        """Whether a record of ``store_id`` may be shown where this update came from: a store's
        group shows only that store's orders and cases, whoever asks (``domain.visibility``)."""
        group = self.group
        return shown_in_group(group.role if group else None, group.store_id if group else None, store_id)

    def reply(self, text: str, *, buttons: tuple[tuple[Button, ...], ...] = (), entity: str | None = None,
              edit: bool = False, reply_to: int | None = None) -> None:
        """Answer in the sender's chat; ``edit`` rewrites the message whose button was pressed."""
        self.replies.append(Reply(
            chat_id=self.incoming.chat_id,
            text=text,
            buttons=buttons,
            entity=entity,
            edit_message_id=self.incoming.message_id if edit and self.incoming.kind == "callback" else None,
            reply_to_message_id=reply_to,
        ))

    def refresh_menu(self) -> None:
        if self.user is not None:
            self.menus.append((self.user.telegram_id, self.user.role, self.user.language))

    def spellings(self, text: str) -> tuple[str, ...]:
        """The ways a customer's name or address typed as ``text`` may stand in an order: orders keep
        them as typed, so 陈生 finds 陳生 typed in a Hong Kong store and 陳生 finds 陈生."""
        simplified = self.app.parser.simplify(text)
        return tuple(dict.fromkeys((text, simplified, to_traditional(simplified))))

    def say(self, key: str, /, **params: object) -> None:
        self.reply(self.t(key, **params))

    async def audit(self, entity: str, event: str, data: dict[str, Any] | None = None, *,
                    by: int | None = None) -> None:
        """A state change in this update's transaction, with the update as its evidence; done ``by``
        the sender (their Telegram id) unless another id is given."""
        actor_id = by if by is not None else (self.user.telegram_id if self.user is not None else None)
        await state_change(self.session, self.now, entity=entity, actor_id=actor_id, event=event, data=data,
                           evidence_id=self.evidence_id)

    async def notify(self, users: Iterable[User], key: str, **how: Any) -> int:
        """Queue a notification to ``users`` in this update's transaction, as of this update's time and
        under the app's desk settings; ``how`` as ``handlers.notify.notify_users`` takes it."""
        return await notify_users(self.session, users, key=key, now=self.now, app=self.app, **how)


async def system_context(app: App, session: AsyncSession, now: datetime, *, on_behalf_of: User | None,
                         reason: str) -> Context:
    """A Context for a use case the clock triggers: its evidence is a system entry saying why."""
    entry = await audit_store.append(session, kind=audit_store.Kind.SYSTEM, recorded_at=now, text=reason)
    chat = on_behalf_of.telegram_id if on_behalf_of else 0
    incoming = Incoming(kind="message", update_id=None, user_id=chat, chat_id=chat, sent_at=now)
    return Context(app, session, incoming, now, on_behalf_of, entry.id)
