"""Sending a use case's replies: shared by every transport adapter.

An adapter implements :class:`BotApi` with its own library (a handful of
calls) and translates that library's errors into :class:`TransientSendError`
(retry later — 429 with ``retry_after``, 5xx, time-outs) and
:class:`RecipientBlocked` (403: the user blocked the bot). Retrying, pacing
and logging to the audit trail then happen here, once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from handlers.app import App
from handlers.types import Incoming, Outcome, Reply

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class TransientSendError(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChatMoved(TransientSendError):
    """The group was upgraded to a supergroup: send again to ``new_chat_id``."""

    def __init__(self, message: str, new_chat_id: int) -> None:
        super().__init__(message, retry_after=0)
        self.new_chat_id = new_chat_id


class RecipientBlocked(Exception):
    """The chat cannot be reached (blocked the bot, deleted account)."""


class BotApi(Protocol):
    async def send(self, reply: Reply) -> int | None:
        """Send or edit; returns the Telegram message id."""

    async def answer_callback(self, callback_id: str, text: str) -> None: ...

    async def set_commands(self, commands: Sequence[tuple[str, str]], chat_id: int | None = None) -> None:
        """``chat_id`` None sets the default menu (what strangers see)."""

    async def download(self, file_id: str) -> bytes: ...

    async def set_menu_button(self, chat_id: int, text: str | None, url: str | None) -> None:
        """The chat's menu button: a Mini App at ``url``, or (None) the command list."""


async def send_with_retry(api: BotApi, reply: Reply, *, attempts: int = 6, first_backoff: float = 1.0,
                          sleep: Sleep = asyncio.sleep) -> int | None:
    """Send one reply, waiting out 429s (as long as Telegram says) and backing off on 5xx."""
    backoff = first_backoff
    for attempt in range(1, attempts + 1):
        try:
            return await api.send(reply)
        except TransientSendError as error:
            if attempt == attempts:
                raise
            wait = error.retry_after if error.retry_after is not None else backoff
            log.warning("send to chat %s failed (%s); retry %d in %.1fs", reply.chat_id, error, attempt, wait)
            await sleep(wait)
            backoff = min(backoff * 2, 60.0)
    return None  # unreachable: the loop either returns or raises


@dataclass
class Delivery:
    """What became of an outcome's replies: sent (with their message ids and times), or not yet."""

    sent: list[tuple[Reply, int | None, datetime]] = field(default_factory=list)
    undelivered: list[Reply] = field(default_factory=list)


async def deliver(app: App, api: BotApi, incoming: Incoming, outcome: Outcome, *,
                  first_backoff: float = 1.0, sleep: Sleep = asyncio.sleep, attempts: int = 6) -> Delivery:
    """Answer the button and send the replies in order. Recording them is the caller's: the
    pipeline logs them and settles the inbox row in one transaction; replies Telegram kept
    refusing are for the caller to hand to the outbox."""
    delivery = Delivery()
    if incoming.kind == "callback" and incoming.callback_id:
        try:
            await api.answer_callback(incoming.callback_id, outcome.callback_answer or "")
        except Exception:  # an unanswered button only spins a little longer; the replies matter more
            log.warning("could not answer callback %s", incoming.callback_id, exc_info=True)
    for reply in outcome.replies:
        try:
            message_id = await send_with_retry(api, reply, first_backoff=first_backoff, sleep=sleep, attempts=attempts)
        except RecipientBlocked:
            log.warning("chat %s blocked the bot; reply not delivered", reply.chat_id)
            continue
        except TransientSendError:
            log.warning("reply to chat %s not sent after retries; it goes to the outbox", reply.chat_id)
            delivery.undelivered.append(reply)
            continue
        delivery.sent.append((reply, message_id, app.clock.now()))
    return delivery
