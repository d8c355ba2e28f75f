"""Plain text from a registered person, routed by what it answers or what it is.

Order of precedence: a reply to the question the bot is waiting for (or to the card
of the case it is about); a reply to one of the bot's cards; the answer to the one
question the bot is waiting for (routed by the table in ``handlers.routes``, which the
dispatcher passes in); then what the parser says the message is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from domain.numbering import DocumentKind, DocumentNumber, bare_number
from domain.orders.lifecycle import FINISHED, OrderState
from domain.parsing import ParsedMessage
from domain.policy.change_request import request_from_edit, request_from_parse
from domain.roles import Role
from handlers.aftersales import intake as case_intake
from handlers.aftersales.views import case as case_command
from handlers.context import Context
from handlers.orders import ambiguity, intake
from handlers.orders.cancel import request_cancel
from handlers.orders.changes import change_draft, request_change
from handlers.orders.common import visible_order
from handlers.orders.lifecycle import record_backorder
from handlers.orders.views import order as order_command, show_order
from handlers.questions import Question
from handlers.records import may_see
from handlers.types import id_from
from storage import audit as audit_store
from storage import orders as order_store
from storage.models import AfterSalesCase, AwaitingInput, ChangeOrigin, Order, OrderLine

if TYPE_CHECKING:  # the routing table imports this module for its answers
    from handlers.routes import AnswerRoute


# How long a draft stays the one that change words without an order number are about.
DRAFT_IN_MIND = timedelta(days=1)

AnswerHandler = Callable[[Context, AwaitingInput, ParsedMessage], Awaitable[None]]


async def handle(ctx: Context, answers: Mapping[str, AnswerRoute]) -> None:
    """A message that is not a command: ``answers`` routes the answer to a question the bot asked."""
    incoming = ctx.incoming
    text = (incoming.text or "").strip()
    if incoming.kind == "edited_message":
        await on_edit(ctx)
        return
    if not text:
        # A photo with no caption: evidence for the case whose card it replies to.
        card = await _replied_card(ctx) if incoming.files and incoming.reply_to_message_id is not None else None
        if card is not None and card.startswith("SH") and await case_intake.reply_to_case(ctx, card):
            return
        ctx.say("text.empty")
        return
    parsed = ctx.app.parser.parse(text, ctx.sent_local)
    waiting = await order_store.awaiting(ctx.session, ctx.person.id)
    answer = answers.get(waiting.kind) if waiting is not None else None
    if answer is not None and Role(ctx.person.role) not in answer.roles:
        answer = None
    if incoming.reply_to_message_id is not None:
        card = await _replied_card(ctx)
        if waiting is not None and answer is not None and await _replies_about_question(ctx, waiting, card):
            await answer.handler(ctx, waiting, parsed)
            return
        if card is not None and await _reply_to_card(ctx, parsed, waiting, card):
            return
    if await case_intake.category_command(ctx, text):
        return
    if waiting is not None and answer is not None and not _is_new_request(parsed, text, waiting.kind):
        await answer.handler(ctx, waiting, parsed)
        return
    await _by_kind(ctx, parsed)


def _is_new_request(parsed: ParsedMessage, text: str, waiting_kind: str) -> bool:
    """A message that stands on its own, so it is not taken as the answer to a pending question:
    a full order, a request naming an order, a bare document number — and, while a draft waits
    for a field, an after-sales request (no field answer reads like one)."""
    if parsed.order_ref and parsed.kind in ("change", "cancel", "query", "aftersales"):
        return True
    if bare_number(text) is not None:
        return True
    if waiting_kind.startswith("draft_") and parsed.kind == "aftersales":
        return True
    return parsed.kind == "order" and len(parsed.missing_for_order()) <= 3


async def _by_kind(ctx: Context, parsed: ParsedMessage) -> None:
    # A bare document number is a look-up: nothing to ask about.
    if (number := bare_number(ctx.incoming.text or "")) is not None and await _show_number(ctx, number):
        return
    if await ambiguity.ask_if_unsure(ctx, parsed):
        return
    role = Role(ctx.person.role)
    kind = parsed.kind
    if kind == "aftersales":
        await case_intake.request_aftersales(ctx, parsed)
        return
    if kind in ("change", "cancel", "query") and parsed.order_ref:
        order = await visible_order(ctx, parsed.order_ref)
        if order is None:
            ctx.say("order.not_found", number=parsed.order_ref)
            return
        if kind == "query" or role is Role.STORE_MANAGER:
            await show_order(ctx, order)
        elif kind == "change":
            await request_change(ctx, order, parsed)
        else:
            await request_cancel(ctx, order, parsed.cancel_reason)
        return
    if kind in ("change", "unknown") and role is Role.SALES and await _change_latest_draft(ctx):
        return
    if kind in ("change", "cancel"):
        ctx.say(f"{kind}.which_order")
        return
    if kind == "query":
        await _search(ctx, parsed)
        return
    if kind == "order" or (kind == "unknown" and (parsed.items or parsed.customer_phone)):  # looks like one
        if role is Role.SALES:
            await intake.start_draft(ctx, parsed)
        else:
            ctx.say("order.sales_only")
        return
    ctx.say(f"help.footer.{role.value}")


async def _change_latest_draft(ctx: Context) -> bool:
    """改单 words with no order named, just after a draft card (数量改成2): that draft is meant —
    the sales person's newest of the last day; True when it took them."""
    draft = await order_store.latest_draft(ctx.session, ctx.person.id, since=ctx.now - DRAFT_IN_MIND)
    changed = change_draft(ctx, draft) if draft is not None else []
    if draft is None or not changed:
        return False
    await intake.draft_filled(ctx, draft, intake.filled_detail(draft, changed))
    return True


async def _show_number(ctx: Context, number: DocumentNumber) -> bool:
    """A message that is only ``DD202612005`` or ``SH202612001``: show that order or case."""
    show = {DocumentKind.order: order_command, DocumentKind.after_sales: case_command}.get(number.kind)
    if show is not None:
        await show(ctx, str(number))
    return show is not None


async def _search(ctx: Context, parsed: ParsedMessage) -> None:
    """"张三的床到了吗" / a phone number: find the asker's visible orders of that customer."""
    needle = parsed.customer_phone or parsed.as_typed("customer_name")
    if not needle:
        ctx.say("query.how")
        return
    needles = (needle,) if parsed.customer_phone else ctx.spellings(needle)
    found = [o for o in await order_store.orders_of_customer(ctx.session, needles)
             if may_see(ctx.person, o) and ctx.shows_store(o.store_id)]
    if len(found) == 1:
        await show_order(ctx, found[0])
    elif found:
        ctx.reply("\n".join([ctx.t("query.several", count=len(found))]
                            + [f"{o.number} · {o.customer_name} · {ctx.t('state.' + o.state)}" for o in found]))
    else:
        ctx.say("query.none", needle=needle)


async def _replies_about_question(ctx: Context, waiting: AwaitingInput, entity: str | None) -> bool:
    """Whether this reply is to a message about the case a pending question is about — the
    question itself (「…请回复原因」) or the case's card (``entity``): then it answers the question, not a step."""
    if not waiting.kind.startswith("case_") or entity is None or not entity.startswith("SH"):
        return False
    case = await ctx.session.get(AfterSalesCase, waiting.ref_id)
    return case is not None and case.number == entity


async def _reply_to_card(ctx: Context, parsed: ParsedMessage, waiting: AwaitingInput | None, entity: str) -> bool:
    """A reply to the bot card about ``entity``: fills a draft, or asks for a change / cancellation of that
    order. ``waiting``: the question the bot is waiting for this person to answer, if any."""
    if entity.startswith("draft:"):
        draft_id = id_from(entity.removeprefix("draft:"))
        order = await order_store.order_by_id(ctx.session, draft_id) if draft_id else None
        if order is None or order.sales_id != ctx.person.id:
            return False
        if order.state == OrderState.draft:
            field = waiting.field if waiting and waiting.ref_id == order.id and waiting.kind == "draft_field" else None
            if field:
                await intake.fill_field(ctx, order, field)
            else:
                await _edit_draft(ctx, order, parsed)
            return True
        # The confirm card of an order submitted since: a reply to it is about that order.
        if not order.number:
            return False
        entity = order.number
    if entity.startswith("SH"):
        return await case_intake.reply_to_case(ctx, entity)
    if entity.startswith("DD"):
        order = await visible_order(ctx, entity)
        if order is None:
            return False
        if parsed.kind not in ("change", "cancel", "query") and await _eta_asked_about(ctx, order, waiting):
            return False  # the answer to 「请回复预计到货日期」: the pending question takes it
        await _about_order(ctx, order, parsed)
        return True
    return False


async def _eta_asked_about(ctx: Context, order: Order, waiting: AwaitingInput | None) -> bool:
    """Whether ``waiting`` is the question for the ETA of a backorder line of ``order``."""
    if waiting is None or waiting.kind != Question.backorder_eta.value:
        return False
    line = await ctx.session.get(OrderLine, waiting.ref_id)
    return line is not None and line.order_id == order.id


async def _about_order(ctx: Context, order: Order, parsed: ParsedMessage) -> None:
    """A reply to any card of an order: the card says which order, so the text need not."""
    role = Role(ctx.person.role)
    if parsed.kind == "query" or role is Role.STORE_MANAGER:
        await show_order(ctx, order)
        return
    if parsed.kind == "cancel":
        await request_cancel(ctx, order, parsed.cancel_reason)
        return
    # Read as a change even without change words: "地址 海珠区江南大道5号" on the card is one.
    as_change = ctx.app.parser.parse(ctx.incoming.text or "", ctx.incoming.sent_at, expect="change")
    request = request_from_parse(as_change)
    if not request and role is not Role.SALES and parsed.kind != "change":
        await show_order(ctx, order)  # a clerk's remark on a card is not a change request
        return
    await request_change(ctx, order, as_change, request=request, by_reply=True)


async def _replied_card(ctx: Context) -> str | None:
    """What the bot card this message replies to was about (``draft:12``, DD…, SH…), if it is one."""
    assert ctx.incoming.reply_to_message_id is not None
    return await order_store.entity_of_bot_message(ctx.session, ctx.incoming.chat_id, ctx.incoming.reply_to_message_id)


async def _edit_draft(ctx: Context, order: Order, parsed: ParsedMessage) -> None:
    if await intake.correct_material(ctx, order):
        return
    if parsed.kind != "order":
        parsed = intake.parse_answer(ctx, None)
    changed = (change_draft(ctx, order, line_edits_only=True) or intake.apply_parsed(order, parsed)
               or change_draft(ctx, order))
    if not changed:
        ctx.say("ask.draft_edit_not_understood")
        return
    await intake.draft_filled(ctx, order, intake.filled_detail(order, changed))


async def on_edit(ctx: Context) -> None:
    """A Telegram edit: already a new version in the audit log; never rewrites an order silently."""
    assert ctx.incoming.message_id is not None
    order = await order_store.order_by_source_message(ctx.session, ctx.incoming.chat_id, ctx.incoming.message_id)
    if order is None or order.sales_id != ctx.person.id:
        return
    parsed = ctx.app.parser.parse(ctx.incoming.text or "", ctx.sent_local, expect="order")
    if order.state == OrderState.draft:
        intake.apply_parsed(order, parsed)
        await intake.draft_filled(ctx, order, {"from_edit": True}, note_key="draft.updated_from_edit")
        return
    if OrderState(order.state) in FINISHED:
        ctx.say("edit.order_finished", number=order.number)
        return
    # Diff against the message's previous version, not against the order: changes made
    # since (by text, or by an earlier edit) stay as they are.
    versions = await audit_store.message_versions(ctx.session, ctx.incoming.chat_id, ctx.incoming.message_id)
    previous = versions[-2].text if len(versions) >= 2 else None
    before = ctx.app.parser.parse(previous or "", ctx.incoming.sent_at, expect="order")
    await request_change(ctx, order, parsed, origin=ChangeOrigin.EDIT, request=request_from_edit(before, parsed))


async def _open_draft(ctx: Context, waiting: AwaitingInput, parsed: ParsedMessage) -> Order | None:
    """The draft a question was about — or, when it was submitted or dropped meanwhile, None
    after the question is forgotten and the message handled as what it is."""
    order = await order_store.order_by_id(ctx.session, waiting.ref_id)
    if order is not None and order.state == OrderState.draft:
        return order
    await order_store.clear_awaiting(ctx.session, ctx.person.id)
    await _by_kind(ctx, parsed)
    return None


async def draft_field(ctx: Context, waiting: AwaitingInput, parsed: ParsedMessage) -> None:
    """The value of the draft's missing field the bot asked for."""
    if (order := await _open_draft(ctx, waiting, parsed)) is not None and waiting.field is not None:
        await intake.fill_field(ctx, order, waiting.field)


async def draft_edit(ctx: Context, waiting: AwaitingInput, parsed: ParsedMessage) -> None:
    """The corrected fields after 修改 on the draft card."""
    if (order := await _open_draft(ctx, waiting, parsed)) is not None:
        await _edit_draft(ctx, order, parsed)


async def draft_material(ctx: Context, waiting: AwaitingInput, parsed: ParsedMessage) -> None:
    """After a complete card with an assumed material: 「板木」 corrects it; anything else is what it is."""
    order = await order_store.order_by_id(ctx.session, waiting.ref_id)
    if order is not None and order.state == OrderState.draft and await intake.correct_material(ctx, order):
        return
    await _by_kind(ctx, parsed)


async def cancel_reason(ctx: Context, waiting: AwaitingInput, parsed: ParsedMessage) -> None:
    """The reason for a cancellation (销单原因)."""
    order = await order_store.order_by_id(ctx.session, waiting.ref_id)
    if order is None:
        await order_store.clear_awaiting(ctx.session, ctx.person.id)
        return
    await request_cancel(ctx, order, (ctx.incoming.text or "").strip())


async def backorder_eta(ctx: Context, waiting: AwaitingInput, parsed: ParsedMessage) -> None:
    """The expected arrival date of a backorder line (欠货交期)."""
    line = await ctx.session.get(OrderLine, waiting.ref_id)
    if line is None:
        await order_store.clear_awaiting(ctx.session, ctx.person.id)
        return
    await record_backorder(ctx, line)
