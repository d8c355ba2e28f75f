"""Act as users over HTTP: the same calls work from a test or another terminal."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Any

import aiohttp

from .clock_words import ClockChange

JSON = dict[str, Any]


class SandboxError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


class SandboxClient:
    def __init__(self, root_url: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self.root_url = root_url.rstrip("/")
        self._session = session
        self._owns_session = session is None

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _call(
        self, verb: str, path: str, *, json: JSON | None = None, data: Any = None, params: JSON | None = None
    ) -> Any:
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        body = {k: v for k, v in json.items() if v is not None} if json is not None else None
        async with self._http().request(verb, self.root_url + path, json=body, data=data, params=query) as resp:
            payload = await resp.json()
        if not payload.get("ok"):
            raise SandboxError(payload.get("error_code", resp.status), payload.get("description", ""))
        return payload["result"]

    # -- users -----------------------------------------------------------------

    async def register_user(
        self, user_id: int, first_name: str, username: str | None = None, language_code: str | None = None
    ) -> JSON:
        return await self._call(
            "POST",
            "/sandbox/users",
            json={"user_id": user_id, "first_name": first_name, "username": username, "language_code": language_code},
        )

    async def users(self) -> list[JSON]:
        return await self._call("GET", "/sandbox/users")

    async def block(self, user_id: int, blocked: bool = True) -> JSON:
        return await self._call("POST", f"/sandbox/users/{user_id}/block", json={"blocked": blocked})

    async def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        reply_to_message_id: int | None = None,
        date: datetime | int | None = None,
        chat_id: int | None = None,
        thread_id: int | None = None,
    ) -> JSON:
        """A message from ``user_id`` — in their private chat, or in group ``chat_id`` (topic ``thread_id``)."""
        return await self._call(
            "POST",
            "/sandbox/messages",
            json={
                "user_id": user_id,
                "text": text,
                "first_name": first_name,
                "username": username,
                "language_code": language_code,
                "reply_to_message_id": reply_to_message_id,
                "date": _date(date),
                "chat_id": chat_id,
                "message_thread_id": thread_id,
            },
        )

    async def _send_file(
        self,
        path: str,
        user_id: int,
        data: bytes,
        filename: str,
        caption: str | None,
        reply_to_message_id: int | None,
        date: datetime | int | None,
        mime_type: str | None,
        chat_id: int | None = None,
        thread_id: int | None = None,
    ) -> JSON:
        form = aiohttp.FormData()
        fields = {
            "user_id": user_id,
            "caption": caption,
            "reply_to_message_id": reply_to_message_id,
            "date": _date(date),
            "chat_id": chat_id,
            "message_thread_id": thread_id,
        }
        for key, value in fields.items():
            if value is not None:
                form.add_field(key, str(value))
        form.add_field("file", data, filename=filename, content_type=mime_type or "application/octet-stream")
        return await self._call("POST", path, data=form)

    async def send_photo(
        self,
        user_id: int,
        data: bytes,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        filename: str = "photo.jpg",
        *,
        date: datetime | int | None = None,
        chat_id: int | None = None,
        thread_id: int | None = None,
    ) -> JSON:
        return await self._send_file(
            "/sandbox/photos", user_id, data, filename, caption, reply_to_message_id, date, None, chat_id, thread_id
        )

    async def send_document(
        self,
        user_id: int,
        data: bytes,
        filename: str = "document.bin",
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        *,
        mime_type: str | None = None,
        date: datetime | int | None = None,
    ) -> JSON:
        return await self._send_file(
            "/sandbox/documents", user_id, data, filename, caption, reply_to_message_id, date, mime_type
        )

    async def edit_text(self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None) -> JSON:
        return await self._call(
            "POST", "/sandbox/edits",
            json={"user_id": user_id, "message_id": message_id, "text": new_text, "chat_id": chat_id}
        )

    async def press_button(self, user_id: int, message_id: int, callback_data: str, *, forged: bool = False,
                           chat_id: int | None = None) -> JSON:
        """Press a button of a message; ``forged=True`` sends data no button carries (a modified client)."""
        return await self._call(
            "POST",
            "/sandbox/callbacks",
            json={"user_id": user_id, "message_id": message_id, "callback_data": callback_data,
                  "forged": forged or None, "chat_id": chat_id},
        )

    async def press(self, user_id: int, message: JSON | int, button_text: str, *, chat_id: int | None = None) -> JSON:
        """Press the button labelled button_text on a message (an event, a Message or its id);
        ``chat_id`` for a message in a group."""
        if isinstance(message, int):
            message = await self.message(chat_id or user_id, message)
        markup = message.get("reply_markup") or {}
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                if button.get("text") == button_text and "callback_data" in button:
                    return await self.press_button(user_id, message["message_id"], button["callback_data"],
                                                   chat_id=chat_id)
        labels = [b.get("text") for row in markup.get("inline_keyboard") or [] for b in row]
        raise SandboxError(400, f"no button {button_text!r} on message {message['message_id']}; buttons: {labels}")

    # -- groups -------------------------------------------------------------------

    async def create_group(self, creator: int, title: str, *, members: list[int] | None = None,
                           chat_id: int | None = None, supergroup: bool = False, forum: bool = False,
                           handle: str | None = None) -> JSON:
        """A group ``creator`` made (``handle``: a name `orderbot chat --group` finds it by)."""
        return await self._call("POST", "/sandbox/groups", json={
            "creator": creator, "title": title, "members": members or [], "chat_id": chat_id,
            "supergroup": supergroup or None, "forum": forum or None, "handle": handle})

    async def group(self, name: str) -> JSON:
        """A group by its handle, title or chat id."""
        for group in await self.groups():
            if name in (group.get("handle"), group["title"], str(group["id"])):
                return group
        raise SandboxError(404, f"no group {name!r}")

    async def groups(self) -> list[JSON]:
        return await self._call("GET", "/sandbox/groups")

    async def add_member(self, chat_id: int, user_id: int | None = None, *, by: int | None = None,
                         admin: bool = False) -> JSON:
        """``user_id`` joins the group; ``user_id=None`` adds the bot (``by`` says who adds it)."""
        return await self._call("POST", f"/sandbox/groups/{chat_id}/members", json={
            "user_id": user_id, "bot": user_id is None or None, "by": by, "admin": admin or None})

    async def remove_member(self, chat_id: int, user_id: int | None = None, *, by: int | None = None) -> JSON:
        """``user_id`` leaves (or ``by`` removes them); ``user_id=None``: the bot."""
        return await self._call("POST", f"/sandbox/groups/{chat_id}/leave", json={
            "user_id": user_id, "bot": user_id is None or None, "by": by})

    async def migrate_group(self, chat_id: int, by: int) -> JSON:
        """Upgrade a group to a supergroup; returns the supergroup (its new chat id)."""
        return await self._call("POST", f"/sandbox/groups/{chat_id}/migrate", json={"by": by})

    async def promote_bot(self, chat_id: int, by: int, admin: bool = True) -> JSON:
        return await self._call("POST", f"/sandbox/groups/{chat_id}/promote", json={"by": by, "admin": admin})

    async def set_forum(self, chat_id: int, forum: bool = True) -> JSON:
        return await self._call("POST", f"/sandbox/groups/{chat_id}/forum", json={"forum": forum})

    async def create_topic(self, chat_id: int, by: int, name: str) -> int:
        return int((await self._call("POST", f"/sandbox/groups/{chat_id}/topics",
                                     json={"by": by, "name": name}))["message_thread_id"])

    async def set_privacy(self, enabled: bool) -> JSON:
        """BotFather's /setprivacy: on, the bot reads in groups only commands, replies and mentions."""
        return await self._call("POST", "/sandbox/privacy", json={"enabled": enabled})

    # -- what the bot did ---------------------------------------------------------

    async def bot_events(self, chat_id: int, after_seq: int = 0, *, timeout: float = 0.0, count: int = 1) -> list[JSON]:
        """Bot events after after_seq; waits up to timeout for count of them, returns what there is."""
        result = await self._call(
            "GET",
            f"/sandbox/chats/{chat_id}/events",
            params={"after_seq": after_seq, "timeout": timeout, "count": count},
        )
        return result["events"]

    async def bot_messages(self, chat_id: int, after_seq: int = 0) -> list[JSON]:
        return await self.bot_events(chat_id, after_seq)

    async def wait_for_bot(self, chat_id: int, after_seq: int = 0, timeout: float = 5.0, count: int = 1) -> list[JSON]:
        """At least count bot events after after_seq, or TimeoutError saying what did arrive."""
        events = await self.bot_events(chat_id, after_seq, timeout=timeout, count=count)
        if len(events) < count:
            raise TimeoutError(
                f"waited {timeout}s for {count} bot event(s) in chat {chat_id} after seq {after_seq}, "
                f"got {len(events)}: {[(e['kind'], e.get('text')) for e in events]}"
            )
        return events

    async def last_seq(self, chat_id: int | None = None) -> int:
        """The newest event seq (sandbox-wide); pass it as after_seq to wait only for what comes next."""
        result = await self._call("GET", f"/sandbox/chats/{chat_id or 0}/events", params={"after_seq": 0, "count": 0})
        return int(result["last_seq"])

    async def transcript(self, chat_id: int) -> list[JSON]:
        return await self._call("GET", f"/sandbox/chats/{chat_id}/transcript")

    async def message(self, chat_id: int, message_id: int) -> JSON:
        return await self._call("GET", f"/sandbox/chats/{chat_id}/messages/{message_id}")

    async def commands(self, chat_id: int, language_code: str | None = None) -> list[JSON]:
        return await self._call("GET", f"/sandbox/chats/{chat_id}/commands", params={"language_code": language_code})

    async def download(self, url_or_file_id: str) -> bytes:
        url = url_or_file_id if "://" in url_or_file_id else f"{self.root_url}/sandbox/files/{url_or_file_id}"
        async with self._http().get(url) as resp:
            if resp.status != 200:
                raise SandboxError(resp.status, await resp.text())
            return await resp.read()

    # -- steering -------------------------------------------------------------------

    async def clock(self) -> JSON:
        return await self._call("GET", "/sandbox/clock")

    async def set_clock(self, when: datetime) -> JSON:
        return await self._call("POST", "/sandbox/clock", json={"set": when.isoformat()})

    async def advance_clock(self, seconds: float) -> JSON:
        return await self._call("POST", "/sandbox/clock", json={"advance_seconds": seconds})

    async def reset_clock(self) -> JSON:
        return await self._call("POST", "/sandbox/clock", json={"reset": True})

    async def change_clock(self, change: ClockChange) -> JSON:
        """Apply what ``orderbot clock`` or the chat's ``/clock`` line asked for; returns the clock."""
        if change.reset:
            return await self.reset_clock()
        if change.set_to is not None:
            return await self.set_clock(change.set_to)
        if change.advance is not None:
            return await self.advance_clock(change.advance.total_seconds())
        return await self.clock()

    async def add_fault(
        self,
        method: str = "*",
        status: int | None = None,
        *,
        retry_after: int | None = None,
        delay: float = 0.0,
        times: int | None = 1,
        description: str | None = None,
    ) -> JSON:
        body: JSON = {
            "method": method,
            "status": status,
            "retry_after": retry_after,
            "delay": delay,
            "description": description,
        }
        body["times"] = times if times is not None else "forever"
        return await self._call("POST", "/sandbox/faults", json=body)

    async def clear_faults(self) -> None:
        await self._call("DELETE", "/sandbox/faults")

    async def calls(self, method: str | None = None) -> list[JSON]:
        return await self._call("GET", "/sandbox/calls", params={"method": method})

    async def updates(self) -> JSON:
        return await self._call("GET", "/sandbox/updates")

    async def send_raw_update(self, fields: JSON) -> JSON:
        """Queue an update with exactly these fields (the sandbox adds the update_id)."""
        return await self._call("POST", "/sandbox/raw_updates", json={"fields": fields})

    async def redeliver(self, update_id: int) -> JSON:
        return await self._call("POST", "/sandbox/redeliver", json={"update_id": update_id})


def _date(value: datetime | int | None) -> int | None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("date must be timezone-aware")
        return int(value.timestamp())
    return value

