"""跟单: the clerk moves an order along — 接单 → 已与客户确认 (R5) → 已下单 → 到货/欠货 → 单齐 → 已打单
→ 已提货 → 已送达 → 结单 — by the buttons on the order card. Impossible steps are refused with the reason."""

from __future__ import annotations

from domain.errors import DomainError
from domain.orders.lifecycle import Action, Line, LineState, OrderState, already_done, may, next_step, transition
from domain.policy.pickup import pickup_deadline
from domain.roles import Role
from domain.texts import t
from handlers.context import Context
from handlers.questions import Question
from handlers.fines import propose_rush_fine
from handlers.notify import people
from handlers.orders import cards, notices
from handlers.orders.cancel import decide_cancel
from handlers.orders.common import local_today, visible_order
from handlers.records import record, tell_sales
from handlers.buttons import LineArrival, OrderStep
from storage import orders as order_store
from storage.models import Order, OrderLine

CLERKS = frozenset({Role.CLERK, Role.MANAGER})
_STAMP = {
    OrderState.received: "received_at", OrderState.confirmed: "reconfirmed_at", OrderState.placed: "placed_at",
    OrderState.complete: "completed_at", OrderState.printed: "printed_at", OrderState.picked_up: "picked_up_at",
    OrderState.delivered: "delivered_at", OrderState.closed: "closed_at", OrderState.cancelled: "cancelled_at",
}
# Steps the sales person hears about: the ones that change what they tell the customer.
_TELL_SALES = {OrderState.placed, OrderState.complete, OrderState.printed, OrderState.delivered, OrderState.cancelled}


async def step(ctx: Context, order: Order, action: Action) -> None:
    if not may(ctx.person.role, action):
        raise DomainError("order.not_your_step", action=t(ctx.language, f"action.{action.value}"))
    before = OrderState(order.state)
    after = transition(before, action, lines=[LineState(line.state) for line in order.lines])
    order.state = after
    setattr(order, _STAMP[after], ctx.now)
    detail: dict[str, object] = {"action": action.value}
    if after is OrderState.received:
        order.clerk_id = ctx.person.id
    if after is OrderState.picked_up:
        # 成品仓提走: the goods now stand in the store's warehouse, so a change costs R8's higher rate.
        order.reached_store_warehouse = True
    if after is OrderState.printed:
        order.pickup_deadline = pickup_deadline(local_today(ctx), ctx.app.config.policy.pickup, ctx.app.calendar)
        detail["pickup_deadline"] = order.pickup_deadline.isoformat()
    await record(ctx, order, action.value, from_state=before.value, to_state=after.value, detail=detail)
    if after in _TELL_SALES:
        await tell_sales(ctx, order, f"order:{order.number}:{order.state}:{ctx.evidence_id}",
                         text_for=lambda language: _progress(language, order))


def _progress(language: str, order: Order) -> str:
    text = t(language, "sales.order_progress", number=order.number, state=cards.state_label(language, order.state))
    if order.state == OrderState.printed and order.pickup_deadline:
        text += "\n" + t(language, "order.pickup_deadline", date=cards.fmt_date(language, order.pickup_deadline))
    return text


async def show_clerk_card(ctx: Context, order: Order, *, edit: bool) -> None:
    ctx.reply(cards.clerk_card(ctx.language, order),
              buttons=await notices.clerk_buttons_now(ctx.session, ctx.language, order), entity=order.number, edit=edit)


async def order_button(ctx: Context, data: OrderStep) -> None:
    """A step on the clerk's card: a life-cycle action, the lines, the cancel answer, the rush fine."""
    what = data.what
    order = await order_store.order_by_id(ctx.session, data.order_id)
    if order is None:
        ctx.callback_answer = ctx.t("button.expired")
        return
    if what == "lines":
        ctx.reply(ctx.t("lines.header", number=order.number) + "\n" + "\n".join(
            f"{i}. {cards.line_text(ctx.language, line)} — {cards.line_status(ctx.language, line)}"
            for i, line in enumerate(order.lines, start=1)),
            buttons=cards.line_buttons(ctx.language, order), entity=order.number)
        return
    if what in ("ackcancel", "keep"):
        await decide_cancel(ctx, order, accept=what == "ackcancel")
        return
    if what == "rushfine":
        await propose_rush_fine(ctx, order)
        await show_clerk_card(ctx, order, edit=True)
        return
    try:
        action = Action(what)
    except ValueError:
        ctx.callback_answer = ctx.t("button.expired")
        return
    if not await _step_or_explain(ctx, order, action):
        return
    ctx.callback_answer = ctx.t("order.step_done", state=cards.state_label(ctx.language, order.state))
    await show_clerk_card(ctx, order, edit=True)


async def _step_or_explain(ctx: Context, order: Order, action: Action) -> bool:
    """Take the step, or say where the order stands and why the step cannot be taken now.

    A refused step has changed nothing (the refusal comes before any write), so the
    answer can name the current state and the next step instead of a bare "not now".
    """
    try:
        await step(ctx, order, action)
    except DomainError as error:
        if error.code == "order.not_your_step":
            raise
        state, lang = OrderState(order.state), ctx.language
        done = already_done(state, action)
        if done or error.code == "order.step_not_allowed":
            key = "step.already_done" if done else "step.not_yet"
            why = t(lang, key, action=t(lang, f"action.{action.value}"))
        else:
            why = t(lang, f"error.{error.code}", **error.params)
        following = next_step(state)
        if following not in (None, action) and not done:
            why += t(lang, "step.next", next=t(lang, f"action.{following.value}"))
        text = t(lang, "step.refused", number=order.number, state=cards.state_label(lang, order.state), why=why)
        ctx.reply(text, entity=order.number)
        ctx.callback_answer = text[:180]
        return False
    return True


async def line_button(ctx: Context, data: LineArrival) -> None:
    """到货/入库 (in), or 欠货 (bo: the ETA is asked next)."""
    line = await ctx.session.get(OrderLine, data.line_id)
    if line is None:
        ctx.callback_answer = ctx.t("button.expired")
        return
    order = await order_store.order_by_id(ctx.session, line.order_id)
    assert order is not None
    if order.state != OrderState.placed.value:
        raise DomainError("line.not_placed", state=cards.state_label(ctx.language, order.state))
    if data.what == "in":
        await record_arrival(ctx, order, line)
        return
    await order_store.await_input(ctx.session, ctx.person.id, kind=Question.backorder_eta.value, ref_id=line.id, field=None,
                                  now=ctx.now)
    ctx.reply(ctx.t("ask.backorder_eta", line=cards.line_text(ctx.language, line), number=order.number),
              entity=order.number)


async def record_arrival(ctx: Context, order: Order, line: OrderLine) -> None:
    Line(LineState(line.state), line.eta).record_arrival()
    line.state, line.eta, line.arrived_at = LineState.arrived, None, ctx.now
    await _line_news(ctx, order, line, "line_arrived")
    if all(line.state == LineState.arrived.value for line in order.lines):
        ctx.reply(ctx.t("lines.all_arrived", number=order.number),
                  buttons=cards.clerk_buttons(ctx.language, order), entity=order.number)
    else:
        ctx.reply(ctx.t("lines.recorded", line=cards.line_text(ctx.language, line),
                        status=cards.line_status(ctx.language, line)),
                  buttons=cards.line_buttons(ctx.language, order), entity=order.number)


async def record_backorder(ctx: Context, line: OrderLine) -> None:
    """The clerk's answer to "预计到货日期？": a date, or asked again."""
    order = await order_store.order_by_id(ctx.session, line.order_id)
    assert order is not None
    parsed = ctx.app.parser.parse(f"送货日期：{ctx.incoming.text or ''}", ctx.sent_local, expect="order")
    eta = parsed.delivery_date
    if eta is None:
        ctx.reply(ctx.t("ask.not_understood", field=ctx.t("field.eta")) + "\n"
                  + ctx.t("ask.backorder_eta", line=cards.line_text(ctx.language, line), number=order.number))
        return
    updated = Line(LineState(line.state), line.eta).record_backorder(eta)
    line.state, line.eta = updated.state, updated.eta
    await order_store.clear_awaiting(ctx.session, ctx.person.id)
    await _line_news(ctx, order, line, "line_backorder", eta=eta.isoformat())
    text = ctx.t("lines.recorded", line=cards.line_text(ctx.language, line),
                 status=cards.line_status(ctx.language, line))
    if not ctx.app.calendar.is_working_day(eta):
        # Goods are not received on a rest day: most likely a slip worth a second look.
        text += "\n" + ctx.t("check.eta_not_working_day", date=cards.fmt_date(ctx.language, eta))
    ctx.reply(text, buttons=cards.line_buttons(ctx.language, order), entity=order.number)


async def _line_news(ctx: Context, order: Order, line: OrderLine, event: str, **detail: object) -> None:
    """A line's arrival or backorder in the order's history — and R9: store managers (and, for a
    backorder, the sales person) get the newest stock news promptly."""
    await record(ctx, order, event, detail={"line": line.position, "product": line.product, **detail})

    def text(language: str) -> str:
        return t(language, f"store.{event}", number=order.number, line=cards.line_text(language, line),
                 customer=order.customer_name or "", eta=cards.fmt_date(language, line.eta))

    key = f"line:{line.id}:{line.state}:{ctx.evidence_id}"
    managers = await people(ctx.session, Role.STORE_MANAGER, store_id=order.store_id)
    await ctx.notify(managers, key, entity=order.number, text_for=text)
    if event == "line_backorder":
        await tell_sales(ctx, order, f"{key}:sales", text_for=text)


# What clerks type after /step: the Chinese word on the button, or the identifier.
STEP_WORDS = {
    "接单": Action.receive, "确认": Action.confirm_with_customer, "已与客户确认": Action.confirm_with_customer,
    "下单": Action.place, "已下单": Action.place, "单齐": Action.mark_complete, "打单": Action.print,
    "已打单": Action.print, "提货": Action.pick_up, "已提货": Action.pick_up, "送达": Action.deliver,
    "已送达": Action.deliver, "结单": Action.close,
}


async def step_command(ctx: Context, args: str) -> None:
    """/step DD202612005 打单 — the same steps as the card's buttons, typed."""
    parts = args.split()
    if len(parts) != 2:
        ctx.say("step.usage", words="、".join(STEP_WORDS))
        return
    order = await visible_order(ctx, parts[0])
    if order is None:
        ctx.say("order.not_found", number=parts[0].upper())
        return
    action = STEP_WORDS.get(parts[1]) or next((a for a in Action if a.value == parts[1]), None)
    if action is None:
        ctx.say("step.usage", words="、".join(STEP_WORDS))
        return
    if await _step_or_explain(ctx, order, action):
        await show_clerk_card(ctx, order, edit=False)
