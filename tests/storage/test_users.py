"""Finding people by what a clerk types after /fine: a name (exact, else part of it) or a username."""

from __future__ import annotations

from storage import users
from tests.conftest import utc

NOW = utc(2026, 12, 3, 9, 0)


async def test_a_name_matches_exactly_else_by_part_and_a_username_ignores_case(sessions) -> None:
    async with sessions() as session, session.begin():
        zhang = await users.add_user(session, telegram_id=2001, name="张导购", role="sales", now=NOW, username="Sales1")
        liu = await users.add_user(session, telegram_id=3001, name="刘导购", role="sales", now=NOW)
        await users.add_user(session, telegram_id=4001, name="张导", role="sales", now=NOW)
        gone = await users.add_user(session, telegram_id=5001, name="周导购", role="sales", now=NOW)
        gone.active = False
    async with sessions() as session:
        assert [u.telegram_id for u in await users.users_named(session, "张导购")] == [2001]
        assert [u.telegram_id for u in await users.users_named(session, "导购")] == [zhang.telegram_id,
                                                                                   liu.telegram_id]
        assert await users.users_named(session, "50%") == []  # a wildcard is a character, not a pattern
        assert await users.users_named(session, " ") == []
        assert (await users.user_by_username(session, "sales1")).telegram_id == 2001
        assert await users.user_by_username(session, "nobody") is None
