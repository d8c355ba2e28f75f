"""What people do with reminders and fines: 已通知跟单员, /remind, /outbox, /fine, /appeal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.orders.lifecycle import LineState
from domain.policy.fines import FineAction, FineState, fine_actions, fine_transition, may_appeal
from domain.roles import Role
from handlers.aftersales import cards as case_cards
from handlers.context import Context
from handlers.fines import decision, fine_target, notice_timing, propose_fine, why_not
from handlers.notify import notify_users, people
from handlers.orders import cards, notices
from handlers.orders.common import record
from handlers.reports.common import scope_for
from handlers.buttons import AppealDecision, ToldClerk
from handlers.types import id_from
from storage import fines as fine_store
from storage import orders as order_store
from storage import outbox, pending
from storage.models import AfterSalesCase, Order, OutboxState
from storage.users import users_with_role


async def told_clerk(ctx: Context, data: ToldClerk) -> None:
    """R6: the sales person has told the clerk to place the order today."""
    order = await order_store.order_by_id(ctx.session, data.order_id)
    if order is None or ctx.user is None or order.sales_id != ctx.user.id:
        ctx.callback_answer = ctx.t("button.expired")
        return
    if order.sales_told_clerk_at is None:
        order.sales_told_clerk_at = ctx.now
        await record(ctx, order, "sales_told_clerk")
        clerks = [u for u in await people(ctx.session, Role.CLERK) if order.clerk_id in (None, u.id)]
        await notify_users(ctx.session, clerks, key=f"R6:told:{order.number}", now=ctx.now, entity=order.number,
                           app=ctx.app, live=notices.reminder_spec("sweep.sales_told", buttons="clerk"))
    ctx.reply(ctx.t("sweep.told_ok", number=order.number), edit=True, entity=order.number)


async def remind(ctx: Context, args: str) -> None:
    """What is pending for me, by what my role does: a clerk's unaccepted cases, orders not received,
    orders to place, late backorders and pickups; a sales person's drafts, order dates, backorders and
    satisfaction scores to ask; a store manager's pickups and backorders; a manager's fines."""
    today = ctx.app.calendar.local(ctx.now).date()
    # Whose pending work a role carries (the clerk's queue: taken by them or by nobody yet).
    scope = scope_for(ctx)
    whose = pending.Whose(store_id=scope.store_id, clerk_id=scope.clerk_id, sales_id=scope.sales_id)
    lines = [ctx.t("remind.header")]
    for name in _KINDS[Role(ctx.person.role)]:
        rows_of, line = _LISTS[name]
        rows = await rows_of(ctx.session, today, whose)
        lines += [line(ctx, row, today) for row in rows[:pending.LIMIT]]
        if len(rows) > pending.LIMIT:
            lines.append(ctx.t("remind.more"))
    if ctx.person.role == Role.MANAGER:
        waiting = await fine_store.fines(ctx.session, states=(FineState.proposed.value, FineState.appealed.value))
        if waiting:
            lines.append(ctx.t("remind.fines_waiting", count=len(waiting)))
    queued = await outbox.pending_for_chat(ctx.session, ctx.person.telegram_id)
    if queued:
        lines.append(ctx.t("remind.queued", count=len(queued)))
    if len(lines) == 1:
        lines.append(ctx.t("remind.nothing"))
    ctx.reply("\n".join(lines))


def _date(ctx: Context, day: date | None) -> str:
    return cards.fmt_date(ctx.language, day)


def _place_line(ctx: Context, order: Order, today: date) -> str:
    return ctx.t("remind.item_place", label=order.number, date=_date(ctx, order.order_date))


def _case_line(ctx: Context, case: AfterSalesCase, today: date) -> str:
    """An open case with the deadline it runs against now: the first response, the resolution
    (a re-opened case's too), or none while the clock is paused for the customer."""
    state = case_cards.state_label(ctx.language, case.state)
    if case.next_due_at is None:
        return ctx.t("remind.item_case_paused", label=case.number, state=state)
    at = case_cards.fmt_time(ctx.language, case.next_due_at, ctx.app.config.tz)
    if case.accepted_at is None and case.next_due_at == case.respond_by:
        return ctx.t("remind.item_case_unaccepted", label=case.number, at=at)
    return ctx.t("remind.item_case_in_hand", label=case.number, at=at, state=state)


def _late_eta(order: Order, today: date) -> date | None:
    etas = [line.eta for line in order.lines if line.state == LineState.backorder and line.eta and line.eta < today]
    return min(etas) if etas else None


_Rows = Callable[[AsyncSession, date, pending.Whose], Awaitable[Sequence[Any]]]
_Line = Callable[[Context, Any, date], str]
# Each list /remind can show: its rows (session, today, whose) and the line a row makes (ctx, row, today).
_LISTS: dict[str, tuple[_Rows, _Line]] = {
    "drafts": (lambda s, today, whose: pending.drafts(s, whose),
               lambda ctx, o, today: ctx.t("remind.item_draft",
                                           label=ctx.t("remind.draft", customer=o.customer_name or "—"))),
    "not_received": (lambda s, today, whose: pending.not_received(s, whose),
                     lambda ctx, o, today: ctx.t("remind.item_unreceived", label=o.number,
                                                 store=o.store.name if o.store else "—",
                                                 sales=o.sales.name if o.sales else "—")),
    "to_place": (pending.to_place, _place_line),
    "order_dates": (pending.order_date_due, _place_line),
    "backorders_late": (pending.backorders_late,
                        lambda ctx, o, today: ctx.t("remind.item_backorder_late", label=o.number,
                                                    date=_date(ctx, _late_eta(o, today)))),
    "backorders": (lambda s, today, whose: pending.backorders(s, whose),
                   lambda ctx, o, today: ctx.t("remind.item_backorder", label=o.number)),
    "pickups": (lambda s, today, whose: pending.pickups_due(s, today + timedelta(days=1), whose),
                lambda ctx, o, today: ctx.t("remind.item_pickup", label=o.number, date=_date(ctx, o.pickup_deadline))),
    "cases_unaccepted": (lambda s, today, whose: pending.cases_unaccepted(s, whose), _case_line),
    "cases_in_hand": (lambda s, today, whose: pending.cases_in_hand(s, whose), _case_line),
    "cases_to_score": (lambda s, today, whose: pending.cases_to_score(s, whose),
                       lambda ctx, c, today: ctx.t("remind.item_case_score", label=c.number)),
}
_KINDS = {
    Role.CLERK: ("cases_unaccepted", "not_received", "to_place", "backorders_late", "pickups", "cases_in_hand"),
    Role.SALES: ("drafts", "order_dates", "backorders", "cases_to_score"),
    Role.STORE_MANAGER: ("pickups", "backorders"),
    Role.MANAGER: (),
}


async def outbox_state(ctx: Context, args: str) -> None:
    counts = await outbox.summary(ctx.session)
    lines = [ctx.t("outbox.header", **{s: counts.get(s, 0) for s in OutboxState})]
    for row in await outbox.recent(ctx.session, (OutboxState.FAILED, OutboxState.UNREACHABLE)):
        lines.append(ctx.t("outbox.row", id=row.id, chat=row.chat_id, state=row.state, error=row.last_error or ""))
    ctx.reply("\n".join(lines))


async def fine_by_hand(ctx: Context, args: str) -> None:
    """/fine <姓名|@username|Telegram id|订单号|售后单号> <元> <rule> <reason> — e.g. /fine 张导购 30 R8 打错单."""
    parts = args.split(maxsplit=3)
    amount = id_from(parts[1]) if len(parts) == 4 else None
    if amount is None or not parts[2].upper().startswith("R"):
        ctx.say("fine.usage")
        return
    who, rule, reason = parts[0], parts[2].upper(), parts[3]
    target = await fine_target(ctx.session, who, rule, ctx.language)
    if target.refusal is not None:
        ctx.say(target.refusal, **target.params)
        return
    for person in target.people:
        fine = await propose_fine(ctx.session, ctx.app, rule=rule, person=person, amount=amount, reason=reason,
                                  now=ctx.now, rule_key=f"manual:{ctx.evidence_id}:{person.id}", order=target.order,
                                  proposed_by=ctx.user, evidence=[ctx.evidence_id])
        assert fine is not None
        ctx.say("fine.proposed_for", number=fine.number, person=person.name, amount=amount, rule=rule)


async def appeal(ctx: Context, args: str) -> None:
    """/appeal FK202612001 reason — within the appeal period (R16, 5 working days)."""
    parts = args.split(maxsplit=1)
    if len(parts) < 2:
        ctx.say("appeal.usage")
        return
    fine = await fine_store.fine_by_number(ctx.session, parts[0])
    if fine is None or fine.person_id != ctx.person.id:
        ctx.say("appeal.not_found", number=parts[0].upper())
        return
    today = ctx.app.calendar.local(ctx.now).date()
    before = FineState(fine.state)
    if FineAction.appeal not in fine_actions(before):
        ctx.reply(why_not(ctx.language, fine, FineAction.appeal, ctx.app.config.tz), entity=fine.number)
        return
    if fine.appeal_deadline is not None and not may_appeal(today, fine.appeal_deadline):
        ctx.say("error.fine.appeal_too_late", deadline=cards.fmt_date(ctx.language, fine.appeal_deadline))
        return
    after = fine_transition(before, FineAction.appeal, today=today, appeal_deadline=fine.appeal_deadline)
    fine.state, fine.appeal_reason, fine.appealed_at = after, parts[1][:500], ctx.now
    await ctx.audit(fine.number, "fine.appealed", {"reason": fine.appeal_reason})
    managers = await users_with_role(ctx.session, Role.MANAGER)
    await notify_users(ctx.session, managers, key=f"fine:{fine.number}:appeal", now=ctx.now, entity=fine.number,
                       app=ctx.app, live={"kind": "fine.appeal"})
    ctx.say("appeal.lodged", number=fine.number)


async def decide_appeal(ctx: Context, data: AppealDecision) -> None:
    """The manager upholds or overturns the appeal; the person is told."""
    if (decided := await decision(ctx, data.fine_id, data.what)) is None:
        return
    fine, _, after = decided
    await ctx.audit(fine.number, f"fine.{after.value}")
    await notify_users(ctx.session, [fine.person], key=f"fine:{fine.number}:{after.value}", now=ctx.now,
                       entity=fine.number, text_key=f"appeal.decided.{after.value}", number=fine.number)
    ctx.reply(ctx.t(f"appeal.decided.{after.value}", number=fine.number) + notice_timing(ctx), edit=True,
              entity=fine.number)
