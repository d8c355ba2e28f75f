"""python-telegram-bot adapter: replies out — nothing else lives here.

What a reply becomes is decided in :mod:`bot.transport.outgoing`; updates come in
through :mod:`bot.transport.receiving`, the same for both libraries. This module
only names PTB's classes and errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, InlineKeyboardButton, \
    InlineKeyboardMarkup, InputFile, MenuButtonWebApp, WebAppInfo
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, ApplicationBuilder

from bot.transport.outgoing import Failure, LibraryBotApi, LibraryTypes
from bot.transport.receiving import Receiving
from bot.transport.webhook import Unreadable

UpdateCallback = Callable[[dict[str, Any]], Awaitable[None]]


class PtbBotApi(LibraryBotApi):
    types = LibraryTypes(markup=InlineKeyboardMarkup, button=InlineKeyboardButton, command=BotCommand,
                         chat_scope=BotCommandScopeChat, default_scope=BotCommandScopeDefault, input_file=InputFile,
                         web_app=WebAppInfo, menu_web_app=MenuButtonWebApp)

    def failure(self, error: Exception) -> tuple[Failure, float | None] | None:
        if isinstance(error, ChatMigrated):
            return "migrated", float(error.new_chat_id)
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
    """PTB's bot sends; updates come in through :class:`bot.transport.receiving.Receiving`
    (the project's own long polling, or the webhook receiver), not PTB's updater, which
    confirms an update to Telegram before it is handled."""

    name = "python-telegram-bot"

    def __init__(self, *, token: str, api_url: str, file_url: str, accept: UpdateCallback,
                 unreadable: Unreadable, webhook: dict[str, Any] | None = None,
                 ready: Callable[[], bool] | None = None) -> None:
        self.application: Application = (
            ApplicationBuilder().token(token).base_url(api_url).base_file_url(file_url).updater(None).build()
        )
        self.api = PtbBotApi(self.application.bot)
        self.receiving = Receiving(self.application.bot, token=token, api_url=api_url, accept=accept,
                                   unreadable=unreadable, webhook=webhook, ready=ready)

    @property
    def webhook(self) -> Any:
        return self.receiving.webhook

    async def prepare(self) -> tuple[int, str]:
        """Connect (getMe) without receiving updates yet: the App needs the bot's id first."""
        await self.application.initialize()
        me = self.application.bot
        return me.id, me.username

    async def start_receiving(self) -> None:
        await self.receiving.start()

    async def stop_receiving(self) -> None:
        await self.receiving.stop()

    async def stop(self) -> None:
        await self.receiving.stop()
        await self.application.shutdown()
