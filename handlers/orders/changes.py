"""改单: a change is shown as a field-by-field diff (old → new) and applied only on 确认.

After printing, a change proposes the R8 fine (per piece; more once the goods
reached the store warehouse). A Telegram edit of an order message is kept as a
new version in the audit log and offered as a change — never applied silently.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from domain.orders.lifecycle import Action, OrderState, transition
from domain.parsing import ParsedMessage
from domain.policy.changes import change_fine, diff_fields
from domain.roles import Role
from domain.texts import t
from handlers.context import Context
from handlers.fines import propose_fine
from handlers.notify import notify_users, people
from handlers.orders import cards
from handlers.orders.common import record
from handlers.registry import button
from handlers.types import Button, id_from
from storage import orders as order_store
from storage.models import Order, PendingChange
from storage.users import user_by_id

SCALAR = ("customer_name", "customer_phone", "address", "delivery_date", "payment")


def current_values(order: Order) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(order, name) for name in SCALAR}
    values["items"] = [_line_dict(line) for line in order.lines]
    return values


def _line_dict(line: Any) -> dict[str, Any]:
    return {"product": line.product, "material": line.material, "quantity": line.quantity, "unit": line.unit,
            "spec": line.spec}


def wanted_values(order: Order, parsed: ParsedMessage) -> dict[str, Any]:
    """The order as the message wants it: parsed fields and change hints laid over the current values."""
    wanted = current_values(order)
    for name in SCALAR:
        value = parsed.change_fields.get(name) if parsed.change_fields else None
        value = value if value is not None else getattr(parsed, name)
        if value:
            wanted[name] = value
    quantity = parsed.change_fields.get("quantity") if parsed.change_fields else None
    items = [dict(item) for item in wanted["items"]]
    if parsed.items:
        for parsed_item in parsed.items:
            match = [i for i in items if parsed_item.product and (parsed_item.product in i["product"]
                                                                  or i["product"] in parsed_item.product)]
            if match:
                match[0]["quantity"] = parsed_item.quantity if quantity is None else int(quantity)
                if parsed_item.spec:
                    match[0]["spec"] = parsed_item.spec
                if parsed_item.material:
                    match[0]["material"] = parsed_item.material
            elif parsed.kind == "order":
                items.append({"product": parsed_item.product, "material": parsed_item.material,
                              "quantity": parsed_item.quantity, "unit": parsed_item.unit, "spec": parsed_item.spec})
    elif quantity is not None and len(items) == 1:
        items[0]["quantity"] = int(quantity)
    wanted["items"] = items
    return wanted


def _show(language: str, name: str, value: Any) -> str:
    if name == "items":
        return "；".join(_item_text(language, item) for item in value) or t(language, "order.value_missing")
    if name == "delivery_date":
        return cards.fmt_date(language, date.fromisoformat(value) if isinstance(value, str) else value)
    if name == "payment":
        return t(language, f"payment.{value}") if value else t(language, "order.value_missing")
    return str(value) if value else t(language, "order.value_missing")


def _item_text(language: str, item: dict[str, Any]) -> str:
    material = t(language, "material." + item["material"]) if item.get("material") else ""
    spec = " " + item["spec"] if item.get("spec") else ""
    return f"{material}{item['product']}{spec} ×{item['quantity']}{item.get('unit') or ''}"


def diff_lines(language: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [t(language, "change.diff_line", field=t(language, f"field.{c.name}"), old=_show(language, c.name, c.old),
              new=_show(language, c.name, c.new)) for c in diff_fields(old, new)]


async def request_change(ctx: Context, order: Order, parsed: ParsedMessage, *, origin: str = "message") -> None:
    assert ctx.user is not None
    transition(OrderState(order.state), Action.change)  # refuses changes after delivery / on closed orders
    old, new = current_values(order), wanted_values(order, parsed)
    if not diff_fields(old, new):
        ctx.say("change.nothing", number=order.number)
        return
    serialisable = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in new.items() if old.get(k) != v}
    change = await order_store.add_pending_change(ctx.session, order=order, requested_by=ctx.user.id, now=ctx.now,
                                                  changes=serialisable, origin=origin, evidence_id=ctx.evidence_id)
    lang = ctx.language
    header = "change.from_edit" if origin == "edit" else "change.confirm"
    lines = [t(lang, header, number=order.number)] + diff_lines(lang, old, new)
    fine = _fine_for(ctx, order, old, new)
    if fine:
        lines.append(t(lang, "change.fine_warning", amount=fine))
    ctx.reply("\n".join(lines), entity=order.number, buttons=((
        Button(t(lang, "button.change_ok"), f"c:{change.id}:ok"),
        Button(t(lang, "button.change_no"), f"c:{change.id}:no")),))


def _pieces(old: dict[str, Any], new: dict[str, Any]) -> int:
    """Pieces the change touches: changed lines' quantities, else the whole order."""
    old_items, new_items = old["items"], new["items"]
    touched = [n for o, n in zip(old_items, new_items) if o != n] + new_items[len(old_items):]
    if touched:
        return sum(max(int(i["quantity"]), 1) for i in touched)
    return max(sum(int(i["quantity"]) for i in old_items), 1)


def _fine_for(ctx: Context, order: Order, old: dict[str, Any], new: dict[str, Any]) -> int | None:
    return change_fine(OrderState(order.state), _pieces(old, new), ctx.app.config.policy.change_fines,
                       reached_store_warehouse=order.reached_store_warehouse)


async def apply_change(ctx: Context, change: PendingChange) -> None:
    order = await order_store.order_by_id(ctx.session, change.order_id)
    assert order is not None and ctx.user is not None
    transition(OrderState(order.state), Action.change)
    old = current_values(order)
    new = {**old, **json.loads(change.changes)}
    if isinstance(new.get("delivery_date"), str):
        new["delivery_date"] = date.fromisoformat(new["delivery_date"])
    fine = _fine_for(ctx, order, old, new)
    for name in SCALAR:
        setattr(order, name, new[name])
    if new["items"] != old["items"]:
        from storage.models import OrderLine

        keep = {(line.product, line.spec): line for line in order.lines}
        lines = []
        for position, item in enumerate(new["items"], start=1):
            line = keep.get((item["product"], item.get("spec"))) or keep.get((item["product"], None))
            if line is None:
                line = OrderLine(product=item["product"], state="pending")
            line.position, line.material, line.quantity = position, item.get("material"), int(item["quantity"])
            line.unit, line.spec = item.get("unit"), item.get("spec")
            lines.append(line)
        order.lines = lines
    if order.delivery_date and order.lines:
        from domain.policy.intake import order_date

        order.order_date = order_date(order.delivery_date, [line.material for line in order.lines],
                                      ctx.app.config.policy.lead_time)
    change.state = "applied"
    diff = {c.name: {"old": _jsonable(c.old), "new": _jsonable(c.new)} for c in diff_fields(old, new)}
    await record(ctx, order, "changed", detail={"diff": diff, "change_id": change.id, "origin": change.origin,
                                               "requested_evidence": change.evidence_id})
    lang = ctx.language
    text = t(lang, "change.applied", number=order.number) + "\n" + "\n".join(diff_lines(lang, old, new))
    if fine:
        requester = await user_by_id(ctx.session, change.requested_by)
        assert requester is not None
        proposed = await propose_fine(
            ctx.session, ctx.app, rule="R8", person=requester, amount=fine,
            reason=t("zh-CN", "fine.reason.R8", number=order.number, state=t("zh-CN", f"state.{order.state}")),
            now=ctx.now, rule_key=f"R8:{order.number}:change{change.id}", order=order, proposed_by=ctx.user,
            evidence=[e for e in (change.evidence_id, ctx.evidence_id) if e])
        if proposed:
            text += "\n" + t(lang, "change.fine_proposed", amount=fine, number=proposed.number)
    ctx.reply(text, edit=True, entity=order.number)
    clerks = await people(ctx.session, Role.CLERK)
    await notify_users(ctx.session, clerks, key=f"order:{order.number}:change{change.id}", now=ctx.now,
                       entity=order.number,
                       text_for=lambda language: t(language, "clerk.order_changed", number=order.number,
                                                   by=ctx.user.name if ctx.user else "")
                       + "\n" + "\n".join(diff_lines(language, old, new)))


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


@button("c", roles=frozenset({Role.SALES, Role.CLERK, Role.MANAGER}))
async def change_button(ctx: Context, data: str) -> None:
    """c:<pending change id>:ok | no — only the person who asked for the change answers."""
    change_id, _, what = data.partition(":")
    change = await order_store.pending_change(ctx.session, row_id) if (row_id := id_from(change_id)) else None
    if change is None or change.state != "pending" or ctx.user is None or change.requested_by != ctx.user.id:
        ctx.callback_answer = ctx.t("button.expired")
        return
    if what == "ok":
        await apply_change(ctx, change)
        return
    change.state = "dropped"
    order = await order_store.order_by_id(ctx.session, change.order_id)
    ctx.reply(ctx.t("change.dropped", number=order.number if order else ""), edit=True)
