"""改单: a change is shown as a field-by-field diff (old → new) and applied only on 确认.

A change is read from text (with the order number, or as a reply to any of the
order's cards) or from an edit of the original message (what changed between its
last two versions). Product lines are named by product word or 第N项; when two
lines could be meant the bot asks which, with a button per line.

After printing, a change proposes the R8 fine (per piece; more once the goods
reached the store warehouse). A Telegram edit of an order message is kept as a
new version in the audit log and offered as a change — never applied silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.orders.lifecycle import Action, LineState, OrderState, transition
from domain.parsing import ParsedMessage
from domain.policy.change_request import SCALAR, ChangeRequest, jsonable, request_from_parse
from domain.policy.changes import LinesOutcome, apply_line_edits, change_fine, diff_fields
from domain.policy.intake import normalise_payment, order_date
from domain.roles import Role
from domain.texts import t
from handlers.context import Context
from handlers.fines import RuleReason, propose_fine
from handlers.notify import people
from handlers.orders import cards
from handlers.orders.cancel import answer_cancel
from handlers.records import record
from handlers.buttons import ChangeAnswer
from handlers.types import Button
from storage import orders as order_store
from storage.models import ChangeOrigin, ChangeState, Order, OrderLine, PendingChange
from storage.users import user_by_id


def current_values(order: Order) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(order, name) for name in SCALAR}
    # "id" ties an edited line to the stored one, so its arrival state survives the change
    values["items"] = [{"id": line.id, "product": line.product, "material": line.material,
                        "quantity": line.quantity, "unit": line.unit, "spec": line.spec} for line in order.lines]
    return values


@dataclass
class Plan:
    """A request laid over the order: the new values, or why it cannot be shown as a diff yet."""

    old: dict[str, Any]
    new: dict[str, Any]
    lines: LinesOutcome | None = None


def plan(order: Order, request: ChangeRequest) -> Plan:
    old = current_values(order)
    new = {**old, "items": [dict(item) for item in old["items"]], **request.scalars}
    if request.shift_days and order.delivery_date and "delivery_date" not in request.scalars:
        new["delivery_date"] = order.delivery_date + timedelta(days=request.shift_days)
    outcome = None
    if request.lines:
        outcome = apply_line_edits(old["items"], request.lines, request.chosen)
        if outcome.ok:
            new["items"] = [dict(item) for item in outcome.items]
    return Plan(old, new, outcome)


def _item_text(language: str, item: dict[str, Any]) -> str:
    return cards.item_text(language, item.get("material"), item["product"], item.get("spec"), item["quantity"],
                           item.get("unit"))


def _item_diff(language: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    """One line per touched product line, named by its position on the order."""
    by_id = {item["id"]: item for item in new if item.get("id") is not None}
    lines = []
    for position, item in enumerate(old, start=1):
        now = by_id.get(item.get("id"))
        if now is None:
            lines.append(t(language, "change.line_removed", n=position, item=_item_text(language, item)))
        elif now != item:
            lines.append(t(language, "change.line_changed", n=position, old=_item_text(language, item),
                           new=_item_text(language, now)))
    lines += [t(language, "change.line_added", item=_item_text(language, item))
              for item in new if item.get("id") is None]
    return lines


def diff_lines(language: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    for c in diff_fields(old, new):
        if c.name == "items":
            lines += _item_diff(language, c.old or [], c.new or [])
        else:
            lines.append(t(language, "change.diff_line", field=t(language, f"field.{c.name}"),
                           old=cards.value_text(language, c.name, c.old),
                           new=cards.value_text(language, c.name, c.new)))
    return lines


async def request_change(ctx: Context, order: Order, parsed: ParsedMessage, *,
                         origin: ChangeOrigin = ChangeOrigin.MESSAGE,
                         request: ChangeRequest | None = None, by_reply: bool = False) -> None:
    """Show the change as a diff with 确认修改/不改 — or ask which line, or say what to write."""
    transition(OrderState(order.state), Action.change)  # refuses changes after delivery / on closed orders
    request = request if request is not None else request_from_parse(parsed)
    if not request:
        nothing = "change.nothing_reply" if by_reply else "change.nothing"
        ctx.say("edit.no_change" if origin is ChangeOrigin.EDIT else nothing, number=order.number)
        return
    await propose(ctx, order, request, origin=origin)


async def propose(ctx: Context, order: Order, request: ChangeRequest, *, origin: ChangeOrigin,
                  change: PendingChange | None = None) -> None:
    """Resolve ``request`` against the order as it is now and show the result."""
    lang, edit = ctx.language, change is not None
    planned = plan(order, request)
    outcome = planned.lines
    if outcome is not None and not outcome.ok:
        items = planned.old["items"]
        if outcome.question is not None:
            change = await _keep(ctx, order, change, {"request": request.to_json()}, origin=origin)
            question = outcome.question
            ctx.reply(t(lang, "change.which_line", number=order.number), entity=order.number, edit=edit, buttons=tuple(
                (Button(t(lang, "button.change_line", n=p, item=_item_text(lang, items[p - 1])),
                        ChangeAnswer(change.id, f"L{question.edit}", p).pack()),) for p in question.positions)
                + ((Button(t(lang, "button.change_no"), ChangeAnswer(change.id, "no").pack()),),))
            return
        if outcome.unknown_product is not None:
            text = t(lang, "change.no_such_line", number=order.number, product=outcome.unknown_product)
        elif outcome.bad_position is not None:
            text = t(lang, "change.no_such_position", number=order.number, n=outcome.bad_position)
        else:
            text = t(lang, "change.empties_order", number=order.number)
        listed = [f"{i}. {_item_text(lang, item)}" for i, item in enumerate(items, start=1)]
        ctx.reply("\n".join([text, *listed]), entity=order.number, edit=edit)
        return
    old, new = planned.old, planned.new
    if new["payment"] != old["payment"] and normalise_payment(new["payment"]) is None:
        ctx.reply(t(lang, "change.payment_refused", number=order.number,
                    payment=cards.value_text(lang, "payment", new["payment"])), entity=order.number, edit=edit)
        return
    if not diff_fields(old, new):
        ctx.reply(t(lang, "change.already_so", number=order.number), entity=order.number, edit=edit)
        return
    changed = {k for k, v in new.items() if old.get(k) != v}
    change = await _keep(ctx, order, change, {"request": request.to_json(),
                                              "base": {k: jsonable(old[k]) for k in changed},
                                              "new": {k: jsonable(new[k]) for k in changed}}, origin=origin)
    header = "change.from_edit" if origin is ChangeOrigin.EDIT else "change.confirm"
    lines = [t(lang, header, number=order.number)] + diff_lines(lang, old, new)
    fine = _fine_for(ctx, order, old, new)
    if fine:
        lines.append(t(lang, "change.fine_warning", amount=fine))
    ctx.reply("\n".join(lines), entity=order.number, edit=edit, buttons=((
        Button(t(lang, "button.change_ok"), ChangeAnswer(change.id, "ok").pack()),
        Button(t(lang, "button.change_no"), ChangeAnswer(change.id, "no").pack())),))


async def _keep(ctx: Context, order: Order, change: PendingChange | None, payload: dict[str, Any], *,
                origin: ChangeOrigin) -> PendingChange:
    """The request awaiting 确认修改: a new pending change, or the one whose card is being redrawn."""
    if change is None:
        return await order_store.add_pending_change(ctx.session, order=order, requested_by=ctx.person.id, now=ctx.now,
                                                    changes=payload, origin=origin, evidence_id=ctx.evidence_id)
    change.changes = json.dumps(payload, ensure_ascii=False)
    return change


def _pieces(old: dict[str, Any], new: dict[str, Any]) -> int:
    """Pieces the change touches: changed, added and removed lines' quantities, else the whole order."""
    old_items, new_items = old["items"], new["items"]
    by_id = {item.get("id"): item for item in new_items if item.get("id") is not None}
    touched = [by_id.get(item.get("id"), item) for item in old_items if by_id.get(item.get("id")) != item]
    touched += [item for item in new_items if item.get("id") is None]
    if touched:
        return sum(max(int(i["quantity"]), 1) for i in touched)
    return max(sum(int(i["quantity"]) for i in old_items), 1)


def _fine_for(ctx: Context, order: Order, old: dict[str, Any], new: dict[str, Any]) -> int | None:
    return change_fine(OrderState(order.state), _pieces(old, new), ctx.app.config.policy.change_fines,
                       reached_store_warehouse=order.reached_store_warehouse)


def _stored(change: PendingChange) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(change.changes)
    if "new" not in data and "request" not in data:  # a row written before requests were kept
        data = {"new": data, "base": None}
    for part in ("new", "base"):
        if isinstance(data.get(part), dict) and isinstance(data[part].get("delivery_date"), str):
            data[part]["delivery_date"] = date.fromisoformat(data[part]["delivery_date"])
    return data


def write_values(order: Order, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Set the order's fields and lines to ``new`` (a ``plan``'s values); the names of what changed.
    A line that stays keeps its row, so its arrival state survives the change."""
    changed = [name for name in SCALAR if new[name] != old[name]]
    for name in changed:
        setattr(order, name, new[name])
    if new["items"] != old["items"]:
        keep = {line.id: line for line in order.lines}
        lines = []
        for position, item in enumerate(new["items"], start=1):
            line = keep.get(item.get("id")) or OrderLine(product=item["product"], state=LineState.pending)
            line.position, line.product, line.material = position, item["product"], item.get("material")
            line.quantity, line.unit, line.spec = int(item["quantity"]), item.get("unit"), item.get("spec")
            lines.append(line)
        order.lines = lines
        changed.append("items")
    return changed


def change_draft(ctx: Context, order: Order, *, line_edits_only: bool = False) -> list[str]:
    """改单 words on a draft (数量改成2, 加一个床头柜, 客户改成李四, 推迟3天) change it at once: nothing
    is handed in yet, so there is no one to confirm a diff with. The names of what changed; none
    when the words ask for nothing, or for a line the draft cannot tell (the caller says so).
    ``line_edits_only``: only when the words edit a line (加一个床头柜 is one more, not a new list)."""
    as_change = ctx.app.parser.parse(ctx.incoming.text or "", ctx.sent_local, expect="change")
    request = request_from_parse(as_change)
    if not request or (line_edits_only and not request.lines):
        return []
    proposal = plan(order, request)
    if proposal.lines is not None and not proposal.lines.ok:
        return []
    return write_values(order, proposal.old, proposal.new)


async def apply_change(ctx: Context, change: PendingChange) -> None:
    order = await order_store.order_by_id(ctx.session, change.order_id)
    assert order is not None
    transition(OrderState(order.state), Action.change)
    old = current_values(order)
    stored = _stored(change)
    base = stored.get("base")
    if base is not None and any(old.get(k) != v for k, v in base.items()):
        # Something changed the order after this diff was shown: confirming it would undo that.
        change.state = ChangeState.DROPPED
        ctx.reply(ctx.t("change.outdated", number=order.number), edit=True, entity=order.number)
        return
    new = {**old, **stored["new"]}
    fine = _fine_for(ctx, order, old, new)
    write_values(order, old, new)
    if order.delivery_date and order.lines:
        order.order_date = order_date(order.delivery_date, [line.material for line in order.lines],
                                      ctx.app.config.policy.lead_time)
    change.state = ChangeState.APPLIED
    diff = {c.name: {"old": jsonable(c.old), "new": jsonable(c.new)} for c in diff_fields(old, new)}
    await record(ctx, order, "changed", detail={"diff": diff, "change_id": change.id, "origin": change.origin,
                                               "requested_evidence": change.evidence_id})
    lang = ctx.language
    text = t(lang, "change.applied", number=order.number) + "\n" + "\n".join(diff_lines(lang, old, new))
    if fine:
        requester = await user_by_id(ctx.session, change.requested_by)
        assert requester is not None
        proposed = await propose_fine(
            ctx.session, ctx.app, rule="R8", person=requester, amount=fine,
            reason=RuleReason("fine.reason.R8", {"number": order.number, "state": order.state}),
            now=ctx.now, rule_key=f"R8:{order.number}:change{change.id}", order=order, proposed_by=ctx.person,
            evidence=[e for e in (change.evidence_id, ctx.evidence_id) if e])
        if proposed:
            text += "\n" + t(lang, "change.fine_proposed", amount=fine, number=proposed.number)
    ctx.reply(text, edit=True, entity=order.number)
    clerks = await people(ctx.session, Role.CLERK)
    await ctx.notify(clerks, f"order:{order.number}:change{change.id}", entity=order.number,
                     text_for=lambda language: "\n".join([t(language, "clerk.order_changed", number=order.number,
                                                             by=ctx.person.name), *diff_lines(language, old, new)]))


async def change_button(ctx: Context, data: ChangeAnswer) -> None:
    """ok | no | the line meant — only the person who asked answers."""
    what = data.what
    change = await ctx.session.get(PendingChange, data.change_id)
    order = await order_store.order_by_id(ctx.session, change.order_id) if change is not None else None
    if change is None or order is None:
        ctx.callback_answer = ctx.t("button.expired")
        return
    if change.requested_by != ctx.person.id:
        requester = await user_by_id(ctx.session, change.requested_by)
        ctx.callback_answer = ctx.t("change.not_yours", name=requester.name if requester else "")
        return
    if change.state is not ChangeState.PENDING:
        # A stale card: say what became of it and where the order stands now.
        kind = "cancel" if change.origin is ChangeOrigin.CANCEL else "change"
        ctx.callback_answer = ctx.t(f"{kind}.stale.{change.state}", number=order.number,
                                    state=cards.state_label(ctx.language, order.state))
        ctx.reply(ctx.callback_answer, entity=order.number)
        return
    if change.origin is ChangeOrigin.CANCEL:
        await answer_cancel(ctx, order, change, confirmed=what == "ok")
        return
    if what.startswith("L"):
        stored = _stored(change)
        edit_no, position_no = data.line_edit, data.position
        if edit_no is None or position_no is None or "request" not in stored:
            ctx.callback_answer = ctx.t("button.expired")
            return
        request = ChangeRequest.from_json(stored["request"])
        request.chosen[edit_no] = position_no
        await propose(ctx, order, request, origin=change.origin, change=change)
        return
    if what == "ok":
        if "new" not in _stored(change):
            ctx.callback_answer = ctx.t("change.choose_first")
            return
        await apply_change(ctx, change)
        return
    change.state = ChangeState.DROPPED
    ctx.reply(ctx.t("change.dropped", number=order.number), edit=True, entity=order.number)
