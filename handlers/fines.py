"""罚款 (R16): rules and clerks propose, a manager confirms or waives with buttons, the person
gets a written notice with rule, amount, reason and evidence, and may appeal in time."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.numbering import format_fine_number
from domain.policy.fines import FineAction, FineState, appeal_deadline, fine_actions, fine_transition, \
    responsible_roles
from domain.policy.reminders import deliver_at
from domain.roles import Role
from domain.texts import t
from handlers.app import App
from handlers.audit_trail import state_change
from handlers.aftersales.cards import fmt_time
from handlers.orders.cards import fmt_date
from handlers.context import Context
from handlers.notify import notify_users, people
from handlers.live import Rendered, Target
from handlers.buttons import AppealDecision, FineDecision
from handlers.types import TELEGRAM_IDS, Button, Keyboard, id_from
from storage import fines as fine_store
from storage import aftersales as case_store
from storage import orders as order_store
from storage import users as user_store
from storage.models import Fine, Order, User


@dataclass(frozen=True)
class RuleReason:
    """A rule's reason for a fine as catalogue key and arguments, told to each reader in their
    language; a ``date`` argument is an ISO day and a ``state`` one an order state."""
    key: str
    args: dict[str, object] = field(default_factory=dict)

    def text(self, language: str) -> str:
        shown = dict(self.args)
        if "date" in shown:
            shown["date"] = fmt_date(language, date.fromisoformat(str(shown["date"])))
        if "state" in shown:
            shown["state"] = t(language, f"state.{shown['state']}")
        return t(language, self.key, **shown)

    def dumps(self) -> str:
        return json.dumps({"key": self.key, "args": self.args}, ensure_ascii=False)


def fine_reason(language: str, fine: Fine) -> str:
    """The fine's reason in ``language``: a rule's in the reader's words, a typed one as typed."""
    if not fine.reason_parts:
        return fine.reason
    return RuleReason(**json.loads(fine.reason_parts)).text(language)


async def propose_fine(session: AsyncSession, app: App, *, rule: str, person: User, amount: int,
                       reason: str | RuleReason, now: datetime, rule_key: str, order: Order | None = None,
                       proposed_by: User | None = None, evidence: list[int] | None = None) -> Fine | None:
    """Put a fine on the ledger as ``proposed`` and ask the managers; None if that fine exists already.

    A rule's reason (``RuleReason``) is recorded in zh-CN and shown to each reader in theirs."""
    if await fine_store.fine_for_key(session, rule_key) is not None:
        return None
    parts, reason = (reason.dumps(), reason.text("zh-CN")) if isinstance(reason, RuleReason) else (None, reason)
    local = app.calendar.local(now)
    seq = await order_store.next_document_seq(session, "FK", f"{local.year:04d}{local.month:02d}")
    fine = Fine(number=format_fine_number(local.year, local.month, seq), rule=rule, rule_key=rule_key,
                person_id=person.id, amount_yuan=amount, reason=reason, reason_parts=parts,
                state=FineState.proposed.value,
                order_id=order.id if order else None, proposed_by=proposed_by.id if proposed_by else None,
                proposed_at=now, evidence=json.dumps(evidence or []))
    session.add(fine)
    await session.flush()
    await state_change(session, now, entity=fine.number,
                       actor_id=proposed_by.telegram_id if proposed_by else None, event="fine.proposed",
                       data={"rule": rule, "person": person.id, "amount": amount, "reason": reason,
                             "order": order.number if order else None, "evidence_ids": evidence or []})
    managers = await people(session, Role.MANAGER)
    await notify_users(session, managers, key=f"fine:{fine.number}:proposed", now=now, entity=fine.number,
                       app=app, live={"kind": "fine.proposed"})
    return fine


def decision_buttons(language: str, fine: Fine) -> Keyboard:
    """确认/免除 while the fine waits for a manager, 驳回/撤销 while its appeal does; nothing otherwise
    (a confirmed fine can still be waived, but that is a deliberate step, not a card's default)."""
    if fine.state == FineState.proposed.value:
        return ((Button(t(language, "button.fine_confirm"), FineDecision(fine.id, "confirm").pack()),
                 Button(t(language, "button.fine_waive"), FineDecision(fine.id, "waive").pack())),)
    if fine.state == FineState.appealed.value:
        return ((Button(t(language, "button.appeal_uphold"), AppealDecision(fine.id, "uphold").pack()),
                 Button(t(language, "button.appeal_overturn"), AppealDecision(fine.id, "overturn").pack())),)
    return ()


def proposal_text(language: str, fine: Fine) -> str:
    return t(language, "fine.proposed", number=fine.number, rule=fine.rule, person=fine.person.name,
             amount=fine.amount_yuan, reason=fine_reason(language, fine), order=fine.order.number if fine.order else "—")


def appeal_text(language: str, fine: Fine) -> str:
    return t(language, "appeal.to_manager", number=fine.number, person=fine.person.name, amount=fine.amount_yuan,
             rule=fine.rule, reason=fine.appeal_reason or "")


async def _decision_card(state: FineState, target: Target) -> Rendered | None:
    """A manager's card only while the fine waits in ``state``: the 拟罚款 card while the fine still
    waits for a decision, the appeal card while the appeal is undecided."""
    fine = await fine_store.fine_by_number(target.session, target.entity)
    if fine is None or fine.state != state.value:
        return None
    text = proposal_text if state is FineState.proposed else appeal_text
    return Rendered(text(target.language, fine), decision_buttons(target.language, fine))


proposal_now = partial(_decision_card, FineState.proposed)
appeal_now = partial(_decision_card, FineState.appealed)


async def propose_rush_fine(ctx: Context, order: Order) -> None:
    """R2: the clerk proposes the rush-insertion fine for an order sent outside the intake window."""
    fine = await propose_fine(
        ctx.session, ctx.app, rule="R2", person=order.sales,
        amount=ctx.app.config.policy.intake.rush_insertion_fine_yuan,
        reason=RuleReason("fine.reason.R2", {"number": order.number}), now=ctx.now, rule_key=f"R2:{order.number}",
        order=order, proposed_by=ctx.user, evidence=[order.evidence_id] if order.evidence_id else [])
    ctx.callback_answer = ctx.t("fine.proposed_ok", number=fine.number) if fine else ctx.t("fine.exists")


@dataclass
class FineTarget:
    """Whom /fine means: the people, the order it is about, or the answer saying why nobody."""

    people: list[User] = field(default_factory=list)
    order: Order | None = None
    refusal: str | None = None  # a text key; its params in ``params``
    params: dict[str, object] = field(default_factory=dict)


async def fine_target(session: AsyncSession, who: str, rule: str, language: str) -> FineTarget:
    """/fine's first word: a Telegram id, @username, a person's name, or an order / after-sales number
    (then the person the rule holds responsible for that order)."""
    who = who.strip()
    handle = who.lstrip("@")
    if who.upper().startswith(("DD", "SH")):
        return await _responsible(session, who.upper(), rule)
    if (tg_id := id_from(handle, TELEGRAM_IDS)) is not None and \
            (person := await user_store.user_by_telegram_id(session, tg_id)) is not None:
        return FineTarget([person])
    if (who.startswith("@") or handle.isascii()) and \
            (person := await user_store.user_by_username(session, handle)) is not None:
        return FineTarget([person])
    named = list(await user_store.users_named(session, handle))
    if len(named) == 1:
        return FineTarget(named)
    if named:
        return FineTarget(refusal="fine.ambiguous", params={"who": who, "people": t(language, "punct.enum").join(
            t(language, "punct.person_id", name=p.name, id=p.telegram_id) for p in named)})
    return FineTarget(refusal="fine.no_person", params={"who": who})


async def _responsible(session: AsyncSession, number: str, rule: str) -> FineTarget:
    if number.startswith("SH"):
        case = await case_store.case_by_number(session, number)
        order = case.order if case is not None else None
    else:
        order = await order_store.order_by_number(session, number)
    if order is None:
        return FineTarget(refusal="fine.no_document", params={"number": number})
    roles = responsible_roles(rule)
    if not roles:
        return FineTarget(order=order, refusal="fine.rule_names_nobody", params={"number": number, "rule": rule})
    ids = [order.sales_id if role == "sales" else order.clerk_id for role in roles]
    people = [p for p in [await user_store.user_by_id(session, i) for i in ids if i is not None] if p is not None]
    if not people:
        return FineTarget(order=order, refusal="fine.no_responsible", params={"number": order.number, "rule": rule})
    return FineTarget(people, order=order)


async def decision(ctx: Context, fine_id: int, what: str) -> tuple[Fine, FineState, FineState] | None:
    """A manager's button on a fine or an appeal: the fine with its state before and after, decided
    by the sender now — or None when the fine is gone or the step is no longer possible (said so)."""
    fine = await ctx.session.get(Fine, fine_id)
    if fine is None:
        ctx.callback_answer = ctx.t("button.expired")
        return None
    action = FineAction(what)
    before = FineState(fine.state)
    if action not in fine_actions(before):
        await show_stale(ctx, fine, action)
        return None
    after = fine_transition(before, action)
    fine.state, fine.decided_by, fine.decided_at = after, ctx.person.id, ctx.now
    return fine, before, after


async def decide(ctx: Context, data: FineDecision) -> None:
    """The manager confirms or waives a proposed fine; the person gets a written notice."""
    if (decided := await decision(ctx, data.fine_id, data.what)) is None:
        return
    fine, before, after = decided
    calendar = ctx.app.calendar
    if after is FineState.confirmed:
        fine.notified_at = ctx.now
        fine.appeal_deadline = appeal_deadline(calendar.local(ctx.now).date(), ctx.app.config.policy.fines, calendar)
    await ctx.audit(fine.number, f"fine.{after.value}", {"from": before.value, "to": after.value})
    await _notice(ctx, fine)
    key = f"fine.decided.{after.value}"
    params = {"number": fine.number, "person": fine.person.name, "amount": fine.amount_yuan}
    if (at := notice_goes_at(ctx)) is not None:  # not "已书面通知本人" while the notice waits for working time
        key, params["at"] = f"{key}_queued", at
    ctx.reply(ctx.t(key, **params), edit=True, entity=fine.number)


def notice_goes_at(ctx: Context) -> str | None:
    """When a notice queued now reaches the person, as shown: None for at once, else the next working time (R18)."""
    when = deliver_at(ctx.now, ctx.app.calendar)
    return None if when == ctx.now else fmt_time(ctx.language, when, ctx.app.config.tz)


def notice_timing(ctx: Context) -> str:
    """An extra line saying when the notice goes out, when it has to wait for working time."""
    at = notice_goes_at(ctx)
    return "" if at is None else "\n" + ctx.t("fine.notice_queued", at=at)


def why_not(language: str, fine: Fine, action: FineAction, tz: ZoneInfo) -> str:
    """Why ``action`` is impossible for the fine now, naming its state, who decided and when."""
    state = t(language, f"fine.state.{fine.state}")
    if action is FineAction.appeal:
        if fine.appealed_at is not None:
            return t(language, "fine.not_now.appealed_once", number=fine.number, state=state,
                     date=fmt_time(language, fine.appealed_at, tz))
        return t(language, "fine.not_now.not_confirmed", number=fine.number, state=state)
    who = fine.decider.name if fine.decider else "—"
    return t(language, "fine.not_now.decided", number=fine.number, state=state, who=who,
             date=fmt_time(language, fine.decided_at, tz), action=t(language, f"fine.action.{action.value}"))


async def show_stale(ctx: Context, fine: Fine, action: FineAction) -> None:
    """A button pressed after the fine moved on: say what state it is in, and leave a current card."""
    ctx.callback_answer = why_not(ctx.language, fine, action, ctx.app.config.tz)
    ctx.reply(fine_card(ctx.language, fine) + "\n" + ctx.callback_answer,
              buttons=decision_buttons(ctx.language, fine), edit=True, entity=fine.number)


def fine_card(language: str, fine: Fine) -> str:
    """One fine as a manager sees it in /fines: the ledger row, and the appeal's reason if any."""
    text = _row(language, fine)
    if fine.state == FineState.appealed.value and fine.appeal_reason:
        text += "\n" + t(language, "fines.appeal_reason", reason=fine.appeal_reason)
    return text


def _row(language: str, fine: Fine) -> str:
    return t(language, "fines.row", number=fine.number, rule=fine.rule, person=fine.person.name,
             amount=fine.amount_yuan, state=t(language, f"fine.state.{fine.state}"), reason=fine_reason(language, fine))


async def _notice(ctx: Context, fine: Fine) -> None:
    """The written notice to the person (书面通知): rule, amount, reason, evidence, appeal deadline."""
    evidence_ids = json.loads(fine.evidence or "[]")
    entries = await order_store.audit_entries(ctx.session, evidence_ids)
    # A button press (the proposal from a card) is evidence too, but no message to quote.
    texts = [entries[i].text for i in evidence_ids if i in entries]
    quoted = [f"「{said[:80]}」" for said in texts if said]

    def text(language: str) -> str:
        lines = [t(language, f"fine.notice.{fine.state}", number=fine.number, rule=fine.rule, amount=fine.amount_yuan,
                   reason=fine_reason(language, fine))]
        if quoted and fine.state == FineState.confirmed.value:
            lines.append(t(language, "fine.notice.evidence") + "\n" + "\n".join(quoted))
        if fine.appeal_deadline and fine.state == FineState.confirmed.value:
            lines.append(t(language, "fine.notice.appeal", date=fmt_date(language, fine.appeal_deadline),
                           number=fine.number))
        return "\n".join(lines)

    await ctx.notify([fine.person], f"fine:{fine.number}:{fine.state}", entity=fine.number, text_for=text)


async def list_fines(ctx: Context, args: str) -> None:
    """Managers see the ledger (proposed first); everyone else their own fines."""
    manager = ctx.person.role == Role.MANAGER
    rows = await fine_store.fines(ctx.session, person_id=None if manager else ctx.person.id)
    if not rows:
        ctx.say("fines.none")
        return
    ctx.reply("\n".join([ctx.t("fines.header", count=len(rows)), *(_row(ctx.language, fine) for fine in rows)]))
    if not manager:
        return
    # Each fine waiting for a decision gets its own card: deciding one edits that card only.
    for fine in [fine for fine in rows if decision_buttons(ctx.language, fine)][:10]:
        ctx.reply(fine_card(ctx.language, fine), buttons=decision_buttons(ctx.language, fine),
                  entity=fine.number)

