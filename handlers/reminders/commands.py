"""What people do with reminders and fines: 已通知跟单员, /remind, /outbox, /fine, /appeal."""

from __future__ import annotations

from domain.errors import DomainError
from domain.policy.calendar import calendar_for
from domain.policy.fines import FineAction, FineState, fine_transition
from domain.roles import Role
from domain.texts import t
from handlers.audit_trail import state_change
from handlers.context import Context
from handlers.fines import fine_target, propose_fine
from handlers.notify import notify_users, people
from handlers.orders import cards
from handlers.orders.common import record
from handlers.registry import button, command
from handlers.types import Button
from storage import fines as fine_store
from storage import orders as order_store
from storage import outbox
from storage.models import Fine, Order
from storage.users import users_with_role


@button("p", roles=frozenset({Role.SALES}))
async def told_clerk(ctx: Context, data: str) -> None:
    """p:<order id> — R6: the sales person has told the clerk to place the order today."""
    order = await order_store.order_by_id(ctx.session, int(data)) if data.isdigit() else None
    if order is None or ctx.user is None or order.sales_id != ctx.user.id:
        ctx.callback_answer = ctx.t("button.expired")
        return
    if order.sales_told_clerk_at is None:
        order.sales_told_clerk_at = ctx.now
        await record(ctx, order, "sales_told_clerk")
        clerks = [u for u in await people(ctx.session, Role.CLERK) if order.clerk_id in (None, u.id)]
        await notify_users(ctx.session, clerks, key=f"R6:told:{order.number}", now=ctx.now, entity=order.number,
                           text_for=lambda lang: t(lang, "sweep.sales_told", number=order.number,
                                                   sales=ctx.user.name if ctx.user else ""),
                           buttons_for=lambda lang: cards.clerk_buttons(lang, order))
    ctx.reply(ctx.t("sweep.told_ok", number=order.number), edit=True, entity=order.number)


@command("remind", roles=frozenset({Role.SALES, Role.CLERK, Role.STORE_MANAGER, Role.MANAGER}),
         help_key="help.remind")
async def remind(ctx: Context, args: str) -> None:
    """What is pending for me: my drafts, orders due today, pickups, fines to decide, queued reminders."""
    from sqlalchemy import select

    assert ctx.user is not None
    lang = ctx.language
    today = calendar_for(ctx.app.config.policy).local(ctx.now).date()
    lines = [ctx.t("remind.header")]
    query = select(Order).where(Order.state.in_(("draft", "submitted", "received", "confirmed", "placed",
                                                 "printed")))
    if ctx.user.role == Role.SALES:
        query = query.where(Order.sales_id == ctx.user.id)
    elif ctx.user.role == Role.STORE_MANAGER:
        query = query.where(Order.store_id == ctx.user.store_id)
    orders = (await ctx.session.execute(query.order_by(Order.order_date))).scalars().unique().all()
    for order in orders:
        label = order.number or ctx.t("remind.draft", customer=order.customer_name or "—")
        if order.state == "draft" and order.held_until is None:
            lines.append(ctx.t("remind.item_draft", label=label))
        elif order.state in ("submitted", "received", "confirmed") and order.order_date and order.order_date <= today:
            lines.append(ctx.t("remind.item_place", label=label, date=cards.fmt_date(lang, order.order_date)))
        elif order.state == "printed" and order.pickup_deadline:
            lines.append(ctx.t("remind.item_pickup", label=label, date=cards.fmt_date(lang, order.pickup_deadline)))
        elif order.state == "placed" and any(line.state == "backorder" for line in order.lines):
            lines.append(ctx.t("remind.item_backorder", label=label))
    if ctx.user.role == Role.MANAGER:
        waiting = await fine_store.fines(ctx.session, states=("proposed", "appealed"))
        if waiting:
            lines.append(ctx.t("remind.fines_waiting", count=len(waiting)))
    queued = await outbox.pending_for_chat(ctx.session, ctx.user.telegram_id)
    if queued:
        lines.append(ctx.t("remind.queued", count=len(queued)))
    if len(lines) == 1:
        lines.append(ctx.t("remind.nothing"))
    ctx.reply("\n".join(lines))


@command("outbox", roles=frozenset({Role.ADMIN}), help_key="help.outbox")
async def outbox_state(ctx: Context, args: str) -> None:
    counts = await outbox.summary(ctx.session)
    lines = [ctx.t("outbox.header", **{s: counts.get(s, 0) for s in ("pending", "sending", "sent", "failed",
                                                                     "unreachable")})]
    for row in await outbox.recent(ctx.session, ("failed", "unreachable")):
        lines.append(ctx.t("outbox.row", id=row.id, chat=row.chat_id, state=row.state, error=row.last_error or ""))
    ctx.reply("\n".join(lines))


@command("fine", roles=frozenset({Role.CLERK, Role.MANAGER}), help_key="help.fine")
async def fine_by_hand(ctx: Context, args: str) -> None:
    """/fine <姓名|@username|Telegram id|订单号|售后单号> <元> <rule> <reason> — e.g. /fine 张导购 30 R8 打错单."""
    parts = args.split(maxsplit=3)
    if len(parts) < 4 or not parts[1].isdigit() or not parts[2].upper().startswith("R"):
        ctx.say("fine.usage")
        return
    who, amount, rule, reason = parts[0], int(parts[1]), parts[2].upper(), parts[3]
    target = await fine_target(ctx.session, who, rule)
    if target.refusal is not None:
        ctx.say(target.refusal, **target.params)
        return
    for person in target.people:
        fine = await propose_fine(ctx.session, ctx.app, rule=rule, person=person, amount=amount, reason=reason,
                                  now=ctx.now, rule_key=f"manual:{ctx.evidence_id}:{person.id}", order=target.order,
                                  proposed_by=ctx.user, evidence=[ctx.evidence_id])
        assert fine is not None
        ctx.say("fine.proposed_for", number=fine.number, person=person.name, amount=amount, rule=rule)


@command("appeal", roles=frozenset({Role.SALES, Role.CLERK, Role.STORE_MANAGER}), help_key="help.appeal")
async def appeal(ctx: Context, args: str) -> None:
    """/appeal FK202612001 reason — within the appeal period (R16, 5 working days)."""
    assert ctx.user is not None
    parts = args.split(maxsplit=1)
    if len(parts) < 2:
        ctx.say("appeal.usage")
        return
    fine = await fine_store.fine_by_number(ctx.session, parts[0])
    if fine is None or fine.person_id != ctx.user.id:
        ctx.say("appeal.not_found", number=parts[0].upper())
        return
    today = calendar_for(ctx.app.config.policy).local(ctx.now).date()
    before = FineState(fine.state)
    after = fine_transition(before, FineAction.appeal, today=today, appeal_deadline=fine.appeal_deadline)
    fine.state, fine.appeal_reason, fine.appealed_at = after.value, parts[1][:500], ctx.now
    await state_change(ctx_session=ctx.session, app=ctx.app, now=ctx.now, entity=fine.number,
                       actor_id=ctx.user.telegram_id, event="fine.appealed", data={"reason": fine.appeal_reason},
                       evidence_id=ctx.evidence_id)
    managers = await users_with_role(ctx.session, Role.MANAGER)
    await notify_users(
        ctx.session, managers, key=f"fine:{fine.number}:appeal", now=ctx.now, entity=fine.number,
        text_for=lambda lang: t(lang, "appeal.to_manager", number=fine.number, person=ctx.user.name if ctx.user
                                else "", amount=fine.amount_yuan, rule=fine.rule, reason=fine.appeal_reason),
        buttons_for=lambda lang: ((Button(t(lang, "button.appeal_uphold"), f"a:{fine.id}:uphold"),
                                   Button(t(lang, "button.appeal_overturn"), f"a:{fine.id}:overturn")),))
    ctx.say("appeal.lodged", number=fine.number)


@button("a", roles=frozenset({Role.MANAGER}))
async def decide_appeal(ctx: Context, data: str) -> None:
    """a:<fine id>:uphold | overturn — the manager decides the appeal; the person is told."""
    fine_id, _, what = data.partition(":")
    fine = await ctx.session.get(Fine, int(fine_id)) if fine_id.isdigit() else None
    if fine is None or what not in ("uphold", "overturn"):
        ctx.callback_answer = ctx.t("button.expired")
        return
    try:
        after = fine_transition(FineState(fine.state), FineAction(what))
    except DomainError:
        ctx.callback_answer = ctx.t("button.expired")
        return
    fine.state, fine.decided_by, fine.decided_at = after.value, ctx.user.id if ctx.user else None, ctx.now
    await state_change(ctx_session=ctx.session, app=ctx.app, now=ctx.now, entity=fine.number,
                       actor_id=ctx.user.telegram_id if ctx.user else None, event=f"fine.{after.value}",
                       evidence_id=ctx.evidence_id)
    await notify_users(ctx.session, [fine.person], key=f"fine:{fine.number}:{after.value}", now=ctx.now,
                       entity=fine.number, text_key=f"appeal.decided.{after.value}", number=fine.number)
    ctx.reply(ctx.t(f"appeal.decided.{after.value}", number=fine.number), edit=True, entity=fine.number)
