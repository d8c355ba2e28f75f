"""Queries behind the managers' reports: status, overdue, backorders, today, KPIs, evidence, exports.

Take a session, never commit. Figures are SQL aggregates (GROUP BY with
conditional sums), not loops over ORM objects, so a year of a 20-store company
answers in milliseconds; exports stream rows in id-ordered chunks (keyset
pagination), never holding the whole order book in memory.

Local dates: deadlines are local dates (order date, pickup deadline, delivery
date) while step times are stored in UTC. ``local_date`` converts in SQL —
PostgreSQL with the real zone, SQLite with the zone's offset at each instant
(a branch per daylight-saving change around the period).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.aftersales.case import CaseState
from domain.localtime import offset_changes
from domain.orders.lifecycle import NOT_PLACED, LineState, OrderState
from domain.policy.fines import FineState
from domain.reports import KpiCounts, Period

from storage import aftersales as case_store
from storage import audit
from storage import orders as order_store
from storage.aftersales import OPEN_CASE_STATES
from storage.db import entities, is_postgres, rows_in
from storage.merkle_tree import keyset_pages
from storage.models import (AfterSalesCase, AuditEntry, CaseEvent, CasePhoto, Fine, Order, OrderEvent, OrderLine,
                            PendingChange, Store, User)
from storage.orders import OPEN_STATES
from storage.scope import Scope


def utc_bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC for the local dates of ``period``."""
    start = datetime.combine(period.start, time(0), tz).astimezone(timezone.utc)
    end = datetime.combine(period.end + timedelta(days=1), time(0), tz).astimezone(timezone.utc)
    return start, end


def local_date(session: AsyncSession, column: Any, tz: ZoneInfo, period: Period) -> Any:
    """The local date of a stored UTC time, computed by the database.

    SQLite knows no time zones: the offset is chosen by the instant, with a branch for
    each daylight-saving change in and around ``period`` (one branch where there is none).
    """
    if is_postgres(session):
        return func.date(func.timezone(str(tz.key), column))
    changes = offset_changes(period.start - timedelta(days=62), period.end + timedelta(days=62), tz)

    def shifted(offset: timedelta) -> Any:
        return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")

    if len(changes) == 1:
        return shifted(changes[0][1])
    return case(*((column >= since, shifted(offset)) for since, offset in reversed(changes[1:])),
                else_=shifted(changes[0][1]))


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# -- KPIs (R17) ---------------------------------------------------------------------

async def kpi_counts(session: AsyncSession, period: Period, *, tz: ZoneInfo, now: datetime, today: date,
                     satisfied_min_score: int, group: str | None = None,
                     scope: Scope = Scope()) -> dict[int | None, KpiCounts]:
    """The period's KPI counts, grouped by ``store`` or ``clerk`` (or all together under None).

    Definitions: ``domain.reports`` (module docstring). Two aggregate queries, one
    over orders and one over after-sales cases, each a single GROUP BY.
    """
    start_utc, end_utc = utc_bounds(period, tz)

    def in_period(column: Any) -> Any:
        return and_(column >= start_utc, column < end_utc)

    order_key = {"store": Order.store_id, "clerk": Order.clerk_id}.get(group or "", literal(0))
    cancelled = Order.state == OrderState.cancelled

    def step(deadline: Any, done_at: Any) -> tuple[Any, Any]:
        counted = and_(deadline.between(period.start, period.end),
                       or_(done_at.is_not(None), and_(deadline < today, ~cancelled)))
        return counted, and_(counted, done_at.is_not(None), local_date(session, done_at, tz, period) <= deadline)

    place, place_ok = step(Order.order_date, Order.placed_at)
    pickup, pickup_ok = step(Order.pickup_deadline, Order.picked_up_at)
    deliver, deliver_ok = step(Order.delivery_date, Order.delivered_at)
    # Due once its delivery day has come (or it was delivered early): a range reaching into
    # the future does not count tomorrow's deliveries as missed.
    due = and_(Order.delivery_date.between(period.start, period.end), ~cancelled, Order.state != OrderState.draft,
               or_(Order.delivery_date <= today, Order.delivered_at.is_not(None)))
    order_rows = await session.execute(
        select(order_key.label("k"), _count(due), _count(and_(due, Order.delivered_at.is_not(None))),
               _count(place) + _count(pickup) + _count(deliver),
               _count(place_ok) + _count(pickup_ok) + _count(deliver_ok))
        .where(Order.number.is_not(None), *scope.orders(),
               or_(*(day.between(period.start, period.end)
                     for day in (Order.delivery_date, Order.order_date, Order.pickup_deadline))))
        .group_by(order_key))

    case_key = {"store": AfterSalesCase.store_id, "clerk": AfterSalesCase.assignee_id}.get(group or "", literal(0))
    refused = AfterSalesCase.state == CaseState.rejected

    def sla_step(deadline: Any, done_at: Any) -> tuple[Any, Any]:
        counted = and_(in_period(deadline), ~refused, or_(done_at.is_not(None), deadline < now))
        return counted, and_(counted, done_at.is_not(None), done_at <= deadline)

    respond, respond_ok = sla_step(AfterSalesCase.respond_by, AfterSalesCase.accepted_at)
    resolve, resolve_ok = sla_step(AfterSalesCase.resolve_by, AfterSalesCase.resolved_at)
    raised = and_(in_period(AfterSalesCase.opened_at), ~refused)
    # Every survey answer counts: each re-opening was a dissatisfied answer (below the
    # threshold), and the latest score is the last answer.
    satisfied = and_(raised, AfterSalesCase.satisfaction >= satisfied_min_score)
    answers = case((~raised, 0), (AfterSalesCase.satisfaction.is_(None), 0),
                   (AfterSalesCase.satisfaction >= satisfied_min_score, AfterSalesCase.reopen_count + 1),
                   (AfterSalesCase.reopen_count > 0, AfterSalesCase.reopen_count), else_=1)
    case_rows = await session.execute(
        select(case_key.label("k"), _count(respond) + _count(resolve), _count(respond_ok) + _count(resolve_ok),
               _count(raised), _count(and_(raised, AfterSalesCase.state.in_((CaseState.resolved, CaseState.closed)))),
               func.coalesce(func.sum(answers), 0), _count(satisfied))
        .where(*scope.cases(), or_(*(in_period(at) for at in (AfterSalesCase.opened_at, AfterSalesCase.respond_by,
                                                              AfterSalesCase.resolve_by))))
        .group_by(case_key))

    result: dict[int | None, KpiCounts] = {}
    for rows, names in ((order_rows, ("due", "completed", "steps", "steps_on_time")),
                        (case_rows, ("steps", "steps_on_time", "raised", "resolved", "surveyed", "satisfied"))):
        for key, *values in rows.all():  # the selected columns in the order of ``names``
            key = key if group else None
            counted = KpiCounts(**{name: int(value) for name, value in zip(names, values, strict=True)})
            result[key] = result.get(key, KpiCounts()) + counted
    return {key: counts for key, counts in result.items() if not counts.empty}


# -- /status, /overdue, /backorders, /today ----------------------------------------

@dataclass
class StatusFigures:
    by_state: dict[str, int] = field(default_factory=dict)
    to_place_today: int = 0
    deliveries_today: int = 0
    submitted_today: int = 0
    rush_today: int = 0
    overdue_placement: int = 0
    pickup_late: int = 0
    backorder_lines: int = 0
    cases: dict[tuple[str, str], int] = field(default_factory=dict)  # (severity, sla state) → count
    fines_proposed: int = 0
    fines_proposed_yuan: int = 0


def _sla_state(now: datetime) -> ColumnElement[str]:
    return case(
        (AfterSalesCase.state == CaseState.waiting_customer, "paused"),
        (AfterSalesCase.state == CaseState.resolved, "awaiting_answer"),
        (and_(AfterSalesCase.next_due_at.is_not(None), AfterSalesCase.next_due_at < now), "overdue"),
        (and_(AfterSalesCase.warn_at.is_not(None), AfterSalesCase.warn_at <= now), "due_soon"),
        else_="on_time")


async def status(session: AsyncSession, *, scope: Scope, today: date, now: datetime, tz: ZoneInfo,
                 fines_of: Sequence[int] | None = None) -> StatusFigures:
    """One screen of figures; ``fines_of`` limits fines to those people (None: everyone's)."""
    figures = StatusFigures()
    where = [Order.number.is_not(None), *scope.orders()]
    rows = await session.execute(select(Order.state, func.count()).where(Order.state.in_(OPEN_STATES), *where)
                                 .group_by(Order.state))
    figures.by_state = {state: n for state, n in rows.all()}
    start, end = utc_bounds(Period(today, today), tz)
    rush = Order.flags.like("%rush_insertion%")
    submitted = and_(Order.submitted_at >= start, Order.submitted_at < end)
    row = (await session.execute(select(
        _count(and_(Order.state.in_(NOT_PLACED), Order.order_date == today)),
        _count(and_(Order.delivery_date == today, Order.state.in_(OPEN_STATES), Order.state != OrderState.delivered)),
        _count(submitted), _count(and_(submitted, rush)),
        _count(and_(Order.state.in_(NOT_PLACED), Order.order_date < today)),
        _count(and_(Order.state == OrderState.printed, Order.pickup_deadline < today)),
    ).where(*where, or_(Order.state.in_(OPEN_STATES), submitted)))).one()
    (figures.to_place_today, figures.deliveries_today, figures.submitted_today, figures.rush_today,
     figures.overdue_placement, figures.pickup_late) = (int(v) for v in row)
    figures.backorder_lines = (await session.execute(
        select(func.count()).select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.state == LineState.backorder, Order.state.in_(OPEN_STATES), *where))).scalar_one()
    sla = _sla_state(now)
    case_rows = await session.execute(select(AfterSalesCase.severity, sla, func.count())
                                      .where(AfterSalesCase.state.in_(OPEN_CASE_STATES), *scope.cases())
                                      .group_by(AfterSalesCase.severity, sla))
    figures.cases = {(severity, state): n for severity, state, n in case_rows.all()}
    fine_where = [Fine.state == FineState.proposed]
    if fines_of is not None:
        fine_where.append(Fine.person_id.in_(list(fines_of) or [-1]))
    count, total = (await session.execute(select(func.count(), func.coalesce(func.sum(Fine.amount_yuan), 0))
                                          .where(*fine_where))).one()
    figures.fines_proposed, figures.fines_proposed_yuan = int(count), int(total)
    return figures


async def open_cases_by_deadline(session: AsyncSession, *, scope: Scope,
                                 now: datetime) -> Sequence[tuple[AfterSalesCase, str]]:
    """Open cases with their SLA state (the same reading as /status counts), soonest deadline first."""
    return (await session.execute(
        select(AfterSalesCase, _sla_state(now)).where(AfterSalesCase.state.in_(OPEN_CASE_STATES), *scope.cases())
        .order_by(AfterSalesCase.next_due_at.asc().nulls_last(), AfterSalesCase.id).limit(50)
    )).unique().all()


async def store_people(session: AsyncSession, store_id: int | None) -> list[int]:
    return list(await session.scalars(select(User.id).where(User.store_id == store_id)))


async def overdue_orders(session: AsyncSession, *, scope: Scope, today: date) -> Sequence[Order]:
    """Order date passed and not placed, or printed and the pickup deadline passed — oldest first."""
    late = or_(and_(Order.state.in_(NOT_PLACED), Order.order_date < today),
               and_(Order.state == OrderState.printed, Order.pickup_deadline < today))
    return await entities(session, select(Order).where(Order.number.is_not(None), late, *scope.orders())
                          .order_by(func.coalesce(Order.pickup_deadline, Order.order_date), Order.id)
                          .limit(30))


async def overdue_cases(session: AsyncSession, *, scope: Scope, now: datetime) -> Sequence[AfterSalesCase]:
    return await entities(session, select(AfterSalesCase).where(
        AfterSalesCase.state.in_(OPEN_CASE_STATES), AfterSalesCase.next_due_at < now, *scope.cases())
        .order_by(AfterSalesCase.next_due_at, AfterSalesCase.id).limit(30))


async def backorders(session: AsyncSession, *, scope: Scope) -> Sequence[tuple[OrderLine, Order]]:
    """Backorder lines of open orders with their ETA, the oldest ETA first."""
    return (await session.execute(
        select(OrderLine, Order).join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.state == LineState.backorder, Order.state.in_(OPEN_STATES), *scope.orders())
        .order_by(OrderLine.eta.asc().nulls_first(), Order.id, OrderLine.position).limit(50)
    )).unique().all()


@dataclass
class TodayLists:
    to_place: Sequence[Order] = ()
    deliveries: Sequence[Order] = ()
    pickups: Sequence[Order] = ()
    submitted: Sequence[Order] = ()
    cases_due: Sequence[AfterSalesCase] = ()


async def today_lists(session: AsyncSession, *, scope: Scope, today: date, tz: ZoneInfo) -> TodayLists:
    start, end = utc_bounds(Period(today, today), tz)
    where = [Order.number.is_not(None), *scope.orders()]

    async def orders(*condition: Any) -> Sequence[Order]:
        return await entities(session, select(Order).where(*where, *condition)
                              .order_by(Order.id).limit(30))

    return TodayLists(
        to_place=await orders(Order.state.in_(NOT_PLACED), Order.order_date == today),
        deliveries=await orders(Order.delivery_date == today, Order.state.in_(OPEN_STATES),
                                Order.state != OrderState.delivered),
        pickups=await orders(Order.state == OrderState.printed, Order.pickup_deadline == today),
        submitted=await orders(Order.submitted_at >= start, Order.submitted_at < end),
        cases_due=await entities(session, select(AfterSalesCase).where(
            AfterSalesCase.state.in_(OPEN_CASE_STATES), *scope.cases(), AfterSalesCase.next_due_at >= start,
            AfterSalesCase.next_due_at < end).order_by(AfterSalesCase.next_due_at).limit(30)),
    )


async def names(session: AsyncSession) -> tuple[dict[int, Store], dict[int, User]]:
    return ({s.id: s for s in await session.scalars(select(Store))},
            {u.id: u for u in await entities(session, select(User))})


# -- evidence --------------------------------------------------------------------------

@dataclass
class Evidence:
    """Everything recorded about one order or case, with its audit entries in chain order."""

    number: str
    order: Order | None = None
    case: AfterSalesCase | None = None
    events: Sequence[OrderEvent | CaseEvent] = ()
    fines: Sequence[Fine] = ()
    photos: Sequence[CasePhoto] = ()
    entries: list[AuditEntry] = field(default_factory=list)
    predecessors: dict[int, str] = field(default_factory=dict)  # seq → hash of the entry at seq - 1


async def evidence(session: AsyncSession, number: str) -> Evidence | None:
    """The order (DD…) or case (SH…) with every audit entry that tells its story.

    Entries: those filed under its number (and under its draft before it had one),
    under its fines' numbers, the messages its events and changes rest on — every
    version of each message, edits included — and its photos' file entries.
    """
    number = number.strip().upper()
    found = Evidence(number)
    filed_under = [number]
    ids: set[int | None] = set()  # None: an event or photo that rests on no message
    if number.startswith("DD"):
        found.order = order = await order_store.order_by_number(session, number)
        if order is None:
            return None
        filed_under.append(f"draft:{order.id}")
        found.events = await order_store.history(session, order.id)
        found.fines = await entities(session, select(Fine).where(Fine.order_id == order.id).order_by(Fine.id))
        ids |= {order.evidence_id, *await session.scalars(select(PendingChange.evidence_id)
                                                          .where(PendingChange.order_id == order.id))}
    elif number.startswith("SH"):
        found.case = case_row = await case_store.case_by_number(session, number)
        if case_row is None:
            return None
        found.events = await case_store.history(session, case_row.id)
        found.photos = await case_store.photos(session, case_row.id)
        if case_row.fine_id:
            found.fines = await entities(session, select(Fine).where(Fine.id == case_row.fine_id))
        ids |= {case_row.evidence_id, *(i for p in found.photos for i in (p.audit_id, p.evidence_id))}
    else:
        return None
    ids |= {e.evidence_id for e in found.events}
    for fine in found.fines:
        filed_under.append(fine.number)
        ids |= {int(i) for i in json.loads(fine.evidence or "[]")}
    ids.discard(None)
    entries = {e.id: e for e in await session.scalars(
        select(AuditEntry).where(or_(AuditEntry.entity.in_(filed_under), AuditEntry.id.in_(ids or {-1}))))}
    # Every version of each message the story rests on: the original and its edits.
    messages = {(e.chat_id, e.message_id) for e in entries.values()
                if e.kind in ("inbound", "inbound_edit") and e.chat_id is not None and e.message_id is not None}
    for chat_id, message_id in messages:
        entries.update((e.id, e) for e in await audit.message_versions(session, chat_id, message_id))
    found.entries = sorted(entries.values(), key=lambda e: e.seq)
    before = [e.seq - 1 for e in found.entries if e.seq > 1]
    hashes = select(AuditEntry.seq, AuditEntry.hash)
    found.predecessors = dict(await rows_in(session, hashes, AuditEntry.seq, before))
    return found


# -- exports -------------------------------------------------------------------------

def _export_query(kind: str, start: datetime, end: datetime) -> tuple[Select[Any], InstrumentedAttribute[int]]:
    """The rows of one export (orders handed in, cases opened, fines proposed within [start, end)),
    with the names they show, and the id they are paged by. Every join is to at most one row."""
    if kind == "orders":
        return (select(*Order.__table__.c, Store.name.label("store_name"), User.name.label("sales_name"))
                .outerjoin(Store, Store.id == Order.store_id).outerjoin(User, User.id == Order.sales_id)
                .where(Order.number.is_not(None), Order.submitted_at >= start, Order.submitted_at < end)), Order.id
    if kind == "aftersales":
        assignee = User.__table__.alias("assignee")
        return (select(*AfterSalesCase.__table__.c, Store.name.label("store_name"), User.name.label("sales_name"),
                       assignee.c.name.label("assignee_name"), Order.number.label("order_number"),
                       Order.customer_name.label("customer_name"), Order.customer_phone.label("customer_phone"),
                       Order.address.label("address"))
                .outerjoin(Store, Store.id == AfterSalesCase.store_id)
                .outerjoin(User, User.id == AfterSalesCase.sales_id)
                .outerjoin(assignee, assignee.c.id == AfterSalesCase.assignee_id)
                .outerjoin(Order, Order.id == AfterSalesCase.order_id)
                .where(AfterSalesCase.opened_at >= start, AfterSalesCase.opened_at < end)), AfterSalesCase.id
    decider = User.__table__.alias("decider")
    return (select(*Fine.__table__.c, User.name.label("person_name"), Store.name.label("store_name"),
                   decider.c.name.label("decided_by_name"), Order.number.label("order_number"))
            .outerjoin(User, User.id == Fine.person_id).outerjoin(Store, Store.id == User.store_id)
            .outerjoin(decider, decider.c.id == Fine.decided_by).outerjoin(Order, Order.id == Fine.order_id)
            .where(Fine.proposed_at >= start, Fine.proposed_at < end)), Fine.id


async def count_export(session: AsyncSession, kind: str, start: datetime, end: datetime) -> int:
    query, _key = _export_query(kind, start, end)
    return (await session.execute(query.with_only_columns(func.count()))).scalar_one()


async def stream_export(session: AsyncSession, kind: str, start: datetime, end: datetime) -> AsyncIterator[list[Any]]:
    """The export's rows in id-ordered chunks (keyset pagination, so a large export never holds
    every row nor rereads skipped ones); an order comes as (order row, its line rows)."""
    query, key = _export_query(kind, start, end)
    async for rows in keyset_pages(session, query, key, 2000):
        if kind != "orders":
            yield list(rows)
            continue
        query = select(OrderLine.__table__).where(OrderLine.order_id.in_([row.id for row in rows]))
        found = await session.execute(query.order_by(OrderLine.order_id, OrderLine.position))
        lines = {order_id: list(group) for order_id, group in groupby(found, key=attrgetter("order_id"))}
        yield [(row, lines.get(row.id, [])) for row in rows]
