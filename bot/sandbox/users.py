"""Acting as users: what a Telegram client would send on their behalf."""

from __future__ import annotations

import itertools
import re
from typing import Any

from bot.utf16 import utf16_len

from .botapi import photo_size
from .media import guess_mime
from .state import JSON, PRESENT, ChatState, GroupProfile, SandboxState, chat_member

_MENTION = re.compile(r"@[A-Za-z0-9_]{3,32}")


def entities(text: str) -> list[JSON]:
    """The entities a Telegram client marks in a typed text: a leading command, @mentions."""
    found: list[JSON] = []
    if text.startswith("/"):
        # CommandHandler (PTB) and Command filters (aiogram) look for this entity.
        command = text.split(maxsplit=1)[0]
        found.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
    for match in _MENTION.finditer(text):
        if found and match.start() < found[0]["length"] and found[0]["type"] == "bot_command":
            continue  # /link@bot: part of the command
        found.append({"type": "mention", "offset": utf16_len(text[:match.start()]),
                      "length": utf16_len(match.group())})
    return found


class UserActionError(Exception):
    """A user tried something a real Telegram client would not let them do."""

    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


class Users:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def group(self, chat_id: int) -> GroupProfile:
        group = self.state.groups.get(chat_id)
        if group is None:
            raise UserActionError(f"no group {chat_id}", 404)
        if group.migrated_to is not None:
            raise UserActionError(f"group {chat_id} was upgraded to supergroup {group.migrated_to}")
        return group

    def _member_of(self, user_id: int, chat_id: int) -> GroupProfile:
        group = self.group(chat_id)
        if group.members.get(user_id) not in PRESENT:
            raise UserActionError(f"user {user_id} is not a member of group {chat_id}", 403)
        return group

    def _new_message(
        self,
        user_id: int,
        *,
        reply_to_message_id: int | None,
        date: int | None,
        profile: dict[str, Any],
        chat_id: int | None = None,
        thread_id: int | None = None,
    ) -> JSON:
        user = self.state.register_user(user_id, **{k: v for k, v in profile.items() if v is not None})
        where: Any = user
        if chat_id is not None and chat_id != user_id:
            where = self._member_of(user_id, chat_id)
        chat = self.state.chats[where.id]
        message: JSON = {
            "message_id": chat.next_message_id(),
            "from": user.as_user(),
            "chat": where.as_chat(),
            "date": date if date is not None else self.state.clock.timestamp(),
        }
        if reply_to_message_id:
            target = chat.messages.get(reply_to_message_id)
            if target is None:
                raise UserActionError(f"message {reply_to_message_id} not found in chat {where.id}")
            message["reply_to_message"] = {k: v for k, v in target.items() if k != "reply_to_message"}
            thread_id = thread_id or target.get("message_thread_id")
        if isinstance(where, GroupProfile) and where.is_forum and thread_id:
            if thread_id not in where.topics:
                raise UserActionError(f"group {where.id} has no topic {thread_id}")
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
            if "reply_to_message" not in message:
                opener = chat.messages[thread_id]
                message["reply_to_message"] = {k: v for k, v in opener.items() if k != "reply_to_message"}
        return message

    def _publish(self, user_id: int, kind: str, message: JSON, update_kind: str = "message") -> JSON:
        chat_id = message["chat"]["id"]
        self.state.chats[chat_id].messages[message["message_id"]] = message
        self.state.log(chat_id, "user", kind, self.state.describe(message))
        group = self.state.groups.get(chat_id)
        if group is None or self.state.bot_reads(group, message):
            self.state.enqueue(update_kind, message)
        else:
            self.state.notify()  # shown to the other members; the bot never hears of it
        return message

    # -- groups --------------------------------------------------------------

    _group_ids = itertools.count(1)

    def create_group(self, creator_id: int, title: str, *, chat_id: int | None = None, supergroup: bool = False,
                     forum: bool = False, members: tuple[int, ...] = (), handle: str | None = None) -> GroupProfile:
        """A group the creator made, with the given members (the bot is added separately)."""
        self.state.register_user(creator_id)
        explicit = chat_id is not None
        if forum:
            supergroup = True  # only supergroups can be forums
        while chat_id is None or (chat_id in self.state.groups and not explicit):
            n = next(self._group_ids)  # skipping ids given explicitly (the demo's fixed ones)
            chat_id = -(1_000_000_000_000 + n) if supergroup else -(4_000_000_000 + n)
        if chat_id >= 0:
            raise UserActionError("group chat ids are negative")
        if chat_id in self.state.groups:
            raise UserActionError(f"group {chat_id} exists")
        group = GroupProfile(chat_id, title, "supergroup" if supergroup else "group", is_forum=forum, handle=handle)
        group.members[creator_id] = "creator"
        for member in members:
            self.state.register_user(member)
            group.members.setdefault(member, "member")
        self.state.groups[chat_id] = group
        self.state.chats.setdefault(chat_id, ChatState(chat_id))
        return group

    def _service(self, by: int, group: GroupProfile, fields: JSON) -> JSON:
        user = self.state.register_user(by)
        chat = self.state.chats[group.id]
        message: JSON = {"message_id": chat.next_message_id(), "from": user.as_user(), "chat": group.as_chat(),
                         "date": self.state.clock.timestamp(), **fields}
        chat.messages[message["message_id"]] = message
        self.state.log(group.id, "user", "service", {**self.state.describe(message), "text": _service_text(fields)})
        if group.bot_status in PRESENT:
            self.state.enqueue("message", message)
        return message

    def _bot_status_changed(self, by: int, group: GroupProfile, old: str, new: str) -> None:
        user = self.state.register_user(by)
        self.state.enqueue("my_chat_member", {
            "chat": group.as_chat(), "from": user.as_user(), "date": self.state.clock.timestamp(),
            "old_chat_member": chat_member(self.state.bot_sender, old),
            "new_chat_member": chat_member(self.state.bot_sender, new)})

    def add_member(self, chat_id: int, user_id: int | None, *, by: int | None = None, admin: bool = False) -> JSON:
        """``user_id`` (None: the bot) joins — added by ``by``, or by themselves through a link."""
        group = self.group(chat_id)
        by = by if by is not None else user_id
        if by is None:
            raise UserActionError("the bot cannot add itself; say who adds it")
        if user_id is None:
            old = group.bot_status
            group.bot_status = "administrator" if admin else "member"
            self._bot_status_changed(by, group, old, group.bot_status)
            if old not in PRESENT:
                return self._service(by, group, {"new_chat_members": [self.state.bot_sender],
                                                 "new_chat_member": self.state.bot_sender,
                                                 "new_chat_participant": self.state.bot_sender})
            return {}
        joiner = self.state.register_user(user_id)
        group.members[user_id] = "administrator" if admin else "member"
        return self._service(by, group, {"new_chat_members": [joiner.as_user()], "new_chat_member": joiner.as_user(),
                                         "new_chat_participant": joiner.as_user()})

    def remove_member(self, chat_id: int, user_id: int | None, *, by: int | None = None) -> JSON:
        """``user_id`` (None: the bot) leaves, or is removed by ``by``."""
        group = self.group(chat_id)
        kicked = by is not None and by != user_id
        by = by if by is not None else user_id
        if by is None:
            raise UserActionError("say who removes the bot")
        if user_id is None:
            old = group.bot_status
            message = self._service(by, group, {"left_chat_member": self.state.bot_sender,
                                                "left_chat_participant": self.state.bot_sender})
            group.bot_status = "kicked" if kicked else "left"
            self._bot_status_changed(by, group, old, group.bot_status)
            return message
        if group.members.get(user_id) not in PRESENT:
            raise UserActionError(f"user {user_id} is not a member of group {chat_id}")
        leaver = self.state.register_user(user_id)
        group.members[user_id] = "kicked" if kicked else "left"
        return self._service(by, group, {"left_chat_member": leaver.as_user(),
                                         "left_chat_participant": leaver.as_user()})

    def migrate(self, chat_id: int, by: int) -> GroupProfile:
        """A group upgraded to a supergroup: a new chat id; the old chat says where it went."""
        old = self.group(chat_id)
        if old.type != "group":
            raise UserActionError(f"chat {chat_id} is already a supergroup")
        new = self.create_group(by, old.title, supergroup=True, handle=old.handle)
        old.handle = None
        new.members = dict(old.members)
        new.bot_status = old.bot_status
        self._service(by, old, {"migrate_to_chat_id": new.id})
        old.migrated_to = new.id
        self._service(by, new, {"migrate_from_chat_id": old.id})
        return new

    def set_forum(self, chat_id: int, forum: bool = True) -> GroupProfile:
        group = self.group(chat_id)
        if group.type != "supergroup":
            raise UserActionError("only a supergroup can have topics; migrate it first")
        group.is_forum = forum
        return group

    def promote_bot(self, chat_id: int, by: int, admin: bool = True) -> GroupProfile:
        group = self.group(chat_id)
        if group.bot_status not in PRESENT:
            raise UserActionError("the bot is not in that group")
        old, group.bot_status = group.bot_status, "administrator" if admin else "member"
        self._bot_status_changed(by, group, old, group.bot_status)
        return group

    def create_topic(self, chat_id: int, by: int, name: str) -> int:
        """A topic opened by a member (the bot opens its own with createForumTopic)."""
        group = self._member_of(by, chat_id)
        if not group.is_forum:
            raise UserActionError("the chat is not a forum")
        user = self.state.register_user(by)
        chat = self.state.chats[chat_id]
        thread_id = chat.next_message_id()
        group.topics[thread_id] = name
        message = {"message_id": thread_id, "from": user.as_user(), "chat": group.as_chat(),
                   "date": self.state.clock.timestamp(), "message_thread_id": thread_id, "is_topic_message": True,
                   "forum_topic_created": {"name": name, "icon_color": 7322096}}
        chat.messages[thread_id] = message
        self.state.log(chat_id, "user", "service", {**self.state.describe(message), "text": f"(topic {name})"})
        if group.bot_status in PRESENT:
            self.state.enqueue("message", message)
        return thread_id

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        reply_to_message_id: int | None = None,
        date: int | None = None,
        chat_id: int | None = None,
        thread_id: int | None = None,
        **profile: Any,
    ) -> JSON:
        if not text:
            raise UserActionError("a message needs text")
        message = self._new_message(
            user_id, reply_to_message_id=reply_to_message_id, date=date, profile=profile, chat_id=chat_id,
            thread_id=thread_id,
        )
        message["text"] = text
        if found := entities(text):
            message["entities"] = found
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
        chat_id: int | None = None,
        thread_id: int | None = None,
        **profile: Any,
    ) -> JSON:
        message = self._new_message(
            user_id, reply_to_message_id=reply_to_message_id, date=date, profile=profile, chat_id=chat_id,
            thread_id=thread_id,
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
            if found := entities(caption):
                message["caption_entities"] = [e for e in found if e["type"] == "mention"]
        return self._publish(user_id, kind, message)

    def edit_text(self, user_id: int, message_id: int, text: str, chat_id: int | None = None) -> JSON:
        chat_id = chat_id or user_id
        chat = self.state.chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        if message is None or message["from"].get("id") != user_id:
            raise UserActionError(f"user {user_id} has no message {message_id} to edit")
        if "text" not in message:
            raise UserActionError("only text messages can be edited here")
        message["text"] = text
        message["edit_date"] = self.state.clock.timestamp()
        if found := entities(text):
            message["entities"] = found
        else:
            message.pop("entities", None)
        self.state.log(chat_id, "user", "edit", self.state.describe(message))
        group = self.state.groups.get(chat_id)
        if group is None or self.state.bot_reads(group, message):
            self.state.enqueue("edited_message", message)
        return message

    def press_button(self, user_id: int, message_id: int, callback_data: str, *, forged: bool = False,
                     chat_id: int | None = None) -> JSON:
        """Press a button on screen; ``forged`` sends any callback data, as a modified client can."""
        user = self.state.register_user(user_id)
        chat_id = chat_id or user_id
        if chat_id != user_id:
            self._member_of(user_id, chat_id)  # only members see a group's messages
        message = self.state.message(chat_id, message_id)
        if message is None:
            raise UserActionError(f"message {message_id} not found in chat {chat_id}")
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
            chat_id, "user", "press", {"message_id": message_id, "text": button["text"], "data": callback_data,
                                       "from_name": user.first_name if chat_id != user_id else None}
        )
        self.state.enqueue("callback_query", query)
        return query


def _service_text(fields: JSON) -> str:
    """A service message as a transcript line."""
    if "new_chat_members" in fields:
        return "(joined: " + ", ".join(m.get("first_name", "?") for m in fields["new_chat_members"]) + ")"
    if "left_chat_member" in fields:
        return f"(left: {fields['left_chat_member'].get('first_name', '?')})"
    if "migrate_to_chat_id" in fields:
        return f"(upgraded to supergroup {fields['migrate_to_chat_id']})"
    if "migrate_from_chat_id" in fields:
        return f"(upgraded from group {fields['migrate_from_chat_id']})"
    return "(service message)"
