from __future__ import annotations

from collections.abc import AsyncIterator
import aiohttp
import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer
from sandbox_helpers import RawBot


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


@pytest.fixture
def raw(server: SandboxServer, http: aiohttp.ClientSession) -> RawBot:
    return RawBot(server, http)
