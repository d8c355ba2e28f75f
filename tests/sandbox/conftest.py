from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
import aiohttp
import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    async with SandboxServer() as srv:
        yield srv


@pytest.fixture
async def client(server: SandboxServer) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(server.root_url) as c:
        yield c


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


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


@pytest.fixture
def raw(server: SandboxServer, http: aiohttp.ClientSession) -> RawBot:
    return RawBot(server, http)
