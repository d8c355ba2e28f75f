"""Webhook push with the secret header, and redelivery of a confirmed update."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import web

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer

if TYPE_CHECKING:
    from conftest import RawBot


class Receiver:
    """A loopback webhook endpoint that records what arrives; can fail on purpose."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.fail_next = 0
        self.attempts = 0
        self.arrived = asyncio.Event()
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        self.arrived.set()
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=500)
        self.received.append((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


async def _until(server: SandboxServer, predicate: Any, timeout: float = 5.0) -> None:
    # Deliveries notify the sandbox state, so waiting on it avoids sleeps.
    assert await server.state.wait_until(predicate, timeout), "condition not reached in time"


async def test_updates_are_posted_in_order_with_the_secret(
    server: SandboxServer, raw: RawBot, client: SandboxClient, receiver: Receiver
) -> None:
    assert await raw.ok("setWebhook", url=receiver.url, secret_token="s3cret-token") is True
    for text in ("一", "二", "三"):
        await client.send_text(301, text, first_name="A")
    await _until(server, lambda: len(receiver.received) == 3)
    assert [u["message"]["text"] for u, _ in receiver.received] == ["一", "二", "三"]
    assert {secret for _, secret in receiver.received} == {"s3cret-token"}
    info = await raw.ok("getWebhookInfo")
    assert info["url"] == receiver.url and info["pending_update_count"] == 0


async def test_failed_delivery_is_retried_then_succeeds(
    server: SandboxServer, raw: RawBot, client: SandboxClient, receiver: Receiver
) -> None:
    receiver.fail_next = 2
    await raw.ok("setWebhook", url=receiver.url)
    await client.send_text(302, "重试", first_name="B")
    await _until(server, lambda: len(receiver.received) == 1)
    assert receiver.attempts == 3
    assert receiver.received[0][1] is None  # no secret configured, no header
    info = await raw.ok("getWebhookInfo")
    assert "500" in info["last_error_message"]


async def test_delivery_gives_up_after_bounded_attempts(
    server: SandboxServer, raw: RawBot, client: SandboxClient, receiver: Receiver
) -> None:
    receiver.fail_next = 100
    await raw.ok("setWebhook", url=receiver.url)
    await client.send_text(303, "丢失", first_name="C")
    await client.send_text(303, "下一条", first_name="C")
    await _until(server, lambda: not server.state.pending)
    assert receiver.attempts == 2 * server._webhook.attempts
    assert receiver.received == []


async def test_redelivery_over_webhook_repeats_the_same_update(
    server: SandboxServer, raw: RawBot, client: SandboxClient, receiver: Receiver
) -> None:
    await raw.ok("setWebhook", url=receiver.url, secret_token="x")
    await client.send_text(304, "只处理一次", first_name="D")
    await _until(server, lambda: len(receiver.received) == 1)
    first = receiver.received[0][0]
    await client.redeliver(first["update_id"])
    await _until(server, lambda: len(receiver.received) == 2)
    assert receiver.received[1][0] == first


async def test_redelivery_survives_the_offset_that_confirmed_it(
    server: SandboxServer, raw: RawBot, client: SandboxClient
) -> None:
    await client.send_text(305, "付款 500", first_name="E")
    [update] = await raw.ok("getUpdates", timeout=1)
    assert await raw.ok("getUpdates", offset=update["update_id"] + 1, timeout=0) == []
    server.redeliver(update["update_id"])
    # The poller keeps its offset past the update; a redelivery must still reach it, unchanged.
    again = await raw.ok("getUpdates", offset=update["update_id"] + 1, timeout=1)
    assert again == [update]
    # Once handed out it is confirmed by the same offset as any other update.
    assert await raw.ok("getUpdates", offset=update["update_id"] + 1, timeout=0) == []


async def test_redelivering_an_unknown_update_is_refused(client: SandboxClient) -> None:
    from bot.sandbox.client import SandboxError

    with pytest.raises(SandboxError) as caught:
        await client.redeliver(12345)
    assert caught.value.status == 404


async def test_unsetting_the_webhook_returns_updates_to_polling(
    server: SandboxServer, raw: RawBot, client: SandboxClient
) -> None:
    await raw.ok("setWebhook", url="http://127.0.0.1:9/never")
    await raw.ok("setWebhook", url="")
    await client.send_text(306, "poll me", first_name="F")
    [update] = await raw.ok("getUpdates", timeout=1)
    assert update["message"]["text"] == "poll me"


class HoldingReceiver(Receiver):
    """Keeps each request open until the test lets it go, to see how many are in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[dict[str, Any]] = []
        self.most_open = 0
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.open.append(update)
        self.most_open = max(self.most_open, len(self.open))
        self.arrived.set()
        await self.release.wait()
        self.open.remove(update)
        self.received.append((update, None))
        return web.Response(text="ok")


async def test_chats_are_delivered_side_by_side_up_to_max_connections_each_chat_in_order(
    server: SandboxServer, raw: RawBot, client: SandboxClient
) -> None:
    # Telegram keeps up to max_connections requests open to a webhook: one slow update must not
    # hold every other chat. A chat's own updates still come one after the other, in order.
    receiver = HoldingReceiver()
    await receiver.start()
    try:
        await raw.ok("setWebhook", url=receiver.url, max_connections=2)
        for n in range(2):
            for chat in (401, 402, 403):
                await client.send_text(chat, f"{chat}-{n}", first_name="C")
        await _until(server, lambda: len(receiver.open) == 2)
        assert sorted(u["message"]["text"] for u in receiver.open) == ["401-0", "402-0"]
        receiver.release.set()
        await _until(server, lambda: len(receiver.received) == 6)
        assert receiver.most_open == 2
        for chat in (401, 402, 403):
            texts = [u["message"]["text"] for u, _ in receiver.received if u["message"]["chat"]["id"] == chat]
            assert texts == [f"{chat}-0", f"{chat}-1"]
    finally:
        await receiver.stop()
