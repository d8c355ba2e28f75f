"""销单: with a reason, and only after 确认销单 on a confirm card (a cancellation cannot be undone).
Before placing, the sales person's word then cancels; from placing on the factory has work in
hand, so the clerk must acknowledge (同意销单) or refuse."""

from __future__ import annotations

import json

from domain.orders.lifecycle import Action, OrderState, acknowledges_cancel, cancel_requires_ack, transition
from domain.roles import Role
from domain.texts import t
from handlers.context import Context
from handlers.questions import Question
from handlers.notify import people
from handlers.orders import cards
from handlers.records import record, tell_sales
from handlers.buttons import ChangeAnswer
from handlers.types import Button
from storage import orders as order_store
from storage.models import ChangeOrigin, ChangeState, Order, PendingChange


async def request_cancel(ctx: Context, order: Order, reason: str | None) -> None:
    state = OrderState(order.state)
    if state is OrderState.draft:
        await drop_draft(ctx, order)
        return
    if not reason:
        await order_store.await_input(ctx.session, ctx.person.id, kind=Question.cancel_reason.value, ref_id=order.id, field=None,
                                      now=ctx.now)
        ctx.say("ask.cancel_reason", number=order.number)
        return
    await order_store.clear_awaiting(ctx.session, ctx.person.id)
    transition(state, Action.cancel, acknowledged=True)  # still cancellable at all? say so before asking
    change = await order_store.add_pending_change(ctx.session, order=order, requested_by=ctx.person.id, now=ctx.now,
                                                  changes={"cancel_reason": reason[:300]}, origin=ChangeOrigin.CANCEL,
                                                  evidence_id=ctx.evidence_id)
    lang = ctx.language
    key = "cancel.confirm_ack" if cancel_requires_ack(state) and not acknowledges_cancel(ctx.person.role) \
        else "cancel.confirm"
    ctx.reply("\n".join([t(lang, key, number=order.number, reason=reason[:300],
                              state=cards.state_label(lang, order.state))] + cards.summary(lang, order)),
              entity=order.number, buttons=((Button(t(lang, "button.cancel_ok"), ChangeAnswer(change.id, "ok").pack()),
                                             Button(t(lang, "button.cancel_no"), ChangeAnswer(change.id, "no").pack())),))


async def answer_cancel(ctx: Context, order: Order, change: PendingChange, *, confirmed: bool) -> None:
    """The sender's answer on the cancel confirm card: 确认销单 carries it out, 不销单 keeps the order."""
    if not confirmed:
        change.state = ChangeState.DROPPED
        ctx.reply(ctx.t("cancel.kept", number=order.number), edit=True, entity=order.number)
        return
    change.state = ChangeState.APPLIED
    order.cancel_reason = str(json.loads(change.changes).get("cancel_reason") or "")[:300]
    state = OrderState(order.state)
    if cancel_requires_ack(state) and not acknowledges_cancel(ctx.person.role):
        transition(state, Action.cancel, acknowledged=True)  # still cancellable at all?
        order.cancel_requested_at = ctx.now
        await record(ctx, order, "cancel_requested", detail={"reason": order.cancel_reason})
        clerks = await people(ctx.session, Role.CLERK)
        await ctx.notify(clerks, f"order:{order.number}:cancelreq:{ctx.evidence_id}", entity=order.number,
                         live={"kind": "order.cancel_request"})
        ctx.reply(ctx.t("cancel.requested", number=order.number), edit=True, entity=order.number)
        return
    await _cancel(ctx, order)
    ctx.reply(ctx.t("cancel.done", number=order.number, reason=order.cancel_reason), edit=True, entity=order.number)


async def _cancel(ctx: Context, order: Order) -> None:
    before = OrderState(order.state)
    transition(before, Action.cancel, acknowledged=True)
    order.state, order.cancelled_at = OrderState.cancelled, ctx.now
    await record(ctx, order, "cancelled", from_state=before.value, to_state=order.state,
                 detail={"reason": order.cancel_reason})
    if ctx.person.role == Role.SALES:
        clerks = await people(ctx.session, Role.CLERK)
        await ctx.notify(clerks, f"order:{order.number}:cancelled", entity=order.number, text_key="clerk.cancelled",
                         number=order.number, reason=order.cancel_reason or "")


async def decide_cancel(ctx: Context, order: Order, *, accept: bool) -> None:
    """The clerk's answer to a cancellation request."""
    if order.cancel_requested_at is None or order.state == OrderState.cancelled.value:
        # Pressed twice, or by a second clerk: say where the order stands instead of a bare refusal.
        ctx.callback_answer = ctx.t("cancel.request_decided", number=order.number,
                                    state=cards.state_label(ctx.language, order.state))
        ctx.reply(ctx.callback_answer, entity=order.number)
        return
    if accept:
        await _cancel(ctx, order)
        key, text_key = "cancelled", "sales.cancel_accepted"
    else:
        order.cancel_requested_at = None
        await record(ctx, order, "cancel_refused", detail={"reason": order.cancel_reason})
        key, text_key = "cancelkept", "sales.cancel_refused"
    await tell_sales(ctx, order, f"order:{order.number}:{key}:{ctx.evidence_id}", text_key=text_key,
                     number=order.number, clerk=ctx.person.name)
    ctx.reply(ctx.t(f"{text_key}.clerk", number=order.number), edit=True, entity=order.number)


async def drop_draft(ctx: Context, order: Order) -> None:
    order.state, order.cancelled_at = OrderState.cancelled, ctx.now
    order.held_until = None
    await record(ctx, order, "draft_dropped", from_state=OrderState.draft.value, to_state=order.state)
    await order_store.clear_awaiting(ctx.session, ctx.person.id)
    ctx.reply(ctx.t("draft.dropped"), edit=ctx.incoming.kind == "callback", entity=f"draft:{order.id}")
