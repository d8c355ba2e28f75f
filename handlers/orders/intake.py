"""下单: an order message becomes a draft with a confirm card; 确认 submits it.

Rules at intake: R2 (rush insertion outside 17:00–18:00), R3 (full payment or
guarantee only), R4 (order date = delivery date − lead time; short lead time),
R12 (on the return day the order is held and submitted the next working day).
"""

from __future__ import annotations

from datetime import datetime

from domain.parsing import ParsedMessage
from domain.policy.calendar import calendar_for
from domain.policy.intake import IntakeAssessment, assess_intake
from domain.roles import Role
from domain.numbering import format_order_number
from domain.texts import t
from handlers.context import Context
from handlers.notify import notify_users, people
from handlers.orders import cards, notices
from handlers.orders.common import record
from handlers.registry import button
from storage import orders as order_store
from storage.models import Order, OrderLine

ORDER_FIELDS = ("customer_name", "customer_phone", "address", "delivery_date", "payment")
REQUIRED = ("customer_name", "customer_phone", "items", "delivery_date", "address", "payment")


def assess(ctx: Context, order: Order, return_day=None) -> IntakeAssessment:  # type: ignore[no-untyped-def]
    return assess_intake(sent_at=order.sent_at, delivery_date=order.delivery_date,
                         materials=[line.material for line in order.lines], payment=order.payment,
                         return_day=return_day, policy=ctx.app.config.policy)


def missing_fields(order: Order) -> list[str]:
    present = {"items": order.lines, **{name: getattr(order, name) for name in ORDER_FIELDS}}
    return [name for name in REQUIRED if not present[name]]


def apply_parsed(order: Order, parsed: ParsedMessage, *, replace_items: bool = True) -> list[str]:
    """Copy what the parser found onto the draft; returns the names of the fields it set."""
    changed = []
    for name in ORDER_FIELDS:
        value = getattr(parsed, name)
        if value and getattr(order, name) != value:
            setattr(order, name, value)
            changed.append(name)
    if parsed.items and replace_items:
        order.lines = [OrderLine(position=i, product=item.product, material=item.material, quantity=item.quantity,
                                 unit=item.unit, spec=item.spec, state="pending")
                       for i, item in enumerate(parsed.items, start=1)]
        changed.append("items")
    if parsed.parser_version:
        order.parser_version = parsed.parser_version
    return changed


async def start_draft(ctx: Context, parsed: ParsedMessage) -> None:
    assert ctx.user is not None
    incoming = ctx.incoming
    order = Order(state="draft", sales_id=ctx.user.id, store_id=ctx.user.store_id, sent_at=incoming.sent_at,
                  created_at=ctx.now, source_chat_id=incoming.chat_id, source_message_id=incoming.message_id,
                  evidence_id=ctx.evidence_id, flags="", lines=[])
    apply_parsed(order, parsed)
    ctx.session.add(order)
    await ctx.session.flush()
    await record(ctx, order, "drafted", to_state="draft", detail={"parsed": parsed.to_contract(),
                                                                   "parser_version": parsed.parser_version})
    await show_draft(ctx, order)


async def show_draft(ctx: Context, order: Order, *, edit: bool = False, note_key: str | None = None) -> None:
    """The confirm card: every field, the order date, flags, and what is still missing or refused."""
    assert ctx.user is not None
    lang = ctx.language
    assessment = assess(ctx, order) if order.delivery_date or order.payment else None
    order.order_date = assessment.order_date if assessment else None
    flags = set(assessment.flags) if assessment else set()
    order.flags = ",".join(sorted(flags))
    missing = missing_fields(order)
    refusal = assessment.refusal if assessment else None

    lines = [t(lang, note_key)] if note_key else []
    lines.append(t(lang, "draft.header"))
    lines += cards.summary(lang, order)
    lines += cards.flag_lines(lang, flags)
    if refusal:
        lines.append(t(lang, f"refusal.{refusal}", payment=cards.field_value(lang, order, "payment")))
    if missing:
        lines.append(t(lang, "draft.missing", fields=t(lang, "punct.enum").join(t(lang, f"field.{m}") for m in missing)))
        lines.append(t(lang, f"ask.{missing[0]}"))
        await order_store.await_input(ctx.session, ctx.user.id, kind="draft_field", ref_id=order.id,
                                      field=missing[0], now=ctx.now)
    elif refusal:
        lines.append(t(lang, "ask.payment"))
        await order_store.await_input(ctx.session, ctx.user.id, kind="draft_field", ref_id=order.id,
                                      field="payment", now=ctx.now)
    else:
        lines.append(t(lang, "draft.ready"))
        await order_store.clear_awaiting(ctx.session, ctx.user.id)
    ctx.reply("\n".join(lines), buttons=cards.draft_buttons(lang, order, can_confirm=not missing and not refusal),
              entity=f"draft:{order.id}", edit=edit)


# The label an answer implicitly carries: "请回复客户电话" → the reply is read as "电话：<reply>".
ANSWER_LABELS = {"customer_name": "客户", "customer_phone": "电话", "address": "地址",
                 "delivery_date": "送货日期", "payment": "付款", "items": "产品"}


def parse_answer(ctx: Context, field: str | None) -> ParsedMessage:
    """Read a reply to one of the bot's questions as a fragment of an order."""
    text = ctx.incoming.text or ""
    parsed = ctx.app.parser.parse(text, ctx.incoming.sent_at, expect="order")
    if field and field in ANSWER_LABELS and not _has(parsed, field):
        parsed = ctx.app.parser.parse(f"{ANSWER_LABELS[field]}：{text}", ctx.incoming.sent_at, expect="order")
    return parsed


def _has(parsed: ParsedMessage, field: str) -> bool:
    return bool(parsed.items if field == "items" else getattr(parsed, field))


async def fill_field(ctx: Context, order: Order, field: str) -> None:
    """An answer to "请补充…": take the field from the parse, or the plain text where that is the field."""
    text = (ctx.incoming.text or "").strip()
    parsed = parse_answer(ctx, field)
    changed = apply_parsed(order, parsed, replace_items=bool(parsed.items))
    if field not in changed and field in ("customer_name", "address") and text and len(text) <= 120:
        # A bare "王小明" or "天河路1号" has no label to recognise it by: the question was the label.
        setattr(order, field, text)
        changed.append(field)
    if field == "payment" and "payment" not in changed and parsed.payment is None:
        ctx.say("ask.payment_again")
        return
    if not changed:
        ctx.reply(t(ctx.language, "ask.not_understood", field=t(ctx.language, f"field.{field}")) + "\n"
                  + t(ctx.language, f"ask.{field}"))
        return
    await record(ctx, order, "draft_filled", detail={"fields": changed})
    await show_draft(ctx, order, note_key="draft.updated")


async def confirm(ctx: Context, order: Order) -> None:
    """确认: number the order and hand it to the clerks — or hold it on the return day (R12)."""
    lang = ctx.language
    if order.state != "draft":
        ctx.callback_answer = t(lang, "draft.already_submitted", number=order.number or "")
        return
    if order.held_until is not None:
        ctx.callback_answer = t(lang, "draft.held", date=cards.fmt_date(lang, order.held_until))
        return
    if missing_fields(order) or (assess(ctx, order).refusal is not None):
        await show_draft(ctx, order, edit=True)
        ctx.callback_answer = t(lang, "draft.not_ready")
        return
    calendar = calendar_for(ctx.app.config.policy)
    today = calendar.local(ctx.now).date()
    return_day = await order_store.return_day_of_month(ctx.session, f"{today.year:04d}-{today.month:02d}")
    if return_day == today:
        order.held_until = calendar.next_working_day(today)
        await record(ctx, order, "held_for_return_day", detail={"until": order.held_until.isoformat()})
        await order_store.clear_awaiting(ctx.session, ctx.user.id)  # type: ignore[union-attr]
        ctx.reply("\n".join([t(lang, "draft.return_day", date=cards.fmt_date(lang, order.held_until))]
                            + cards.summary(lang, order)), entity=f"draft:{order.id}", edit=True)
        return
    await submit(ctx, order, ctx.now)
    await order_store.clear_awaiting(ctx.session, ctx.user.id)  # type: ignore[union-attr]
    lines = [t(lang, "draft.submitted", number=order.number)] + cards.summary(lang, order)
    lines += cards.flag_lines(lang, order.flag_set)
    ctx.reply("\n".join(lines), entity=order.number, edit=True)


async def submit(ctx: Context, order: Order, now: datetime) -> None:
    """Give the order its number (DD+YYYYMM+seq, unique under concurrency) and tell the clerks."""
    calendar = calendar_for(ctx.app.config.policy)
    local = calendar.local(now)
    seq = await order_store.next_document_seq(ctx.session, "DD", f"{local.year:04d}{local.month:02d}")
    order.number = format_order_number(local.year, local.month, seq)
    order.state = "submitted"
    order.submitted_at = now
    order.held_until = None
    await record(ctx, order, "submitted", from_state="draft", to_state="submitted",
                 detail={"number": order.number, "flags": sorted(order.flag_set),
                         "order_date": order.order_date.isoformat() if order.order_date else None})
    clerks = await people(ctx.session, Role.CLERK)
    await notify_users(ctx.session, clerks, key=f"order:{order.number}:new", now=now, entity=order.number,
                       app=ctx.app, live=notices.card_spec("clerk.new_order"))


@button("d", roles=frozenset({Role.SALES}))
async def draft_button(ctx: Context, data: str) -> None:
    """d:<draft id>:ok (确认) | edit (修改) | drop (取消) — only on one's own draft."""
    from handlers.orders.cancel import drop_draft

    order_id, _, what = data.partition(":")
    order = await order_store.order_by_id(ctx.session, int(order_id)) if order_id.isdigit() else None
    if order is None or ctx.user is None or order.sales_id != ctx.user.id:
        ctx.callback_answer = ctx.t("button.expired")
        return
    if what == "ok":
        await confirm(ctx, order)
    elif order.state != "draft":
        ctx.callback_answer = t(ctx.language, "draft.already_submitted", number=order.number or "")
    elif what == "edit":
        await order_store.await_input(ctx.session, ctx.user.id, kind="draft_edit", ref_id=order.id, field=None,
                                      now=ctx.now)
        ctx.say("ask.draft_edit")
    elif what == "drop":
        await drop_draft(ctx, order)
