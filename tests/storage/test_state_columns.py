"""State columns hold the domain's enums: stored as the same words as before, read back as members."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from domain.orders.lifecycle import OrderState
from domain.roles import Role
from storage import groups, outbox, users
from storage.models import GroupLink, GroupRole, Order, OutboxMessage, OutboxState, User
from tests.conftest import utc

NOW = utc(2026, 12, 3, 9, 0)


async def test_a_state_is_stored_as_its_word_and_read_back_as_the_member(sessions) -> None:
    async with sessions() as session, session.begin():
        sales = await users.add_user(session, telegram_id=2001, name="张导购", role="sales", now=NOW)
        session.add(Order(state=OrderState.draft, sales_id=sales.id, sent_at=NOW, created_at=NOW))
        await outbox.enqueue(session, key="k1", chat_id=2001, text="hi", now=NOW)
    async with sessions() as session:
        # The column is the plain string it always was: rows written before read the same.
        raw = (await session.execute(text("SELECT state FROM orders"))).scalar_one()
        assert raw == "draft" and type(raw) is str
        order = (await session.execute(select(Order))).scalar_one()
        assert order.state is OrderState.draft
        assert f"order.state.{order.state}" == "order.state.draft"  # text keys still read the word
        person = (await session.execute(select(User))).scalar_one()
        assert person.role is Role.SALES
        row = (await session.execute(select(OutboxMessage))).scalar_one()
        assert row.state is OutboxState.PENDING


async def test_a_word_that_is_not_a_state_is_refused_before_it_is_stored(sessions) -> None:
    with pytest.raises(StatementError, match="not among the defined enum values"):
        async with sessions() as session, session.begin():
            sales = await users.add_user(session, telegram_id=2001, name="张导购", role="sales", now=NOW)
            session.add(Order(state="drafted", sales_id=sales.id, sent_at=NOW, created_at=NOW))
    async with sessions() as session:
        assert (await session.execute(text("SELECT count(*) FROM orders"))).scalar_one() == 0


async def test_a_groups_role_written_as_a_word_reads_back_as_the_member(sessions) -> None:
    # Group links written as plain words (before the column was typed) read back as GroupRole
    # members, so the router's ``is GroupRole.UNLINKED`` checks hold for them too.
    async with sessions() as session, session.begin():
        await session.execute(text("INSERT INTO group_links (chat_id, role) VALUES (-100, 'desk'), (-200, 'unlinked')"))
    async with sessions() as session:
        assert await groups.desk(session) is not None
        link = await session.get(GroupLink, -100)
        assert link is not None and link.role is GroupRole.DESK
        assert not await groups.unlink(session, -200)  # already unlinked
        raw = (await session.execute(text("SELECT role FROM group_links WHERE chat_id = -100"))).scalar_one()
        assert raw == "desk"
