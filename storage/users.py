"""Queries on people, stores and invitations. They never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import added
from storage.models import Invite, Store, User


async def user_by_telegram_id(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.scalar(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})


# Every update asks it: built once, SQLAlchemy reuses its cache key and compiled form.
_BY_TELEGRAM_ID = select(User).where(User.telegram_id == bindparam("telegram_id"))


async def user_by_id(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def users_with_role(session: AsyncSession, *roles: str, store_id: int | None = None) -> Sequence[User]:
    query = select(User).where(User.role.in_(roles), User.active.is_(True))
    if store_id is not None:
        query = query.where(User.store_id == store_id)
    return (await session.scalars(query.order_by(User.id))).all()


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    return await session.scalar(select(User).where(func.lower(User.username) == username.lower(),
                                                   User.active.is_(True)).limit(1))


async def users_named(session: AsyncSession, name: str) -> Sequence[User]:
    """Active people called ``name`` (case-insensitive); if nobody is, those whose name contains it."""
    needle = name.strip().lower()
    if not needle:
        return []
    active = select(User).where(User.active.is_(True))
    exact = (await session.scalars(active.where(func.lower(User.name) == needle).order_by(User.id))).all()
    containing = active.where(func.lower(User.name).contains(needle, autoescape=True)).order_by(User.id)
    return exact or (await session.scalars(containing.limit(10))).all()


async def all_users(session: AsyncSession) -> Sequence[User]:
    return (await session.scalars(select(User).order_by(User.id))).all()


async def add_user(session: AsyncSession, *, telegram_id: int, name: str, role: str, now: datetime,
                   store_id: int | None = None, username: str | None = None, language: str = "zh-CN") -> User:
    return await added(session, User(telegram_id=telegram_id, name=name, role=role, store_id=store_id,
                                     username=username, language=language, active=True, created_at=now))


async def store_by_code(session: AsyncSession, code: str) -> Store | None:
    return await session.scalar(select(Store).where(Store.code == code.upper()))


async def all_stores(session: AsyncSession) -> Sequence[Store]:
    return (await session.scalars(select(Store).order_by(Store.code))).all()


async def add_store(session: AsyncSession, *, code: str, name: str, now: datetime) -> Store:
    return await added(session, Store(code=code.upper(), name=name, created_at=now))


async def add_invite(session: AsyncSession, *, code: str, role: str, store_id: int | None, created_by: int,
                     now: datetime, expires_at: datetime) -> Invite:
    return await added(session, Invite(code=code, role=role, store_id=store_id, created_by=created_by,
                                       created_at=now, expires_at=expires_at))


async def invite_for_update(session: AsyncSession, code: str) -> Invite | None:
    return await session.scalar(select(Invite).where(Invite.code == code).with_for_update())  # SQLite: no FOR UPDATE
