"""aiogram 3 adapter: updates in, replies out — the same contract as :mod:`bot.transport.ptb`.

What a reply becomes is decided in :mod:`bot.transport.outgoing`, webhook mode
lives in :mod:`bot.transport.webhook`; this module only names aiogram's classes
and errors and runs aiogram's own long polling.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNetworkError, \
    TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, BufferedInputFile, \
    InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.transport.outgoing import Failure, LibraryBotApi, LibraryTypes
from bot.transport.updates import ALLOWED_UPDATES, Quarantine
from bot.transport.webhook import WebhookMode

UpdateCallback = Callable[[dict[str, Any]], Awaitable[None]]
UnreadableCallback = Callable[[str, str, "int | None"], Awaitable[Any]]


def api_server(api_url: str, file_url: str) -> TelegramAPIServer:
    """PTB-style base URLs (token and method appended) as aiogram's URL templates."""
    return TelegramAPIServer(base=api_url + "{token}/{method}", file=file_url + "{token}/{path}")


class ScreeningSession(AiohttpSession):
    """aiogram's HTTP session, except that a polled update aiogram cannot validate is
    quarantined instead of failing the whole ``getUpdates`` batch again and again."""

    def __init__(self, *args: Any, quarantine: Quarantine, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._quarantine = quarantine

    def check_response(self, bot: Bot, method: Any, status_code: int, content: str) -> Any:
        if isinstance(method, GetUpdates):
            try:
                data = json.loads(content)
            except ValueError:
                data = None
            if isinstance(data, dict) and isinstance(data.get("result"), list):
                data["result"] = self._quarantine.screen(
                    data["result"], lambda raw: Update.model_validate(raw, context={"bot": bot}))
                content = json.dumps(data, ensure_ascii=False)
        return super().check_response(bot, method, status_code, content)


def wire_dict(update: Update) -> dict[str, Any]:
    """The update as Telegram sent it: unix dates, ``from``, no absent fields."""
    return update.model_dump(mode="json", exclude_none=True, by_alias=True)


class AiogramBotApi(LibraryBotApi):
    types = LibraryTypes(markup=InlineKeyboardMarkup, button=InlineKeyboardButton, command=BotCommand,
                         chat_scope=BotCommandScopeChat, default_scope=BotCommandScopeDefault,
                         input_file=BufferedInputFile)

    def failure(self, error: Exception) -> tuple[Failure, float | None] | None:
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
    """Long polling (default) with aiogram's dispatcher, or webhook mode through the shared receiver."""

    name = "aiogram"

    def __init__(self, *, token: str, api_url: str, file_url: str, on_update: UpdateCallback,
                 on_unreadable: UnreadableCallback, webhook: dict[str, Any] | None = None) -> None:
        quarantine = Quarantine()
        self.bot = Bot(token, session=ScreeningSession(api=api_server(api_url, file_url), quarantine=quarantine))
        self.dispatcher = Dispatcher()

        async def screened(handler: Any, update: Update, data: dict[str, Any]) -> Any:
            # A stand-in for a quarantined update: record the original, route nothing.
            held = quarantine.take(update.update_id)
            if held is not None:
                await on_unreadable(*held, update.update_id)
                return None
            return await handler(update, data)

        self.dispatcher.update.outer_middleware(screened)
        router = Router(name="orderbot")

        async def handle(_event: Any, event_update: Update) -> None:
            # Shielded: stopping cancels aiogram's polling task, but an update already being
            # handled must finish (its inbound record is committed; a redelivery would be skipped).
            self._handling = asyncio.ensure_future(on_update(wire_dict(event_update)))
            await asyncio.shield(self._handling)

        for observer in (router.message, router.edited_message, router.callback_query):
            observer.register(handle)
        self.dispatcher.include_router(router)
        self.api = AiogramBotApi(self.bot)
        self.webhook = WebhookMode(webhook, self._feed, on_unreadable) if webhook else None
        self._polling: asyncio.Task[None] | None = None
        self._handling: asyncio.Future[None] | None = None

    async def _feed(self, raw: dict[str, Any]) -> None:
        await self.dispatcher.feed_raw_update(self.bot, raw)

    async def prepare(self) -> tuple[int, str]:
        """Connect (getMe) without receiving updates yet: the App needs the bot's id first."""
        me = await self.bot.get_me()
        return me.id, me.username or ""

    async def start_receiving(self) -> None:
        if self.webhook:
            await self.webhook.start(self.bot)
            return
        await self.bot.delete_webhook(drop_pending_updates=False)  # getUpdates is refused while one is set
        self._polling = asyncio.create_task(self.dispatcher.start_polling(
            self.bot, polling_timeout=10, handle_as_tasks=False,  # one update at a time, in order
            allowed_updates=list(ALLOWED_UPDATES), handle_signals=False, close_bot_session=False),
            name="aiogram-polling")

    async def stop(self) -> None:
        try:
            if self.webhook:
                await self.webhook.stop(self.bot)
            if self._polling is not None:
                try:
                    await self.dispatcher.stop_polling()
                except RuntimeError:  # not running yet (or any more)
                    self._polling.cancel()
                await asyncio.wait([self._polling])
            if self._handling is not None:
                await asyncio.wait([self._handling])
        finally:
            await self.bot.session.close()
