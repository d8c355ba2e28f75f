"""A :class:`Reply` as Bot API calls, written once for both transport libraries.

python-telegram-bot and aiogram name their methods, keyword arguments and
types after the Bot API itself (``send_message(chat_id=, text=, reply_markup=)``,
``InlineKeyboardButton(text=, callback_data=)``, ``BotCommandScopeChat(chat_id=)``),
so which call a reply becomes — and with which arguments — is decided here; an
adapter only names its library's classes (:class:`LibraryTypes`), says what its
exceptions mean (:meth:`LibraryBotApi.failure`) and how to download a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from bot.transport.delivery import ChatMoved, RecipientBlocked, TransientSendError
from bot.utf16 import sendable, utf16_len, utf16_prefix
from handlers.types import Reply

# "migrated": the group became a supergroup; the second value is then its new chat id.
Failure = Literal["transient", "blocked", "not_modified", "migrated"]

# Telegram's limits: longer texts are refused ("message is too long"), so they are split here.
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 code units (Telegram's measure), cut at line
    breaks where there are any and always between characters."""
    if utf16_len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while utf16_len(line) > limit:  # one line longer than a message
            if current:
                pieces.append(current)
                current = ""
            head = utf16_prefix(line, limit)
            pieces.append(head)
            line = line[len(head):]
        candidate = f"{current}\n{line}" if current else line
        if utf16_len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def within_limits(reply: Reply) -> list[Reply]:
    """The reply as one or more replies Telegram accepts; buttons stay on the last piece."""
    if sendable(reply.text) != reply.text:
        reply = replace(reply, text=sendable(reply.text))
    if reply.edit_message_id is not None:
        if utf16_len(reply.text) > TEXT_LIMIT:
            return [replace(reply, text=utf16_prefix(reply.text, TEXT_LIMIT - 1) + "…")]
        return [reply]
    media = reply.document is not None or reply.photo is not None
    first_limit = CAPTION_LIMIT if media else TEXT_LIMIT
    if utf16_len(reply.text) <= first_limit:
        return [reply]
    head = split_text(reply.text, first_limit)[0]
    rest = split_text(reply.text[len(head):].lstrip("\n"), TEXT_LIMIT)
    pieces = [replace(reply, text=head, buttons=())]
    pieces += [Reply(chat_id=reply.chat_id, text=piece, entity=reply.entity, thread_id=reply.thread_id)
               for piece in rest]
    pieces[-1] = replace(pieces[-1], buttons=reply.buttons)
    return pieces


@dataclass(frozen=True)
class LibraryTypes:
    """The library's own classes for the few Bot API types a reply needs."""

    markup: type
    button: type
    command: type
    chat_scope: type
    default_scope: type
    input_file: type  # constructed as input_file(content, filename=name)
    web_app: type  # WebAppInfo(url=…)
    menu_web_app: type  # MenuButtonWebApp(text=…, web_app=…)


def markup(reply: Reply, types: LibraryTypes) -> Any:
    if not reply.buttons:
        return None
    return types.markup(inline_keyboard=[[_button(b, types) for b in row] for row in reply.buttons])


def _button(button: Any, types: LibraryTypes) -> Any:
    if button.web_app:
        return types.button(text=button.text, web_app=types.web_app(url=button.web_app))
    return types.button(text=button.text, callback_data=button.data)


def bot_call(reply: Reply, types: LibraryTypes) -> tuple[str, dict[str, Any]]:
    """The bot method (snake_case, as both libraries name it) and its keyword arguments."""
    keyboard = markup(reply, types)
    # Only in a forum topic: both libraries pass None on, and a private chat has no topics.
    topic = {"message_thread_id": reply.thread_id} if reply.thread_id is not None else {}
    for kind, outgoing in (("document", reply.document), ("photo", reply.photo)):
        if outgoing is not None:
            return f"send_{kind}", {"chat_id": reply.chat_id,
                                    kind: types.input_file(outgoing.content, filename=outgoing.file_name),
                                    "caption": reply.text or None, "reply_markup": keyboard, **topic}
    if reply.edit_message_id is not None:
        return "edit_message_text", {"text": reply.text, "chat_id": reply.chat_id,
                                     "message_id": reply.edit_message_id, "reply_markup": keyboard}
    return "send_message", {"chat_id": reply.chat_id, "text": reply.text, "reply_markup": keyboard,
                            "reply_to_message_id": reply.reply_to_message_id, **topic}


class LibraryBotApi:
    """:class:`bot.transport.delivery.BotApi` over a library's bot object."""

    types: LibraryTypes

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    def failure(self, error: Exception) -> tuple[Failure, float | None] | None:
        """What the library's exception means, with a ``retry_after`` in seconds; None: a real error."""
        raise NotImplementedError

    async def download(self, file_id: str) -> bytes:
        raise NotImplementedError

    async def send(self, reply: Reply) -> int | None:
        message_id = None
        for piece in within_limits(reply):
            message_id = await self._send_one(piece)
        return message_id

    async def _send_one(self, reply: Reply) -> int | None:
        method, kwargs = bot_call(reply, self.types)
        try:
            result = await getattr(self.bot, method)(**kwargs)
        except Exception as error:
            meaning = self.failure(error)
            if meaning is None:
                raise
            kind, retry_after = meaning
            if kind == "migrated":
                raise ChatMoved(str(error), new_chat_id=int(retry_after or 0)) from error
            if kind == "not_modified":
                return reply.edit_message_id  # pressing a button twice: the card already says this
            if kind == "blocked":
                raise RecipientBlocked(str(error)) from error
            raise TransientSendError(str(error), retry_after=retry_after) from error
        # editMessageText answers True instead of a message for inline messages.
        return getattr(result, "message_id", reply.edit_message_id)

    async def create_topic(self, chat_id: int, name: str) -> int:
        """Open a forum topic (the bot must be an admin allowed to manage topics); its thread id."""
        try:
            topic = await self.bot.create_forum_topic(chat_id=chat_id, name=name[:128])
        except Exception as error:
            meaning = self.failure(error)
            if meaning is None:
                raise
            if meaning[0] == "blocked":
                raise RecipientBlocked(str(error)) from error
            raise TransientSendError(str(error), retry_after=meaning[1]) from error
        return int(topic.message_thread_id)

    async def answer_callback(self, callback_id: str, text: str) -> None:
        await self.bot.answer_callback_query(callback_query_id=callback_id, text=text or None)

    async def set_commands(self, commands: Sequence[tuple[str, str]], chat_id: int | None = None) -> None:
        scope = self.types.chat_scope(chat_id=chat_id) if chat_id is not None else self.types.default_scope()
        await self.bot.set_my_commands(
            commands=[self.types.command(command=name, description=description[:256]) for name, description in commands],
            scope=scope)

    async def set_menu_button(self, chat_id: int, text: str | None, url: str | None) -> None:
        """The chat's menu button opens the Mini App at ``url``; None puts back the command list."""
        if url is None:
            await self.bot.set_chat_menu_button(chat_id=chat_id)
            return
        await self.bot.set_chat_menu_button(
            chat_id=chat_id, menu_button=self.types.menu_web_app(text=text, web_app=self.types.web_app(url=url)))
