"""Webhook requests with the right secret but a body no Bot API would send.

Each one leaves a trace in the audit log before the bot answers 200 (or 400 for
a body that is not JSON at all), nothing raises, and ``audit verify`` still
passes afterwards. Runs on SQLite and PostgreSQL, with both transport libraries.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.transport.webhook import SECRET_HEADER, RefusalLog
from storage.audit import Kind, exact_text, verify_chain
from storage.models import AuditEntry
from tests.e2e.harness import Harness
from tests.e2e.test_transports import SECRET, _free_loopback_port, _webhook_bot

ADMIN = Harness.uid("admin")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def e2e_db_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'e2e.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
async def hook(e2e_db_url: str, framework: str) -> AsyncIterator[Harness]:
    port = _free_loopback_port()
    settings = {"url": f"http://127.0.0.1:{port}/tg", "listen": "127.0.0.1", "port": port, "path": "/tg"}
    async with _webhook_bot(e2e_db_url, framework, settings) as harness:
        yield harness


def _message(update_id: int, **changes: Any) -> dict[str, Any]:
    message = {"message_id": 50 + update_id % 1000, "date": 1796290800, "text": "/whoami",
               "chat": {"id": ADMIN, "type": "private", "first_name": "管理员"},
               "from": {"id": ADMIN, "is_bot": False, "first_name": "管理员"}}
    for path, value in changes.items():
        target = message
        *parents, leaf = path.split("__")
        for parent in parents:
            target = target[parent]
        target[leaf] = value
    return {"update_id": update_id, "message": message}


MALFORMED: list[tuple[str, bytes]] = [
    ("text is a number", json.dumps(_message(880001, text=12345)).encode()),
    ("from.id is not a number", json.dumps(_message(880002, **{"from__id": "abc"})).encode()),
    ("chat.id is a float", json.dumps(_message(880003, **{"chat__id": 1.5})).encode()),
    ("update_id beyond 64 bits", json.dumps(_message(0) | {"update_id": 2**63}).encode()),
    ("update_id is a string", json.dumps(_message(0) | {"update_id": "880004"}).encode()),
    ("date is a string", json.dumps(_message(880005, date="yesterday")).encode()),
    ("date beyond datetime", json.dumps(_message(880006, date=10**15)).encode()),
    ("message is a list", json.dumps({"update_id": 880007, "message": [1, 2]}).encode()),
    ("no sender", json.dumps({"update_id": 880008, "message": {"message_id": 1, "date": 1, "text": "x"}}).encode()),
    ("callback data is a number", json.dumps({"update_id": 880009, "callback_query": {
        "id": "q1", "data": 7, "from": {"id": ADMIN, "is_bot": False, "first_name": "管理员"}}}).encode()),
    ("photo without file_id", json.dumps(_message(880010, photo=[{"width": 1}])).encode()),
    ("an update kind the bot does not act on", json.dumps({"update_id": 880011, "poll": {"id": "p"}}).encode()),
    ("not UTF-8", b'{"update_id": 880020, "message": {"text": "\xff\xfe"}}'),
    ("a NUL in a key", json.dumps(_message(880012) | {"\u0000": 1, "message": "x"}).encode()),
]
NOT_JSON: list[tuple[str, bytes]] = [
    ("not JSON", b"{not json"),
    ("nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000),
    ("a bare number", b"42"),
]


async def _entries(h: Harness) -> list[AuditEntry]:
    async with h.runtime.app.sessions() as session:
        return list((await session.execute(select(AuditEntry).order_by(AuditEntry.seq))).scalars())


async def _post(url: str, body: bytes) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=body, headers={SECRET_HEADER: SECRET,
                                                      "Content-Type": "application/json"}) as resp:
            return resp.status


async def test_each_malformed_update_is_recorded_raw_and_the_chain_verifies(hook: Harness,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    url = hook.runtime.transport.webhook.receiver.local_url
    for what, body in MALFORMED + NOT_JSON:
        before = len(await _entries(hook))
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            status = await _post(url, body)
        assert status == (400 if (what, body) in NOT_JSON else 200), what
        new = (await _entries(hook))[before:]
        unreadable = [e for e in new if e.kind == Kind.UNREADABLE]
        assert len(unreadable) == 1, (what, [(e.kind, e.text) for e in new])
        # The raw body is kept exactly (bytes that are not UTF-8 as surrogate escapes).
        assert json.loads(unreadable[0].payload)["body"].encode("utf-8", "surrogateescape") == body, what
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], (what, caplog.text)
        assert "RecursionError" not in caplog.text, what
    async with hook.runtime.app.sessions() as session:
        report = await verify_chain(session)
    assert report.ok, report.problem and report.problem.describe()
    assert report.checked >= len(MALFORMED + NOT_JSON)


async def test_odd_characters_in_a_well_formed_update_are_recorded_and_answered(hook: Harness) -> None:
    url = hook.runtime.transport.webhook.receiver.local_url
    after = await hook.client.last_seq()
    # JSON escapes: a NUL, a lone surrogate, bidi controls — all valid JSON strings.
    body = json.dumps(_message(880030, text="/whoami\u0000\ud83d\u202e",
                               **{"from__first_name": "管\u0000理\udc00员"})).encode()
    assert await _post(url, body) == 200
    [entry] = [e for e in await _entries(hook) if e.update_id == 880030]
    assert entry.kind == Kind.INBOUND and exact_text(entry) == "/whoami\u0000\ud83d\u202e"
    replies = await hook.client.wait_for_bot(ADMIN, after)
    assert replies
    async with hook.runtime.app.sessions() as session:
        assert (await verify_chain(session)).ok


async def test_refused_requests_warn_once_not_once_each(hook: Harness, caplog: pytest.LogCaptureFixture) -> None:
    url = hook.runtime.transport.webhook.receiver.local_url
    with caplog.at_level(logging.WARNING, logger="bot.transport.webhook"):
        async with aiohttp.ClientSession() as http:
            for _ in range(60):
                async with http.post(url, json=_message(880040), headers={SECRET_HEADER: "wrong"}) as resp:
                    assert resp.status == 401
    warnings = [r for r in caplog.records if r.name == "bot.transport.webhook"]
    assert len(warnings) == 1 and "refused" in warnings[0].getMessage()


def test_refusals_are_summarised_once_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    refusals = RefusalLog(every=60.0, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="bot.transport.webhook"):
        for second in range(0, 130):
            now[0] = float(second)
            refusals.refused("10.0.0.9")
            refusals.refused("10.0.0.9")
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3  # the first, then one summary at 60 s and one at 120 s
    assert messages[1].startswith("120 more") and messages[2].startswith("120 more")
