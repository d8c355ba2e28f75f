"""Bot API update JSON → :class:`handlers.types.Incoming`.

Both adapters hand over the update as the Bot API's own JSON (python-telegram-bot
``Update.to_dict()``, aiogram ``Update.model_dump``), so the translation exists once.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from handlers.types import Incoming, IncomingFile

# The update kinds :func:`incoming_from_update` acts on: what every adapter asks Telegram for.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")


def _time(unix: int | float | None) -> datetime:
    return datetime.fromtimestamp(unix or 0, tz=timezone.utc)


def _files(message: dict[str, Any]) -> tuple[IncomingFile, ...]:
    files: list[IncomingFile] = []
    photos = message.get("photo") or []
    if photos:
        # Telegram sends several sizes of one photo; the largest is the evidence.
        best = max(photos, key=lambda p: (p.get("file_size") or 0, p.get("width", 0) * p.get("height", 0)))
        files.append(IncomingFile("photo", best["file_id"], best.get("file_unique_id", best["file_id"]),
                                  best.get("file_size")))
    document = message.get("document")
    if document:
        files.append(IncomingFile("document", document["file_id"], document.get("file_unique_id", document["file_id"]),
                                  document.get("file_size"), document.get("file_name"), document.get("mime_type")))
    return tuple(files)


def _from_message(update_id: int | None, message: dict[str, Any], kind: str, raw: dict[str, Any]) -> Incoming | None:
    sender = message.get("from") or {}
    chat = message.get("chat") or {}
    if not sender or not chat:
        return None  # channel posts and service messages have no person behind them
    sent = message.get("edit_date") if kind == "edited_message" else message.get("date")
    reply_to = (message.get("reply_to_message") or {}).get("message_id")
    return Incoming(
        kind=kind,  # type: ignore[arg-type]
        update_id=update_id,
        user_id=int(sender["id"]),
        chat_id=int(chat["id"]),
        sent_at=_time(sent or message.get("date")),
        text=message.get("text") if message.get("text") is not None else message.get("caption"),
        message_id=message.get("message_id"),
        reply_to_message_id=reply_to,
        first_name=sender.get("first_name"),
        username=sender.get("username"),
        language_code=sender.get("language_code"),
        files=_files(message),
        raw=raw,
    )


def incoming_from_update(raw: dict[str, Any], *, received_at: datetime | None = None) -> Incoming | None:
    """The use-case view of one update, or None for updates the bot does not act on."""
    update_id = raw.get("update_id")
    if "message" in raw:
        return _from_message(update_id, raw["message"], "message", raw)
    if "edited_message" in raw:
        return _from_message(update_id, raw["edited_message"], "edited_message", raw)
    if "callback_query" in raw:
        query = raw["callback_query"]
        message = query.get("message") or {}
        sender = query.get("from") or {}
        chat = message.get("chat") or {"id": sender.get("id")}
        return Incoming(
            kind="callback",
            update_id=update_id,
            user_id=int(sender["id"]),
            chat_id=int(chat["id"]),
            # A button press carries no time of its own; the receive time is the best evidence.
            sent_at=received_at or _time(message.get("date")),
            text=None,
            message_id=message.get("message_id"),
            first_name=sender.get("first_name"),
            username=sender.get("username"),
            language_code=sender.get("language_code"),
            callback_id=query.get("id"),
            callback_data=query.get("data") or "",
            raw=raw,
        )
    return None
