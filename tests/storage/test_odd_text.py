"""Storage takes any text a transport can deliver, on SQLite and PostgreSQL alike.

NUL (PostgreSQL's text type refuses it), lone surrogates (no UTF-8 encoder takes
them), bidi and control characters, very long values: the audit log keeps the
exact original, hashes exactly what it stores, and the chain still verifies.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from storage import audit
from storage.audit import Kind, exact_text, verify_chain
from storage.models import AuditEntry, Order, User
from storage.types import storable_text
from storage.orders import order_by_number
from storage.users import add_user, invite_for_update, store_by_code
from tests.conftest import local, utc

T0 = utc(2026, 12, 3, 9, 20)

ODD_TEXTS = [
    "订单\x00张三",  # NUL inside
    "半个表情\ud83d",  # a lone high surrogate: what a cut at a byte count leaves
    "\udc00开头",  # a lone low surrogate
    "\u202e反向\u202c\u200f\x07\x1b[31m",  # bidi overrides, BEL, an escape sequence
    "反斜杠 \\u0000 不是 NUL",  # looks like an escape, is not one
    "🙂" * 2048,  # 4,096 UTF-16 code units
    "x" * 5000,
]


async def _entries(sessions) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return list((await session.execute(select(AuditEntry).order_by(AuditEntry.seq))).scalars())


@pytest.mark.parametrize("odd", ODD_TEXTS, ids=range(len(ODD_TEXTS)))
async def test_any_text_is_recorded_exactly_and_the_chain_verifies(sessions, odd: str) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        await audit.append(session, kind=Kind.INBOUND, recorded_at=T0, chat_id=7, actor_id=7, message_id=1,
                           update_id=1, bot_id=1, text=odd, telegram_time=T0,
                           payload={"update": {"message": {"text": odd, "from": {"first_name": odd}}}})
    [entry] = await _entries(sessions)
    assert exact_text(entry) == odd
    assert json.loads(entry.payload)["update"]["message"]["from"]["first_name"] == odd
    assert entry.text == storable_text(odd)
    async with sessions() as session:
        report = await verify_chain(session)
    assert report.ok and report.checked == 1


async def test_a_local_time_is_hashed_as_it_is_stored(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        await audit.append(session, kind=Kind.SYSTEM, recorded_at=local(2026, 12, 3, 17, 20, 1), text="x")
    async with sessions() as session:
        assert (await verify_chain(session)).ok


async def test_a_number_where_text_belongs_does_not_read_as_tampering(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        await audit.append(session, kind=Kind.INBOUND, recorded_at=T0, text=12345)  # type: ignore[arg-type]
    [entry] = await _entries(sessions)
    assert entry.text == "12345"
    async with sessions() as session:
        assert (await verify_chain(session)).ok


async def test_an_id_beyond_64_bits_is_refused_before_it_reaches_the_database(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        with pytest.raises(ValueError, match="64-bit"):
            await audit.append(session, kind=Kind.INBOUND, recorded_at=T0, update_id=2**63)


async def test_names_and_order_fields_take_any_length_and_any_character(sessions) -> None:  # type: ignore[no-untyped-def]
    long_name = "欧阳" * 60  # 120 characters: over the old varchar(100)
    async with sessions() as session, session.begin():
        user = await add_user(session, telegram_id=2**40, name="张\x00三\ud800", role="sales", now=T0,
                              username="u" * 200)
        session.add(Order(state="draft", sales_id=user.id, customer_name=long_name, address="地址\x00" * 200,
                          customer_phone="1" * 60, sent_at=T0, created_at=T0))
    async with sessions() as session:
        stored = (await session.execute(select(User))).scalar_one()
        order = (await session.execute(select(Order))).scalar_one()
    assert stored.name == "张\ufffd三\ufffd"
    assert order.customer_name == long_name
    assert order.address == "地址\ufffd" * 200


@pytest.mark.parametrize("typed", ["AB\x00CD", "\ud800\u202d码", "x" * 500])
async def test_looking_up_a_code_or_number_people_typed_finds_nothing_instead_of_failing(sessions, typed: str) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        assert await invite_for_update(session, typed) is None
        assert await store_by_code(session, typed) is None
        assert await order_by_number(session, typed) is None
        assert await audit.entries_for_entity(session, typed) == []
