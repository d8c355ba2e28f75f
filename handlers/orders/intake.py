"""下单: an order message becomes a draft with a confirm card; 确认 submits it.

Rules at intake: R2 (rush insertion outside 17:00–18:00), R3 (full payment or
guarantee only), R4 (order date = delivery date − lead time; short lead time),
R12 (on the return day the order is held and submitted the next working day).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from domain.orders.lifecycle import LineState, OrderState
from domain.parsing import ParsedMessage
from domain.parsing.model import ORDER_REQUIRED as REQUIRED, missing_required
from domain.policy.change_request import SCALAR as ORDER_FIELDS, jsonable
from domain.policy.intake import IntakeAssessment, assess_intake
from domain.policy.return_day import held_until
from domain.policy.intake_checks import (
    ADDRESS_MAX, NAME_MAX, Finding, address_problem, date_findings, delivery_date_problem, digit_count,
    name_problem, phone_problem, plausibility, quoted, read_material_answer, same_items, unknown_material_lines,
    visible,
)
from domain.roles import Role
from domain.numbering import format_order_number
from domain.texts import LANGUAGES, t
from handlers.aftersales.cards import fmt_time
from handlers.context import Context
from handlers.questions import Question
from handlers.notify import notify_users, people
from handlers.orders import cards, notices
from handlers.orders.common import local_today, record
from handlers.buttons import DraftAnswer
from handlers.orders.cancel import drop_draft
from handlers.orders.changes import current_values
from storage import orders as order_store
from storage.models import AuditEntry, Order, OrderLine


def assess(ctx: Context, order: Order) -> IntakeAssessment:
    return assess_intake(sent_at=order.sent_at, delivery_date=order.delivery_date,
                         materials=[line.material for line in order.lines], payment=order.payment,
                         return_day=None, policy=ctx.app.config.policy)


def stamp(ctx: Context, order: Order) -> str | None:
    """The draft's order date (R4) and flags as the rules give them now — none until it names a
    delivery date or a payment; returns the R3 refusal, if any."""
    assessment = assess(ctx, order) if order.delivery_date or order.payment else None
    order.order_date = assessment.order_date if assessment else None
    order.flags = ",".join(sorted(assessment.flags)) if assessment else ""
    return assessment.refusal if assessment else None


def missing_fields(order: Order) -> list[str]:
    return list(missing_required(current_values(order)))


def apply_parsed(order: Order, parsed: ParsedMessage) -> list[str]:
    """Copy what the parser found onto the draft; returns the names of the fields it set."""
    changed = []
    for name in ORDER_FIELDS:
        value = parsed.as_typed(name)
        if value and getattr(order, name) != value:
            setattr(order, name, value)
            changed.append(name)
    if parsed.items:
        order.lines = [OrderLine(position=i, product=item.product, material=item.material, quantity=item.quantity,
                                 unit=item.unit, spec=item.spec, state=LineState.pending.value)
                       for i, item in enumerate(parsed.items, start=1)]
        changed.append("items")
    if parsed.parser_version:
        order.parser_version = parsed.parser_version
    return changed


async def start_draft(ctx: Context, parsed: ParsedMessage, *, source: AuditEntry | None = None) -> None:
    """A draft from the message being handled — or from ``source``, an earlier message of the
    sender's kept in the audit log (the bot asked first whether it was a new order)."""
    incoming = ctx.incoming
    if source is not None and source.telegram_time is not None:
        sent_at, chat_id, message_id, evidence_id = source.telegram_time, source.chat_id, source.message_id, source.id
    else:
        sent_at, chat_id, message_id, evidence_id = (incoming.sent_at, incoming.chat_id, incoming.message_id,
                                                     ctx.evidence_id)
    order = Order(state=OrderState.draft.value, sales_id=ctx.person.id, store_id=ctx.person.store_id, sent_at=sent_at,
                  created_at=ctx.now, source_chat_id=chat_id, source_message_id=message_id,
                  evidence_id=evidence_id, flags="", lines=[])
    parsed, refused = _refuse_implausible(ctx, parsed)
    apply_parsed(order, parsed)
    stamp(ctx, order)  # before the insert: the card would otherwise update the row at once
    ctx.session.add(order)
    await ctx.session.flush()
    # what the card marks with "?" until the sales person fills or corrects it
    uncertain = [name for name in parsed.uncertain_fields() if name in REQUIRED]
    await record(ctx, order, "drafted", to_state=OrderState.draft.value, detail={
        "parsed": parsed.to_contract(), "parser_version": parsed.parser_version, "uncertain": uncertain})
    await show_draft(ctx, order, uncertain=frozenset(uncertain), notes=refused)


def _refuse_implausible(ctx: Context, parsed: ParsedMessage) -> tuple[ParsedMessage, list[str]]:
    """A name or an address in the message that cannot be one — a 4 000-character "address" from a
    paste that ran messages together — is not put on the draft: the card says why and asks for it,
    as it does for an answer (the message stays whole in the audit log)."""
    notes = {name: note for name in _FREE_TEXT
             if (note := _free_text_problem(ctx.language, name, getattr(parsed, name)))}
    cleared: dict[str, Any] = dict.fromkeys(notes)
    return replace(parsed, **cleared), list(notes.values())


@dataclass(frozen=True)
class DraftReview:
    """What the intake checks (接单核对) found on a draft: findings the sender must acknowledge with
    「仍然提交」 (implausible lines, a duplicate of ``duplicate``) and ones only pointed out (dates)."""

    to_acknowledge: tuple[Finding, ...]
    dated: tuple[Finding, ...]
    duplicate: Order | None


async def review_draft(ctx: Context, order: Order) -> DraftReview:
    checks = ctx.app.config.policy.intake_checks
    today = local_today(ctx)
    to_acknowledge = list(plausibility(order.lines, checks))
    duplicate = await _earlier_same_order(ctx, order)
    if duplicate is not None:
        to_acknowledge.append(Finding("duplicate"))
    dated = list(date_findings(delivery_date=order.delivery_date, order_date=order.order_date,
                               calendar=ctx.app.calendar, today=today))
    if (day := order.delivery_date) is not None and (problem := delivery_date_problem(day, today, checks)):
        dated.insert(0, Finding(_DELIVERY_FINDING[problem], day=day, count=(day - today).days))
    return DraftReview(tuple(to_acknowledge), tuple(dated), duplicate)


# A delivery date that cannot be meant, as the card's warning (a far one says how many days ahead).
_DELIVERY_FINDING = {"in_past": "delivery_in_past", "too_far": "delivery_far_ahead"}


def acknowledged_lines(ctx: Context, language: str, order: Order, review: DraftReview) -> list[str]:
    """The findings that need 「仍然提交」, as warning lines in ``language``."""
    earlier = review.duplicate
    duplicate = {} if earlier is None else {
        "number": earlier.number, "at": fmt_time(language, earlier.submitted_at, ctx.app.config.tz)}
    return [cards.finding_text(language, order, finding, **(duplicate if finding.code == "duplicate" else {}))
            for finding in review.to_acknowledge]


async def _earlier_same_order(ctx: Context, order: Order) -> Order | None:
    """The same store's order for the same phone and the same goods within the duplicate window —
    unless the draft's own message names that order: the sender knows it exists (and, asked
    「这是对 DD… 的修改吗？」, answered that this is a new order)."""
    if not order.customer_phone or not order.lines:
        return None
    since = ctx.now - timedelta(hours=ctx.app.config.policy.intake_checks.duplicate_window_hours)
    source: AuditEntry | None = None
    for earlier in await order_store.submitted_since(ctx.session, store_id=order.store_id, phone=order.customer_phone,
                                                    since=since, exclude_id=order.id):
        if not same_items(earlier.lines, order.lines):
            continue
        if source is None and order.evidence_id is not None:
            source = await ctx.session.get(AuditEntry, order.evidence_id)
        if earlier.number and source is not None and earlier.number in (source.text or ""):
            continue
        return earlier
    return None


async def show_draft(ctx: Context, order: Order, *, edit: bool = False, note_key: str | None = None,
                     uncertain: frozenset[str] | None = None, notes: Sequence[str] = ()) -> None:
    """The confirm card: every field, the order date, flags, warnings, and what is still missing or
    refused. ``uncertain``: the fields still unsure, when known (a draft just made); else read back.
    ``notes``: why a value of the message was not taken."""
    lang = ctx.language
    refusal = stamp(ctx, order)
    missing = missing_fields(order)
    review = await review_draft(ctx, order)
    check_first = bool(review.to_acknowledge)

    if uncertain is None:
        uncertain = await order_store.uncertain_fields(ctx.session, order.id)
    lines = [t(lang, note_key)] if note_key else []
    lines.append(t(lang, "draft.header"))
    lines += cards.summary(lang, order, uncertain=uncertain)
    lines += cards.flag_lines(lang, order.flag_set)
    lines += acknowledged_lines(ctx, lang, order, review)
    lines += cards.unknown_material_lines_text(lang, order, ctx.app.config.policy.lead_time)
    lines += [cards.finding_text(lang, order, finding, days=finding.count) for finding in review.dated]
    if refusal:
        lines.append(t(lang, f"refusal.{refusal}", payment=cards.value_text(lang, "payment", order.payment)))
    lines += notes
    if missing:
        lines.append(t(lang, "draft.missing", fields=t(lang, "punct.enum").join(t(lang, f"field.{m}") for m in missing)))
    if missing or refusal:
        asked = missing[0] if missing else "payment"
        lines.append(t(lang, f"ask.{asked}"))
        await order_store.await_input(ctx.session, ctx.person.id, kind=Question.draft_field.value, ref_id=order.id,
                                      field=asked, now=ctx.now)
    else:
        if uncertain:
            guessed = (t(lang, f"field.{name}") for name in REQUIRED if name in uncertain)
            lines.append(t(lang, "draft.uncertain", fields=t(lang, "punct.enum").join(guessed)))
        lines.append(t(lang, "check.please_confirm" if check_first else "draft.ready"))
        if unknown_material_lines(order.lines):
            # 「板木」 typed next corrects the assumed material of this draft.
            await order_store.await_input(ctx.session, ctx.person.id, kind=Question.draft_material.value, ref_id=order.id,
                                          field=None, now=ctx.now)
        else:
            await order_store.clear_awaiting(ctx.session, ctx.person.id)
    ctx.reply("\n".join(lines), buttons=cards.draft_buttons(lang, order, can_confirm=not missing and not refusal,
                                                            check_first=check_first),
              entity=f"draft:{order.id}", edit=edit)


async def draft_filled(ctx: Context, order: Order, detail: dict[str, object], *,
                       note_key: str = "draft.updated") -> None:
    """Record what a message filled in or changed on a draft, and show the card again."""
    await record(ctx, order, "draft_filled", detail=detail)
    await show_draft(ctx, order, note_key=note_key)


async def correct_material(ctx: Context, order: Order) -> bool:
    """「板木」 / 「2 板木」: the material of the lines it names (or of every line not yet named).

    False when the message is not such an answer, so the caller reads it otherwise.
    """
    answer = read_material_answer(ctx.incoming.text or "")
    if answer is None or not order.lines:
        return False
    if answer.lines is not None and any(not 1 <= n <= len(order.lines) for n in answer.lines):
        ctx.reply(t(ctx.language, "draft.no_such_line", count=len(order.lines)))
        return True
    named = answer.lines if answer.lines is not None else unknown_material_lines(order.lines)
    targets = [order.lines[n - 1] for n in named] or list(order.lines)
    for line in targets:
        line.material = answer.material.value
    await draft_filled(ctx, order, {"fields": ["material"], "material": answer.material.value,
                                    "lines": [line.position for line in targets]})
    return True


# The label an answer implicitly carries: "请回复客户电话" → the reply is read as "电话：<reply>".
ANSWER_LABELS = {"customer_name": "客户", "customer_phone": "电话", "address": "地址",
                 "delivery_date": "送货日期", "payment": "付款", "items": "产品"}


def parse_answer(ctx: Context, field: str | None) -> ParsedMessage:
    """Read a reply to one of the bot's questions as a fragment of an order.

    When the plain reading misses the asked field, the question's label is put in front
    ("电话：<reply>") — and only the asked field is taken from that reading, since the label
    makes any text look like its field's neighbour (电话：王先生 is not a name given).
    """
    text = ctx.incoming.text or ""
    parsed = ctx.app.parser.parse(text, ctx.sent_local, expect="order")
    if field and field in ANSWER_LABELS and not _has(parsed, field):
        labelled = ctx.app.parser.parse(f"{ANSWER_LABELS[field]}：{text}", ctx.sent_local, expect="order")
        if _has(labelled, field):
            parsed = replace(parsed, **{field: getattr(labelled, field)})
    return parsed


def _has(parsed: ParsedMessage, field: str) -> bool:
    return bool(parsed.items if field == "items" else getattr(parsed, field))


def _useful(order: Order, field: str, parsed: ParsedMessage) -> ParsedMessage:
    """What an answer to "请回复<field>" may set: that field, and other fields only where the draft
    has none yet — "王先生" sent as the phone must not rename the customer."""
    present = current_values(order)
    cleared: dict[str, Any] = {name: (() if name == "items" else None) for name in REQUIRED
               if name != field and present[name] and _has(parsed, name)}
    return replace(parsed, **cleared) if cleared else parsed


def _found_any(parsed: ParsedMessage) -> bool:
    return any(_has(parsed, name) for name in REQUIRED)


# The fields typed as free text: what is wrong with a value, and its longest length.
_FREE_TEXT: dict[str, tuple[Callable[[str], str | None], int]] = {
    "customer_name": (name_problem, NAME_MAX), "address": (address_problem, ADDRESS_MAX)}


def _free_text_problem(language: str, field: str, value: str | None) -> str | None:
    """Why ``value`` cannot be the name or the address, as the reason said back — or None."""
    problem, longest = _FREE_TEXT[field]
    if not value or not (code := problem(value)):
        return None
    return t(language, f"answer.{field}.{code}", text=quoted(value), max=longest)


def _answer_problem(ctx: Context, field: str, text: str, parsed: ParsedMessage) -> str | None:
    """Why an answer to "请回复<field>" is not one, as the reason said back — or None.

    An answer that carries other fields instead (a phone when the name was asked) is not
    refused: those fields are taken and the question comes again on the card.
    """
    lang = ctx.language
    shown = quoted(text)
    if not visible(text):
        return t(lang, "answer.invisible")
    if field in _FREE_TEXT:
        return _free_text_problem(lang, field, getattr(parsed, field) or ("" if _found_any(parsed) else text))
    if field == "customer_phone" and not _found_any(parsed):
        code = phone_problem(text)
        return t(lang, f"answer.customer_phone.{code}", text=shown, digits=digit_count(text))
    if field == "delivery_date":
        if parsed.delivery_date is None:
            return None if _found_any(parsed) else t(lang, "answer.delivery_date.not_a_date", text=shown)
        today = local_today(ctx)
        if delivery_date_problem(parsed.delivery_date, today, ctx.app.config.policy.intake_checks) == "in_past":
            return t(lang, "answer.delivery_date.in_past", date=cards.fmt_date(lang, parsed.delivery_date),
                     today=cards.fmt_date(lang, today))
    if field == "items" and not _found_any(parsed):
        return t(lang, "answer.items.none", text=shown)
    return None


async def fill_field(ctx: Context, order: Order, field: str) -> None:
    """An answer to "请补充…": checked as the field it answers, else the reason and the question again."""
    if await correct_material(ctx, order):
        return
    text = (ctx.incoming.text or "").strip()
    parsed = _useful(order, field, parse_answer(ctx, field))
    if (problem := _answer_problem(ctx, field, text, parsed)) is not None:
        ctx.reply(problem + "\n" + t(ctx.language, f"ask.{field}"))
        return
    changed = apply_parsed(order, parsed)
    if field not in changed and field in _FREE_TEXT and not _found_any(parsed):
        # A bare "王小明" or "天河路1号" has no label to recognise it by: the question was the label.
        setattr(order, field, visible(text))
        changed.append(field)
    if field == "payment" and "payment" not in changed and parsed.payment is None:
        ctx.say("ask.payment_again")
        return
    if not changed:
        ctx.reply(t(ctx.language, "ask.not_understood", field=t(ctx.language, f"field.{field}")) + "\n"
                  + t(ctx.language, f"ask.{field}"))
        return
    await draft_filled(ctx, order, filled_detail(order, changed))


def filled_detail(order: Order, changed: list[str]) -> dict[str, object]:
    """The fields the sales person set on the card and their new values (the correction's label)."""
    items = [{"product": line.product, "material": line.material, "quantity": line.quantity,
              "unit": line.unit, "spec": line.spec} for line in order.lines]
    values = {name: items if name == "items" else jsonable(getattr(order, name)) for name in changed}
    return {"fields": changed, "values": values}


async def confirm(ctx: Context, order: Order, *, checked: bool = False) -> None:
    """确认 on a draft: number the order and hand it to the clerks — or hold it on the return day (R12).

    ``checked`` is 「仍然提交」: the sender saw the card's warnings (implausible lines, a
    duplicate); a plain 确认 on a card that now has such warnings shows them first.
    """
    lang = ctx.language
    if order.held_until is not None:
        ctx.callback_answer = t(lang, "draft.held", date=cards.fmt_date(lang, order.held_until))
        return
    not_ready = bool(missing_fields(order)) or assess(ctx, order).refusal is not None
    review = await review_draft(ctx, order)
    if not_ready or (review.to_acknowledge and not checked):
        await show_draft(ctx, order, edit=True)
        ctx.callback_answer = t(lang, "draft.not_ready" if not_ready else "draft.check_first")
        return
    today = local_today(ctx)
    return_day = await order_store.return_day_of_month(ctx.session, f"{today.year:04d}-{today.month:02d}")
    await order_store.clear_awaiting(ctx.session, ctx.person.id)
    if (hold := held_until(today, return_day, ctx.app.calendar)) is not None:
        order.held_until = hold
        await record(ctx, order, "held_for_return_day", detail={"until": order.held_until.isoformat()})
        ctx.reply("\n".join([t(lang, "draft.return_day", date=cards.fmt_date(lang, order.held_until))]
                            + cards.summary(lang, order)), entity=f"draft:{order.id}", edit=True)
        return
    await submit(ctx, order, ctx.now, review=review if review.to_acknowledge else None)
    lines = [t(lang, "draft.submitted", number=order.number)] + cards.summary(lang, order)
    lines += cards.flag_lines(lang, order.flag_set)
    ctx.reply("\n".join(lines), entity=order.number, edit=True)


async def submit(ctx: Context, order: Order, now: datetime, *, review: DraftReview | None = None) -> None:
    """Give the order its number (DD+YYYYMM+seq, unique under concurrency) and tell the clerks.

    ``review`` holds what the sender acknowledged with 「仍然提交」; the clerks see it on the card.
    """
    local = ctx.app.calendar.local(now)
    seq = await order_store.next_document_seq(ctx.session, "DD", f"{local.year:04d}{local.month:02d}")
    order.number = format_order_number(local.year, local.month, seq)
    order.state = OrderState.submitted
    order.submitted_at = now
    order.held_until = None
    detail: dict[str, object] = {"number": order.number, "flags": sorted(order.flag_set),
                                 "order_date": order.order_date.isoformat() if order.order_date else None}
    notes = None
    if review is not None:
        detail |= {"acknowledged": [f.code for f in review.to_acknowledge],
                   "duplicate_of": review.duplicate.number if review.duplicate is not None else None}
        notes = {language: "\n".join([t(language, "clerk.submitted_anyway"),
                                       *acknowledged_lines(ctx, language, order, review)])
                 for language in LANGUAGES}
    await record(ctx, order, "submitted", from_state=OrderState.draft.value, to_state=order.state, detail=detail)
    clerks = await people(ctx.session, Role.CLERK)
    await notify_users(ctx.session, clerks, key=f"order:{order.number}:new", now=now, entity=order.number,
                       app=ctx.app, live=notices.card_spec("clerk.new_order", notes=notes))


async def draft_button(ctx: Context, data: DraftAnswer) -> None:
    """确认 | 仍然提交 | 修改 | 取消 on the draft card — only on one's own draft."""
    what = data.what
    order = await order_store.order_by_id(ctx.session, data.order_id)
    if order is None or order.sales_id != ctx.person.id:
        ctx.callback_answer = ctx.t("button.expired")
        return
    if order.state != OrderState.draft:
        ctx.callback_answer = t(ctx.language, "draft.already_submitted", number=order.number or "")
    elif what in ("ok", "force"):
        await confirm(ctx, order, checked=what == "force")
    elif what == "edit":
        await order_store.await_input(ctx.session, ctx.person.id, kind=Question.draft_edit.value, ref_id=order.id,
                                      field=None, now=ctx.now)
        ctx.say("ask.draft_edit")
    elif what == "drop":
        await drop_draft(ctx, order)
