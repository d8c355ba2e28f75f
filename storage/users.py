"""Queries on people, stores and invitations. They never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import is_postgres
from storage.models import Invite, Store, User


async def user_by_telegram_id(session: AsyncSession, telegram_id: int) -> User | None:
    return (await session.execute(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})).scalar_one_or_none()


# Every update asks it: built once, SQLAlchemy reuses its cache key and compiled form.
_BY_TELEGRAM_ID = select(User).where(User.telegram_id == bindparam("telegram_id"))


async def user_by_id(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def users_with_role(session: AsyncSession, *roles: str, store_id: int | None = None) -> Sequence[User]:
    query = select(User).where(User.role.in_(roles), User.active.is_(True))
    if store_id is not None:
        query = query.where(User.store_id == store_id)
    return (await session.execute(query.order_by(User.id))).scalars().all()


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    return (await session.execute(select(User).where(func.lower(User.username) == username.lower(),
                                                     User.active.is_(True)).limit(1))).scalar_one_or_none()


async def users_named(session: AsyncSession, name: str) -> Sequence[User]:
    """Active people called ``name`` (case-insensitive); if nobody is, those whose name contains it."""
    needle = name.strip().lower()
    if not needle:
        return []
    active = select(User).where(User.active.is_(True))
    exact = (await session.execute(active.where(func.lower(User.name) == needle).order_by(User.id))).scalars().all()
    if exact:
        return exact
    return (await session.execute(active.where(func.lower(User.name).contains(needle, autoescape=True))
                                  .order_by(User.id).limit(10))).scalars().all()


async def all_users(session: AsyncSession) -> Sequence[User]:
    return (await session.execute(select(User).order_by(User.id))).scalars().all()


async def add_user(session: AsyncSession, *, telegram_id: int, name: str, role: str, now: datetime,
                   store_id: int | None = None, username: str | None = None, language: str = "zh-CN") -> User:
    user = User(telegram_id=telegram_id, name=name, role=role, store_id=store_id, username=username,
                language=language, active=True, created_at=now)
    session.add(user)
    await session.flush()
    return user


async def store_by_code(session: AsyncSession, code: str) -> Store | None:
    return (await session.execute(select(Store).where(Store.code == code.upper()))).scalar_one_or_none()


async def all_stores(session: AsyncSession) -> Sequence[Store]:
    return (await session.execute(select(Store).order_by(Store.code))).scalars().all()


async def add_store(session: AsyncSession, *, code: str, name: str, now: datetime) -> Store:
    store = Store(code=code.upper(), name=name, created_at=now)
    session.add(store)
    await session.flush()
    return store


async def add_invite(session: AsyncSession, *, code: str, role: str, store_id: int | None, created_by: int,
                     now: datetime, expires_at: datetime) -> Invite:
    invite = Invite(code=code, role=role, store_id=store_id, created_by=created_by, created_at=now,
                    expires_at=expires_at)
    session.add(invite)
    await session.flush()
    return invite


async def invite_for_update(session: AsyncSession, code: str) -> Invite | None:
    query = select(Invite).where(Invite.code == code)
    if is_postgres(session):
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()
