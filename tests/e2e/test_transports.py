"""Issue 8: both transport libraries, the same bot — webhook mode with its secret, files, edits, buttons.

Every test runs once per framework (the ``framework`` fixture); what a test
expects never depends on which library carried the update.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.config import ENV_WEBHOOK_SECRET, settings_from_mapping
from bot.runtime import Runtime
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer
from bot.transport.delivery import RecipientBlocked
from bot.transport.webhook import SECRET_HEADER
from handlers.types import Button, OutgoingDocument, Reply
from storage.models import AuditEntry
from tests.conftest import local
from tests.e2e.harness import Harness

SECRET = "e2e-webhook-secret_42"
ADMIN = Harness.uid("admin")


def _free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def _webhook_bot(db_url: str, framework: str, webhook: dict[str, Any]) -> AsyncIterator[Harness]:
    settings = settings_from_mapping({
        "database": {"url": db_url},
        "telegram": {"framework": framework, "mode": "webhook", "webhook": webhook},
        "sandbox": {"port": 0},
        "desk": {"port": 0},
        "scheduler": {"enabled": False},
    }, environ={ENV_WEBHOOK_SECRET: SECRET})
    sandbox = SandboxServer()
    sandbox.clock.set(local(2026, 12, 3, 17, 20))
    await sandbox.start()
    runtime = Runtime(settings, sandbox=sandbox, first_backoff=0.05)
    await runtime.start()
    client = SandboxClient(sandbox.root_url)
    try:
        yield Harness(sandbox, client, runtime)
    finally:
        await client.close()
        await runtime.stop()
        await sandbox.stop()


@pytest.fixture
async def webhook_harness(e2e_db_url: str, framework: str) -> AsyncIterator[Harness]:
    port = _free_loopback_port()
    hook = {"url": f"http://127.0.0.1:{port}/tg-hook", "listen": "127.0.0.1", "port": port, "path": "/tg-hook"}
    async with _webhook_bot(e2e_db_url, framework, hook) as harness:
        yield harness


async def _audit(harness: Harness) -> list[AuditEntry]:
    async with harness.runtime.app.sessions() as session:
        return list((await session.execute(select(AuditEntry).order_by(AuditEntry.seq))).scalars())


async def _inbound(harness: Harness, update_id: int, timeout: float = 10.0) -> AuditEntry:
    """The audit row of one update, once the bot has recorded it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        rows = [e for e in await _audit(harness) if e.update_id == update_id]
        if rows:
            return rows[0]
        assert loop.time() < deadline, f"update {update_id} never reached the audit log"
        await asyncio.sleep(0.05)


def _payload(entry: AuditEntry) -> dict[str, Any]:
    return json.loads(entry.payload or "{}")


async def _sent_update(harness: Harness) -> dict[str, Any]:
    """The newest update the sandbox produced, exactly as it went over the wire."""
    history = (await harness.client.updates())["history"]
    return max(history, key=lambda update: update["update_id"])


# -- webhook mode ------------------------------------------------------------------


async def test_webhook_mode_round_trips_and_refuses_a_wrong_secret(webhook_harness: Harness) -> None:
    h = webhook_harness
    [hook] = (await h.client.calls("setWebhook"))[-1:]
    assert hook["params"]["secret_token"] == SECRET and hook["params"]["url"].endswith(":%d/tg-hook" % (
        h.runtime.transport.webhook.receiver.port))
    assert h.sandbox.state.webhook is not None

    [answer] = await h.say("admin", "/whoami")
    assert "身份：管理员" in answer["text"]
    await h.outbound_logged("身份：管理员")  # the reply's audit entry lands just after it is shown

    update = {"update_id": 990001, "message": {
        "message_id": 99001, "date": int(h.sandbox.clock.now().timestamp()), "text": "/whoami",
        "chat": {"id": ADMIN, "type": "private", "first_name": "管理员"},
        "from": {"id": ADMIN, "is_bot": False, "first_name": "管理员"}}}
    url = h.runtime.transport.webhook.receiver.local_url
    before = len(await _audit(h))
    after = await h.client.last_seq()
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}, {SECRET_HEADER: ""}):
            async with http.post(url, json=update, headers=headers) as resp:
                assert resp.status in (401, 403), headers
        # Nothing happened: no audit entry, no reply.
        assert len(await _audit(h)) == before
        assert await h.client.bot_events(ADMIN, after) == []

        async with http.post(url, data=b"{not json", headers={SECRET_HEADER: SECRET}) as resp:
            assert resp.status == 400
        # The very same request with the secret is recorded before the 200 returns; the answer follows.
        async with http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as resp:
            assert resp.status == 200
        assert (await _inbound(h, 990001)).text == "/whoami"
        [reply] = [e for e in await h.wait_for("admin", after) if e["kind"] == "send"]
        assert "身份：管理员" in reply["text"]
        # Health and readiness for a reverse proxy, beside the webhook path.
        base = url.rsplit("/", 1)[0]
        async with http.get(base + "/healthz") as resp:
            assert resp.status == 200
        async with http.get(base + "/readyz") as resp:
            assert resp.status == 200 and await resp.text() == "ready"


async def test_a_stopping_instance_leaves_the_webhook_for_the_others_and_refuses_updates(
        webhook_harness: Harness) -> None:
    # Several instances share one webhook URL: one of them stopping must not unset it for all.
    h = webhook_harness
    url = h.runtime.transport.webhook.receiver.local_url
    h.runtime.ready = False  # what stop() does first: the proxy sends updates elsewhere meanwhile
    async with aiohttp.ClientSession() as http:
        async with http.get(url.rsplit("/", 1)[0] + "/readyz") as resp:
            assert resp.status == 503
        update = {"update_id": 990002, "message": {
            "message_id": 99002, "date": int(h.sandbox.clock.now().timestamp()), "text": "/whoami",
            "chat": {"id": ADMIN, "type": "private"}, "from": {"id": ADMIN, "is_bot": False, "first_name": "管理员"}}}
        async with http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as resp:
            assert resp.status == 503  # not taken, so Telegram delivers it again
    await h.runtime.transport.stop()
    assert h.sandbox.state.webhook is not None
    assert not h.sandbox.calls_to("deleteWebhook")
    h.runtime.transport = _Stopped()  # the fixture's stop must not run twice


async def test_on_the_sandbox_a_webhook_needs_no_public_url(e2e_db_url: str, framework: str) -> None:
    port = _free_loopback_port()
    async with _webhook_bot(e2e_db_url, framework, {"port": port, "path": "/hook"}) as h:
        receiver = h.runtime.transport.webhook.receiver
        assert h.sandbox.state.webhook.url == receiver.local_url == f"http://127.0.0.1:{port}/hook"
        [answer] = await h.say("admin", "/whoami")
        assert "身份：管理员" in answer["text"]


class _Stopped:
    async def stop(self) -> None:
        return None

    async def stop_receiving(self) -> None:
        return None


# -- what arrives: the same Incoming from either library ----------------------------


@pytest.fixture
async def harness(harness: Harness) -> Harness:
    """The conftest harness, with the admin's chat open: the bot can only write to someone who started one."""
    await harness.client.register_user(ADMIN, "管理员")
    return harness


async def test_a_photo_arrives_with_its_file_and_the_wire_update_is_kept_as_is(harness: Harness) -> None:
    await harness.client.send_photo(ADMIN, b"\xff\xd8 jpeg bytes", caption="门店现场")
    sent = await _sent_update(harness)
    entry = await _inbound(harness, sent["update_id"])
    assert (entry.kind, entry.text) == ("inbound", "门店现场")
    [photo] = _payload(entry)["files"]
    assert photo["kind"] == "photo" and photo["file_id"] == sent["message"]["photo"][-1]["file_id"]
    # Both libraries hand over the update exactly as Telegram sent it: the evidence is the same.
    assert _payload(entry)["update"] == sent
    assert await harness.runtime.api.download(photo["file_id"]) == b"\xff\xd8 jpeg bytes"


async def test_a_document_arrives_with_name_and_id(harness: Harness) -> None:
    await harness.client.send_document(ADMIN, b"PK\x03\x04 xlsx", "order-list.xlsx", caption="附件")
    sent = await _sent_update(harness)
    entry = await _inbound(harness, sent["update_id"])
    [document] = _payload(entry)["files"]
    assert document == {"kind": "document", "file_id": sent["message"]["document"]["file_id"],
                        "file_unique_id": sent["message"]["document"]["file_unique_id"], "size": 9,
                        "file_name": "order-list.xlsx"}
    assert _payload(entry)["update"] == sent


async def test_an_edited_message_becomes_version_two(harness: Harness) -> None:
    message = await harness.client.send_text(ADMIN, "/whoami", first_name="管理员")
    await harness.wait_for("admin", 0)
    await harness.client.edit_text(ADMIN, message["message_id"], "/whoami 改")
    sent = await _sent_update(harness)
    assert "edited_message" in sent
    entry = await _inbound(harness, sent["update_id"])
    assert (entry.kind, entry.version, entry.text, entry.message_id) == (
        "inbound_edit", 2, "/whoami 改", message["message_id"])
    assert _payload(entry)["update"] == sent


async def test_a_button_press_arrives_as_a_callback_and_is_answered(harness: Harness) -> None:
    api = harness.runtime.api
    message_id = await api.send(Reply(ADMIN, "选一个", buttons=((Button("甲", "pick:a"), Button("乙", "pick:b")),)))
    card = await harness.client.message(ADMIN, message_id)
    assert harness.buttons(card) == ["甲", "乙"]
    after = await harness.client.last_seq()
    await harness.client.press(ADMIN, card, "乙")
    sent = await _sent_update(harness)
    entry = await _inbound(harness, sent["update_id"])
    assert (entry.kind, _payload(entry)["callback_data"]) == ("callback", "pick:b")
    assert _payload(entry)["update"] == sent
    await harness.answers_to_press("admin", after)
    answered = await harness.client.calls("answerCallbackQuery")
    assert [c["params"]["callback_query_id"] for c in answered] == [sent["callback_query"]["id"]]


# -- what goes out: the same Bot API calls from either library ----------------------


async def test_replies_edits_and_files_go_out_the_same_way(harness: Harness) -> None:
    api = harness.runtime.api
    first = await api.send(Reply(ADMIN, "第一版", buttons=((Button("好", "ok"),),)))
    assert await api.send(Reply(ADMIN, "第二版", edit_message_id=first)) == first
    # The same edit again is "message is not modified": not an error, the card already says it.
    assert await api.send(Reply(ADMIN, "第二版", edit_message_id=first)) == first
    await api.send(Reply(ADMIN, "周报", document=OutgoingDocument("周报.xlsx", b"PK report")))
    await api.send(Reply(ADMIN, "现场", photo=OutgoingDocument("p.jpg", b"\xff\xd8 photo")))
    events = [e for e in await harness.client.bot_events(ADMIN) if e["kind"] in ("send", "edit")]
    assert [(e["kind"], e.get("text")) for e in events] == [
        ("send", "第一版"), ("edit", "第二版"), ("send", "周报"), ("send", "现场")]
    assert harness.buttons(events[0]) == ["好"] and not events[1].get("reply_markup")
    assert events[2]["document"]["file_name"] == "周报.xlsx" and events[3]["message"]["caption"] == "现场"
    assert await harness.client.download(events[2]["document"]["url"]) == b"PK report"
    assert await harness.client.download(events[3]["photo"]["url"]) == b"\xff\xd8 photo"


async def test_a_blocked_user_is_reported_as_blocked(harness: Harness) -> None:
    await harness.client.block(ADMIN)
    with pytest.raises(RecipientBlocked):
        await harness.runtime.api.send(Reply(ADMIN, "在吗"))


async def test_in_webhook_mode_the_desk_is_served_next_to_the_webhook(webhook_harness: Harness) -> None:
    """One server, one port: the Mini App's page and its API answer on the webhook's own listener."""
    from bot.sandbox.server import SANDBOX_TOKEN
    from domain.desk.init_data import session_fields, sign

    runtime = webhook_harness.runtime
    hook = runtime.settings.telegram.webhook
    root = f"http://{hook.listen}:{hook.port}"
    init = sign(session_fields(telegram_id=1002, auth_date=int(webhook_harness.sandbox.clock.now().timestamp())),
                SANDBOX_TOKEN)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{root}/desk") as page:
            assert page.status == 200 and "desk.js" in await page.text()
        async with http.get(f"{root}/desk/api/board", headers={"Authorization": f"tma {init}"}) as board:
            assert board.status == 200 and 'data-screen="board"' in await board.text()
        async with http.get(f"{root}/desk/api/board", headers={"Authorization": "tma forged"}) as refused:
            assert refused.status == 401
    assert runtime.desk.port == 0  # nothing listens on [desk] port in webhook mode
