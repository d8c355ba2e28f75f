"""The PostgreSQL-only failures the fuzz found, each as a person meets it (and on SQLite too)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage.audit import exact_text, verify_chain
from storage.models import AuditEntry, User
from tests.e2e.harness import Harness
from tests.e2e.test_orders import ORDER


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def e2e_db_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'e2e.sqlite3'}"
    return request.getfixturevalue("pg_url")


async def _chain_ok(h: Harness) -> bool:
    async with h.runtime.app.sessions() as session:
        return (await verify_chain(session)).ok


async def test_button_data_beyond_32_bits_is_an_expired_button(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", ORDER)
    after = await h.client.last_seq()
    # Prefixes a sales person may press, so the data (not the role) is what is checked.
    for data in ("d:1000000000000:ok", f"d:{2**64}:ok", "d:²:ok", f"c:{10**20}:ok", "p:-1"):
        await h.client.press_button(Harness.uid("sales1"), card["message_id"], data, forged=True)
        answer = await h.answers_to_press("sales1", after)
        after = answer["seq"]
        assert answer["text"] == "这个按钮已失效，请重新操作。", data
    assert await _chain_ok(h)


async def test_a_120_character_customer_name_is_kept_as_evidence_and_asked_for_again(harness: Harness) -> None:
    # 120 characters: over the old varchar(100), which failed the insert. No name is that long, so
    # the card says why and asks for the name, as it does for such an answer; the message is kept.
    h = harness
    name = "Alexander" + "x" * 111
    [card] = await h.say("sales1", ORDER.replace("张三", f"客户:{name}"))
    assert "太长了，不像客户姓名（最多30个字）" in card["text"] and "请回复客户姓名" in card["text"], card["text"]
    [card] = await h.say("sales1", "张三")
    assert "客户：张三" in card["text"] and h.buttons(card) == ["确认", "修改", "取消"], card["text"]
    assert await _chain_ok(h)


async def test_a_stranger_whose_name_has_a_nul_registers(harness: Harness) -> None:
    h = harness
    [invite] = await h.say("admin", "/invite clerk")
    code = re.search(r"start=([\w-]+)", invite["text"]).group(1)
    [welcome, *_] = await h.say(5550001, f"/start {code}", first_name="新\x00人\ud83d", expect=2)
    assert "出错" not in welcome["text"]
    async with h.runtime.app.sessions() as session:
        user = (await session.execute(select(User).where(User.telegram_id == 5550001))).scalar_one()
        [entry] = (await session.execute(select(AuditEntry).where(
            AuditEntry.actor_id == 5550001, AuditEntry.kind == "inbound"))).scalars()
    assert user.name == "新\ufffd人\ufffd"
    assert exact_text(entry) == f"/start {code}"
    assert await _chain_ok(h)


async def test_a_message_with_a_nul_and_half_an_emoji_is_recorded_and_answered(harness: Harness) -> None:
    h = harness
    text = "张三\x00 实木床\ud83d"
    [answer] = await h.say("sales1", text)
    assert answer["text"]
    async with h.runtime.app.sessions() as session:
        entries = list((await session.execute(select(AuditEntry).where(
            AuditEntry.actor_id == Harness.uid("sales1"), AuditEntry.kind == "inbound"))).scalars())
    assert [exact_text(e) for e in entries] == [text]
    assert await _chain_ok(h)
