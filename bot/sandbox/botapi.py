"""The bot-facing Bot API methods, with Telegram's JSON shapes and refusals."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from bot.utf16 import utf16_len

from .errors import ApiError
from .formatting import visible_text
from .media import guess_mime, image_size
from .params import Params, Upload
from .state import JSON, PRESENT, GroupProfile, SandboxState, WebhookConfig, chat_member, scope_key

Handler = Callable[["BotApi", Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {}

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def method(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        # Telegram matches method names case-insensitively.
        METHODS[name.lower()] = fn
        return fn

    return register


class BotApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def call(self, name: str, params: Params) -> Any:
        handler = METHODS.get(name.lower())
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return await handler(self, params)

    # -- shared pieces -------------------------------------------------------

    def new_bot_message(self, p: Params, content: JSON) -> JSON:
        chat_id = p.chat_id()
        assert chat_id is not None
        profile, chat = self.state.chat_for_bot(chat_id)
        thread_id = self._thread(p, profile)
        reply_to = self._reply_target(p, chat_id)
        markup = _markup(p)
        message: JSON = {
            "message_id": chat.next_message_id(),
            "from": self.state.bot_sender,
            "chat": profile.as_chat(),
            "date": self.state.clock.timestamp(),
            **content,
        }
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
            if reply_to is None:
                # In a forum a message of a topic replies to the topic's first message, as Telegram shows it.
                reply_to = self.state.message(chat_id, thread_id)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if markup is not None:
            if "inline_keyboard" in markup:
                message["reply_markup"] = markup
            elif "keyboard" in markup:
                chat.reply_keyboard = markup
            elif markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        chat.messages[message["message_id"]] = message
        extra: JSON = {}
        if markup is not None and "inline_keyboard" not in markup:
            extra["reply_markup"] = markup  # the user still sees the reply keyboard change
        self.state.emit(chat_id, "send", message, **extra)
        return message

    def _thread(self, p: Params, profile: Any) -> int | None:
        """The forum topic a message goes to; refused when the chat has no such topic."""
        thread_id = p.get_int("message_thread_id")
        if not thread_id:
            return None
        if not isinstance(profile, GroupProfile) or not profile.is_forum:
            return None  # outside forums Telegram ignores it for plain sends
        if thread_id not in profile.topics:
            raise ApiError(400, "Bad Request: message thread not found")
        return thread_id

    def _reply_target(self, p: Params, chat_id: int) -> JSON | None:
        target_id = p.get_int("reply_to_message_id")
        allow_missing = p.get_bool("allow_sending_without_reply")
        reply_parameters = p.get_json("reply_parameters")
        if isinstance(reply_parameters, dict):
            target_id = int(reply_parameters.get("message_id", 0)) or target_id
            allow_missing = bool(reply_parameters.get("allow_sending_without_reply", allow_missing))
        if not target_id:
            return None
        target = self.state.message(chat_id, target_id)
        if target is None:
            if allow_missing:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        # Telegram does not nest replies inside replies.
        return {k: v for k, v in target.items() if k != "reply_to_message"}

    def editable(self, p: Params) -> JSON:
        if p.has("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the sandbox")
        chat_id = p.chat_id()
        assert chat_id is not None
        self.state.chat_for_bot(chat_id)
        message = self.state.message(chat_id, p.get_int("message_id") or 0)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"].get("id") != self.state.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def finish_edit(self, message: JSON, changes: JSON) -> JSON:
        before = {k: message.get(k) for k in changes}
        if before == changes:
            raise ApiError(400, _NOT_MODIFIED)
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = self.state.clock.timestamp()
        self.state.emit(message["chat"]["id"], "edit", message)
        return message

    def file_source(self, p: Params, field: str, folder: str, default_name: str) -> tuple[Any, bool]:
        """The stored file to send and whether it was freshly uploaded."""
        value = p.get_str(field)
        upload: Upload | None = None
        if value and value.startswith("attach://"):
            upload = p.files.get(value[len("attach://"):])
        elif field in p.files:
            upload = p.files[field]
        elif value:
            stored = self.state.files.get(value)
            if stored is None:
                if value.startswith(("http://", "https://")):
                    raise ApiError(400, "Bad Request: failed to get HTTP URL content")
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return stored, False
        if upload is None:
            raise ApiError(400, f"Bad Request: there is no {field} in the request")
        name = upload.filename or default_name
        mime = upload.content_type
        if mime in ("", "application/octet-stream"):
            mime = guess_mime(name)
        return self.state.store_file(upload.data, name, mime, folder), True


def _markup(p: Params) -> JSON | None:
    markup = p.get_json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, "Bad Request: can't parse inline keyboard button: field \"inline_keyboard\" must be an Array of Arrays")
        for row in rows:
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        markup = dict(markup)
        markup["keyboard"] = [
            [b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in markup["keyboard"]
        ]
    return markup


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text must be a String")
    data = button.get("callback_data")
    if data is not None and not (1 <= len(str(data).encode()) <= 64):
        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    actions = set(button) - {"text"}
    if not actions:
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")


def _text(p: Params, field: str = "text", mode_field: str = "parse_mode") -> str:
    raw = p.get_str(field) or ""
    text = visible_text(raw, p.get_str(mode_field))
    if field == "text" and not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    limit = 4096 if field == "text" else 1024
    if utf16_len(text) > limit:
        raise ApiError(400, "Bad Request: message is too long" if field == "text" else "Bad Request: message caption is too long")
    return text


def is_loopback_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https"):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- identity and lifecycle ---------------------------------------------------


@method("getMe")
async def get_me(api: BotApi, p: Params) -> JSON:
    return dict(api.state.bot_user)


@method("logOut")
async def log_out(api: BotApi, p: Params) -> bool:
    return True


@method("close")
async def close(api: BotApi, p: Params) -> bool:
    return True


# -- updates --------------------------------------------------------------------


@method("getUpdates")
async def get_updates(api: BotApi, p: Params) -> list[JSON]:
    state = api.state
    if state.webhook is not None:
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
    state.poll_generation += 1
    generation = state.poll_generation
    state.notify()  # wakes an older poll so it can learn it was superseded
    allowed = p.get_json("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(a) for a in allowed] or None
    offset = p.get_int("offset")
    if offset:
        state.confirm(offset)
    limit = max(1, min(p.get_int("limit", 100) or 100, 100))
    timeout = max(0.0, p.get_float("timeout", 0.0) or 0.0)
    await state.wait_until(
        lambda: bool(state.pending) or state.poll_generation != generation or state.webhook is not None,
        timeout,
    )
    if state.poll_generation != generation:
        raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
    if state.webhook is not None:
        return []
    return state.take(limit)


@method("setWebhook")
async def set_webhook(api: BotApi, p: Params) -> bool:
    url = p.get_str("url") or ""
    if not url:
        api.state.webhook = None
        api.state.notify()
        return True
    if not is_loopback_url(url):
        raise ApiError(400, "Bad Request: bad webhook: the sandbox delivers only to loopback addresses")
    secret = p.get_str("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise ApiError(400, "Bad Request: secret token contains unallowed characters")
    allowed = p.get_json("allowed_updates")
    if p.get_bool("drop_pending_updates"):
        api.state.pending.clear()
    api.state.webhook = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=p.get_int("max_connections", 40) or 40,
        allowed_updates=[str(a) for a in allowed] if isinstance(allowed, list) and allowed else None,
    )
    api.state.notify()
    return True


@method("deleteWebhook")
async def delete_webhook(api: BotApi, p: Params) -> bool:
    api.state.webhook = None
    if p.get_bool("drop_pending_updates"):
        api.state.pending.clear()
    api.state.notify()
    return True


@method("getWebhookInfo")
async def get_webhook_info(api: BotApi, p: Params) -> JSON:
    hook = api.state.webhook
    info: JSON = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(api.state.pending),
    }
    if hook:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


# -- messages -------------------------------------------------------------------


@method("sendMessage")
async def send_message(api: BotApi, p: Params) -> JSON:
    content: JSON = {"text": _text(p)}
    return api.new_bot_message(p, content)


@method("editMessageText")
async def edit_message_text(api: BotApi, p: Params) -> JSON:
    message = api.editable(p)
    if "text" not in message:
        raise ApiError(400, "Bad Request: there is no text in the message to edit")
    # Like Telegram: an edit without reply_markup drops the inline keyboard.
    return api.finish_edit(message, {"text": _text(p), "reply_markup": _markup(p)})


@method("editMessageCaption")
async def edit_message_caption(api: BotApi, p: Params) -> JSON:
    message = api.editable(p)
    if "text" in message:
        raise ApiError(400, "Bad Request: there is no caption in the message to edit")
    caption = _text(p, "caption") or None
    return api.finish_edit(message, {"caption": caption, "reply_markup": _markup(p)})


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(api: BotApi, p: Params) -> JSON:
    message = api.editable(p)
    return api.finish_edit(message, {"reply_markup": _markup(p)})


@method("deleteMessage")
async def delete_message(api: BotApi, p: Params) -> bool:
    chat_id = p.chat_id()
    assert chat_id is not None
    _, chat = api.state.chat_for_bot(chat_id)
    message_id = p.get_int("message_id") or 0
    message = chat.messages.pop(message_id, None)
    if message is None:
        raise ApiError(400, "Bad Request: message to delete not found")
    api.state.emit(chat_id, "delete", None, message_id=message_id, text=message.get("text"))
    return True


@method("sendChatAction")
async def send_chat_action(api: BotApi, p: Params) -> bool:
    chat_id = p.chat_id()
    assert chat_id is not None
    api.state.chat_for_bot(chat_id)
    if p.get_str("action") not in _CHAT_ACTIONS:
        raise ApiError(400, "Bad Request: wrong parameter action in request")
    return True


@method("answerCallbackQuery")
async def answer_callback_query(api: BotApi, p: Params) -> bool:
    query_id = p.get_str("callback_query_id") or ""
    query = api.state.callbacks.get(query_id)
    if query is None or query["answered"]:
        raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
    query["answered"] = True
    api.state.emit(
        query["user_id"],
        "callback_answer",
        None,
        callback_query_id=query_id,
        message_id=query["message_id"],
        text=p.get_str("text"),
        show_alert=p.get_bool("show_alert"),
        url=p.get_str("url"),
    )
    return True


# -- files -----------------------------------------------------------------------


@method("sendDocument")
async def send_document(api: BotApi, p: Params) -> JSON:
    stored, _ = api.file_source(p, "document", "documents", "document")
    content: JSON = {
        "document": {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }
    }
    caption = _text(p, "caption")
    if caption:
        content["caption"] = caption
    return api.new_bot_message(p, content)


@method("sendPhoto")
async def send_photo(api: BotApi, p: Params) -> JSON:
    stored, _ = api.file_source(p, "photo", "photos", "photo.jpg")
    content: JSON = {"photo": [photo_size(stored.file_id, stored.file_unique_id, stored.data)]}
    caption = _text(p, "caption")
    if caption:
        content["caption"] = caption
    return api.new_bot_message(p, content)


def photo_size(file_id: str, file_unique_id: str, data: bytes) -> JSON:
    width, height = image_size(data)
    return {
        "file_id": file_id,
        "file_unique_id": file_unique_id,
        "width": width,
        "height": height,
        "file_size": len(data),
    }


@method("getFile")
async def get_file(api: BotApi, p: Params) -> JSON:
    stored = api.state.files.get(p.get_str("file_id") or "")
    if stored is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    return stored.as_file()


# -- commands --------------------------------------------------------------------


def _scope(p: Params) -> str:
    scope = p.get_json("scope")
    if scope is not None and (not isinstance(scope, dict) or "type" not in scope):
        raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
    return scope_key(scope)


@method("setMyCommands")
async def set_my_commands(api: BotApi, p: Params) -> bool:
    commands = p.get_json("commands")
    if not isinstance(commands, list):
        raise ApiError(400, "Bad Request: can't parse commands JSON object")
    for command in commands:
        name = command.get("command", "") if isinstance(command, dict) else ""
        if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not command.get("description"):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
    key = (_scope(p), p.get_str("language_code") or "")
    api.state.commands[key] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@method("getMyCommands")
async def get_my_commands(api: BotApi, p: Params) -> list[JSON]:
    return list(api.state.commands.get((_scope(p), p.get_str("language_code") or ""), []))


@method("deleteMyCommands")
async def delete_my_commands(api: BotApi, p: Params) -> bool:
    api.state.commands.pop((_scope(p), p.get_str("language_code") or ""), None)
    return True


# -- the chat's menu button (a Mini App or the command list) ---------------------------


def _menu_button(p: Params) -> JSON:
    button = p.get_json("menu_button")
    if button is None:
        return {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise ApiError(400, "Bad Request: can't parse menu button JSON object")
    if button["type"] != "web_app":
        return {"type": button["type"]}
    web_app = button.get("web_app")
    if not isinstance(button.get("text"), str) or not button["text"] or not isinstance(web_app, dict) \
            or not isinstance(web_app.get("url"), str):
        raise ApiError(400, "Bad Request: can't parse menu button JSON object")
    return {"type": "web_app", "text": button["text"], "web_app": {"url": web_app["url"]}}


@method("setChatMenuButton")
async def set_chat_menu_button(api: BotApi, p: Params) -> bool:
    chat_id = p.chat_id(required=False)
    button = _menu_button(p)
    if chat_id is None:
        api.state.menu_buttons[0] = button  # the default for chats without their own
    else:
        api.state.chat_for_bot(chat_id)  # refuses a chat the bot does not know, as Telegram does
        api.state.menu_buttons[chat_id] = button
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(api: BotApi, p: Params) -> JSON:
    chat_id = p.chat_id(required=False)
    found = api.state.menu_buttons.get(chat_id or 0) or api.state.menu_buttons.get(0)
    return found or {"type": "commands"}


# -- groups and forum topics ---------------------------------------------------------


_TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)


@method("createForumTopic")
async def create_forum_topic(api: BotApi, p: Params) -> JSON:
    chat_id = p.chat_id()
    assert chat_id is not None
    group, chat = api.state.group_for_bot(chat_id)
    if not group.is_forum:
        raise ApiError(400, "Bad Request: the chat is not a forum")
    if group.bot_status != "administrator":
        raise ApiError(400, "Bad Request: not enough rights to create a topic")
    name = (p.get_str("name") or "").strip()
    if not 1 <= len(name) <= 128:
        raise ApiError(400, "Bad Request: TOPIC_TITLE_EMPTY")
    color = p.get_int("icon_color") or _TOPIC_COLORS[len(group.topics) % len(_TOPIC_COLORS)]
    # A topic's thread id is the id of the service message that opened it.
    thread_id = chat.next_message_id()
    group.topics[thread_id] = name
    message: JSON = {
        "message_id": thread_id,
        "from": api.state.bot_sender,
        "chat": group.as_chat(),
        "date": api.state.clock.timestamp(),
        "message_thread_id": thread_id,
        "is_topic_message": True,
        "forum_topic_created": {"name": name, "icon_color": color},
    }
    chat.messages[thread_id] = message
    api.state.emit(chat_id, "topic", message, name=name)
    return {"message_thread_id": thread_id, "name": name, "icon_color": color}


@method("getChat")
async def get_chat(api: BotApi, p: Params) -> JSON:
    chat_id = p.chat_id()
    assert chat_id is not None
    profile, _ = api.state.chat_for_bot(chat_id)
    info: JSON = {**profile.as_chat(), "accent_color_id": 0, "max_reaction_count": 11}
    return info


def _member(api: BotApi, group: GroupProfile, user_id: int) -> JSON:
    if user_id == api.state.bot_user["id"]:
        return chat_member(api.state.bot_sender, group.bot_status)
    profile = api.state.users.get(user_id)
    if profile is None:
        raise ApiError(400, "Bad Request: user not found")
    return chat_member(profile.as_user(), group.members.get(user_id, "left"))


@method("getChatMember")
async def get_chat_member(api: BotApi, p: Params) -> JSON:
    chat_id = p.chat_id()
    assert chat_id is not None
    group, _ = api.state.group_for_bot(chat_id)
    return _member(api, group, p.get_int("user_id") or 0)


@method("getChatAdministrators")
async def get_chat_administrators(api: BotApi, p: Params) -> list[JSON]:
    chat_id = p.chat_id()
    assert chat_id is not None
    group, _ = api.state.group_for_bot(chat_id)
    ids = [uid for uid, status in group.members.items() if status in ("creator", "administrator")]
    if group.bot_status == "administrator":
        ids.append(api.state.bot_user["id"])
    return [_member(api, group, uid) for uid in ids]


@method("getChatMemberCount")
async def get_chat_member_count(api: BotApi, p: Params) -> int:
    chat_id = p.chat_id()
    assert chat_id is not None
    group, _ = api.state.group_for_bot(chat_id)
    return sum(1 for s in group.members.values() if s in PRESENT) + (group.bot_status in PRESENT)
