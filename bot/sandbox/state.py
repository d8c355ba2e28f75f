"""Everything the sandbox remembers: users, chats, messages, files, the update
queue and what the bot did. Synchronous mutations plus one "something changed"
signal that long polls (getUpdates, the user side, webhooks) wait on.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .clock import SandboxClock
from .errors import ApiError

JSON = dict[str, Any]

# Types Telegram sends when allowed_updates is empty or never given.
_DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class UserProfile:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "zh-hans"
    last_name: str | None = None
    blocked: bool = False  # the user blocked the bot: sends answer 403

    def as_user(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def as_chat(self) -> JSON:
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    def to_dict(self) -> JSON:
        return {
            "user_id": self.id,
            "first_name": self.first_name,
            "username": self.username,
            "language_code": self.language_code,
            "blocked": self.blocked,
        }


# Member statuses of ChatMember that are in the chat.
PRESENT = frozenset({"creator", "administrator", "member", "restricted"})


@dataclass
class GroupProfile:
    """A group or supergroup: its members (with their ChatMember status), the bot's own
    status, forum topics (thread id → name) and, once upgraded, the supergroup it became."""

    id: int
    title: str
    type: str = "group"  # group | supergroup
    is_forum: bool = False
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "left"  # member | administrator | left | kicked
    topics: dict[int, str] = field(default_factory=dict)
    migrated_to: int | None = None
    handle: str | None = None  # a sandbox-only name (`orderbot chat --group S1-group`)

    def as_chat(self) -> JSON:
        chat: JSON = {"id": self.id, "type": self.type, "title": self.title}
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def to_dict(self) -> JSON:
        return {
            **self.as_chat(),
            "members": {str(k): v for k, v in self.members.items()},
            "bot_status": self.bot_status,
            "topics": {str(k): v for k, v in self.topics.items()},
            "migrated_to": self.migrated_to,
            "handle": self.handle,
        }


def chat_member(user: JSON, status: str) -> JSON:
    """A ChatMember object with the fields its status requires."""
    member: JSON = {"status": status, "user": user}
    if status == "administrator":
        member.update({"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                       "can_delete_messages": True, "can_manage_video_chats": True, "can_restrict_members": True,
                       "can_promote_members": False, "can_change_info": True, "can_invite_users": True,
                       "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False,
                       "can_send_welcome_messages": False, "can_pin_messages": True,
                       "can_manage_topics": True})
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "kicked":
        member["until_date"] = 0
    return member


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str
    mime_type: str

    def as_file(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class ChatState:
    chat_id: int
    # Telegram numbers a private chat's messages in one sequence, whoever sent them.
    last_message_id: int = 0
    messages: dict[int, JSON] = field(default_factory=dict)
    reply_keyboard: JSON | None = None

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


@dataclass
class QueuedUpdate:
    update: JSON
    # A redelivered update must survive the offset that already confirmed it
    # until it has been handed out once more.
    sticky: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class SandboxState:
    def __init__(self, bot_user: JSON, clock: SandboxClock) -> None:
        self.bot_user = bot_user
        # Messages carry only the User fields, not getMe's capability flags.
        self.bot_sender = {k: bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        self.clock = clock
        self.root_url = ""  # set by the server once it knows its port
        self.users: dict[int, UserProfile] = {}
        self.groups: dict[int, GroupProfile] = {}
        # BotFather's /setprivacy: on, the bot sees in groups only commands, replies to it,
        # mentions of it and service messages — unless it is an administrator there.
        self.privacy = True
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.pending: list[QueuedUpdate] = []
        self.history: dict[int, JSON] = {}
        self.events: list[JSON] = []
        self.transcripts: dict[int, list[JSON]] = {}
        self.callbacks: dict[str, JSON] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int, JSON] = {}  # chat id (0: the default) → MenuButton
        self.webhook: WebhookConfig | None = None
        self.allowed_updates: list[str] | None = None
        self.closing = False
        self.poll_generation = 0
        self._update_ids = itertools.count(1)
        self._event_seq = itertools.count(1)
        self._file_seq = itertools.count(1)
        self._callback_seq = itertools.count(1)
        self._changed = asyncio.Event()

    # -- change signal -------------------------------------------------------

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0.0)
        while True:
            if predicate():
                return True
            if self.closing:
                return False
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            signal = self._changed
            try:
                await asyncio.wait_for(signal.wait(), remaining)
            except TimeoutError:
                return predicate()

    def close(self) -> None:
        self.closing = True
        self.notify()

    # -- users and chats -----------------------------------------------------

    def register_user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
    ) -> UserProfile:
        user = self.users.get(user_id)
        if user is None:
            user = UserProfile(user_id, first_name or f"User{user_id}")
            self.users[user_id] = user
        if first_name is not None:
            user.first_name = first_name
        if username is not None:
            user.username = username
        if language_code is not None:
            user.language_code = language_code
        if last_name is not None:
            user.last_name = last_name
        self.chats.setdefault(user_id, ChatState(user_id))
        return user

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def continue_after(self, update_id: int) -> None:
        """Number the next updates after ``update_id``: a bot restarted on its old database with a
        fresh sandbox must not see ids it recorded before (it would drop them as redeliveries)."""
        upcoming = next(self._update_ids)
        self._update_ids = itertools.count(max(upcoming, update_id + 1))

    def chat_for_bot(self, chat_id: int) -> tuple[UserProfile | GroupProfile, ChatState]:
        if chat_id < 0:
            return self.group_for_bot(chat_id)
        user = self.users.get(chat_id)
        if user is None:
            raise ApiError(400, "Bad Request: chat not found")
        if user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return user, self.chats[chat_id]

    def group_for_bot(self, chat_id: int) -> tuple[GroupProfile, ChatState]:
        group = self.groups.get(chat_id)
        if group is None:
            raise ApiError(400, "Bad Request: chat not found")
        if group.migrated_to is not None:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=group.migrated_to)
        if group.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {group.type} chat")
        if group.bot_status not in PRESENT:
            raise ApiError(403, f"Forbidden: bot is not a member of the {group.type} chat")
        return group, self.chats[chat_id]

    def bot_reads(self, group: GroupProfile, message: JSON) -> bool:
        """Whether the bot receives a message posted in ``group`` (its privacy mode)."""
        if group.bot_status not in PRESENT:
            return False
        if not self.privacy or group.bot_status == "administrator":
            return True
        if not any(k in message for k in ("text", "caption")):
            return True  # service messages (joins, leaves, migration) always reach it
        text = message.get("text") or message.get("caption") or ""
        name = self.bot_user["username"].lower()
        if text.startswith("/"):
            head = text.split(maxsplit=1)[0]
            return "@" not in head or head.split("@", 1)[1].lower() == name
        if f"@{name}" in text.lower():
            return True
        replied = message.get("reply_to_message") or {}
        return (replied.get("from") or {}).get("id") == self.bot_user["id"] \
            and "forum_topic_created" not in replied

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        chat = self.chats.get(chat_id)
        return None if chat is None else chat.messages.get(message_id)

    # -- updates -------------------------------------------------------------

    def enqueue(self, kind: str, payload: JSON) -> JSON:
        update = {"update_id": self.next_update_id(), kind: payload}
        self.history[update["update_id"]] = update
        if self._allowed(kind):
            self.pending.append(QueuedUpdate(copy.deepcopy(update)))
        self.notify()
        return update

    def enqueue_raw(self, fields: JSON) -> JSON:
        """An update with whatever fields it is given (a broken or future Bot API), next id."""
        update = {"update_id": self.next_update_id(), **fields}
        self.history[update["update_id"]] = update
        self.pending.append(QueuedUpdate(copy.deepcopy(update)))
        self.notify()
        return update

    def _allowed(self, kind: str) -> bool:
        allowed = self.webhook.allowed_updates if self.webhook else self.allowed_updates
        if allowed:
            return kind in allowed
        return kind not in _DEFAULT_EXCLUDED

    def confirm(self, offset: int) -> None:
        if offset < 0:
            # Negative offsets keep the last |offset| updates, as in the real API.
            self.pending = self.pending[offset:]
            return
        self.pending = [u for u in self.pending if u.update_id >= offset or u.sticky]

    def take(self, limit: int) -> list[JSON]:
        batch = self.pending[:limit]
        for queued in batch:
            queued.sticky = False
        return [copy.deepcopy(q.update) for q in batch]

    def drop(self, update_id: int) -> None:
        self.pending = [u for u in self.pending if u.update_id != update_id]

    def redeliver(self, update_id: int) -> JSON:
        update = self.history.get(update_id)
        if update is None:
            raise KeyError(f"no update {update_id}")
        if not any(u.update_id == update_id for u in self.pending):
            self.pending.append(QueuedUpdate(copy.deepcopy(update), sticky=True))
            self.pending.sort(key=lambda u: u.update_id)
            self.notify()
        return copy.deepcopy(update)

    # -- files ---------------------------------------------------------------

    def store_file(self, data: bytes, file_name: str, mime_type: str, folder: str) -> StoredFile:
        n = next(self._file_seq)
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = StoredFile(
            file_id=f"SBX{folder[:3].upper()}{n:06d}",
            file_unique_id=f"sbxu{n:06d}",
            file_path=f"{folder}/file_{n}.{ext}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def file_url(self, stored: StoredFile) -> str:
        return f"{self.root_url}/sandbox/files/{stored.file_id}"

    # -- what the bot did ----------------------------------------------------

    def emit(self, chat_id: int, kind: str, message: JSON | None = None, **extra: Any) -> JSON:
        event: JSON = {"seq": next(self._event_seq), "kind": kind, "chat_id": chat_id}
        if message is not None:
            event.update(self.describe(message))
            event["message"] = copy.deepcopy(message)
        event.update(extra)
        self.events.append(event)
        self.log(chat_id, "bot", kind, event)
        self.notify()
        return event

    def describe(self, message: JSON) -> JSON:
        """The flat view of a message that user-side readers want."""
        view: JSON = {
            "message_id": message["message_id"],
            "text": message.get("text", message.get("caption")),
            "reply_markup": message.get("reply_markup"),
            "reply_to_message_id": (message.get("reply_to_message") or {}).get("message_id"),
            "date": message["date"],
        }
        if "edit_date" in message:
            view["edit_date"] = message["edit_date"]
        if "message_thread_id" in message:
            view["message_thread_id"] = message["message_thread_id"]
        if message["chat"].get("type") != "private":
            view["from_id"] = message.get("from", {}).get("id")
            view["from_name"] = message.get("from", {}).get("first_name")
        for key in ("document", "photo"):
            if key in message:
                media = message[key][-1] if key == "photo" else message[key]
                stored = self.files.get(media["file_id"])
                view[key] = {
                    "file_id": media["file_id"],
                    "file_name": stored.file_name if stored else media.get("file_name"),
                    "size": len(stored.data) if stored else media.get("file_size"),
                    "url": self.file_url(stored) if stored else None,
                }
        return view

    def log(self, chat_id: int, who: str, kind: str, detail: JSON) -> None:
        entry: JSON = {"who": who, "kind": kind}
        for key in ("message_id", "text", "data", "show_alert", "reply_to_message_id", "message_thread_id",
                    "from_name"):
            if detail.get(key) is not None:
                entry[key] = detail[key]
        buttons = button_labels(detail.get("reply_markup"))
        if buttons:
            entry["buttons"] = buttons
        for key in ("document", "photo"):
            if detail.get(key):
                entry[key] = detail[key].get("file_name")
        self.transcripts.setdefault(chat_id, []).append(entry)

    def events_for(self, chat_id: int, after_seq: int = 0) -> list[JSON]:
        return [e for e in self.events if e["chat_id"] == chat_id and e["seq"] > after_seq]

    def last_seq(self) -> int:
        return self.events[-1]["seq"] if self.events else 0

    # -- commands ------------------------------------------------------------

    def commands_for(self, chat_id: int, language_code: str = "") -> list[JSON]:
        """What a user's menu shows: the most specific scope that has commands."""
        scopes = [
            {"type": "chat", "chat_id": chat_id},
            {"type": "all_private_chats"},
            {"type": "default"},
        ]
        for scope in scopes:
            for lang in dict.fromkeys((language_code, "")):
                found = self.commands.get((scope_key(scope), lang))
                if found:
                    return found
        return []

    def next_callback_id(self) -> str:
        return f"{next(self._callback_seq)}{self.bot_user['id']}"


def scope_key(scope: JSON | None) -> str:
    scope = dict(scope or {"type": "default"})
    if "chat_id" in scope:
        try:
            scope["chat_id"] = int(scope["chat_id"])
        except (TypeError, ValueError):
            pass
    if "user_id" in scope:
        scope["user_id"] = int(scope["user_id"])
    return repr(sorted(scope.items()))


def button_labels(markup: JSON | None) -> list[list[str]]:
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [[b["text"] if isinstance(b, dict) else str(b) for b in row] for row in rows]
