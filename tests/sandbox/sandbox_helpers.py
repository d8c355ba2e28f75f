"""Shared helpers for the sandbox tests (conftest holds only fixtures)."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.sandbox.server import SandboxServer


class RawBot:
    """Calls the Bot API by hand, to pin the wire format independent of any library."""

    def __init__(self, server: SandboxServer, http: aiohttp.ClientSession) -> None:
        self.server = server
        self.http = http

    async def call(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        url = f"{self.server.api_url}{self.server.token}/{method}"
        async with self.http.post(url, json=params) as resp:
            return resp.status, await resp.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self.call(method, **params)
        assert status == 200 and body["ok"] is True, body
        return body["result"]
