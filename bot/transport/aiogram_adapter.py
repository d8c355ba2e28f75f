"""aiogram 3 adapter: replies out — the same contract as :mod:`bot.transport.ptb`.

What a reply becomes is decided in :mod:`bot.transport.outgoing`; updates come in
through :mod:`bot.transport.receiving`, the same for both libraries. This module
only names aiogram's classes and errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNetworkError, \
    TelegramMigrateToChat, TelegramRetryAfter, TelegramServerError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, BufferedInputFile, \
    InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo

from bot.transport.outgoing import Failure, LibraryBotApi, LibraryTypes
from bot.transport.receiving import Receiving
from bot.transport.webhook import Unreadable

UpdateCallback = Callable[[dict[str, Any]], Awaitable[None]]


def api_server(api_url: str, file_url: str) -> TelegramAPIServer:
    """PTB-style base URLs (token and method appended) as aiogram's URL templates."""
    return TelegramAPIServer(base=api_url + "{token}/{method}", file=file_url + "{token}/{path}")


class AiogramBotApi(LibraryBotApi):
    types = LibraryTypes(markup=InlineKeyboardMarkup, button=InlineKeyboardButton, command=BotCommand,
                         chat_scope=BotCommandScopeChat, default_scope=BotCommandScopeDefault,
                         input_file=BufferedInputFile, web_app=WebAppInfo, menu_web_app=MenuButtonWebApp)

    def failure(self, error: Exception) -> tuple[Failure, float | None] | None:
        if isinstance(error, TelegramMigrateToChat):
            return "migrated", float(error.migrate_to_chat_id)
        if isinstance(error, TelegramRetryAfter):
            return "transient", float(error.retry_after)
        if isinstance(error, (TelegramServerError, TelegramNetworkError)):
            return "transient", None
        if isinstance(error, TelegramForbiddenError):
            return "blocked", None
        if isinstance(error, TelegramBadRequest) and "not modified" in str(error).lower():
            return "not_modified", None
        return None

    async def download(self, file_id: str) -> bytes:
        file = await self.bot.get_file(file_id)
        data = await self.bot.download_file(file.file_path)
        return data.read()


class AiogramTransport:
    """aiogram's bot sends; updates come in through :class:`bot.transport.receiving.Receiving`,
    the same path as with python-telegram-bot."""

    name = "aiogram"

    def __init__(self, *, token: str, api_url: str, file_url: str, accept: UpdateCallback,
                 unreadable: Unreadable, webhook: dict[str, Any] | None = None,
                 ready: Callable[[], bool] | None = None) -> None:
        self.bot = Bot(token, session=AiohttpSession(api=api_server(api_url, file_url)))
        self.api = AiogramBotApi(self.bot)
        self.receiving = Receiving(self.bot, token=token, api_url=api_url, accept=accept, unreadable=unreadable,
                                   webhook=webhook, ready=ready)

    @property
    def webhook(self) -> Any:
        return self.receiving.webhook

    async def prepare(self) -> tuple[int, str]:
        """Connect (getMe) without receiving updates yet: the App needs the bot's id first."""
        me = await self.bot.get_me()
        return me.id, me.username or ""

    async def start_receiving(self) -> None:
        await self.receiving.start()

    async def stop_receiving(self) -> None:
        await self.receiving.stop()

    async def stop(self) -> None:
        try:
            await self.receiving.stop()
        finally:
            await self.bot.session.close()
