"""How updates come in, the same for both libraries: the project's long polling
(:mod:`bot.transport.polling`) or the webhook receiver (:mod:`bot.transport.webhook`).

Either way an update is acknowledged to Telegram only after ``accept`` committed it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.transport.polling import Poller
from bot.transport.updates import ALLOWED_UPDATES
from bot.transport.webhook import Unreadable, WebhookMode

Accept = Callable[[dict[str, Any]], Awaitable[None]]


class Receiving:
    def __init__(self, bot: Any, *, token: str, api_url: str, accept: Accept, unreadable: Unreadable,
                 webhook: dict[str, Any] | None = None, ready: Callable[[], bool] | None = None) -> None:
        self._bot = bot  # the library's bot: both name set_webhook / delete_webhook alike
        self.webhook = WebhookMode(webhook, accept, unreadable, ready=ready) if webhook else None
        self.poller = None if webhook else Poller(api_url=api_url, token=token, accept=accept,
                                                  allowed_updates=ALLOWED_UPDATES)
        self._running = False

    async def start(self) -> None:
        self._running = True
        if self.webhook is not None:
            await self.webhook.start(self._bot)
            return
        assert self.poller is not None
        await self._bot.delete_webhook(drop_pending_updates=False)  # getUpdates is refused while one is set
        self.poller.start()

    async def stop(self) -> None:
        """Stop taking updates; idempotent. The webhook stays registered with Telegram on purpose:
        with several instances behind one URL, one instance stopping must not unset it for all."""
        if not self._running:
            return
        self._running = False
        if self.webhook is not None:
            await self.webhook.stop()
        elif self.poller is not None:
            await self.poller.stop()
