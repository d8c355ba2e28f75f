"""R9 chase list (09:00), R15 daily tracking sheet (18:30) and weekly summary (Monday 09:00).

They are sweep parts like the reminders: derived from the database when their
time has come, queued once per person and slot, so a bot that was down at
18:30 still sends the day's sheet when it comes back (before work ends).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import partial
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from domain.localtime import local_date
from domain.orders.lifecycle import NOT_PLACED, LineState, OrderState
from domain.policy.reminders import daily_slot, weekly_slot
from domain.roles import Role
from domain.texts import t
from handlers.orders import cards
from handlers.reports.checkpoints import daily_checkpoint
from handlers.reports.weekly import weekly_chart
from handlers.reminders.run import Sweep
from storage import outbox
from storage import reminders as candidates
from storage.models import Order, OrderLine


async def chase_lists(run: Sweep) -> None:
    """R9 催单: each clerk, placed orders not yet complete in placement order with backorder ETAs;
    each store manager, the store's backorders and what arrived since yesterday."""
    slot = daily_slot(run.calendar, run.now, run.policy.digests.chase_list_at)
    if slot is None:
        return
    day, due_at = slot
    if await run.all_queued(f"R9:chase:{day.isoformat()}", await run.people(Role.CLERK)) and \
            await run.all_queued(f"R9:store:{day.isoformat()}", await run.people(Role.STORE_MANAGER)):
        return
    placed = await candidates.placed_orders(run.session)
    if placed:
        run.plan(await run.people(Role.CLERK), f"R9:chase:{day.isoformat()}",
                 lambda lang: _chase_text(lang, placed, run.app.config.tz), due_at)
    since = run.calendar.at(day - timedelta(days=1), run.calendar.working.day_start)
    for manager in await run.people(Role.STORE_MANAGER):
        mine = [o for o in placed if o.store_id == manager.store_id]
        arrived = await candidates.lines_arrived_since(run.session, manager.store_id, since)
        if not mine and not arrived:
            await outbox.mark_skipped(run.session, key=f"R9:store:{day.isoformat()}:u{manager.id}",
                                      chat_id=manager.telegram_id, now=run.now)
            continue
        run.plan(manager, f"R9:store:{day.isoformat()}",
                 partial(_store_text, orders=mine, arrived=arrived), due_at)


def _chase_text(language: str, orders: Sequence[Order], tz: ZoneInfo) -> str:
    lines = [t(language, "digest.chase_header", count=len(orders))]
    for i, order in enumerate(orders, start=1):
        lines.append(f"{i}. {order.number} · {order.customer_name} · {t(language, 'digest.placed_on')}"
                     f"{cards.fmt_date(language, local_date(order.placed_at, tz) if order.placed_at else None)}")
        for line in order.lines:
            if line.state != LineState.arrived:
                lines.append(f"   - {cards.line_text(language, line)}{t(language, 'punct.colon')}"
                             f"{cards.line_status(language, line)}")
    return "\n".join(lines)


def _store_text(language: str, orders: Sequence[Order], arrived: Sequence[tuple[OrderLine, Order]]) -> str:
    lines = [t(language, "digest.store_header")]
    lines += [t(language, "digest.store_arrived", number=order.number, line=cards.line_text(language, line))
              for line, order in arrived]
    lines += [t(language, "digest.store_backorder", number=order.number, line=cards.line_text(language, line),
                eta=cards.fmt_date(language, line.eta))
              for order in orders for line in order.lines if line.state == LineState.backorder]
    return "\n".join(lines)


async def daily_sheets(run: Sweep) -> None:
    """R15 订单跟踪表: every open order's state and problems, today's intake and rush insertions, overdue."""
    slot = daily_slot(run.calendar, run.now, run.policy.digests.daily_at)
    if slot is None:
        return
    day, due_at = slot
    recipients = await run.people(Role.CLERK) + await run.people(Role.MANAGER)
    if await run.all_queued(f"R15:daily:{day.isoformat()}", recipients):
        return
    open_orders = await candidates.open_orders(run.session)
    start = run.midnight(day)
    submitted_today = [o for o in open_orders if o.submitted_at and o.submitted_at >= start]
    if not open_orders:
        return  # an empty sheet is noise, not evidence
    head = await candidates.audit_head(run.session)
    run.plan(recipients, f"R15:daily:{day.isoformat()}",
             lambda lang: _sheet_text(lang, day, open_orders, submitted_today, head), due_at)


def _problems(order: Order, day: date) -> list[str]:
    problems = []
    state = OrderState(order.state)
    if state in NOT_PLACED and order.order_date and order.order_date < day:
        problems.append("overdue_placement")
    if state is OrderState.printed and order.pickup_deadline and order.pickup_deadline < day:
        problems.append("pickup_late")
    if any(line.state == LineState.backorder for line in order.lines):
        problems.append("backorder")
    if order.cancel_requested_at and state is not OrderState.cancelled:
        problems.append("cancel_requested")
    return problems


def _sheet_text(language: str, day: date, open_orders: Sequence[Order], submitted: Sequence[Order],
                head: tuple[int, str] | None = None) -> str:
    by_state = Counter(o.state for o in open_orders)
    rush = [o for o in submitted if "rush_insertion" in o.flag_set]
    lines = [t(language, "digest.daily_header", date=cards.fmt_date(language, day), open=len(open_orders),
               submitted=len(submitted), rush=len(rush))]
    lines.append("  " + " · ".join(f"{cards.state_label(language, s)} {n}" for s, n in by_state.items()))
    troubled = [(o, problems) for o in open_orders if (problems := _problems(o, day))]
    if troubled:
        lines.append(t(language, "digest.problems", count=len(troubled)))
        for order, problems in troubled[:40]:
            lines.append(f"  {order.number} · {order.customer_name} · {cards.state_label(language, order.state)} · "
                         + t(language, "punct.enum").join(t(language, f"problem.{p}") for p in problems))
    if rush:
        lines.append(t(language, "digest.rush", numbers=t(language, "punct.enum").join(o.number or "" for o in rush)))
    if head is not None:
        # Published outside the database, the chain's head hash anchors the evidence: rewriting
        # history afterwards would no longer match what everyone received in chat.
        lines.append(t(language, "digest.audit_head", seq=head[0], hash=head[1][:16]))
    return "\n".join(lines)


async def weekly_summary(run: Sweep) -> None:
    """R15 每周订单协调会: last week's intake, completions, cancellations, fines, and open problems."""
    slot = weekly_slot(run.calendar, run.now, run.policy.digests)
    if slot is None:
        return
    week, due_at = slot
    if await run.all_queued(f"R15:weekly:{week.isoformat()}", await run.people(Role.MANAGER)):
        return
    start, end = week - timedelta(days=7), week
    since, until = run.midnight(start), run.midnight(end)
    figures = await candidates.week_figures(run.session, since, until)
    fines = await candidates.fines_proposed(run.session, since, until)
    chart = await weekly_chart(run.app, run.session, run.now, week)  # R17 trend, 8 weeks
    run.plan(await run.people(Role.MANAGER), f"R15:weekly:{week.isoformat()}",
             lambda lang: t(lang, "digest.weekly", start=cards.fmt_date(lang, start),
                            end=cards.fmt_date(lang, end - timedelta(days=1)), fines=fines[0],
                            fine_total=fines[1], **figures), due_at, attachment=chart)


PARTS = (
    ("chase_lists", chase_lists),
    ("daily_sheets", daily_sheets),
    ("weekly_summary", weekly_summary),
    ("audit_checkpoint", daily_checkpoint),  # the signed checkpoint goes out with the tracking sheet
)
