"""How an order looks in chat: the sales person's confirm card and the clerk's card."""

from __future__ import annotations

from datetime import date

from domain.orders.lifecycle import Action, LineState, OrderState, allowed_actions
from domain.parsing.model import ORDER_REQUIRED
from domain.policy.intake import Material
from domain.policy.intake_checks import Finding, assumed_material, unknown_material_lines
from domain.policy.settings import LeadTimeRules
from domain.texts import product_word, spec_words, t, unit_word
from handlers.buttons import DraftAnswer, LineArrival, OrderStep
from handlers.types import Button
from storage.models import Order, OrderLine

# Lines listed on a card; a pasted order of hundreds of lines would not fit a Telegram message.
SHOWN_LINES = 20
# The clerk's forward steps, in life-cycle order, as buttons.
STEP_ACTIONS = (Action.receive, Action.confirm_with_customer, Action.place, Action.mark_complete, Action.print,
                Action.pick_up, Action.deliver, Action.close)


def fmt_date(language: str, day: date | None) -> str:
    if day is None:
        return t(language, "order.value_missing")
    weekday = t(language, f"weekday.{day.weekday()}")
    return t(language, "date.format", year=day.year, month=day.month, day=day.day, weekday=weekday)


def line_text(language: str, line: OrderLine) -> str:
    return item_text(language, line.material, line.product, line.spec, line.quantity, line.unit)


def item_text(language: str, material: str | None, product: str, spec: str | None, quantity: int,
              unit: str | None) -> str:
    """实木床 1.8米 ×1张 / 實木床 1.8米 ×1張 / solid wood bed 1.8m ×1 — the product words in the reader's
    language (the customer's name and address are shown as typed)."""
    material_word = t(language, f"material.{material}") if material else ""
    spec_text = f" {spec_words(language, spec)}" if spec else ""
    return f"{material_word}{product_word(language, product)}{spec_text} ×{quantity}{unit_word(language, unit)}"


def line_status(language: str, line: OrderLine) -> str:
    if line.state == LineState.backorder:
        return t(language, "line.backorder", eta=fmt_date(language, line.eta))
    return t(language, f"line.{line.state}")


def value_text(language: str, name: str, value: object) -> str:
    """One field's value as the cards show it (the confirm card, a change's diff)."""
    if not value:
        return t(language, "order.value_missing")
    if name == "delivery_date" and isinstance(value, date):
        return fmt_date(language, value)
    return t(language, f"payment.{value}") if name == "payment" else str(value)


# The mark of a value the parser guessed (see ParsedMessage.uncertain_fields) on the confirm card.
UNCERTAIN_MARK = " ?"


def summary(language: str, order: Order, *, with_lines_status: bool = False,
            uncertain: frozenset[str] | set[str] = frozenset()) -> list[str]:
    colon = t(language, "punct.colon")
    lines = []
    for name in ORDER_REQUIRED:  # the card lists the required fields, in their order
        mark = UNCERTAIN_MARK if name in uncertain else ""
        if name != "items":
            value = value_text(language, name, getattr(order, name))
            lines.append(f"{t(language, f'field.{name}')}{colon}{value}{mark}")
            continue
        # The goods: a heading, then one numbered line each (the first SHOWN_LINES of them).
        lines.append(f"{t(language, 'field.items')}{colon}".rstrip() + mark.strip()
                     + ("" if order.lines else t(language, "order.value_missing")))
        for index, line in enumerate(order.lines[:SHOWN_LINES], start=1):
            status = f"  [{line_status(language, line)}]" if with_lines_status else ""
            unknown = t(language, "line.material_unknown") if not line.material else ""
            lines.append(f"  {index}. {line_text(language, line)}{unknown}{status}")
        if len(order.lines) > SHOWN_LINES:
            lines.append(t(language, "draft.more_lines", count=len(order.lines) - SHOWN_LINES))
    if order.order_date:
        lines.append(t(language, "order.order_date", date=fmt_date(language, order.order_date)))
    return lines


def flag_lines(language: str, flags: frozenset[str] | set[str]) -> list[str]:
    return [t(language, f"flag.{flag}") for flag in sorted(flags)]


def state_label(language: str, state: str) -> str:
    return t(language, f"state.{state}")


def unknown_material_clerk_text(language: str, order: Order) -> list[str]:
    """The clerk's card: which lines' material was not written (the sender is asked to correct it)."""
    unknown = unknown_material_lines(order.lines)
    if not unknown:
        return []
    return [t(language, "check.unknown_material_clerk", lines=t(language, "punct.enum").join(map(str, unknown)))]


def unknown_material_lines_text(language: str, order: Order, lead: LeadTimeRules) -> list[str]:
    """Which lines' material was assumed for the lead time, and how the sender corrects it."""
    unknown = unknown_material_lines(order.lines)
    if not unknown:
        return []
    numbers = t(language, "punct.enum").join(map(str, unknown))
    days = lead.unknown_material_days
    assumed = assumed_material(lead)
    if assumed is None:
        return [t(language, "check.unknown_material_no_guess", lines=numbers, days=days)]
    other = Material.panel if assumed is Material.solid else Material.solid
    # Material names are also prefixes ("panel bed"): strip the joining space to quote them.
    assumed_name = t(language, f"material.{assumed.value}").strip()
    other_name = t(language, f"material.{other.value}").strip()
    text = t(language, "check.unknown_material", lines=numbers, days=days, material=assumed_name, other=other_name)
    if len(unknown) > 1:
        text += t(language, "check.unknown_material_per_line", example=unknown[-1], other=other_name)
    return [text]


def finding_text(language: str, order: Order, finding: Finding, **extra: object) -> str:
    """One intake check (domain.policy.intake_checks.Finding) as a warning line on the card."""
    line = order.lines[finding.line - 1] if finding.line else None
    return t(language, f"check.{finding.code}", line=finding.line or "", count=finding.count, limit=finding.limit,
             text=line_text(language, line) if line is not None else "",
             date=fmt_date(language, finding.day), placement=fmt_date(language, finding.other_day), **extra)


def draft_buttons(language: str, order: Order, *, can_confirm: bool, check_first: bool = False
                  ) -> tuple[tuple[Button, ...], ...]:
    """确认 | 修改 | 取消 — 「仍然提交」 instead of 确认 when the card asks the sender to check something."""
    row = [Button(t(language, "button.edit"), DraftAnswer(order.id, "edit").pack()),
           Button(t(language, "button.drop"), DraftAnswer(order.id, "drop").pack())]
    if can_confirm:
        confirm = DraftAnswer(order.id, "force" if check_first else "ok")
        row.insert(0, Button(t(language, "button.force_confirm" if check_first else "button.confirm"), confirm.pack()))
    return (tuple(row),)


def _step(language: str, order: Order, label: str, what: str) -> Button:
    return Button(t(language, label), OrderStep(order.id, what).pack())


def cancel_answer_buttons(language: str, order: Order) -> tuple[Button, ...]:
    """The clerk's 同意销单 | 不同意 to a cancellation request."""
    return (_step(language, order, "button.ack_cancel", "ackcancel"),
            _step(language, order, "button.refuse_cancel", "keep"))


def clerk_buttons(language: str, order: Order, *, rush_fine_proposed: bool = False) -> tuple[tuple[Button, ...], ...]:
    state = OrderState(order.state)
    allowed = allowed_actions(state)
    rows = [tuple(_step(language, order, f"action.{a.value}", a.value) for a in STEP_ACTIONS if a in allowed)]
    if state is OrderState.placed:
        rows.append((_step(language, order, "button.lines", "lines"),))
    if order.cancel_requested_at is not None and state is not OrderState.cancelled:
        rows.append(cancel_answer_buttons(language, order))
    if "rush_insertion" in order.flag_set and not rush_fine_proposed and state is not OrderState.cancelled:
        rows.append((_step(language, order, "button.rush_fine", "rushfine"),))
    return tuple(row for row in rows if row)


def clerk_card(language: str, order: Order, *, headline_key: str = "clerk.card") -> str:
    lines = [t(language, headline_key, number=order.number or "—", store=order.store.name if order.store else "—",
               sales=order.sales.name if order.sales else "—", state=state_label(language, order.state))]
    lines += summary(language, order, with_lines_status=order.state == OrderState.placed)
    lines += flag_lines(language, order.flag_set)
    lines += unknown_material_clerk_text(language, order)
    if order.cancel_requested_at is not None and order.state != OrderState.cancelled:
        lines.append(t(language, "cancel.requested_line", reason=order.cancel_reason or "—"))
    return "\n".join(lines)


def line_buttons(language: str, order: Order) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(t(language, "button.line_arrived", n=index), LineArrival(line.id, "in").pack()),
                  Button(t(language, "button.line_backorder", n=index), LineArrival(line.id, "bo").pack()))
                 for index, line in enumerate(order.lines, start=1) if line.state != LineState.arrived)
