"""The sweep: what is due now, derived from the database and ``domain`` policy.

Run every minute (and at start-up). It asks the pure rule functions what each
candidate order owes at ``now`` and queues each notification under a unique
key (rule, entity, slot) in the outbox — the database, not memory, decides
whether it was sent already, so a restart loses nothing and sends nothing
twice. Only rows that can be due are read (indexed state/date columns), so the
cost follows what is due, not the size of the order book.
"""

from __future__ import annotations

import logging
from functools import partial
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.orders.lifecycle import OrderState
from domain.policy.placement import FINE_BOTH, FINE_CLERK, REMIND_CLERK, REMIND_SALES, placement_duties
from domain.policy.reminders import last_call_due, pickup_duties
from domain.roles import Role
from domain.texts import t
from handlers.app import App
from handlers.context import system_context
from handlers.orders import cards, notices
from handlers.orders.intake import submit
from handlers.reminders import digests, escalation
from handlers.fines import RuleReason
from handlers.reminders.run import Sweep
from storage import reminders as candidates
from storage.models import Order
from storage.orders import drafts_held_until

log = logging.getLogger(__name__)

# An order whose placement day is further back than this was dealt with long ago
# (or the bot was off for weeks); re-deriving its duties every minute buys nothing.
LOOKBACK_DAYS = 14


@dataclass
class SweepReport:
    queued: int = 0
    fines: int = 0
    released: int = 0
    parts: dict[str, int] = field(default_factory=dict)


async def placement(run: Sweep) -> None:
    """R6/R7: remind sales in the morning of the order date, the clerk at 17:00; fine at day end."""
    # An order date on a day off is placed on the working day before it, so every order date
    # up to the next working day (a Sunday, a whole holiday break) is due today already.
    rows = await candidates.orders_to_place(run.session, order_date_before=run.calendar.next_working_day(run.today),
                                            since=run.today - timedelta(days=LOOKBACK_DAYS))
    for order in rows:
        if order.order_date is None:
            continue  # not returned: the query compares the order date
        duties = placement_duties(order_date=order.order_date, sales_told_at=order.sales_told_clerk_at,
                                  placed_at=order.placed_at, now=run.now, rules=run.policy.placement,
                                  calendar=run.calendar, submitted_at=order.submitted_at)
        # An order handed in after its order date (short lead time, R4) is reminded as late,
        # not as "today is the order date".
        late = ".late" if order.order_date < run.today else ""
        for duty in duties:
            key = f"{duty.slot}:{order.number}"
            if duty.kind == REMIND_SALES:
                text_key = f"sweep.remind_sales{late}"
                run.plan(order.sales, key, _text(text_key, order), duty.due_at, entity=order.number,
                         buttons_for=partial(notices.told_button, order=order),
                         live=notices.reminder_spec(text_key, buttons="told"))
            elif duty.kind == REMIND_CLERK:
                text_key = f"sweep.remind_clerk.{duty.rule}{late}"
                run.plan(await run.clerks_of(order), key, _text(text_key, order), duty.due_at, entity=order.number,
                         buttons_for=partial(cards.clerk_buttons, order=order),
                         live=notices.reminder_spec(text_key, buttons="clerk"))
            elif duty.kind in (FINE_BOTH, FINE_CLERK):
                both = duty.kind == FINE_BOTH
                amount = (run.policy.placement.not_placed_fine_yuan if both
                          else run.policy.placement.clerk_error_fine_yuan)
                reason = RuleReason(f"fine.reason.{duty.rule}", {"number": order.number,
                                                                 "date": order.order_date.isoformat()})
                await run.fine(([order.sales] if both else []) + await run.clerks_of(order), rule=duty.rule,
                               amount=amount, reason=reason, rule_key=key, order=order)


async def last_calls(run: Sweep) -> None:
    """R2 (17:45): drafts whose order date is today and that are still not handed in."""
    rows = await candidates.drafts_due_on(run.session, run.today)
    for order in rows:
        if order.order_date is None:
            continue  # not returned: the query compares the order date
        due = last_call_due(order.order_date, run.calendar, run.now, run.policy.intake.last_call)
        if due:
            run.plan(order.sales, f"{due.slot}:draft{order.id}", _text("sweep.last_call", order), due.due_at,
                     entity=f"draft:{order.id}")


async def pickups(run: Sweep) -> None:
    """R10: remind on the working day before the pickup deadline; each late day proposes the doubling fine."""
    deadline_by = run.calendar.next_working_day(run.today)  # a deadline whose reminder day has come
    rows = await candidates.printed_orders_due(run.session, deadline_by=deadline_by)
    for order in rows:
        if order.pickup_deadline is None:
            continue  # not returned: the query compares the deadline
        waived = await candidates.fine_set_aside(run.session, order.id, "R10")
        printed_on = run.calendar.local(order.printed_at).date() if order.printed_at else None
        for duty in pickup_duties(order.pickup_deadline, run.now, run.policy.pickup, run.calendar,
                                  printed_on=printed_on):
            key = f"{duty.slot}:{order.number}"
            if duty.kind == "pickup_reminder":
                recipients = await run.clerks_of(order) + await run.people(Role.STORE_MANAGER, order.store_id)
                run.plan(recipients, key, _text("sweep.pickup_reminder", order), duty.due_at,
                         entity=order.number,
                         live=notices.reminder_spec("sweep.pickup_reminder", while_states=(OrderState.printed,)))
            elif not waived:
                reason = RuleReason("fine.reason.R10", {"number": order.number, "days": duty.slot.rsplit(":", 1)[-1],
                                                        "date": order.pickup_deadline.isoformat()})
                await run.fine(await run.clerks_of(order), rule="R10", amount=duty.amount, reason=reason,
                               rule_key=key, order=order)


async def release_held_orders(run: Sweep) -> None:
    """R12: orders held on the return day are handed in on the next working day, unasked."""
    if not run.calendar.is_working_time(run.now):
        return
    for order in await drafts_held_until(run.session, run.today):
        ctx = await system_context(run.app, run.session, run.now, on_behalf_of=None,
                                   reason=f"return day over: releasing held draft {order.id}")
        await submit(ctx, order, run.now)
        run.plan(order.sales, f"R12:released:{order.number}", _text("sweep.released", order), run.now,
                 entity=order.number)
        run.released += 1


async def calendar_coverage(run: Sweep) -> None:
    """The admins hear, once per year, when the public calendar has not published a year the
    rules count in: the current one at any time, the coming one from December on."""
    region = run.calendar.public.region
    if not region:
        return
    years = [run.today.year] + ([run.today.year + 1] if run.today.month == 12 else [])
    for year in years:
        if run.calendar.knows_year(year):
            continue
        package = run.calendar.public.source or region
        run.plan(await run.people(Role.ADMIN), f"calendar:unknown:{region}:{year}",
                 _unknown_year_text(year, package, region), run.now)


def _unknown_year_text(year: int, package: str, region: str) -> Callable[[str], str]:
    return lambda language: t(language, "calendar.unknown_year_notice", year=year, package=package,
                              region=t(language, f"calendar.region.{region}"))


def _text(key: str, order: Order) -> Callable[[str], str]:
    return lambda language: notices.reminder_text(language, key, order)


PARTS: tuple[tuple[str, Callable[[Sweep], Awaitable[None]]], ...] = (
    ("release_held_orders", release_held_orders),
    ("placement", placement),
    ("last_calls", last_calls),
    ("pickups", pickups),
    ("calendar_coverage", calendar_coverage),
)


async def sweep(app: App, now: datetime) -> SweepReport:
    """Derive and queue everything due at ``now``. Each rule runs in its own transaction, so one
    failing rule (logged) does not hold back the others; the next sweep tries it again."""
    report = SweepReport()
    try:  # days off added through another instance take effect here too
        async with app.sessions() as session:
            await app.live_calendar.reload(session)
    except Exception:
        log.exception("could not re-read the company days off at %s; using the ones in memory", now)
    for name, part in PARTS + escalation.PARTS + digests.PARTS:
        try:
            async with app.sessions() as session, session.begin():
                run = Sweep(app, session, now)
                await part(run)
                queued = await run.flush()
            report.queued += queued
            report.fines += run.fines
            report.released += run.released
            report.parts[name] = queued
        except Exception:
            log.exception("sweep part %s failed at %s; it runs again next sweep", name, now)
    return report
