"""售后登记: a sales person's message (with photos) becomes a case — in the R11 window.

``售后 DD202612005 衣柜门板开裂，客户要求换货``: the order is found by its number, or by
the customer's phone or name (a pick-list when several match); the category (R13)
is read from the text and can be corrected by button. Outside 15:00–17:00 the
request is refused with what to do (``reject``, the rule book's) or opened at the
next window start (``queue``); the message is in the audit log either way.
"""

from __future__ import annotations

import re

from domain.aftersales import CaseState, Category, Severity, aftersales_open, category_named, next_window_start
from domain.numbering import format_case_number
from domain.parsing import ParsedMessage
from domain.roles import Role
from domain.texts import t
from handlers.aftersales import cards, notices
from handlers.aftersales.common import DESK, case_for_button, keep_files, refresh_sla, visible_case
from handlers.aftersales.desk import change_category, pick_category, satisfaction, show_card
from handlers.context import Context
from handlers.notify import people
from handlers.orders.common import visible_order
from handlers.records import may_see, record
from handlers.buttons import SalesCaseAction
from handlers.types import Button, id_from
from storage import aftersales as case_store
from storage import orders as order_store
from storage.models import AfterSalesCase, Order

_WHOLE_ORDER = re.compile(r"整单|全单|整张单|整套退|全部退")
_CATEGORY_COMMAND = re.compile(
    r"^\s*(?:改类别|改類別|改类|改類|类别改为|类别改成|類別改為|類別改成)\s*(?:为|為|成|:|：)?\s*(SH\d{9,})?\s*[:：]?\s*(.*)$", re.I)
_LEAD_WORD = re.compile(r"^\s*(售后|售後|after[- ]?sales?)\s*[:：,，]?\s*", re.I)
PICK_LIMIT = 8


async def request_aftersales(ctx: Context, parsed: ParsedMessage) -> None:
    """A message the parser reads as an after-sales request (text, or a photo's caption)."""
    if Role(ctx.person.role) is not Role.SALES:
        ctx.say("aftersales.sales_only")
        return
    rules, calendar = ctx.app.config.policy.after_sales, ctx.app.calendar
    sent_at = ctx.incoming.sent_at
    queued = not aftersales_open(sent_at, rules, calendar)
    if queued and rules.outside_window != "queue":
        # R11: not accepted — but said clearly, and the message (and its photos) kept as evidence.
        window = f"{rules.window_start:%H:%M}–{rules.window_end:%H:%M}"
        await keep_files(ctx, ctx.incoming.files, None)
        await ctx.audit("aftersales", "case.refused_outside_window",
                        {"sent_at": sent_at.isoformat(), "window": window})
        opens = next_window_start(sent_at, rules, calendar)
        ctx.say("aftersales.outside_window", window=window,
                next=cards.fmt_time(ctx.language, opens, ctx.app.config.tz))
        return

    order, candidates = await _find_order(ctx, parsed)
    if order is None and not candidates:
        if parsed.order_ref:
            ctx.say("aftersales.order_not_found", number=parsed.order_ref)
        elif needle := parsed.customer_phone or parsed.as_typed("customer_name"):
            ctx.say("aftersales.no_match", needle=needle)
        else:
            ctx.say("aftersales.which_order")
        return

    opened_at = next_window_start(sent_at, rules, calendar) if queued else sent_at
    local = calendar.local(sent_at)
    seq = await order_store.next_document_seq(ctx.session, "SH", f"{local.year:04d}{local.month:02d}")
    text = (ctx.incoming.text or "").strip()
    case = AfterSalesCase(
        number=format_case_number(local.year, local.month, seq), state=CaseState.open,
        order_id=order.id if order else None, store_id=(order.store_id if order else ctx.person.store_id),
        sales_id=ctx.person.id, category=(parsed.aftersales_category or Category.other.value),
        severity=Severity.medium.value, description=_description(text, parsed.order_ref),
        whole_order=bool(_WHOLE_ORDER.search(text)),
        customer_hint=None if order else (parsed.customer_phone or parsed.as_typed("customer_name")),
        source_chat_id=ctx.incoming.chat_id, source_message_id=ctx.incoming.message_id,
        evidence_id=ctx.evidence_id, sent_at=sent_at, created_at=ctx.now, queued=queued, opened_at=opened_at,
        sla_started_at=opened_at, reopen_count=0)
    ctx.session.add(case)
    await ctx.session.flush()
    await ctx.session.refresh(case)
    await refresh_sla(ctx, case)
    await record(ctx, case, "opened", to_state=case.state, detail={
        "order": order.number if order else None, "category": case.category, "whole_order": case.whole_order,
        "queued": queued, "opened_at": opened_at.isoformat(), "parsed": parsed.to_contract(),
        "order_state": order.state if order else None})
    await keep_files(ctx, ctx.incoming.files, case)
    await show_card(ctx, case, desk=False, headline_key="case.opened_queued" if queued else "case.opened")
    if candidates:
        ctx.reply(ctx.t("aftersales.pick_order", count=len(candidates)),
                  buttons=tuple((Button(f"{o.number} · {o.customer_name or '—'}", SalesCaseAction(case.id, "order", str(o.id)).pack()),)
                                for o in candidates[:PICK_LIMIT]), entity=case.number)
    if order is not None:
        await tell_desk(ctx, case)


async def _find_order(ctx: Context, parsed: ParsedMessage) -> tuple[Order | None, list[Order]]:
    """The order by number (if the sender may see it), else by customer phone or name."""
    if parsed.order_ref:
        return await visible_order(ctx, parsed.order_ref), []
    names = ctx.spellings(name) if (name := parsed.as_typed("customer_name")) else ()
    rows = await case_store.orders_matching(ctx.session, phone=parsed.customer_phone, names=names)
    found = [o for o in rows if may_see(ctx.person, o)]
    return (found[0], []) if len(found) == 1 else (None, found)


def _description(text: str, order_ref: str | None) -> str:
    body = _LEAD_WORD.sub("", text, count=1)
    if order_ref:
        body = re.sub(re.escape(order_ref), "", body, count=1, flags=re.I)
    return body.strip(" ，,：:") or text


async def link_order(ctx: Context, case: AfterSalesCase, order: Order) -> None:
    """From the pick-list: the case belongs to this order; now the desk hears of it."""
    had_order = case.order_id is not None
    case.order_id, case.store_id, case.customer_hint = order.id, order.store_id, None
    await ctx.session.flush()
    await ctx.session.refresh(case)
    await record(ctx, case, "order_linked", detail={"order": order.number})
    await show_card(ctx, case, desk=False, edit=True)
    if not had_order:
        await tell_desk(ctx, case)


async def tell_desk(ctx: Context, case: AfterSalesCase) -> None:
    """The clerks get the case card; a queued case reaches them when the window opens."""
    clerks = await people(ctx.session, Role.CLERK)
    await ctx.notify(clerks, f"case:{case.number}:new", entity=case.number, live=notices.card_spec("case.new_for_desk"),
                     not_before=case.opened_at if case.queued else None)


async def reply_to_case(ctx: Context, number: str) -> bool:
    """A reply to a case card: photos are attached as evidence; text is a note (sales) or a step (desk)."""
    case = await visible_case(ctx, number)
    if case is None:
        return False
    incoming = ctx.incoming
    if incoming.files:
        photos = await keep_files(ctx, incoming.files, case)
        total = len(await case_store.photos(ctx.session, case.id))
        ctx.say("case.photos_added", number=case.number, added=len(photos), total=total)
        if incoming.text:
            await record(ctx, case, "note", detail={"text": incoming.text.strip()})
        return True
    text = (incoming.text or "").strip()
    if not text:
        return False
    if await category_command(ctx, text, case=case):
        return True

    event = "step" if Role(ctx.person.role) in DESK else "note"
    await record(ctx, case, event, detail={"text": text})
    ctx.say(f"case.{event}_recorded", number=case.number)
    if event == "note" and case.assignee is not None and case.assignee.id != ctx.person.id:
        await ctx.notify([case.assignee], f"case:{case.number}:note:{ctx.evidence_id}", entity=case.number,
                         text_for=lambda language: t(language, "case.note_for_desk", number=case.number,
                                                     who=ctx.person.name, text=text))
    return True


async def category_command(ctx: Context, text: str, *, case: AfterSalesCase | None = None) -> bool:
    """「改类别 尺寸」, 「改类别 SH202612001 登记错误」 typed, or 「尺寸」 / 「改类别 尺寸」 as a reply to the
    case card (``case``): the R13 category changes instead of the words being kept as a note.

    Typed without a number it means the sender's latest open case. False when the text is not
    about the category, so the caller reads it otherwise.
    """
    match = _CATEGORY_COMMAND.match(text)
    if match is None and (case is None or category_named(text) is None):
        return False
    number, word = match.groups() if match else (None, text)
    role = Role(ctx.person.role)
    if number:
        case = await visible_case(ctx, number)
        if case is None:
            ctx.say("case.not_found", number=number.upper())
            return True
    elif case is None:
        case = await case_store.latest_open_case(ctx.session, ctx.person.id) if role is Role.SALES else None
        if case is None:
            ctx.say("case.category_which")
            return True
    category = category_named(word)
    if category is None:
        ctx.say("case.category_usage")
        return True
    if role not in DESK and case.sales_id != ctx.person.id:
        ctx.say("error.not_allowed")
        return True
    await change_category(ctx, case, category)
    note = ctx.t("case.category_set", category=ctx.t(f"case.category.{category.value}"))
    await show_card(ctx, case, desk=role in DESK, note=note)
    return True


async def sales_button(ctx: Context, data: SalesCaseAction) -> None:
    """The category, the order the case is about, or the customer's score — only on one's own case."""
    what, arg = data.what, data.arg
    case = await case_for_button(ctx, data.case_id)
    if case is None:
        return
    if case.sales_id != ctx.person.id:
        ctx.callback_answer = ctx.t("button.expired")
        return
    if what == "cat":
        if await pick_category(ctx, case, arg, card=SalesCaseAction):
            await show_card(ctx, case, desk=False, edit=True)
    elif what == "order" and (order_id := id_from(arg)):
        order = await order_store.order_by_id(ctx.session, order_id)
        if order is None or not may_see(ctx.person, order):
            ctx.callback_answer = ctx.t("button.expired")
            return
        await link_order(ctx, case, order)
    elif what == "score" and arg.isascii() and arg.lstrip("-").isdigit() and len(arg) < 6:
        await satisfaction(ctx, case, int(arg))
    else:
        ctx.callback_answer = ctx.t("button.expired")
