"""拿不准就问: a message naming an existing order whose kind is in doubt is asked about, not acted on.

"DD202612005 床头柜加一个 几时能送？" reads as a change and as a question; a full order record
that quotes the number of the same customer's existing order may be a change or a duplicate.
The sales person answers with a button (是，修改 / 不，新订单 / 只是询问); the original message,
kept in the audit log, is then handled as that kind.
"""

from __future__ import annotations

from domain.localtime import local_moment
from domain.parsing import ParsedMessage
from domain.roles import Role
from domain.texts import t
from handlers.context import Context
from handlers.orders import intake
from handlers.orders.changes import request_change
from handlers.orders.common import visible_order
from handlers.records import may_see
from handlers.orders.views import show_order
from handlers.buttons import KindChoice, KindWord
from handlers.types import Button
from storage import orders as order_store
from storage.models import Order

# The kinds the bot can tell apart only by asking; after-sales and cancels have their own cards.
CHOICES: tuple[KindWord, ...] = ("change", "order", "query")


def _same_customer(ctx: Context, order: Order, parsed: ParsedMessage) -> bool:
    return bool((parsed.customer_phone and parsed.customer_phone == order.customer_phone)
                or (parsed.customer_name and order.customer_name
                    and ctx.app.parser.simplify(order.customer_name) == parsed.customer_name))


async def ask_if_unsure(ctx: Context, parsed: ParsedMessage) -> bool:
    """Ask which kind the message is, when that is in doubt; True when the question was asked."""
    if ctx.person.role != Role.SALES.value or not parsed.order_ref or parsed.kind not in CHOICES:
        return False
    order = await visible_order(ctx, parsed.order_ref)
    if order is None:
        return False
    if parsed.kind_is_uncertain and set(parsed.kind_alternatives) & set(CHOICES):
        question = ctx.t("kind.ask", number=order.number)
    elif parsed.kind == "order" and _same_customer(ctx, order, parsed):
        question = ctx.t("kind.ask_duplicate", number=order.number, customer=order.customer_name or "")
    else:
        return False
    ctx.reply(question, buttons=(tuple(Button(ctx.t(f"kind.button.{choice}"), KindChoice(ctx.evidence_id, order.id, choice).pack())
                                       for choice in CHOICES),))
    return True


async def kind_button(ctx: Context, data: KindChoice) -> None:
    """Change, new order or question, about the sender's own message (its audit entry)."""
    choice = data.choice
    entry = (await order_store.audit_entries(ctx.session, [data.evidence_id])).get(data.evidence_id)
    order = await order_store.order_by_id(ctx.session, data.order_id) if entry is not None else None
    if (entry is None or order is None or entry.actor_id != ctx.person.telegram_id
            or not may_see(ctx.person, order) or entry.text is None or entry.telegram_time is None
            # already answered: a draft was made from it
            or (entry.chat_id is not None and entry.message_id is not None
                and await order_store.order_by_source_message(ctx.session, entry.chat_id, entry.message_id))):
        ctx.callback_answer = ctx.t("button.expired")
        return
    # The message's own time, in the business zone: 明天 counts from the day it was sent.
    parsed = ctx.app.parser.parse(entry.text, local_moment(entry.telegram_time, ctx.app.config.tz), expect=choice)
    ctx.reply(t(ctx.language, f"kind.chosen.{choice}", number=order.number or ""), edit=True)
    if choice == "change":
        await request_change(ctx, order, parsed)
    elif choice == "order":
        await intake.start_draft(ctx, parsed, source=entry)
    else:
        await show_order(ctx, order)
