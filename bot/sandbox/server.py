"""The sandbox Bot API server: Telegram's HTTP surface on 127.0.0.1.

python-telegram-bot and aiogram talk to it through their own base_url
settings, unchanged; the /sandbox/... side lets tests and a terminal act as
the users on the other end.
"""

from __future__ import annotations

import asyncio
import time
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.http_serving import serve

from .botapi import BotApi
from .clock import SandboxClock
from .control import ControlRoutes
from .errors import ApiError
from .faults import FaultInjector
from .params import Params, read_params
from .state import JSON, SandboxState
from .users import Users
from .webhook import WebhookDeliverer

SANDBOX_TOKEN = "100000:sandbox-orderbot-token"
BOT_FIRST_NAME = "跟单助手 (sandbox)"
BOT_USERNAME = "orderbot_sandbox_bot"


def _bot_user(token: str) -> JSON:
    return {
        "id": int(token.split(":", 1)[0]),
        "is_bot": True,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


class SandboxServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = SANDBOX_TOKEN,
        clock: SandboxClock | None = None,
        webhook_attempts: int = 3,
    ) -> None:
        self.host = host
        self.token = token
        self.clock = clock or SandboxClock()
        self.faults = FaultInjector()
        self.calls: list[JSON] = []
        self.state = SandboxState(_bot_user(token), self.clock)
        self.users = Users(self.state)
        self._api = BotApi(self.state)
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._webhook = WebhookDeliverer(self.state, attempts=webhook_attempts)

    # -- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        control = ControlRoutes(self)
        app = web.Application(middlewares=[control.errors], client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._bot_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        control.install(app)
        # Long polls are woken on stop, so a short grace period is plenty.
        self._runner, self._port = await serve(app, self.host, self._requested_port, shutdown_timeout=2.0)
        self.state.root_url = self.root_url
        self._webhook.start()

    async def stop(self) -> None:
        self.state.close()
        await self._webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("SandboxServer is not started")
        return self._port

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.root_url}/bot"

    @property
    def file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    # -- in-process conveniences (the same things the HTTP side does) --------

    def register_user(self, user_id: int, first_name: str | None = None, username: str | None = None, language_code: str | None = None) -> JSON:
        return self.state.register_user(user_id, first_name, username, language_code).to_dict()

    def redeliver(self, update_id: int) -> JSON:
        return self.state.redeliver(update_id)

    def calls_to(self, method: str) -> list[JSON]:
        return [c for c in self.calls if c["method"].lower() == method.lower()]

    # -- HTTP ------------------------------------------------------------------

    async def _bot_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        name = request.match_info["method"]
        try:
            params = await read_params(request)
        except ApiError as exc:
            return _error(exc)
        call: JSON = {
            "method": name,
            "params": params.recorded(),
            "time": self.clock.now().isoformat(),
            "at": time.time(),
            "status": None,
        }
        self.calls.append(call)
        response = await self._answer(name, params, call)
        call["status"] = response.status
        return response

    async def _answer(self, name: str, params: Params, call: JSON) -> web.Response:
        fault = self.faults.take(name)
        if fault is not None:
            call["fault"] = fault.to_dict()
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                return web.json_response(fault.error_body(), status=fault.status)
        try:
            result: Any = await self._api.call(name, params)
        except ApiError as exc:
            return _error(exc)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        stored = self.state.files_by_path.get(request.match_info["path"])
        if stored is None:
            return _error(ApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type=stored.mime_type)


def _error(exc: ApiError) -> web.Response:
    return web.json_response(exc.body(), status=exc.status)
