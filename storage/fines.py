"""Queries on the fines ledger (R16). Never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Fine


async def fine_for_key(session: AsyncSession, rule_key: str) -> Fine | None:
    return await session.scalar(select(Fine).where(Fine.rule_key == rule_key))


async def fine_by_number(session: AsyncSession, number: str) -> Fine | None:
    return await session.scalar(select(Fine).where(Fine.number == number.upper()))


async def fines(session: AsyncSession, *, person_id: int | None = None, states: Sequence[str] | None = None,
                limit: int = 50) -> Sequence[Fine]:
    query = select(Fine)
    if person_id is not None:
        query = query.where(Fine.person_id == person_id)
    if states:
        query = query.where(Fine.state.in_(states))
    return (await session.scalars(query.order_by(Fine.proposed_at.desc(), Fine.id.desc()).limit(limit))).all()
