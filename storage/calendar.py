"""Company days off added by chat (公司休息日): the rows behind ``/calendar off``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.orders.lifecycle import OrderState
from domain.policy.fines import FineState

from storage.db import entities
from storage.models import AfterSalesCase, CompanyDayOff, Fine, Order


async def company_days_off(session: AsyncSession) -> dict[date, str]:
    """Every stored day off with its reason; a company adds a handful a year, so all of them."""
    return dict((await session.execute(select(CompanyDayOff.day, CompanyDayOff.reason))).all())


async def add_company_day_off(session: AsyncSession, *, day: date, reason: str, user_id: int,
                              now: datetime) -> str | None:
    """Store (or re-word) a day off; returns the reason it had before, if any."""
    row = await session.get(CompanyDayOff, day)
    previous = row.reason if row else None
    await session.merge(CompanyDayOff(day=day, reason=reason, added_by=user_id, added_at=now))
    await session.flush()
    return previous


async def remove_company_day_off(session: AsyncSession, day: date) -> str | None:
    """Delete a stored day off; returns its reason, or None when there was none."""
    row = await session.get(CompanyDayOff, day)
    if row is None:
        return None
    await session.delete(row)
    return row.reason


# -- what counts working days and is stored: recomputed when the calendar changes -----------------

async def cases_with_deadlines(session: AsyncSession) -> Sequence[AfterSalesCase]:
    """R14: cases whose clock runs (paused and finished ones are recomputed when they resume)."""
    return await entities(session, select(AfterSalesCase).where(AfterSalesCase.next_due_at.is_not(None)))


async def orders_awaiting_pickup(session: AsyncSession) -> Sequence[Order]:
    """R10: printed orders whose goods have not left the finished-goods warehouse."""
    return await entities(session, select(Order).where(Order.state == OrderState.printed,
                                                       Order.printed_at.is_not(None)))


async def fines_open_to_appeal(session: AsyncSession, today: date) -> Sequence[Fine]:
    """R16: confirmed fines whose appeal period has not ended."""
    return await entities(session, select(Fine).where(
        Fine.state == FineState.confirmed, Fine.appeal_deadline >= today, Fine.notified_at.is_not(None)))
