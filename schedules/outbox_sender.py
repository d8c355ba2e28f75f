"""Delivers the outbox: retries with back-off, honours 429 ``retry_after``, keeps Telegram's
limits (≤ 30 messages/s per bot, ≤ 1 per second per chat, ≤ 20 a minute per group), and
marks a recipient who blocked the bot as unreachable, telling the admins once.

A row for the clerks' desk group names its topic (``topic``: a store code, "日报", an order
number); the thread id is looked up when it is sent, and the topic opened the first time.

Rows are claimed (``pending`` → ``sending``) in a short transaction with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several bot instances never send
the same row. A claim is a lease: the sender renews it for the rows it still
holds while it works through them, so a row left ``sending`` by a crashed process
is claimed again once its lease ran out (``lease``, seconds, not minutes) —
at-least-once, never silently lost, and at most the row in flight sent twice.

A row queued with a render spec is rendered again just before it goes out
(``handlers.live``): a card that waited overnight shows the order, case or fine
as it is now, with only the buttons still possible, and a notification that no
longer applies is marked ``dropped`` instead of sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from typing import Protocol

from domain.policy.reminders import deliver_at
from domain.roles import Role
from domain.texts import t
from handlers.app import App
from handlers.audit_trail import record_outbound
from handlers.groups import topics as desk_topics
from handlers.live import Rendered, UnknownKind, render_now
from handlers.types import OutgoingDocument, Reply, keyboard_from_json, keyboard_to_json
from storage import outbox
from storage.models import OutboxMessage, OutboxState, User
from storage.users import user_by_telegram_id, users_with_role

log = logging.getLogger(__name__)


Sleep = Callable[[float], Awaitable[None]]


class SendsReplies(Protocol):
    """What the sender needs of ``bot.transport.delivery.BotApi`` (schedules does not import bot)."""

    async def send(self, reply: Reply) -> int | None: ...

    async def create_topic(self, chat_id: int, name: str) -> int: ...


def _attachment(raw: str | None) -> tuple[OutgoingDocument | None, OutgoingDocument | None]:
    """The (photo, document) a row carries, read at send time (charts and exports are written to
    disk when queued)."""
    if not raw:
        return None, None
    spec = json.loads(raw)
    path = Path(spec["path"])
    if not path.exists():
        log.warning("outbox attachment %s is gone; sending the text alone", path)
        return None, None
    document = OutgoingDocument(spec.get("file_name") or path.name, path.read_bytes(),
                                spec.get("mime_type", "application/octet-stream"))
    return (document, None) if spec.get("kind") == "photo" else (None, document)


@dataclass
class RateLimits:
    per_chat_interval: float = 1.0
    per_bot_per_second: int = 30
    per_group_per_minute: int = 20  # Telegram's limit for one group chat (negative chat ids)


@dataclass
class OutboxSender:
    app: App
    api: SendsReplies
    transient: tuple[type[BaseException], ...]
    blocked: tuple[type[BaseException], ...]
    limits: RateLimits = field(default_factory=RateLimits)
    max_attempts: int = 8
    backoff_first: float = 1.0
    lease: timedelta = timedelta(seconds=30)
    sleep: Sleep = asyncio.sleep
    monotonic: Callable[[], float] = field(default=lambda: asyncio.get_running_loop().time())
    _last_per_chat: dict[int, float] = field(default_factory=dict)
    _recent: deque[float] = field(default_factory=deque)
    _recent_per_group: dict[int, deque[float]] = field(default_factory=dict)

    async def drain(self, now: datetime | None = None, limit: int = 200) -> int:
        """Send what is due now; returns how many rows were delivered.

        R18 is enforced here, for every notification whoever queued it: outside
        working time nothing goes out (escalations only when config marks them
        urgent); it waits in the outbox for the next working time. Answers to a
        person's own request (``answer`` rows) are not pings and always go.
        """
        now = now or self.app.clock.now()
        policy = self.app.config.policy
        off_hours = deliver_at(now, self.app.calendar) != now
        rows = await self._claim(now, limit, off_hours=off_hours,
                                 urgent_off_hours=policy.working.urgent_escalations_ignore_hours)
        delivered = 0
        renewed = self.monotonic()
        for position, row in enumerate(rows):
            if self.monotonic() - renewed > self.lease.total_seconds() / 3:
                await self._renew([r.id for r in rows[position:]])
                renewed = self.monotonic()
            delivered += await self._deliver(row)
        return delivered

    async def _renew(self, row_ids: list[int]) -> None:
        async with self.app.sessions() as session, session.begin():
            await outbox.renew(session, row_ids, self.app.clock.now())

    async def busy(self, now: datetime | None = None) -> bool:
        """Whether anything is being sent or is due to be sent now (tests wait for quiet)."""
        now = now or self.app.clock.now()
        policy = self.app.config.policy
        off_hours = deliver_at(now, self.app.calendar) != now
        async with self.app.sessions() as session:
            return await outbox.busy(session, now, lease=self.lease, off_hours=off_hours,
                                     urgent_off_hours=policy.working.urgent_escalations_ignore_hours)

    async def _claim(self, now: datetime, limit: int, *, off_hours: bool = False,
                     urgent_off_hours: bool = False) -> list[OutboxMessage]:
        async with self.app.sessions() as session, session.begin():
            return await outbox.claim(session, now, limit=limit, lease=self.lease, off_hours=off_hours,
                                      urgent_off_hours=urgent_off_hours)

    async def _pace(self, chat_id: int) -> None:
        clock = self.monotonic
        last = self._last_per_chat.get(chat_id)
        if last is not None:
            wait = self.limits.per_chat_interval - (clock() - last)
            if wait > 0:
                await self.sleep(wait)
        while len(self._recent) >= self.limits.per_bot_per_second:
            wait = 1.0 - (clock() - self._recent[0])
            if wait > 0:
                await self.sleep(wait)
            else:
                self._recent.popleft()
        if chat_id < 0:
            recent = self._recent_per_group.setdefault(chat_id, deque())
            while len(recent) >= self.limits.per_group_per_minute:
                wait = 60.0 - (clock() - recent[0])
                if wait > 0:
                    await self.sleep(wait)
                else:
                    recent.popleft()
        stamp = clock()
        self._recent.append(stamp)
        self._last_per_chat[chat_id] = stamp
        if chat_id < 0:
            self._recent_per_group[chat_id].append(stamp)

    async def _current(self, row: OutboxMessage) -> Rendered | None:
        """What the row should say now: rendered again from its spec, else as queued."""
        queued = Rendered(row.text, keyboard_from_json(json.loads(row.buttons or "[]")))
        if not row.render or not row.entity:
            return queued
        try:
            async with self.app.sessions() as session:
                spec = json.loads(row.render)
                user = await user_by_telegram_id(session, row.chat_id)
                if user is None and spec.get("as_user"):
                    # A group row is rendered as the person it was queued for (a clerk, for the desk).
                    user = await session.get(User, int(spec["as_user"]))
                if user is None:
                    return queued
                rendered = await render_now(self.app, session, user, row.entity, spec)
                if rendered is not None and spec.get("mention"):
                    rendered = Rendered(f"{spec['mention']} {rendered.text}", rendered.buttons)
                return rendered
        except UnknownKind as error:
            log.warning("outbox row %s has unknown render kind %s; sending it as queued", row.id, error)
        except Exception:
            # Rendering must never lose a notification: the queued text is still true at queue time.
            log.exception("outbox row %s could not be rendered again; sending it as queued", row.id)
        return queued

    async def _deliver(self, row: OutboxMessage) -> int:
        current = await self._current(row)
        if current is None:
            await self._mark(row.id, state=OutboxState.DROPPED, last_error="no longer applies when due")
            log.info("outbox row %s (%s) no longer applies; dropped", row.id, row.key)
            return 0
        now = self.app.clock.now()
        try:
            thread_id = row.thread_id
            if row.topic:
                thread_id = await desk_topics.thread_for(self.app, self.api, row.chat_id, row.topic)
            photo, document = _attachment(row.attachment)
            reply = Reply(chat_id=row.chat_id, text=current.text, buttons=current.buttons, entity=row.entity,
                          photo=photo, document=document, thread_id=thread_id)
            await self._pace(row.chat_id)
            now = self.app.clock.now()
            message_id = await self.api.send(reply)
        except self.transient as error:
            new_chat_id = getattr(error, "new_chat_id", None)  # ChatMoved (bot.transport.delivery)
            if isinstance(new_chat_id, int) and new_chat_id:
                await desk_topics.chat_moved(self.app, row.chat_id, new_chat_id)
                await self._mark(row.id, state=OutboxState.PENDING, chat_id=new_chat_id, last_error=str(error)[:300])
                return 0
            retry_after = getattr(error, "retry_after", None)
            await self._failed(row, now, str(error), retry_after=retry_after)
            return 0
        except self.blocked as error:
            await self._unreachable(row, now, str(error))
            return 0
        except Exception as error:  # a permanent refusal (400): retrying changes nothing
            log.warning("outbox row %s to chat %s refused: %s", row.id, row.chat_id, error)
            await self._mark(row.id, state=OutboxState.FAILED, last_error=str(error)[:300], attempts=row.attempts + 1)
            return 0
        await self._mark(row.id, state=OutboxState.SENT, sent_at=now, message_id=message_id, attempts=row.attempts + 1,
                         text=reply.text, buttons=json.dumps(keyboard_to_json(reply.buttons), ensure_ascii=False)
                         if reply.buttons else None)
        await record_outbound(self.app, reply, message_id=message_id, sent_at=now)
        return 1

    async def _failed(self, row: OutboxMessage, now: datetime, error: str, *, retry_after: float | None) -> None:
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            log.error("outbox row %s to chat %s failed %d times: %s", row.id, row.chat_id, attempts, error)
            await self._mark(row.id, state=OutboxState.FAILED, attempts=attempts, last_error=error[:300])
            return
        delay = retry_after if retry_after is not None else self.backoff_first * 2 ** (attempts - 1)
        await self._mark(row.id, state=OutboxState.PENDING, attempts=attempts, last_error=error[:300],
                         not_before=now + timedelta(seconds=min(delay, 3600)))

    async def _unreachable(self, row: OutboxMessage, now: datetime, error: str) -> None:
        await self._mark(row.id, state=OutboxState.UNREACHABLE, attempts=row.attempts + 1, last_error=error[:300])
        async with self.app.sessions() as session, session.begin():
            person: User | None = await user_by_telegram_id(session, row.chat_id)
            for admin in await users_with_role(session, Role.ADMIN):
                if admin.telegram_id == row.chat_id:
                    continue
                await outbox.enqueue(session, key=f"unreachable:{row.chat_id}:a{admin.id}", chat_id=admin.telegram_id,
                                     now=now, text=t(admin.language, "outbox.unreachable",
                                                     name=person.name if person else str(row.chat_id),
                                                     telegram_id=row.chat_id))

    async def _mark(self, row_id: int, **values: object) -> None:
        async with self.app.sessions() as session, session.begin():
            await outbox.mark(session, row_id, **values)
