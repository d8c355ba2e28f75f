"""Push updates to the bot's webhook in order, as Telegram does after setWebhook.

Delivery is one at a time so order holds; a failing endpoint is retried a few
times with a doubling backoff and then the update is given up (bounded, unlike
Telegram's day of retries) so a broken test fails fast instead of hanging. Tests
that take instances down on purpose ask for more attempts (``attempts``), as
Telegram would keep trying while a restarted instance comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp

from .state import SandboxState

log = logging.getLogger(__name__)


class WebhookDeliverer:
    def __init__(self, state: SandboxState, *, attempts: int = 3, backoff: float = 0.05) -> None:
        self.state = state
        self.attempts = attempts
        self.backoff = backoff
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._task = asyncio.create_task(self._run(), name="sandbox-webhook")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()

    async def _run(self) -> None:
        state = self.state
        while not state.closing:
            await state.wait_until(lambda: state.webhook is not None and bool(state.pending), 3600)
            hook = state.webhook
            if hook is None or not state.pending:
                continue
            queued = state.pending[0]
            delivered = await self._deliver(queued.update, hook.url, hook.secret_token)
            # The webhook may have been replaced meanwhile; the update is settled either way.
            state.drop(queued.update_id)
            if not delivered:
                log.warning("sandbox webhook gave up on update %s", queued.update_id)
            state.notify()

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
