"""Push updates to the bot's webhook, as Telegram does after setWebhook.

Like Telegram, up to ``max_connections`` requests (setWebhook's, 40 by default) are open at
once, so one slow update does not hold every other chat. A chat's own updates go one at a
time, oldest first, so the receiver sees each chat in order. A failing endpoint is retried a
few times with a doubling backoff and then the update is given up (bounded, unlike Telegram's
day of retries) so a broken test fails fast instead of hanging. Tests that take instances down
on purpose ask for more attempts (``attempts``), as Telegram would keep trying while a
restarted instance comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp

from .state import JSON, QueuedUpdate, SandboxState, WebhookConfig

log = logging.getLogger(__name__)


class WebhookDeliverer:
    def __init__(self, state: SandboxState, *, attempts: int = 3, backoff: float = 0.05) -> None:
        self.state = state
        self.attempts = attempts
        self.backoff = backoff
        self._task: asyncio.Task[None] | None = None
        self._flying: dict[int, asyncio.Task[None]] = {}  # update_id → its delivery
        self._chats: dict[int, object] = {}  # update_id → the chat of the update in flight
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10),
                                              connector=aiohttp.TCPConnector(limit=0))
        self._task = asyncio.create_task(self._run(), name="sandbox-webhook")

    async def stop(self) -> None:
        for task in [self._task, *self._flying.values()]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._session is not None:
            await self._session.close()

    def _next(self) -> QueuedUpdate | None:
        """The oldest pending update that may go now: a connection is free and its chat has none
        in flight."""
        hook = self.state.webhook
        if hook is None or len(self._flying) >= hook.max_connections:
            return None
        busy = set(self._chats.values())
        for queued in self.state.pending:
            if queued.update_id not in self._flying and chat_of(queued.update) not in busy:
                return queued
        return None

    async def _run(self) -> None:
        state = self.state
        while not state.closing:
            await state.wait_until(lambda: self._next() is not None, 3600)
            hook, queued = state.webhook, self._next()
            if hook is None or queued is None:
                continue
            self._chats[queued.update_id] = chat_of(queued.update)
            self._flying[queued.update_id] = asyncio.create_task(
                self._push(queued, hook), name=f"sandbox-webhook-{queued.update_id}")

    async def _push(self, queued: QueuedUpdate, hook: WebhookConfig) -> None:
        try:
            delivered = await self._deliver(queued.update, hook.url, hook.secret_token)
        finally:
            del self._flying[queued.update_id], self._chats[queued.update_id]
        # The webhook may have been replaced meanwhile; the update is settled either way.
        self.state.drop(queued.update_id)
        if not delivered:
            log.warning("sandbox webhook gave up on update %s", queued.update_id)
        self.state.notify()

    async def _deliver(self, update: dict, url: str, secret: str | None) -> bool:
        assert self._session is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        for attempt in range(self.attempts):
            error: str
            try:
                async with self._session.post(url, json=update, headers=headers) as resp:
                    await resp.read()
                    if 200 <= resp.status < 300:
                        return True
                    error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                error = f"Connection failed: {type(exc).__name__}"
            if self.state.webhook is not None:
                self.state.webhook.last_error_date = self.state.clock.timestamp()
                self.state.webhook.last_error_message = error
            if attempt + 1 < self.attempts:
                await asyncio.sleep(self.backoff * 2**attempt)
        return False


def chat_of(update: JSON) -> object:
    """Which chat an update belongs to, for keeping a chat's updates in order: the chat of its
    message (or of the message under a pressed button), else its sender; an update with neither
    is a chat of its own."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        message = value.get("message") if isinstance(value.get("message"), dict) else value
        chat = message.get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return chat["id"]
        sender = value.get("from") or value.get("user")
        if isinstance(sender, dict) and "id" in sender:
            return ("user", sender["id"])
    return ("update", update.get("update_id"))
