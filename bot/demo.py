"""The demo team the sandbox seeds, so `orderbot chat --as sales1` works at once.

Only ever seeded in sandbox mode: a deployment with a real token never gets
these people (``bot.runtime`` checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role
from storage import audit, users


@dataclass(frozen=True)
class DemoPerson:
    handle: str  # what `orderbot chat --as` takes
    telegram_id: int
    name: str
    role: Role
    store: str | None = None


DEMO_STORES = (("S1", "天河店"), ("S2", "番禺店"))
DEMO_TEAM = (
    DemoPerson("admin", 1001, "管理员", Role.ADMIN),
    DemoPerson("manager", 1002, "王经理", Role.MANAGER),
    DemoPerson("clerk", 1003, "李跟单", Role.CLERK),
    DemoPerson("sales1", 2001, "张导购", Role.SALES, "S1"),
    DemoPerson("storemanager1", 2002, "陈店长", Role.STORE_MANAGER, "S1"),
    DemoPerson("sales2", 3001, "刘导购", Role.SALES, "S2"),
    DemoPerson("storemanager2", 3002, "黄店长", Role.STORE_MANAGER, "S2"),
)
BY_HANDLE = {p.handle: p for p in DEMO_TEAM}


@dataclass(frozen=True)
class DemoGroup:
    """A sandbox group the demo opens, with the bot in it as an admin (so it reads every
    message); linking it to its store is left to the admin (``/link S1``), as in real life."""

    handle: str  # what `orderbot chat --group` takes
    chat_id: int  # fixed, so a link survives restarting the sandbox
    title: str
    members: tuple[str, ...]
    forum: bool = False


DEMO_GROUPS = (
    DemoGroup("S1-group", -4_000_000_101, "天河店群", ("admin", "storemanager1", "sales1")),
    DemoGroup("S2-group", -4_000_000_102, "番禺店群", ("admin", "storemanager2", "sales2")),
    DemoGroup("desk", -1_000_000_000_100, "跟单台", ("admin", "manager", "clerk"), forum=True),
)
GROUP_BY_HANDLE = {g.handle: g for g in DEMO_GROUPS}


def person_for(handle: str) -> tuple[int, str]:
    """Telegram id and display name for a handle; an unknown handle is a stranger with a stable id."""
    if handle in BY_HANDLE:
        person = BY_HANDLE[handle]
        return person.telegram_id, person.name
    if handle.isdigit():
        return int(handle), f"user{handle}"
    import zlib

    return 900_000 + zlib.crc32(handle.encode("utf-8")) % 99_999, handle


async def seed_demo_team(session: AsyncSession, now: datetime) -> int:
    """Add the demo stores and people that are missing; returns how many people were added."""
    stores = {}
    for code, name in DEMO_STORES:
        store = await users.store_by_code(session, code) or await users.add_store(session, code=code, name=name,
                                                                                  now=now)
        stores[code] = store
    added = 0
    for person in DEMO_TEAM:
        if await users.user_by_telegram_id(session, person.telegram_id) is not None:
            continue
        await users.add_user(session, telegram_id=person.telegram_id, name=person.name, role=person.role, now=now,
                             store_id=stores[person.store].id if person.store else None, username=person.handle)
        added += 1
    if added:
        await audit.append(session, kind=audit.Kind.SYSTEM, recorded_at=now, text="demo team seeded (sandbox)",
                           payload={"people": [p.handle for p in DEMO_TEAM]})
    return added
