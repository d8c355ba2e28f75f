"""From a received update to its delivered answer: in order per chat, in parallel across chats.

``accept`` is what a transport calls for each update: it commits the update to the
audit log and the inbox (``storage/inbox.py``) and returns — only then may the update
be acknowledged to Telegram. Updates accepted at the same moment (webhook requests open
side by side) share one transaction (``bot/group_commit.py``). The update is then answered by its chat's *lane*: one
task per chat that applies the chat's recorded updates oldest first and sends their
replies, so a slow send or a 429 wait in one chat never holds up another. At most
``max_lanes`` chats are worked on at once.

With PostgreSQL a lane holds the chat's advisory lock while it works, on the one connection
its transactions run on, so a chat's updates are applied and answered in order even when
several instances receive them; a lane that finds the lock taken leaves the chat to the
instance holding it (:meth:`UpdatePipeline._work_locked`).
A lane that finds nothing left simply ends; the inbox row of an update is removed only
after its replies went out, so whatever a crash interrupted is finished by the next
lane of that chat (:meth:`recover` at start-up, and periodically for other instances'
leftovers).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from functools import partial
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.group_commit import GroupCommit
from bot.transport.delivery import BotApi, deliver
from bot.transport.updates import UnreadableUpdate, incoming_from_update, readable_update_id
from bot.transport.webhook import Unreadable
from handlers.app import App
from handlers.audit_trail import log_outbound
from handlers.dispatch import apply_found, record
from handlers.notify import queue_undelivered_reply
from handlers.types import Incoming, Outcome, outcome_from_json
from storage import inbox, outbox
from storage.db import session_factory
from storage.models import InboxState

log = logging.getLogger(__name__)

AfterAnswer = Callable[[Incoming, Outcome], Awaitable[None]]


@dataclass
class UpdatePipeline:
    app: App
    api: BotApi
    engine: Any  # the AsyncEngine, for the per-chat advisory lock connections on PostgreSQL
    after_answer: AfterAnswer
    on_unreadable: Unreadable
    max_lanes: int = 16
    first_backoff: float = 1.0
    send_attempts: int = 6
    _lanes: dict[int, asyncio.Task[None]] = field(default_factory=dict, init=False)
    _again: set[int] = field(default_factory=set, init=False)
    _slots: asyncio.Semaphore = field(init=False)
    _recording: GroupCommit[Incoming, int | None] = field(init=False)
    _closing: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self._slots = asyncio.Semaphore(self.max_lanes)
        # Updates that arrive together (webhook requests open at once) are committed together.
        self._recording = GroupCommit(partial(record, self.app, queue=True))

    @property
    def _postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def accept(self, raw: dict[str, Any]) -> None:
        """Record one update durably, then let its chat's lane answer it. Raises if it could not be
        recorded — the caller must then not acknowledge it. An update that cannot be read (wrong
        shapes or types) is recorded raw as such, and not answered."""
        try:
            incoming = incoming_from_update(raw, received_at=self.app.clock.now())
        except UnreadableUpdate as error:
            body = json.dumps(raw, ensure_ascii=False, default=str)
            await self.on_unreadable(body, error.reason, error.update_id or readable_update_id(raw))
            return
        await self._recording.write(incoming)
        # Also for a redelivery: the instance that recorded it may have died before answering.
        self.kick(incoming.chat_id)

    def kick(self, chat_id: int) -> None:
        """Make sure a lane works through the chat's unanswered updates."""
        if self._closing:
            return  # recorded in the inbox; the next start answers it
        lane = self._lanes.get(chat_id)
        if lane is not None and not lane.done():
            self._again.add(chat_id)  # the running lane looks once more before it ends
            return
        self._lanes[chat_id] = asyncio.create_task(self._lane(chat_id), name=f"lane-{chat_id}")

    async def recover(self, *, older_than: timedelta | None = None) -> int:
        """Kick every chat with unanswered updates (those older than ``older_than``, when given:
        another instance may be answering younger ones right now). Returns how many chats."""
        before = self.app.clock.now() - older_than if older_than is not None else None
        async with self.app.sessions() as session:
            chats = await inbox.chats_waiting(session, received_before=before)
        for chat_id in chats:
            self.kick(chat_id)
        return len(chats)

    async def drain(self, timeout: float) -> bool:
        """Wait until every running lane finished (graceful shutdown); False on time-out."""
        self._closing = True
        lanes = [lane for lane in self._lanes.values() if not lane.done()]
        if not lanes:
            return True
        done, pending = await asyncio.wait(lanes, timeout=timeout)
        for lane in pending:
            frames = lane.get_stack(limit=3)
            where = frames[-1] if frames else None
            log.warning("shutdown: %s still busy (%s); cancelled, its updates stay in the inbox", lane.get_name(),
                        f"{where.f_code.co_filename}:{where.f_lineno}" if where else "?")
            lane.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return not pending

    @property
    def busy_lanes(self) -> int:
        return sum(1 for lane in self._lanes.values() if not lane.done())

    async def _lane(self, chat_id: int) -> None:
        try:
            async with self._slots:
                while True:
                    self._again.discard(chat_id)
                    if self._postgres:
                        # One connection for the lane: it holds the chat's lock (a session lock,
                        # which outlives the transactions) and runs the lane's transactions, so a
                        # busy chat takes one connection, not two, and no pool check-out per
                        # transaction.
                        async with self.engine.connect() as connection:
                            await self._work_locked(connection, chat_id)
                    else:
                        await self._work_through(chat_id, self.app)
                    if chat_id not in self._again or self._closing:
                        break
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("lane of chat %s stopped; its unanswered updates wait in the inbox", chat_id)
        finally:
            if self._lanes.get(chat_id) is asyncio.current_task():
                del self._lanes[chat_id]

    async def _work_locked(self, connection: AsyncConnection, chat_id: int) -> None:
        """The lane's work under the chat's lock. Where another instance's lane holds it, this one
        leaves at once instead of waiting (holding a connection and a slot meanwhile): that lane
        looks for unanswered updates once more after it lets go of the lock, and so finds any
        recorded while it held it — ours among them, committed before we tried the lock."""
        lane_app = replace(self.app, sessions=session_factory(connection))
        while not self._closing:
            locked = await inbox.try_lock_chat(connection, chat_id)
            await connection.commit()
            if not locked:
                return
            try:
                await self._work_through(chat_id, lane_app)
            finally:
                await inbox.unlock_chat(connection, chat_id)
                await connection.commit()
            async with lane_app.sessions() as session:
                if not await inbox.any_waiting(session, chat_id):
                    return

    async def _work_through(self, chat_id: int, app: App) -> None:
        # Two transactions per update: the use case's, which first looks up the chat's next update
        # in the inbox, and the answer's bookkeeping, which ends by looking whether another waits.
        while not self._closing:
            step = await self._apply_next(chat_id, app)
            if step is None:
                return
            entry_id, incoming, outcome = step
            if incoming is None:  # nothing to answer (cannot happen for a row accept() queued)
                more = await self._done(entry_id, chat_id, app)
            else:
                more = await self._answer(incoming, outcome, entry_id, chat_id, app)
            if not more:
                return

    async def _apply_next(self, chat_id: int, app: App) -> tuple[int, Incoming | None, Outcome] | None:
        """The chat's oldest unanswered update: applied now if it was only received, or with the
        replies a crash kept from being sent. None when nothing waits."""
        seen: list[inbox.Waiting] = []

        async def find(session: AsyncSession) -> tuple[Incoming, int] | None:
            waiting = await inbox.next_for_chat(session, chat_id)
            if waiting is None:
                return None
            seen.append(waiting)
            incoming = self._readable(waiting)
            if waiting.state != InboxState.RECEIVED or incoming is None:
                return None  # applied before a crash (or unreadable): nothing to apply
            return incoming, waiting.entry_id

        applied = await apply_found(app, find, queued=True)
        if applied is not None:
            incoming, outcome, entry_id = applied
            return entry_id, incoming, outcome
        if not seen:
            return None
        waiting = seen[0]
        # Applied before a crash, replies not (all) sent: send them now.
        outcome = outcome_from_json(waiting.outcome) if waiting.outcome else Outcome()
        return waiting.entry_id, self._readable(waiting), outcome

    def _readable(self, waiting: inbox.Waiting) -> Incoming | None:
        try:
            return incoming_from_update(waiting.update, received_at=self.app.clock.now()) if waiting.update else None
        except UnreadableUpdate:
            return None

    async def _answer(self, incoming: Incoming, outcome: Outcome, entry_id: int, chat_id: int, app: App) -> bool:
        """Send the replies and record that; whether another update of the chat waits."""
        delivery = await deliver(self.app, self.api, incoming, outcome, first_backoff=self.first_backoff,
                                 attempts=self.send_attempts)
        # One transaction: what was said goes into the audit log, what could not be said yet into
        # the outbox, and the update leaves the inbox — a crash before it repeats the replies, after
        # it nothing. The audit entries come last: on PostgreSQL the chain's lock is held from the
        # first of them to the commit, and every instance's appends wait for it.
        async with app.sessions() as session, session.begin():
            await inbox.remove(session, entry_id)
            more = await inbox.any_waiting(session, chat_id)
            for position, reply in enumerate(delivery.undelivered):
                await queue_undelivered_reply(session, self.app, reply, update_id=incoming.update_id,
                                              position=position)
            for reply, message_id, sent_at in delivery.sent:
                await log_outbound(session, reply, message_id=message_id, sent_at=sent_at)
            queued = outbox.queued_in(session)  # replies that could not be sent wait in the outbox
        if self.app.jobs is not None:
            for job in outcome.jobs:
                self.app.jobs.submit(job)
        if queued:
            outcome = replace(outcome, notified=True)
        await self.after_answer(incoming, outcome)
        return more

    async def _done(self, entry_id: int, chat_id: int, app: App) -> bool:
        async with app.sessions() as session, session.begin():
            await inbox.remove(session, entry_id)
            return await inbox.any_waiting(session, chat_id)
