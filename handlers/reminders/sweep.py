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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.policy.calendar import WorkingCalendar
from domain.policy.placement import FINE_BOTH, FINE_CLERK, REMIND_CLERK, REMIND_SALES, placement_duties
from domain.policy.reminders import deliver_at, last_call_due, pickup_duties
from domain.roles import Role
from domain.texts import t
from handlers.app import App
from handlers.fines import propose_fine
from handlers.orders import cards, notices
from handlers.types import Button, keyboard_to_json
from handlers.groups import desk
from storage import outbox
from storage.models import Fine, Order, User

log = logging.getLogger(__name__)

# An order whose placement day is further back than this was dealt with long ago
# (or the bot was off for weeks); re-deriving its duties every minute buys nothing.
LOOKBACK_DAYS = 14


@dataclass
class Planned:
    key: str
    user: User
    text_for: Callable[[str], str]
    due_at: datetime
    entity: str | None = None
    buttons_for: Callable[[str], tuple[tuple[Button, ...], ...]] | None = None
    urgent: bool = False
    attachment: dict[str, str] | None = None  # a chart sent with the text (outbox)
    live: dict[str, object] | None = None  # rendered again when sent (handlers.live)


@dataclass
class SweepReport:
    queued: int = 0
    fines: int = 0
    released: int = 0
    parts: dict[str, int] = field(default_factory=dict)


class Sweep:
    def __init__(self, app: App, session: AsyncSession, now: datetime) -> None:
        self.app, self.session, self.now = app, session, now
        self.policy = app.config.policy
        self.calendar: WorkingCalendar = app.calendar
        self.today = self.calendar.local(now).date()
        self.planned: list[Planned] = []
        self.fines = 0
        self._people: dict[tuple[str, int | None], list[User]] = {}

    async def people(self, role: Role, store_id: int | None = None) -> list[User]:
        from storage.users import users_with_role

        key = (role.value, store_id)
        if key not in self._people:
            self._people[key] = list(await users_with_role(self.session, role, store_id=store_id))
        return self._people[key]

    def plan(self, users: list[User] | User | None, key: str, text_for: Callable[[str], str], due_at: datetime,
             **kwargs: object) -> None:
        if users is None:
            return
        for user in users if isinstance(users, list) else [users]:
            self.planned.append(Planned(f"{key}:u{user.id}", user, text_for, due_at, **kwargs))  # type: ignore[arg-type]

    async def all_queued(self, key: str, users: list[User]) -> bool:
        """Whether ``key`` went to every one of ``users`` already — digests check this before
        reading the whole order book, so a sweep after the digest hour stays cheap."""
        if not users:
            return True
        keys = [f"{key}:u{user.id}" for user in users]
        return len(await outbox.existing_keys(self.session, keys)) == len(keys)

    async def flush(self) -> int:
        """Queue what is planned and not queued before; returns how many were new."""
        if not self.planned:
            return 0
        seen = await outbox.existing_keys(self.session, [p.key for p in self.planned])
        queued = 0
        for p in self.planned:
            if p.key in seen:
                continue
            seen.add(p.key)
            buttons = p.buttons_for(p.user.language) if p.buttons_for else ()
            urgent = p.urgent and self.policy.working.urgent_escalations_ignore_hours
            mode = self.app.config.clerk_notices
            if (desk_group := await desk.desk_for(self.session, p.user, mode)) is not None:
                # A clerk's reminder or sheet goes into the desk group's topic (see handlers.groups.desk).
                queued += await desk.queue(
                    self.session, desk_group, p.user, key=p.key.rsplit(":u", 1)[0], text=p.text_for(p.user.language),
                    now=self.now, mode=mode, per=self.app.config.desk_topics, buttons=keyboard_to_json(buttons) or None,
                    entity=p.entity, live=p.live, urgent=urgent, attachment=p.attachment,
                    not_before=deliver_at(p.due_at, self.calendar, urgent=urgent))
                if mode == "desk":
                    continue
            await outbox.enqueue(
                self.session, key=p.key, chat_id=p.user.telegram_id, text=p.text_for(p.user.language), now=self.now,
                buttons=keyboard_to_json(buttons) or None,
                entity=p.entity, attachment=p.attachment, urgent=urgent, render=p.live,
                not_before=deliver_at(p.due_at, self.calendar, urgent=urgent))
            queued += 1
        self.planned.clear()
        return queued

    async def clerks_of(self, order: Order) -> list[User]:
        """The clerk who received the order; before anyone did, every clerk is responsible."""
        if order.clerk_id is not None:
            clerk = await self.session.get(User, order.clerk_id)
            if clerk is not None and clerk.active:
                return [clerk]
        return await self.people(Role.CLERK)

    async def fine(self, *, rule: str, person: User, amount: int, reason: str, rule_key: str,
                   order: Order | None) -> None:
        evidence = [order.evidence_id] if order is not None and order.evidence_id else []
        if await propose_fine(self.session, self.app, rule=rule, person=person, amount=amount, reason=reason,
                              now=self.now, rule_key=rule_key, order=order, evidence=evidence):
            self.fines += 1

    # -- the rules ----------------------------------------------------------------

    async def placement(self) -> None:
        """R6/R7: remind sales in the morning of the order date, the clerk at 17:00; fine at day end."""
        # An order date on a day off is placed on the working day before it, so every order date
        # up to the next working day (a Sunday, a whole holiday break) is due today already.
        rows = (await self.session.execute(select(Order).where(
            Order.state.in_(("submitted", "received", "confirmed")),
            Order.order_date < self.calendar.next_working_day(self.today),
            Order.order_date >= self.today - timedelta(days=LOOKBACK_DAYS),
        ))).scalars().unique().all()
        for order in rows:
            duties = placement_duties(order_date=order.order_date, sales_told_at=order.sales_told_clerk_at,
                                      placed_at=order.placed_at, now=self.now, rules=self.policy.placement,
                                      calendar=self.calendar, submitted_at=order.submitted_at)
            # An order handed in after its order date (short lead time, R4) is reminded as late,
            # not as "today is the order date".
            late = ".late" if order.order_date < self.today else ""
            for duty in duties:
                key = f"{duty.slot}:{order.number}"
                if duty.kind == REMIND_SALES:
                    text_key = f"sweep.remind_sales{late}"
                    self.plan(order.sales, key, _text(text_key, order), duty.due_at, entity=order.number,
                              buttons_for=lambda lang, o=order: notices.told_button(lang, o),
                              live=notices.reminder_spec(text_key, while_states=notices.NOT_PLACED, buttons="told"))
                elif duty.kind == REMIND_CLERK:
                    text_key = f"sweep.remind_clerk.{duty.rule}{late}"
                    self.plan(await self.clerks_of(order), key, _text(text_key, order),
                              duty.due_at, entity=order.number,
                              buttons_for=lambda lang, o=order: cards.clerk_buttons(lang, o),
                              live=notices.reminder_spec(text_key, while_states=notices.NOT_PLACED, buttons="clerk"))
                elif duty.kind in (FINE_BOTH, FINE_CLERK):
                    amount = (self.policy.placement.not_placed_fine_yuan if duty.kind == FINE_BOTH
                              else self.policy.placement.clerk_error_fine_yuan)
                    people = list(await self.clerks_of(order))
                    if duty.kind == FINE_BOTH:
                        people.insert(0, order.sales)
                    reason = t("zh-CN", f"fine.reason.{duty.rule}", number=order.number,
                               date=cards.fmt_date("zh-CN", order.order_date))
                    for person in people:
                        await self.fine(rule=duty.rule, person=person, amount=amount, reason=reason,
                                        rule_key=f"{key}:{person.id}", order=order)

    async def last_calls(self) -> None:
        """R2 (17:45): drafts whose order date is today and that are still not handed in."""
        rows = (await self.session.execute(select(Order).where(
            Order.state == "draft", Order.held_until.is_(None), Order.order_date == self.today,
        ))).scalars().unique().all()
        for order in rows:
            due = last_call_due(order.order_date, self.calendar, self.now, self.policy.intake.last_call)
            if due:
                self.plan(order.sales, f"{due.slot}:draft{order.id}", _text("sweep.last_call", order), due.due_at,
                          entity=f"draft:{order.id}")

    async def pickups(self) -> None:
        """R10: remind the day before the pickup deadline; each late day proposes the doubling fine."""
        rows = (await self.session.execute(select(Order).where(
            Order.state == "printed", Order.pickup_deadline <= self.today + timedelta(days=1),
        ))).scalars().unique().all()
        for order in rows:
            waived = (await self.session.execute(select(Fine.id).where(
                Fine.order_id == order.id, Fine.rule == "R10", Fine.state.in_(("waived", "overturned"))).limit(1)
            )).first()
            for duty in pickup_duties(order.pickup_deadline, self.now, self.policy.pickup, self.calendar):
                key = f"{duty.slot}:{order.number}"
                if duty.kind == "pickup_reminder":
                    recipients = await self.clerks_of(order) + await self.people(Role.STORE_MANAGER, order.store_id)
                    self.plan(recipients, key, _text("sweep.pickup_reminder", order), duty.due_at,
                              entity=order.number,
                              live=notices.reminder_spec("sweep.pickup_reminder", while_states=("printed",)))
                elif not waived:
                    reason = t("zh-CN", "fine.reason.R10", number=order.number, days=duty.slot.rsplit(":", 1)[-1],
                               date=cards.fmt_date("zh-CN", order.pickup_deadline))
                    for person in await self.clerks_of(order):
                        await self.fine(rule="R10", person=person, amount=duty.amount, reason=reason,
                                        rule_key=f"{key}:{person.id}", order=order)

    async def release_held_orders(self) -> int:
        """R12: orders held on the return day are handed in on the next working day, unasked."""
        from handlers.orders.intake import submit
        from handlers.system import system_context
        from storage.orders import drafts_held_until

        if not self.calendar.is_working_time(self.now):
            return 0
        released = 0
        for order in await drafts_held_until(self.session, self.today):
            ctx = await system_context(self.app, self.session, self.now, on_behalf_of=None,
                                       reason=f"return day over: releasing held draft {order.id}")
            await submit(ctx, order, self.now)
            self.plan(order.sales, f"R12:released:{order.number}", _text("sweep.released", order), self.now,
                      entity=order.number)
            released += 1
        return released

    async def calendar_coverage(self) -> None:
        """The admins hear, once per year, when the public calendar has not published a year the
        rules count in: the current one at any time, the coming one from December on."""
        region = self.calendar.public.region
        if not region:
            return
        years = [self.today.year] + ([self.today.year + 1] if self.today.month == 12 else [])
        for year in years:
            if self.calendar.knows_year(year):
                continue
            package = self.calendar.public.source or region
            self.plan(await self.people(Role.ADMIN), f"calendar:unknown:{region}:{year}",
                      lambda lang, y=year: t(lang, "calendar.unknown_year_notice", year=y, package=package,
                                             region=t(lang, f"calendar.region.{region}")), self.now)


def _text(key: str, order: Order) -> Callable[[str], str]:
    return lambda language: notices.reminder_text(language, key, order)


PARTS: tuple[tuple[str, Callable[[Sweep], Awaitable[object]]], ...] = (
    ("release_held_orders", Sweep.release_held_orders),
    ("placement", Sweep.placement),
    ("last_calls", Sweep.last_calls),
    ("pickups", Sweep.pickups),
    ("calendar_coverage", Sweep.calendar_coverage),
)


async def sweep(app: App, now: datetime) -> SweepReport:
    """Derive and queue everything due at ``now``. Each rule runs in its own transaction, so one
    failing rule (logged) does not hold back the others; the next sweep tries it again."""
    from handlers.reminders import digests, escalation

    report = SweepReport()
    try:  # days off added through another instance take effect here too
        async with app.sessions() as session:
            await app.calendars.reload(session)  # type: ignore[union-attr]
    except Exception:
        log.exception("could not re-read the company days off at %s; using the ones in memory", now)
    for name, part in PARTS + escalation.PARTS + digests.PARTS:
        try:
            async with app.sessions() as session, session.begin():
                run = Sweep(app, session, now)
                result = await part(run)
                queued = await run.flush()
            report.queued += queued
            report.fines += run.fines
            if name == "release_held_orders":
                report.released += int(result or 0)
            report.parts[name] = queued
        except Exception:
            log.exception("sweep part %s failed at %s; it runs again next sweep", name, now)
    return report
