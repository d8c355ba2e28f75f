"""R14: warn before an after-sales deadline, and after a breach climb the escalation chain.

The case owner (the chain's first role: the assignee, else every clerk) is
warned ``warn_before_working_hours`` ahead; at the breach the next role in
``[rules.after_sales] escalation_chain`` is told, and each further level when
nobody pressed 已处理 within ``escalation_ack_working_hours``. 稍后 (snooze)
also stops the climb but asks the one who pressed it again after the same time. Acknowledgements are
case events, so they are part of the case's history and survive restarts.
"""

from __future__ import annotations

from functools import partial
from collections.abc import Callable
from datetime import date, datetime, timezone

from domain.aftersales.sla import escalation_steps
from domain.roles import Role
from domain.texts import t
from handlers.aftersales import cards as case_cards, notices
from handlers.aftersales.common import case_for_button
from handlers.context import Context
from handlers.records import may_see
from handlers.orders import cards
from handlers.reminders.run import Sweep
from handlers.buttons import EscalationAnswer
from storage import aftersales as case_store
from storage import reminders as candidates
from storage.models import AfterSalesCase, User

HANDLERS = frozenset({Role.CLERK, Role.STORE_MANAGER, Role.MANAGER})


async def _acknowledged(run: Sweep, case: AfterSalesCase,
                        breach: datetime) -> tuple[bool, datetime | None, User | None]:
    """(acknowledged, snoozed-until, who snoozed) for this breach, from the case's history."""
    rows = await notices.answers(run.session, case, breach, ("escalation_ack", "escalation_snooze"))
    snoozes = [row for row in rows if row.event == "escalation_snooze"]
    hours = run.policy.after_sales.escalation_ack_working_hours
    snoozed = run.calendar.add_working_hours(snoozes[-1].at, hours) if snoozes else None
    return any(row.event == "escalation_ack" for row in rows), snoozed, snoozes[-1].actor if snoozes else None


async def sla(run: Sweep) -> None:
    tz = run.app.config.tz
    for case in await case_store.cases_due(run.session, run.now, column="warn_at"):
        due, warn_at = case.next_due_at, case.warn_at
        if due is None or warn_at is None or due <= run.now:
            continue  # past the deadline: the escalation below speaks instead of the warning
        run.plan(await run.held_by(case.assignee), f"R14:warn:{case.number}:{due.isoformat()}",
                 partial(notices.deadline_text, key="sla.warning", case=case, due=due, tz=tz), warn_at,
                 entity=case.number, live=notices.deadline_spec("sla.warning", due, buttons=False))
    for case in await case_store.cases_due(run.session, run.now, column="next_due_at"):
        breach = case.next_due_at
        if breach is None:
            continue  # not reached: the query only returns cases with a deadline passed
        acked, snoozed, snoozer = await _acknowledged(run, case, breach)
        if acked:
            continue
        key = f"{case.number}:{breach.isoformat()}"

        def chase(users: list[User], slot: str, text_key: str, at: datetime, *, urgent: bool) -> None:
            """A breach notice with 已处理 / 稍后 (it climbs until someone presses one)."""
            text_for = partial(notices.deadline_text, key=text_key, case=case, due=breach, tz=tz)
            run.plan(users, slot, text_for, at, entity=case.number, urgent=urgent,
                     buttons_for=partial(notices.ack_buttons, case=case, due=breach),
                     live=notices.deadline_spec(text_key, breach, buttons=True))

        if snoozed is not None:
            if snoozed <= run.now:
                # 稍后 promised the one who pressed it to be asked again.
                again = [snoozer] if snoozer is not None and snoozer.active else await run.held_by(case.assignee)
                chase(again, f"R14:escalate:{key}:snooze:{snoozed.isoformat()}", "sla.breached",
                      snoozed, urgent=True)
            continue
        # The owner hears that the deadline passed; the chain above hears level by level.
        chase(await run.held_by(case.assignee), f"R14:breach:{key}", "sla.breached", breach, urgent=False)
        for level, (role, due_at) in enumerate(escalation_steps(breach, run.policy.after_sales, run.calendar),
                                               start=1):
            if due_at > run.now:
                break
            chase(await _people_for(run, role, case), f"R14:escalate:{key}:{level}", "sla.escalated", due_at,
                  urgent=True)


async def _people_for(run: Sweep, role: str, case: AfterSalesCase) -> list[User]:
    """The users of a chain role; the store's manager (店长) for ``store_manager``."""
    try:
        wanted = Role(role)
    except ValueError:
        return await run.people(Role.MANAGER)  # an unknown title in config escalates to the managers
    if wanted is Role.STORE_MANAGER:
        return await run.people(wanted, case.store_id)
    if wanted is Role.CLERK:
        return await run.held_by(case.assignee)
    return await run.people(wanted)


async def acknowledge(ctx: Context, data: EscalationAnswer) -> None:
    """Acknowledging stops the climb; snoozing asks again later."""
    if (case := await case_for_button(ctx, data.case_id)) is None:
        return
    if ctx.user is None or not may_see(ctx.user, case) or not ctx.shows_store(case.store_id):
        # Another store's case is not theirs to settle: answered as one that does not exist.
        ctx.callback_answer = ctx.t("button.expired")
        return
    breach = datetime.fromtimestamp(data.breach, tz=timezone.utc)
    acked = await notices.acknowledgement(ctx.session, case, breach)
    # Someone dealt with it already: say who and when, or what state the case is in now.
    if acked is not None:
        text = ctx.t("sla.already_acked", number=case.number, who=acked.actor.name if acked.actor else "—",
                     at=case_cards.fmt_time(ctx.language, acked.at, ctx.app.config.tz))
    elif case.state in case_cards.SETTLED:
        text = ctx.t("sla.case_moved_on", number=case.number,
                     state=case_cards.state_label(ctx.language, case.state))
    else:
        event = "escalation_ack" if data.what == "ack" else "escalation_snooze"
        await case_store.add_event(ctx.session, case, at=ctx.now, actor_id=ctx.person.id,
                                   event=event, detail={"breach": breach.isoformat()},
                                   evidence_id=ctx.evidence_id)
        text = ctx.t(f"sla.{event}", number=case.number)
    ctx.callback_answer = text
    ctx.reply(text, edit=True, entity=case.number)


def _return_day_text(day: date) -> Callable[[str], str]:
    return lambda language: t(language, "sweep.return_day_notice", date=cards.fmt_date(language, day))


async def return_day_notices(run: Sweep) -> None:
    """R12: the notices stored when the return day was set, sent to all sales when due."""
    rows = await candidates.return_day_notices_due(run.session, run.now)
    for row in rows:
        if row.return_day < run.today:
            row.sent_at = run.now  # the day is over; a late notice would only confuse
            continue
        run.plan(await run.people(Role.SALES), f"R12:notice:{row.return_day.isoformat()}:{row.notice_date.isoformat()}",
                 _return_day_text(row.return_day), row.due_at)
        row.sent_at = run.now


PARTS = (
    ("sla", sla),
    ("return_day_notices", return_day_notices),
)
