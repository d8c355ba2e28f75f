"""R6/R7 下单提醒与罚款: what falls due around an order's order date.

On the placement day:
* ``sales_reminder_at`` — remind the sales person to tell the clerk (R6), if they have not;
* ``clerk_reminder_at`` — remind the clerk: chase the silent sales person (R6),
  or place the order sales already asked for (R7);
* end of the working day — not placed: both are fined if sales never told the
  clerk (R6), only the clerk if sales did (R7).

Duties are derived from state and ``now`` only, so the sweep may ask again and
again; the ``slot`` is the idempotency key the outbox stores (the caller adds
the order's id). A duty stays in the answer after it fell due — a sweep that was
down at 17:00 still sends it once when it comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.policy.calendar import WorkingCalendar
from domain.policy.settings import PlacementRules

REMIND_SALES = "remind_sales"
REMIND_CLERK = "remind_clerk"
FINE_BOTH = "fine_both"  # R6: sales and clerk, each ``not_placed_fine_yuan``
FINE_CLERK = "fine_clerk"  # R7: the clerk, ``clerk_error_fine_yuan``


@dataclass(frozen=True, slots=True)
class Duty:
    """Something the sweep must do for an order (到期事项)."""

    rule: str  # "R6" or "R7"
    kind: str
    due_at: datetime
    slot: str


def placement_day(order_date: date, calendar: WorkingCalendar, submitted_at: datetime | None = None) -> date:
    """下单日: the working day the order must be placed on.

    An order date on a non-working day moves *earlier*, to the previous working
    day: the lead time protects the delivery date, and placing early costs
    nothing. An order submitted after that day (short lead time, R4) is due on
    the day it arrived — or the next working day if it came after closing —
    so nobody is fined for a day before the order existed.
    """
    day = order_date if calendar.is_working_day(order_date) else calendar.previous_working_day(order_date)
    if submitted_at is None:
        return day
    arrived = calendar.local(submitted_at)
    if arrived.date() < day:
        return day
    first_chance = calendar.next_working_time(arrived)
    # Arriving after closing leaves no working time that day to place it.
    return max(day, first_chance.date())


def placement_schedule(
    *,
    order_date: date,
    sales_told_at: datetime | None,
    placed_at: datetime | None,
    rules: PlacementRules,
    calendar: WorkingCalendar,
    submitted_at: datetime | None = None,
) -> tuple[Duty, ...]:
    """Every duty this order incurs on its placement day, due or not yet due."""
    day = placement_day(order_date, calendar, submitted_at)
    sales_at = calendar.at(day, rules.sales_reminder_at)
    clerk_at = calendar.at(day, rules.clerk_reminder_at)
    end_at = calendar.day_end_at(day)

    def before(event: datetime | None, moment: datetime) -> bool:
        return event is not None and event <= moment

    def existed(moment: datetime) -> bool:
        # A reminder for a moment before the order arrived would only be noise.
        return submitted_at is None or submitted_at <= moment

    duties: list[Duty] = []
    key = day.isoformat()
    if existed(sales_at) and not before(placed_at, sales_at) and not before(sales_told_at, sales_at):
        duties.append(Duty("R6", REMIND_SALES, sales_at, f"R6:{REMIND_SALES}:{key}"))
    if existed(clerk_at) and not before(placed_at, clerk_at):
        rule = "R7" if before(sales_told_at, clerk_at) else "R6"
        duties.append(Duty(rule, REMIND_CLERK, clerk_at, f"{rule}:{REMIND_CLERK}:{key}"))
    if not before(placed_at, end_at):
        if before(sales_told_at, end_at):
            duties.append(Duty("R7", FINE_CLERK, end_at, f"R7:{FINE_CLERK}:{key}"))
        else:
            duties.append(Duty("R6", FINE_BOTH, end_at, f"R6:{FINE_BOTH}:{key}"))
    return tuple(duties)


def placement_duties(
    *,
    order_date: date,
    sales_told_at: datetime | None,
    placed_at: datetime | None,
    now: datetime,
    rules: PlacementRules,
    calendar: WorkingCalendar,
    submitted_at: datetime | None = None,
) -> tuple[Duty, ...]:
    """The duties that are due at ``now`` (``due_at <= now``), earliest first."""
    schedule = placement_schedule(
        order_date=order_date,
        sales_told_at=sales_told_at,
        placed_at=placed_at,
        rules=rules,
        calendar=calendar,
        submitted_at=submitted_at,
    )
    return tuple(d for d in schedule if d.due_at <= now)
