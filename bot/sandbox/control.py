"""The /sandbox/... HTTP endpoints: act as users, read what the bot did, and
steer the sandbox (clock, faults, redelivery) from tests or another terminal."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError
from .params import Params, read_params
from .users import UserActionError

if TYPE_CHECKING:
    from .server import SandboxServer


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _fail(status: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": status, "description": description}, status=status)


def _user_id(p: Params) -> int:
    user_id = p.get_int("user_id")
    if user_id is None:
        raise UserActionError("user_id is required")
    return user_id


def _date(p: Params) -> int | None:
    raw = p.values.get("date")
    if raw in (None, ""):
        return None
    if isinstance(raw, (int, float)) or str(raw).lstrip("-").isdigit():
        return int(raw)
    when = datetime.fromisoformat(str(raw))
    if when.tzinfo is None:
        raise UserActionError("date must carry a timezone")
    return int(when.timestamp())


def _profile(p: Params) -> dict[str, Any]:
    return {
        "first_name": p.get_str("first_name"),
        "username": p.get_str("username"),
        "language_code": p.get_str("language_code"),
    }


class ControlRoutes:
    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.state = server.state
        self.users = server.users

    def install(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/sandbox/users", self.list_users)
        r.add_post("/sandbox/users", self.register_user)
        r.add_post("/sandbox/users/{user_id}/block", self.block_user)
        r.add_post("/sandbox/messages", self.send_text)
        r.add_post("/sandbox/photos", self.send_photo)
        r.add_post("/sandbox/documents", self.send_document)
        r.add_post("/sandbox/edits", self.edit_text)
        r.add_post("/sandbox/callbacks", self.press_button)
        r.add_get("/sandbox/chats/{chat_id}/events", self.events)
        r.add_get("/sandbox/chats/{chat_id}/transcript", self.transcript)
        r.add_get("/sandbox/chats/{chat_id}/messages/{message_id}", self.message)
        r.add_get("/sandbox/chats/{chat_id}/commands", self.commands)
        r.add_get("/sandbox/files/{file_id}", self.file)
        r.add_get("/sandbox/updates", self.updates)
        r.add_post("/sandbox/redeliver", self.redeliver)
        r.add_post("/sandbox/raw_updates", self.raw_update)
        r.add_get("/sandbox/calls", self.calls)
        r.add_get("/sandbox/groups", self.list_groups)
        r.add_post("/sandbox/groups", self.create_group)
        r.add_post("/sandbox/groups/{chat_id}/members", self.add_member)
        r.add_post("/sandbox/groups/{chat_id}/leave", self.remove_member)
        r.add_post("/sandbox/groups/{chat_id}/migrate", self.migrate)
        r.add_post("/sandbox/groups/{chat_id}/promote", self.promote)
        r.add_post("/sandbox/groups/{chat_id}/forum", self.forum)
        r.add_post("/sandbox/groups/{chat_id}/topics", self.create_topic)
        r.add_post("/sandbox/privacy", self.set_privacy)
        r.add_get("/sandbox/clock", self.get_clock)
        r.add_post("/sandbox/clock", self.set_clock)
        r.add_get("/sandbox/faults", self.list_faults)
        r.add_post("/sandbox/faults", self.add_fault)
        r.add_delete("/sandbox/faults", self.clear_faults)

    @web.middleware
    async def errors(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            return await handler(request)
        except UserActionError as exc:
            return _fail(exc.status, exc.description)
        except ApiError as exc:
            return _fail(exc.status, exc.description)
        except (ValueError, KeyError) as exc:
            if not request.path.startswith("/sandbox/"):
                raise
            return _fail(400, f"{type(exc).__name__}: {exc}")

    # -- users ---------------------------------------------------------------

    async def list_users(self, request: web.Request) -> web.Response:
        return _ok([u.to_dict() for u in self.state.users.values()])

    async def register_user(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        user = self.state.register_user(_user_id(p), **_profile(p))
        return _ok(user.to_dict())

    async def block_user(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        user = self.state.register_user(int(request.match_info["user_id"]))
        user.blocked = p.get_bool("blocked", True)
        return _ok(user.to_dict())

    async def send_text(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        message = self.users.send_text(
            _user_id(p),
            p.get_str("text") or "",
            reply_to_message_id=p.get_int("reply_to_message_id"),
            date=_date(p),
            chat_id=p.get_int("chat_id"),
            thread_id=p.get_int("message_thread_id"),
            **_profile(p),
        )
        return _ok(message)

    async def _send_file(self, request: web.Request, kind: str) -> web.Response:
        p = await read_params(request)
        upload = p.files.get("file")
        if upload is None:
            raise UserActionError("a multipart part named 'file' is required")
        message = self.users.send_file(
            _user_id(p),
            kind,
            upload.data,
            p.get_str("filename") or upload.filename,
            caption=p.get_str("caption"),
            mime_type=None if upload.content_type == "application/octet-stream" else upload.content_type,
            reply_to_message_id=p.get_int("reply_to_message_id"),
            date=_date(p),
            chat_id=p.get_int("chat_id"),
            thread_id=p.get_int("message_thread_id"),
            **_profile(p),
        )
        return _ok(message)

    async def send_photo(self, request: web.Request) -> web.Response:
        return await self._send_file(request, "photo")

    async def send_document(self, request: web.Request) -> web.Response:
        return await self._send_file(request, "document")

    async def edit_text(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        message_id = p.get_int("message_id") or 0
        return _ok(self.users.edit_text(_user_id(p), message_id, p.get_str("text") or "",
                                        chat_id=p.get_int("chat_id")))

    async def press_button(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        message_id = p.get_int("message_id") or 0
        data = p.get_str("callback_data") or p.get_str("data") or ""
        return _ok(self.users.press_button(_user_id(p), message_id, data, forged=p.get_bool("forged", False),
                                           chat_id=p.get_int("chat_id")))

    # -- groups ----------------------------------------------------------------

    async def list_groups(self, request: web.Request) -> web.Response:
        return _ok([g.to_dict() for g in self.state.groups.values()])

    async def create_group(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        members = p.get_json("members") or []
        if not isinstance(members, list):
            raise UserActionError("members must be a list of user ids")
        group = self.users.create_group(
            p.get_int("creator") or _user_id(p), p.get_str("title") or "Group", chat_id=p.get_int("chat_id"),
            supergroup=p.get_bool("supergroup"), forum=p.get_bool("forum"), members=tuple(int(m) for m in members),
            handle=p.get_str("handle"))
        self.state.notify()
        return _ok(group.to_dict())

    def _who(self, p: Params) -> int | None:
        """The member acted on: ``user_id``, or the bot itself with ``bot=true``."""
        return None if p.get_bool("bot") else _user_id(p)

    async def add_member(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        chat_id = int(request.match_info["chat_id"])
        return _ok(self.users.add_member(chat_id, self._who(p), by=p.get_int("by"), admin=p.get_bool("admin")))

    async def remove_member(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        chat_id = int(request.match_info["chat_id"])
        return _ok(self.users.remove_member(chat_id, self._who(p), by=p.get_int("by")))

    async def migrate(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        by = p.get_int("by")
        if by is None:
            raise UserActionError("by (who upgrades the group) is required")
        return _ok(self.users.migrate(int(request.match_info["chat_id"]), by).to_dict())

    async def promote(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        by = p.get_int("by")
        if by is None:
            raise UserActionError("by (the admin who promotes the bot) is required")
        return _ok(self.users.promote_bot(int(request.match_info["chat_id"]), by, p.get_bool("admin", True)).to_dict())

    async def forum(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        return _ok(self.users.set_forum(int(request.match_info["chat_id"]), p.get_bool("forum", True)).to_dict())

    async def create_topic(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        by = p.get_int("by")
        if by is None:
            raise UserActionError("by is required")
        return _ok({"message_thread_id": self.users.create_topic(int(request.match_info["chat_id"]), by,
                                                                 p.get_str("name") or "Topic")})

    async def set_privacy(self, request: web.Request) -> web.Response:
        """BotFather's /setprivacy for the sandbox bot."""
        p = await read_params(request)
        self.state.privacy = p.get_bool("enabled", True)
        self.state.bot_user["can_read_all_group_messages"] = not self.state.privacy
        return _ok({"privacy": self.state.privacy})

    # -- reading what the bot did -------------------------------------------

    async def events(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        chat_id = int(request.match_info["chat_id"])
        after = p.get_int("after_seq", 0) or 0
        count = p.get_int("count", 1) or 1
        timeout = min(p.get_float("timeout", 0.0) or 0.0, 60.0)
        await self.state.wait_until(
            lambda: len(self.state.events_for(chat_id, after)) >= count, timeout
        )
        return _ok({"events": self.state.events_for(chat_id, after), "last_seq": self.state.last_seq()})

    async def transcript(self, request: web.Request) -> web.Response:
        return _ok(self.state.transcripts.get(int(request.match_info["chat_id"]), []))

    async def message(self, request: web.Request) -> web.Response:
        chat_id = int(request.match_info["chat_id"])
        message = self.state.message(chat_id, int(request.match_info["message_id"]))
        if message is None:
            return _fail(404, "message not found")
        return _ok({**self.state.describe(message), "message": message})

    async def commands(self, request: web.Request) -> web.Response:
        chat_id = int(request.match_info["chat_id"])
        user = self.state.users.get(chat_id)
        lang = request.query.get("language_code") or (user.language_code if user else "") or ""
        return _ok(self.state.commands_for(chat_id, lang))

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self.state.files.get(request.match_info["file_id"])
        if stored is None:
            return _fail(404, "file not found")
        return web.Response(body=stored.data, content_type=stored.mime_type)

    async def updates(self, request: web.Request) -> web.Response:
        return _ok(
            {
                "history": list(self.state.history.values()),
                "pending": [q.update_id for q in self.state.pending],
            }
        )

    async def calls(self, request: web.Request) -> web.Response:
        wanted = request.query.get("method", "").lower()
        return _ok([c for c in self.server.calls if not wanted or c["method"].lower() == wanted])

    # -- steering --------------------------------------------------------------

    async def raw_update(self, request: web.Request) -> web.Response:
        """Queue an update with any fields (``{"fields": {...}}``), for robustness tests."""
        fields = (await request.json()).get("fields")
        if not isinstance(fields, dict):
            raise UserActionError("fields must be a JSON object")
        return _ok(self.state.enqueue_raw(fields))

    async def redeliver(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        update_id = p.get_int("update_id")
        if update_id is None:
            raise UserActionError("update_id is required")
        try:
            return _ok(self.server.redeliver(update_id))
        except KeyError:
            return _fail(404, f"no update {update_id}")

    def _clock_view(self) -> dict[str, Any]:
        clock = self.server.clock
        return {"now": clock.now().isoformat(), "offset_seconds": clock.offset.total_seconds()}

    async def get_clock(self, request: web.Request) -> web.Response:
        return _ok(self._clock_view())

    async def set_clock(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        if p.has("set"):
            self.server.clock.set(datetime.fromisoformat(p.get_str("set") or ""))
        if p.has("advance_seconds"):
            self.server.clock.advance(timedelta(seconds=p.get_float("advance_seconds") or 0.0))
        if p.get_bool("reset"):
            self.server.clock.reset()
        return _ok(self._clock_view())

    async def list_faults(self, request: web.Request) -> web.Response:
        return _ok([f.to_dict() for f in self.server.faults.active()])

    async def add_fault(self, request: web.Request) -> web.Response:
        p = await read_params(request)
        times = p.values.get("times", 1)
        if times in ("forever", "", None):
            times = None
        fault = self.server.faults.add(
            p.get_str("method") or "*",
            p.get_int("status"),
            retry_after=p.get_int("retry_after"),
            delay=p.get_float("delay", 0.0) or 0.0,
            times=None if times is None else int(times),
            description=p.get_str("description"),
        )
        return _ok(fault.to_dict())

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.server.faults.clear()
        return _ok(True)
