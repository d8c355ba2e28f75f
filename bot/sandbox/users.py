"""Acting as users: what a Telegram client would send on their behalf."""

from __future__ import annotations

from typing import Any

from bot.utf16 import utf16_len

from .botapi import photo_size
from .media import guess_mime
from .state import JSON, SandboxState


class UserActionError(Exception):
    """A user tried something a real Telegram client would not let them do."""

    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


class Users:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def _new_message(
        self,
        user_id: int,
        *,
        reply_to_message_id: int | None,
        date: int | None,
        profile: dict[str, Any],
    ) -> JSON:
        user = self.state.register_user(user_id, **{k: v for k, v in profile.items() if v is not None})
        chat = self.state.chats[user_id]
        message: JSON = {
            "message_id": chat.next_message_id(),
            "from": user.as_user(),
            "chat": user.as_chat(),
            "date": date if date is not None else self.state.clock.timestamp(),
        }
        if reply_to_message_id:
            target = chat.messages.get(reply_to_message_id)
            if target is None:
                raise UserActionError(f"message {reply_to_message_id} not found in chat {user_id}")
            message["reply_to_message"] = {k: v for k, v in target.items() if k != "reply_to_message"}
        return message

    def _publish(self, user_id: int, kind: str, message: JSON) -> JSON:
        self.state.chats[user_id].messages[message["message_id"]] = message
        self.state.log(user_id, "user", kind, self.state.describe(message))
        self.state.enqueue("message", message)
        return message

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        reply_to_message_id: int | None = None,
        date: int | None = None,
        **profile: Any,
    ) -> JSON:
        if not text:
            raise UserActionError("a message needs text")
        message = self._new_message(
            user_id, reply_to_message_id=reply_to_message_id, date=date, profile=profile
        )
        message["text"] = text
        if text.startswith("/"):
            # CommandHandler (PTB) and Command filters (aiogram) look for this entity.
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        return self._publish(user_id, "message", message)

    def send_file(
        self,
        user_id: int,
        kind: str,
        data: bytes,
        filename: str,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        reply_to_message_id: int | None = None,
        date: int | None = None,
        **profile: Any,
    ) -> JSON:
        message = self._new_message(
            user_id, reply_to_message_id=reply_to_message_id, date=date, profile=profile
        )
        folder = "photos" if kind == "photo" else "documents"
        stored = self.state.store_file(data, filename, mime_type or guess_mime(filename), folder)
        if kind == "photo":
            message["photo"] = [photo_size(stored.file_id, stored.file_unique_id, data)]
        else:
            message["document"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": stored.file_name,
                "mime_type": stored.mime_type,
                "file_size": len(data),
            }
        if caption:
            message["caption"] = caption
        return self._publish(user_id, kind, message)

    def edit_text(self, user_id: int, message_id: int, text: str) -> JSON:
        chat = self.state.chats.get(user_id)
        message = chat.messages.get(message_id) if chat else None
        if message is None or message["from"].get("id") != user_id:
            raise UserActionError(f"user {user_id} has no message {message_id} to edit")
        if "text" not in message:
            raise UserActionError("only text messages can be edited here")
        message["text"] = text
        message["edit_date"] = self.state.clock.timestamp()
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        else:
            message.pop("entities", None)
        self.state.log(user_id, "user", "edit", self.state.describe(message))
        self.state.enqueue("edited_message", message)
        return message

    def press_button(self, user_id: int, message_id: int, callback_data: str, *, forged: bool = False) -> JSON:
        """Press a button on screen; ``forged`` sends any callback data, as a modified client can."""
        user = self.state.register_user(user_id)
        message = self.state.message(user_id, message_id)
        if message is None:
            raise UserActionError(f"message {message_id} not found in chat {user_id}")
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        button = next(
            (b for row in rows for b in row if b.get("callback_data") == callback_data), None
        )
        if button is None and forged:
            button = {"text": "(forged)", "callback_data": callback_data}
        if button is None:
            # Real clients can only press buttons that are on screen right now.
            raise UserActionError(
                f"message {message_id} has no button with callback_data {callback_data!r}"
            )
        query_id = self.state.next_callback_id()
        query: JSON = {
            "id": query_id,
            "from": user.as_user(),
            "message": message,
            "chat_instance": str(-user_id - 1_000_000),
            "data": callback_data,
        }
        self.state.callbacks[query_id] = {
            "user_id": user_id,
            "message_id": message_id,
            "answered": False,
        }
        self.state.log(
            user_id, "user", "press", {"message_id": message_id, "text": button["text"], "data": callback_data}
        )
        self.state.enqueue("callback_query", query)
        return query
