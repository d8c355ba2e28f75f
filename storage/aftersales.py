"""Queries on after-sales cases, their history, photos and pauses, and return-day notices. Never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Unpack

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.aftersales.case import CaseState

from storage import history as history_of
from storage.db import entities
from storage.history import EventFacts
from storage.models import AfterSalesCase, CaseEvent, CasePause, CasePhoto, Order, ReturnDayNotice
from storage.orders import search_filter
from storage.scope import Scope

OPEN_CASE_STATES = (CaseState.open, CaseState.accepted, CaseState.waiting_customer, CaseState.resolved, CaseState.reopened)


async def case_by_number(session: AsyncSession, number: str) -> AfterSalesCase | None:
    return await session.scalar(select(AfterSalesCase).where(AfterSalesCase.number == number.strip().upper()))


async def cases_visible(session: AsyncSession, *, sales_id: int | None = None,
                        store_id: int | None = None) -> Sequence[AfterSalesCase]:
    query = select(AfterSalesCase).where(AfterSalesCase.state.in_(OPEN_CASE_STATES),
                                         *Scope(store_id=store_id, sales_id=sales_id).cases())
    return await entities(session, query.order_by(AfterSalesCase.next_due_at.asc().nulls_last(),
                                                  AfterSalesCase.id).limit(30))


async def latest_open_case(session: AsyncSession, sales_id: int) -> AfterSalesCase | None:
    """The sales person's most recently opened case that is not finished."""
    unfinished = (CaseState.open, CaseState.accepted, CaseState.waiting_customer, CaseState.reopened)
    return await session.scalar(select(AfterSalesCase).where(AfterSalesCase.sales_id == sales_id,
                                                             AfterSalesCase.state.in_(unfinished))
                                .order_by(AfterSalesCase.id.desc()).limit(1))


async def cases_due(session: AsyncSession, before: datetime, *, column: str = "warn_at") -> Sequence[AfterSalesCase]:
    """For the reminder sweep: open cases whose ``warn_at`` (or ``next_due_at``) is at or before ``before``."""
    field = getattr(AfterSalesCase, column)
    return await entities(session, select(AfterSalesCase).where(field <= before,
                                                                AfterSalesCase.state.in_(OPEN_CASE_STATES))
                          .order_by(field, AfterSalesCase.id))


async def orders_matching(session: AsyncSession, *, phone: str | None, names: Sequence[str]) -> Sequence[Order]:
    """Numbered orders of a customer, by phone (exact digits) or else by name (any of its
    spellings), newest first."""
    if phone:
        condition = Order.customer_phone == phone
    elif names:
        condition = Order.customer_name.in_(names)
    else:
        return ()
    return await entities(session, select(Order).where(condition, Order.number.is_not(None))
                          .order_by(Order.id.desc()).limit(10))


async def add_event(session: AsyncSession, case: AfterSalesCase, **facts: Unpack[EventFacts]) -> CaseEvent:
    return await history_of.add(session, CaseEvent(case_id=case.id), facts)


async def history(session: AsyncSession, case_id: int) -> Sequence[CaseEvent]:
    return await history_of.events(session, CaseEvent, CaseEvent.case_id == case_id)


async def photos(session: AsyncSession, case_id: int) -> Sequence[CasePhoto]:
    query = select(CasePhoto).where(CasePhoto.case_id == case_id).order_by(CasePhoto.id)
    return (await session.scalars(query)).all()


async def pauses(session: AsyncSession, case_id: int) -> Sequence[CasePause]:
    return (await session.scalars(select(CasePause).where(CasePause.case_id == case_id)
                                  .order_by(CasePause.started_at, CasePause.id))).all()


async def open_pause(session: AsyncSession, case_id: int) -> CasePause | None:
    return await session.scalar(select(CasePause).where(CasePause.case_id == case_id,
                                                        CasePause.ended_at.is_(None))
                                .order_by(CasePause.id.desc()).limit(1))


# -- R12 return-day notices ------------------------------------------------------------

async def replace_return_day_notices(session: AsyncSession, *, year_month: str, return_day: date,
                                     due: Sequence[tuple[date, datetime]]) -> None:
    """The month's notices after (re)setting its return day: unsent ones are replaced, sent ones kept."""
    await session.execute(delete(ReturnDayNotice).where(ReturnDayNotice.year_month == year_month,
                                                        ReturnDayNotice.sent_at.is_(None)))
    sent = set(await session.scalars(select(ReturnDayNotice.notice_date)
                                     .where(ReturnDayNotice.year_month == year_month)))
    session.add_all(ReturnDayNotice(year_month=year_month, return_day=return_day, notice_date=notice_date,
                                    due_at=due_at) for notice_date, due_at in due if notice_date not in sent)
    await session.flush()


async def return_day_notices(session: AsyncSession, year_month: str) -> Sequence[ReturnDayNotice]:
    return (await session.scalars(select(ReturnDayNotice).where(ReturnDayNotice.year_month == year_month)
                                  .order_by(ReturnDayNotice.notice_date))).all()


async def find_cases(session: AsyncSession, text: str, *, spellings: Sequence[str] = (),
                     sales_id: int | None = None, store_id: int | None = None) -> Sequence[AfterSalesCase]:
    """Cases whose number contains ``text``, or whose order's customer phone or name does (or one of
    its ``spellings``)."""
    query = select(AfterSalesCase).outerjoin(Order, Order.id == AfterSalesCase.order_id).where(
        or_(AfterSalesCase.number.like(f"%{text.upper()}%"), search_filter(text, *spellings)),
        *Scope(store_id=store_id, sales_id=sales_id).cases())
    return await entities(session, query.order_by(AfterSalesCase.id.desc()).limit(30))
