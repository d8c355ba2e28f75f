"""Bot API update JSON → :class:`handlers.types.Incoming`, checked field by field.

Both adapters hand over the update as the Bot API's own JSON (python-telegram-bot
``Update.to_dict()``, aiogram ``Update.model_dump``), so the translation exists once.
It is also the edge check: every field the bot reads must have the type and range
the Bot API documents (ids fit 64 bits, texts are strings). An update that does not
raises :class:`UnreadableUpdate`; the caller records it as such instead of letting a
``ValueError`` deep inside a use case lose it.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

from bot.utf16 import utf16_slice
from handlers.types import ChatEvent, Incoming, IncomingFile

log = logging.getLogger(__name__)

# The update kinds :func:`incoming_from_update` acts on: what every adapter asks Telegram for.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")

_INT64 = range(-2**63, 2**63)
# Unix times a message can carry: 1970 up to year 9999 (what ``datetime`` can hold).
_UNIX_TIMES = range(0, 253402300800)
# Nesting deeper than any Bot API update (a reply inside a message inside a callback
# is about 8 levels): a body past this is refused before it reaches a JSON parser.
MAX_NESTING = 64


class UnreadableUpdate(ValueError):
    """An update that is not what the Bot API sends: wrong field types, out-of-range ids."""

    def __init__(self, reason: str, update_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.update_id = update_id


def nesting_depth(body: str) -> int:
    """How deeply ``body``'s JSON arrays and objects nest, counted without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for char in body:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_body(body: str) -> dict[str, Any]:
    """A webhook body as an update dict, or :class:`UnreadableUpdate` (never a RecursionError)."""
    if nesting_depth(body) > MAX_NESTING:
        raise UnreadableUpdate(f"JSON nested deeper than {MAX_NESTING} levels")
    try:
        update = json.loads(body)
    except ValueError as error:
        raise UnreadableUpdate(f"not JSON: {error}") from None
    if not isinstance(update, dict):
        raise UnreadableUpdate("not a JSON object")
    return update


def _int(container: dict[str, Any], key: str, where: str, *, required: bool = True,
         allowed: range = _INT64) -> int | None:
    value = container.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise UnreadableUpdate(f"{where}.{key} is not an integer in range: {value!r:.80}")
    return value


def _str(container: dict[str, Any], key: str, where: str) -> str | None:
    value = container.get(key)
    if value is not None and not isinstance(value, str):
        raise UnreadableUpdate(f"{where}.{key} is not a string: {value!r:.80}")
    return value


def _obj(container: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = container.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UnreadableUpdate(f"{where}.{key} is not an object: {value!r:.80}")
    return value


def _time(unix: int | None) -> datetime:
    return datetime.fromtimestamp(unix or 0, tz=timezone.utc)


def _file(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(item.get("file_id"), str):
        raise UnreadableUpdate(f"{where} has no file_id")
    for key in ("file_size", "width", "height"):
        _int(item, key, where, required=False)
    for key in ("file_unique_id", "file_name", "mime_type"):
        _str(item, key, where)
    return item


def _files(message: dict[str, Any]) -> tuple[IncomingFile, ...]:
    files: list[IncomingFile] = []
    photos = message.get("photo") or []
    if not isinstance(photos, list):
        raise UnreadableUpdate("message.photo is not a list")
    photos = [_file(p, "message.photo[]") for p in photos]
    if photos:
        # Telegram sends several sizes of one photo; the largest is the evidence.
        best = max(photos, key=lambda p: (p.get("file_size") or 0, (p.get("width") or 0) * (p.get("height") or 0)))
        files.append(IncomingFile("photo", best["file_id"], best.get("file_unique_id") or best["file_id"],
                                  best.get("file_size")))
    if message.get("document") is not None:
        document = _file(message["document"], "message.document")
        files.append(IncomingFile("document", document["file_id"],
                                  document.get("file_unique_id") or document["file_id"],
                                  document.get("file_size"), document.get("file_name"), document.get("mime_type")))
    return tuple(files)


def _mentions(message: dict[str, Any], text: str | None, key: str) -> tuple[str, ...]:
    """The @usernames the text's entities mark (offsets count UTF-16 code units)."""
    found = message.get(key) or []
    if not isinstance(found, list) or not text:
        return ()
    names: list[str] = []
    for entity in found:
        if not isinstance(entity, dict) or entity.get("type") != "mention":
            continue
        offset = _int(entity, "offset", f"message.{key}[]", required=False) or 0
        length = _int(entity, "length", f"message.{key}[]", required=False) or 0
        names.append(utf16_slice(text, offset, length).lstrip("@").lower())
    return tuple(names)


def _user_ids(members: Any, where: str) -> tuple[int, ...]:
    if isinstance(members, dict):
        members = [members]
    if not isinstance(members, list):
        raise UnreadableUpdate(f"{where} is not a list")
    return tuple(_int(m if isinstance(m, dict) else {}, "id", where) for m in members)  # type: ignore[misc]


def _event(message: dict[str, Any], kind: str) -> ChatEvent | None:
    """The service message a group update carries, if it is one the bot acts on."""
    if message.get("new_chat_members") is not None:
        return ChatEvent("joined", _user_ids(message["new_chat_members"], f"{kind}.new_chat_members"))
    if message.get("left_chat_member") is not None:
        return ChatEvent("left", _user_ids(message["left_chat_member"], f"{kind}.left_chat_member"))
    if message.get("migrate_to_chat_id") is not None:
        return ChatEvent("migrated_to", chat_id=_int(message, "migrate_to_chat_id", kind))
    if message.get("migrate_from_chat_id") is not None:
        return ChatEvent("migrated_from", chat_id=_int(message, "migrate_from_chat_id", kind))
    if message.get("forum_topic_created") is not None:
        return ChatEvent("topic_created")
    return None


def _from_message(update_id: int, message: dict[str, Any], kind: str, raw: dict[str, Any]) -> Incoming:
    sender = _obj(message, "from", kind)
    chat = _obj(message, "chat", kind)
    if not sender or not chat:
        raise UnreadableUpdate(f"{kind} has no sender or no chat (a channel post or service message)", update_id)
    date = _int(message, "date", kind, required=False, allowed=_UNIX_TIMES)
    edit_date = _int(message, "edit_date", kind, required=False, allowed=_UNIX_TIMES)
    sent = edit_date if kind == "edited_message" else date
    replied = _obj(message, "reply_to_message", kind)
    reply_to = _int(replied, "message_id", f"{kind}.reply_to_message", required=False)
    if "forum_topic_created" in replied:
        reply_to = None  # in a forum every message of a topic "replies" to the topic's opening
    text = _str(message, "text", kind)
    caption = _str(message, "caption", kind)
    chat_type = _str(chat, "type", f"{kind}.chat") or "private"
    if chat_type not in ("private", "group", "supergroup", "channel"):
        raise UnreadableUpdate(f"{kind}.chat.type is not a chat type: {chat_type!r:.40}", update_id)
    return Incoming(
        kind=kind,  # type: ignore[arg-type]
        update_id=update_id,
        user_id=_int(sender, "id", f"{kind}.from"),  # type: ignore[arg-type]
        chat_id=_int(chat, "id", f"{kind}.chat"),  # type: ignore[arg-type]
        sent_at=_time(sent or date),
        text=text if text is not None else caption,
        message_id=_int(message, "message_id", kind, required=False),
        reply_to_message_id=reply_to,
        first_name=_str(sender, "first_name", f"{kind}.from"),
        username=_str(sender, "username", f"{kind}.from"),
        language_code=_str(sender, "language_code", f"{kind}.from"),
        files=_files(message),
        raw=raw,
        chat_type=chat_type,  # type: ignore[arg-type]
        chat_title=_str(chat, "title", f"{kind}.chat"),
        is_forum=chat.get("is_forum") is True,
        thread_id=_int(message, "message_thread_id", kind, required=False) if message.get("is_topic_message") else None,
        mentions=_mentions(message, text, "entities") + _mentions(message, caption, "caption_entities"),
        event=_event(message, kind),
    )


def _from_callback(update_id: int, query: dict[str, Any], raw: dict[str, Any],
                   received_at: datetime | None) -> Incoming:
    message = _obj(query, "message", "callback_query")
    sender = _obj(query, "from", "callback_query")
    user_id = _int(sender, "id", "callback_query.from")
    chat = _obj(message, "chat", "callback_query.message")
    chat_id = _int(chat, "id", "callback_query.message.chat") if chat else user_id
    chat_type = _str(chat, "type", "callback_query.message.chat") or "private"
    if chat_type not in ("private", "group", "supergroup", "channel"):
        raise UnreadableUpdate(f"callback_query.message.chat.type is not a chat type: {chat_type!r:.40}")
    return Incoming(
        kind="callback",
        update_id=update_id,
        user_id=user_id,  # type: ignore[arg-type]
        chat_id=chat_id,  # type: ignore[arg-type]
        # A button press carries no time of its own; the receive time is the best evidence.
        sent_at=received_at or _time(_int(message, "date", "callback_query.message", required=False,
                                          allowed=_UNIX_TIMES)),
        text=None,
        message_id=_int(message, "message_id", "callback_query.message", required=False),
        first_name=_str(sender, "first_name", "callback_query.from"),
        username=_str(sender, "username", "callback_query.from"),
        language_code=_str(sender, "language_code", "callback_query.from"),
        callback_id=_str(query, "id", "callback_query"),
        callback_data=_str(query, "data", "callback_query") or "",
        raw=raw,
        chat_type=chat_type,  # type: ignore[arg-type]
        chat_title=_str(chat, "title", "callback_query.message.chat"),
        is_forum=chat.get("is_forum") is True,
        thread_id=_int(message, "message_thread_id", "callback_query.message", required=False)
        if message.get("is_topic_message") else None,
    )


def _from_member_update(update_id: int, change: dict[str, Any], raw: dict[str, Any]) -> Incoming:
    """The bot's own status changed in a chat (added, promoted, removed; a user blocked it).

    Not asked for (``ALLOWED_UPDATES``), but Telegram sends it until a first getUpdates says
    so; it is recorded as what it is and acted on by nobody (the service message does that)."""
    sender = _obj(change, "from", "my_chat_member")
    chat = _obj(change, "chat", "my_chat_member")
    if not sender or not chat:
        raise UnreadableUpdate("my_chat_member has no sender or no chat", update_id)
    status = _str(_obj(change, "new_chat_member", "my_chat_member"), "status", "my_chat_member.new_chat_member")
    chat_type = _str(chat, "type", "my_chat_member.chat") or "private"
    if chat_type not in ("private", "group", "supergroup", "channel"):
        raise UnreadableUpdate(f"my_chat_member.chat.type is not a chat type: {chat_type!r:.40}", update_id)
    return Incoming(
        kind="message", update_id=update_id,
        user_id=_int(sender, "id", "my_chat_member.from"),  # type: ignore[arg-type]
        chat_id=_int(chat, "id", "my_chat_member.chat"),  # type: ignore[arg-type]
        sent_at=_time(_int(change, "date", "my_chat_member", required=False, allowed=_UNIX_TIMES)),
        text=None, first_name=_str(sender, "first_name", "my_chat_member.from"),
        username=_str(sender, "username", "my_chat_member.from"), raw=raw,
        chat_type=chat_type,  # type: ignore[arg-type]
        chat_title=_str(chat, "title", "my_chat_member.chat"),
        event=ChatEvent("bot_status", status=status))


def readable_update_id(raw: Any) -> int | None:
    """The update's id if it is one the audit log can hold, else None."""
    value = raw.get("update_id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value in _INT64 else None


def incoming_from_update(raw: dict[str, Any], *, received_at: datetime | None = None) -> Incoming:
    """The use-case view of one update; :class:`UnreadableUpdate` when it is not one the bot can read."""
    if not isinstance(raw, dict):
        raise UnreadableUpdate("not a JSON object")
    update_id = _int(raw, "update_id", "update")
    assert update_id is not None
    try:
        if "message" in raw:
            return _from_message(update_id, _obj(raw, "message", "update"), "message", raw)
        if "edited_message" in raw:
            return _from_message(update_id, _obj(raw, "edited_message", "update"), "edited_message", raw)
        if "callback_query" in raw:
            return _from_callback(update_id, _obj(raw, "callback_query", "update"), raw, received_at)
        if "my_chat_member" in raw:
            return _from_member_update(update_id, _obj(raw, "my_chat_member", "update"), raw)
    except UnreadableUpdate as error:
        error.update_id = update_id
        raise
    kinds = ", ".join(sorted(k for k in raw if k != "update_id"))[:80]
    raise UnreadableUpdate(f"no message, edited message or button press in this update ({kinds})", update_id)
