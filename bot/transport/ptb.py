"""python-telegram-bot adapter: updates in, replies out — nothing else lives here.

What a reply becomes is decided in :mod:`bot.transport.outgoing`, webhook mode
lives in :mod:`bot.transport.webhook`; this module only names PTB's classes and
errors and runs PTB's own long polling.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, InlineKeyboardButton, \
    InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot, TypeHandler
from telegram.request import HTTPXRequest

from bot.transport.outgoing import Failure, LibraryBotApi, LibraryTypes
from bot.transport.updates import ALLOWED_UPDATES, Quarantine
from bot.transport.webhook import WebhookMode

UpdateCallback = Callable[[dict[str, Any]], Awaitable[None]]
UnreadableCallback = Callable[[str, str, "int | None"], Awaitable[Any]]

# PTB turns these absent Message flags into False; Telegram only ever sends them as true.
_PTB_FALSE_FLAGS = ("delete_chat_photo", "group_chat_created", "supergroup_chat_created", "channel_chat_created")


def wire_dict(update: Update) -> dict[str, Any]:
    """The update as Telegram sent it (what aiogram's ``model_dump`` gives too), for one audit record."""
    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not (k in _PTB_FALSE_FLAGS and v is False)}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return clean(update.to_dict())


class ScreeningBot(ExtBot):  # type: ignore[type-arg]
    """PTB's bot, except that a polled update PTB cannot parse is quarantined instead of
    failing the whole ``getUpdates`` batch again and again (see :class:`Quarantine`)."""

    def __init__(self, *args: Any, quarantine: Quarantine, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._quarantine = quarantine

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            result = self._quarantine.screen(result, lambda raw: Update.de_json(raw, self))
        return result


class PtbBotApi(LibraryBotApi):
    types = LibraryTypes(markup=InlineKeyboardMarkup, button=InlineKeyboardButton, command=BotCommand,
                         chat_scope=BotCommandScopeChat, default_scope=BotCommandScopeDefault, input_file=InputFile)

    def failure(self, error: Exception) -> tuple[Failure, float | None] | None:
        if isinstance(error, RetryAfter):
            seconds = error.retry_after
            return "transient", seconds.total_seconds() if hasattr(seconds, "total_seconds") else float(seconds)
        if isinstance(error, Forbidden):
            return "blocked", None
        if isinstance(error, BadRequest):  # (a NetworkError subclass, so first)
            return ("not_modified", None) if "not modified" in str(error).lower() else None
        if isinstance(error, NetworkError):  # TimedOut, 5xx, connection errors
            return "transient", None
        return None

    async def download(self, file_id: str) -> bytes:
        file = await self.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())


class PtbTransport:
    """Long polling (default) with PTB's updater, or webhook mode through the shared receiver."""

    name = "python-telegram-bot"

    def __init__(self, *, token: str, api_url: str, file_url: str, on_update: UpdateCallback,
                 on_unreadable: UnreadableCallback, webhook: dict[str, Any] | None = None) -> None:
        quarantine = Quarantine()
        self.application: Application = (
            ApplicationBuilder()
            .bot(ScreeningBot(token, base_url=api_url, base_file_url=file_url, quarantine=quarantine,
                              request=HTTPXRequest(connection_pool_size=256),  # PTB's own defaults
                              get_updates_request=HTTPXRequest(connection_pool_size=1)))
            .concurrent_updates(False)  # one update at a time keeps a chat's conversation in order
            .build()
        )

        async def handle(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            held = quarantine.take(update.update_id)
            if held is not None:
                await on_unreadable(*held, update.update_id)
                return
            await on_update(wire_dict(update))

        self.application.add_handler(TypeHandler(Update, handle))
        self.api = PtbBotApi(self.application.bot)
        self.webhook = WebhookMode(webhook, self._feed, on_unreadable) if webhook else None

    async def _feed(self, raw: dict[str, Any]) -> None:
        await self.application.process_update(Update.de_json(raw, self.application.bot))

    async def prepare(self) -> tuple[int, str]:
        """Connect (getMe) without receiving updates yet: the App needs the bot's id first."""
        await self.application.initialize()
        me = self.application.bot
        return me.id, me.username

    async def start_receiving(self) -> None:
        await self.application.start()
        if self.webhook:
            await self.webhook.start(self.application.bot)
        else:
            await self.application.updater.start_polling(poll_interval=0.0, timeout=10,
                                                         allowed_updates=list(ALLOWED_UPDATES))

    async def stop(self) -> None:
        if self.webhook and self.application.running:
            await self.webhook.stop(self.application.bot)
        if self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
