"""售后处理: the desk accepts (first response), sets severity, assigns, waits on the customer
(the R14 clock stops), resolves; the sales person asks the customer's satisfaction and a low
score re-opens the case (直至客户满意为止). A registration error links to the R7/R8 fine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from functools import partial

from domain.aftersales import (
    CaseAction, CaseState, Category, Resolution, after_satisfaction, case_actions, case_transition, validate_score,
)
from domain.aftersales.case import FINISHED
from domain.errors import DomainError
from domain.parsing import ParsedMessage
from domain.roles import Role
from domain.texts import t
from handlers.aftersales import cards, notices
from handlers.aftersales.common import DESK, case_for_button, refresh_sla
from handlers.context import Context
from handlers.fines import RuleReason, propose_fine
from handlers.questions import Question
from handlers.notify import people
from handlers.records import record, tell_sales
from handlers.buttons import DeskAction, SalesCaseAction
from handlers.types import Button, id_from
from storage import aftersales as case_store
from storage import orders as order_store
from storage.models import AfterSalesCase, AwaitingInput, CasePause
from storage.users import user_by_id


async def show_card(ctx: Context, case: AfterSalesCase, *, desk: bool = True, edit: bool = False,
                    headline_key: str = "case.card", note: str | None = None) -> None:
    """The desk's card of the case (with the customer wait's reason), or the sales person's (``desk=False``)."""
    card = await notices.case_card(ctx.session, ctx.language, case, ctx.app.config.tz, headline_key=headline_key,
                                   note=note, desk=desk)
    hint = "\n" + ctx.t("case.photo_hint") if headline_key in ("case.opened", "case.opened_queued") else ""
    ctx.reply(card.text + hint, buttons=card.buttons, entity=case.number, edit=edit)


async def step(ctx: Context, case: AfterSalesCase, action: CaseAction, **detail: object) -> None:
    before = case.state
    after = case_transition(before, action)
    case.state = after
    if action is CaseAction.accept and case.accepted_at is None:
        case.accepted_at = ctx.now  # the first response (R14)
    await refresh_sla(ctx, case)
    await record(ctx, case, action.value, from_state=before.value, to_state=after.value,
                 detail={k: v for k, v in detail.items() if v is not None} or None)


async def desk_button(ctx: Context, data: DeskAction) -> None:
    """A button on the desk's card of a case: the step it names, or "expired" when it cannot be now."""
    case = await case_for_button(ctx, data.case_id)
    if case is None:
        return
    if data.what in _ARGUMENTS and data.arg not in _ARGUMENTS[data.what]:
        ctx.callback_answer = ctx.t("button.expired")
        return
    action = _BUTTON_ACTIONS.get(data.what)
    if action is not None and action not in case_actions(case.state):
        await refuse_stale(ctx, case, data.what)
        return
    if await _DESK_STEPS[data.what](ctx, case, data.arg):
        await show_card(ctx, case, edit=True)


async def _accept(ctx: Context, case: AfterSalesCase, arg: str) -> bool:
    if case.assignee_id is None:
        case.assignee = ctx.person
    await step(ctx, case, CaseAction.accept)
    await tell_sales(ctx, case, f"case:{case.number}:accepted:{ctx.evidence_id}", text_for=lambda language: t(
        language, "case.accepted_for_sales", number=case.number, who=ctx.person.name))
    ctx.callback_answer = ctx.t("case.done", state=cards.state_label(ctx.language, case.state))
    return True


async def _ask_reason(ctx: Context, case: AfterSalesCase, arg: str, *, what: str, action: CaseAction,
                      question: Question, edit: bool = False) -> None:
    case_transition(case.state, action)  # refuse before asking
    await order_store.await_input(ctx.session, ctx.person.id, kind=question.value, ref_id=case.id, field=None, now=ctx.now)
    ctx.reply(ctx.t(f"case.ask.{what}_reason", number=case.number), entity=case.number, edit=edit)


async def _end_pause(ctx: Context, case: AfterSalesCase) -> CasePause | None:
    """The customer wait ends now, by the sender (the SLA clock runs again); the pause, if any."""
    open_pause = await case_store.open_pause(ctx.session, case.id)
    if open_pause is not None and case.state is CaseState.waiting_customer:
        open_pause.ended_at, open_pause.ended_by = ctx.now, ctx.person.id
    return open_pause


async def _resume(ctx: Context, case: AfterSalesCase, arg: str) -> bool:
    """客户已回复: the pause ends and the deadlines move by the paused working time."""
    open_pause = await _end_pause(ctx, case)
    await step(ctx, case, CaseAction.customer_replied,
               paused_from=open_pause.started_at.isoformat() if open_pause else None)
    ctx.callback_answer = ctx.t("case.resumed", at=cards.fmt_time(ctx.language, case.next_due_at, ctx.app.config.tz))
    return True


async def _ask_resolution(ctx: Context, case: AfterSalesCase, arg: str) -> None:
    ctx.reply(ctx.t("case.ask.resolution", number=case.number), buttons=cards.resolution_buttons(ctx.language, case),
              entity=case.number)


async def _resolution(ctx: Context, case: AfterSalesCase, code: str) -> None:
    resolution = cards.RESOLUTION_CODES[code]
    if resolution is Resolution.rejected:  # 不予处理 needs the reason first
        await _ask_reason(ctx, case, code, what="declined", action=CaseAction.resolve,
                          question=Question.case_resolution_reason, edit=True)
    else:
        await resolve(ctx, case, resolution, None, edit=True)


async def _severity(ctx: Context, case: AfterSalesCase, code: str) -> bool:
    severity = cards.SEVERITY_CODES[code]
    before, case.severity = case.severity, severity
    await refresh_sla(ctx, case)
    await record(ctx, case, "severity_set", detail={"from": before, "to": severity})
    return True


async def _ask_assignee(ctx: Context, case: AfterSalesCase, arg: str) -> None:
    staff = await people(ctx.session, Role.CLERK, Role.MANAGER)
    ctx.reply(ctx.t("case.ask.assignee", number=case.number), entity=case.number,
              buttons=tuple((Button(person.name, DeskAction(case.id, "to", str(person.id)).pack()),)
                            for person in staff[:10]))


async def _assign_to(ctx: Context, case: AfterSalesCase, user_id: str) -> bool:
    person = await user_by_id(ctx.session, row_id) if (row_id := id_from(user_id)) else None
    if person is None or Role(person.role) not in DESK:
        ctx.callback_answer = ctx.t("button.expired")
        return False
    before = case.assignee.name if case.assignee else None
    case.assignee = person
    await ctx.session.flush()
    await record(ctx, case, "assigned", detail={"to": person.id, "name": person.name, "from": before})
    ctx.callback_answer = ctx.t("case.assigned", name=person.name)
    if ctx.user is not None and person.id != ctx.user.id:
        await ctx.notify([person], f"case:{case.number}:assigned:{ctx.evidence_id}", entity=case.number,
                         live=notices.card_spec("case.assigned_to_you"))
    return True


async def _fine(ctx: Context, case: AfterSalesCase, rule: str) -> bool:
    ctx.callback_answer = await propose_case_fine(ctx, case, rule)
    return True  # redrawn whether proposed or refused


async def refuse_stale(ctx: Context, case: AfterSalesCase, what: str) -> None:
    """A step button pressed after the case moved on: its state now, who moved it and when; the
    card is redrawn with the buttons possible now."""
    last = next((e for e in reversed(await case_store.history(ctx.session, case.id)) if e.to_state), None)
    ctx.callback_answer = ctx.t("case.not_now", number=case.number, state=cards.state_label(ctx.language, case.state),
                                who=last.actor.name if last and last.actor else "—",
                                at=cards.fmt_time(ctx.language, last.at if last else case.opened_at,
                                                  ctx.app.config.tz),
                                action=ctx.t(f"case.button.{what}"))
    await show_card(ctx, case, edit=True, note=ctx.callback_answer)


async def pick_category(ctx: Context, case: AfterSalesCase, value: str, *,
                        card: type[DeskAction] | type[SalesCaseAction]) -> bool:
    """R13 category by button (sales on their own case, or the desk): without a value the choice is
    shown; with one the category is corrected. True when it was, so the caller redraws its card."""
    if not value:
        ctx.reply(ctx.t("case.ask.category", number=case.number),
                  buttons=cards.category_buttons(ctx.language, case, card), entity=case.number, edit=True)
        return False
    try:
        category = Category(value)
    except ValueError:
        ctx.callback_answer = ctx.t("button.expired")
        return False
    await change_category(ctx, case, category)
    ctx.callback_answer = ctx.t("case.category_set", category=ctx.t(f"case.category.{category.value}"))
    return True


async def change_category(ctx: Context, case: AfterSalesCase, category: Category) -> None:
    """R13: the case's category is now ``category`` (recorded when it changes); not on a finished case."""
    if case.state in FINISHED:
        raise DomainError("case.finished", state=case.state, action="category")
    before = case.category
    if before != category.value:
        case.category = category
        await record(ctx, case, "category_set", detail={"from": before, "to": category.value})


async def resolve(ctx: Context, case: AfterSalesCase, resolution: Resolution, note: str | None, *,
                  edit: bool) -> None:
    """已处理: record how, close the pause if any, and ask the sales person for the customer's score."""
    await _end_pause(ctx, case)
    case.resolution, case.resolution_note, case.resolved_at = resolution, note, ctx.now
    await step(ctx, case, CaseAction.resolve, resolution=resolution.value, note=note)
    await tell_sales(ctx, case, f"case:{case.number}:resolved:{ctx.evidence_id}", live={"kind": "case.score"})
    await show_card(ctx, case, edit=edit, note=ctx.t("case.resolved", number=case.number,
                                                         resolution=ctx.t(f"case.resolution.{resolution.value}")))


async def satisfaction(ctx: Context, case: AfterSalesCase, score: int) -> None:
    """客户满意度调查: a satisfied customer closes the case; otherwise it re-opens (直至客户满意为止)."""
    rules = ctx.app.config.policy.after_sales
    validate_score(score, rules)
    if case.state is not CaseState.resolved:
        ctx.callback_answer = ctx.t("case.score_not_now", state=cards.state_label(ctx.language, case.state))
        return
    action = after_satisfaction(score, rules)
    case.satisfaction = score
    if action is CaseAction.close:
        case.closed_at = ctx.now
        await step(ctx, case, action, score=score)
        ctx.reply(ctx.t("case.closed_satisfied", number=case.number, score=score), entity=case.number, edit=True)
        return
    resolution = case.resolution
    case.resolution, case.resolution_note = None, None
    case.reopen_count += 1
    case.sla_started_at = ctx.now  # a fresh resolution budget from the re-opening
    await step(ctx, case, action, score=score, previous_resolution=resolution)
    ctx.reply(ctx.t("case.reopened_for_sales", number=case.number, score=score), entity=case.number, edit=True)
    desk = [case.assignee] if case.assignee else await people(ctx.session, Role.CLERK)
    await ctx.notify(desk, f"case:{case.number}:reopened:{case.reopen_count}", entity=case.number,
                     live=notices.card_spec(note_key="case.reopened_for_desk", score=score))


async def propose_case_fine(ctx: Context, case: AfterSalesCase, rule: str) -> str:
    """登记错误 (R13) → the R7 fine (the clerk placed it wrong) or R8 (sales registered it wrong), proposed
    to the managers with the case's request message as evidence; the answer to the button press."""
    if case.category != Category.wrong_order.value or case.order is None:
        return ctx.t("case.fine_not_wrong_order")
    if case.fine_id is not None:
        return ctx.t("fine.exists")
    order = case.order
    policy = ctx.app.config.policy
    if rule == "R7":
        person = await user_by_id(ctx.session, order.clerk_id) if order.clerk_id else None
        amount = policy.placement.clerk_error_fine_yuan
    else:
        person = order.sales
        pieces = sum(line.quantity for line in order.lines) if case.whole_order else 1
        amount = policy.change_fines.after_store_warehouse_yuan * max(pieces, 1)
    if person is None:
        return ctx.t("case.fine_no_person")
    fine = await propose_fine(ctx.session, ctx.app, rule=rule, person=person, amount=amount,
                              reason=RuleReason("fine.reason.case", {"number": case.number, "order": order.number,
                                                                     "rule": rule}),
                              now=ctx.now, rule_key=f"{rule}:{case.number}", order=order, proposed_by=ctx.user,
                              evidence=[e for e in (case.evidence_id, ctx.evidence_id) if e])
    if fine is None:
        return ctx.t("fine.exists")
    case.fine_id = fine.id
    await record(ctx, case, "fine_proposed", detail={"fine": fine.number, "rule": rule, "person": person.id,
                                                     "amount": amount})
    return ctx.t("fine.proposed_ok", number=fine.number)


_Answer = Callable[[Context, AwaitingInput, ParsedMessage], Awaitable[None]]


def _reason_answer(act: Callable[[Context, AfterSalesCase, str], Awaitable[None]]) -> _Answer:
    """The answer to an awaited reason: the question is cleared, and ``act`` gets the case it is
    about and the reason as typed (at most 300 characters)."""
    async def answer(ctx: Context, waiting: AwaitingInput, parsed: ParsedMessage) -> None:
        case = await ctx.session.get(AfterSalesCase, waiting.ref_id)
        await order_store.clear_awaiting(ctx.session, ctx.person.id)
        if case is not None:
            await act(ctx, case, (ctx.incoming.text or "").strip()[:300])
    return answer


@_reason_answer
async def wait_reason(ctx: Context, case: AfterSalesCase, reason: str) -> None:
    """The answer to 等客户的原因: the R14 (SLA) clock stops, with the reason, who and when."""
    ctx.session.add(CasePause(case_id=case.id, started_at=ctx.now, started_by=ctx.person.id, reason=reason))
    await step(ctx, case, CaseAction.wait_for_customer, reason=reason)
    await show_card(ctx, case, edit=False, note=ctx.t("case.paused", number=case.number))


@_reason_answer
async def reject_reason(ctx: Context, case: AfterSalesCase, reason: str) -> None:
    """The answer to 拒绝受理的原因: the case is closed as rejected and the sales person told."""
    case.resolution_note = reason
    case.closed_at = ctx.now
    await step(ctx, case, CaseAction.reject, reason=reason)
    await tell_sales(ctx, case, f"case:{case.number}:rejected:{ctx.evidence_id}", text_for=lambda language: t(
        language, "case.refused_for_sales", number=case.number, reason=reason))
    await show_card(ctx, case, edit=False)


@_reason_answer
async def declined_reason(ctx: Context, case: AfterSalesCase, reason: str) -> None:
    """The answer to 不予处理的理由: the case is resolved as declined."""
    await resolve(ctx, case, Resolution.rejected, reason, edit=False)


DeskStep = Callable[[Context, AfterSalesCase, str], Awaitable[bool | None]]
# What each button on the desk card does (``DeskAction.what``), with the argument ``DeskAction.arg``;
# a step that answers True is answered by redrawing the card with the buttons possible now.
_DESK_STEPS: dict[str, DeskStep] = {
    "accept": _accept, "resume": _resume, "resolve": _ask_resolution,
    "reject": partial(_ask_reason, what="reject", action=CaseAction.reject, question=Question.case_reject_reason),
    "wait": partial(_ask_reason, what="wait", action=CaseAction.wait_for_customer, question=Question.case_wait_reason),
    "res": _resolution, "sev": _severity, "assign": _ask_assignee, "to": _assign_to,
    "cat": partial(pick_category, card=DeskAction), "fine": _fine,
}


# The arguments a button may carry; any other is a stale or forged one ("expired").
_ARGUMENTS: dict[str, Collection[str]] = {"res": cards.RESOLUTION_CODES, "sev": cards.SEVERITY_CODES,
                                          "fine": ("R7", "R8")}
# The desk card's step buttons and the life-cycle action each one takes.
_BUTTON_ACTIONS = {"accept": CaseAction.accept, "reject": CaseAction.reject, "wait": CaseAction.wait_for_customer,
                   "resume": CaseAction.customer_replied, "resolve": CaseAction.resolve}
