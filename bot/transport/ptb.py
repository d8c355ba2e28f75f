"""python-telegram-bot adapter: updates in, replies out — nothing else lives here."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, InlineKeyboardButton, \
    InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.transport.delivery import RecipientBlocked, TransientSendError
from handlers.types import Reply

log = logging.getLogger(__name__)

UpdateCallback = Callable[[dict[str, Any]], Awaitable[None]]


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.text, callback_data=b.data) for b in row]
                                 for row in reply.buttons])


class PtbBotApi:
    def __init__(self, application: Application) -> None:
        self._bot = application.bot

    async def send(self, reply: Reply) -> int | None:
        try:
            return await self._send(reply)
        except RetryAfter as error:
            seconds = error.retry_after
            seconds = seconds.total_seconds() if hasattr(seconds, "total_seconds") else float(seconds)
            raise TransientSendError(str(error), retry_after=seconds) from error
        except Forbidden as error:
            raise RecipientBlocked(str(error)) from error
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return reply.edit_message_id  # pressing a button twice: the card already says this
            raise
        except (TimedOut, NetworkError) as error:
            raise TransientSendError(str(error)) from error

    async def _send(self, reply: Reply) -> int | None:
        markup = _markup(reply)
        if reply.document is not None:
            message = await self._bot.send_document(
                reply.chat_id, InputFile(reply.document.content, filename=reply.document.file_name),
                caption=reply.text or None, reply_markup=markup)
            return message.message_id
        if reply.photo is not None:
            message = await self._bot.send_photo(
                reply.chat_id, InputFile(reply.photo.content, filename=reply.photo.file_name),
                caption=reply.text or None, reply_markup=markup)
            return message.message_id
        if reply.edit_message_id is not None:
            result = await self._bot.edit_message_text(reply.text, chat_id=reply.chat_id,
                                                       message_id=reply.edit_message_id, reply_markup=markup)
            return getattr(result, "message_id", reply.edit_message_id)
        message = await self._bot.send_message(reply.chat_id, reply.text, reply_markup=markup,
                                               reply_to_message_id=reply.reply_to_message_id)
        return message.message_id

    async def answer_callback(self, callback_id: str, text: str) -> None:
        await self._bot.answer_callback_query(callback_id, text=text or None)

    async def set_commands(self, commands: Sequence[tuple[str, str]], chat_id: int | None = None) -> None:
        scope = BotCommandScopeChat(chat_id) if chat_id is not None else BotCommandScopeDefault()
        await self._bot.set_my_commands([BotCommand(name, description[:256]) for name, description in commands],
                                        scope=scope)

    async def download(self, file_id: str) -> bytes:
        file = await self._bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())


class PtbTransport:
    """Long polling (default) or webhook with python-telegram-bot's own machinery."""

    name = "python-telegram-bot"

    def __init__(self, *, token: str, api_url: str, file_url: str, on_update: UpdateCallback,
                 webhook: dict[str, Any] | None = None) -> None:
        self._webhook = webhook
        self.application: Application = (
            ApplicationBuilder().token(token).base_url(api_url).base_file_url(file_url)
            .concurrent_updates(False)  # one update at a time keeps a chat's conversation in order
            .build()
        )
        self._on_update = on_update

        async def handle(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            await self._on_update(update.to_dict())

        self.application.add_handler(TypeHandler(Update, handle))
        self.api = PtbBotApi(self.application)

    async def prepare(self) -> tuple[int, str]:
        """Connect (getMe) without receiving updates yet: the App needs the bot's id first."""
        await self.application.initialize()
        me = self.application.bot
        return me.id, me.username

    async def start_receiving(self) -> None:
        await self.application.start()
        if self._webhook:
            await self.application.updater.start_webhook(
                listen=self._webhook["listen"], port=self._webhook["port"], url_path=self._webhook["path"].lstrip("/"),
                webhook_url=self._webhook["url"], secret_token=self._webhook.get("secret"),
                allowed_updates=["message", "edited_message", "callback_query"], drop_pending_updates=False)
        else:
            await self.application.updater.start_polling(
                poll_interval=0.0, timeout=10,
                allowed_updates=["message", "edited_message", "callback_query"])

    async def stop(self) -> None:
        if self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
