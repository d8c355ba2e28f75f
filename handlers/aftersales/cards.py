"""How a case looks in chat: the sales person's card and the desk's card with its buttons."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.aftersales import CaseState, Category, Resolution, Severity
from domain.aftersales.case import FINISHED
from domain.orders.lifecycle import OrderState
from handlers.buttons import DeskAction, DeskWord, SalesCaseAction
from domain.texts import t
from handlers.types import Button
from storage.models import AfterSalesCase

SEVERITY_CODES = {"h": Severity.high, "m": Severity.medium, "l": Severity.low}
RESOLUTION_CODES = {"rp": Resolution.repair, "ex": Resolution.exchange, "rt": Resolution.return_,
                    "rf": Resolution.refund, "no": Resolution.rejected}
# Once resolved the desk waits for the satisfaction answer: no deadline runs and no step is left.
SETTLED = frozenset({*FINISHED, CaseState.resolved})
# The desk card's step buttons in each state the case is being worked on.
_STEP_ROWS: dict[CaseState, tuple[tuple[DeskWord, ...], ...]] = {
    CaseState.open: (("accept", "reject"),),
    CaseState.reopened: (("accept",), ("resolve", "wait")),
    CaseState.accepted: (("resolve", "wait"),),
    CaseState.waiting_customer: (("resume", "resolve"),),
}
# After-sales is about delivered goods; a case on an order in any other state is pointed out.
DELIVERED_STATES = (OrderState.delivered, OrderState.closed)


def fmt_time(language: str, moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return t(language, "case.no_deadline")
    local = (moment.astimezone(tz) + timedelta(seconds=30)).replace(second=0, microsecond=0)  # nearest minute
    return t(language, "case.time", month=local.month, day=local.day,
             weekday=t(language, f"weekday.{local.weekday()}"), hm=local.strftime("%H:%M"))


def state_label(language: str, state: str) -> str:
    return t(language, f"case.state.{state}")


def card(language: str, case: AfterSalesCase, tz: ZoneInfo, *, photos: int, headline_key: str = "case.card",
         waiting_reason: str | None = None) -> str:
    order = case.order
    lines = [t(language, headline_key, number=case.number, store=case.store.name if case.store else "—",
               sales=case.sales.name if case.sales else "—", state=state_label(language, case.state))]
    if order is not None:
        lines.append(t(language, "case.line.order", number=order.number, customer=order.customer_name or "—"))
        if order.state not in DELIVERED_STATES:
            lines.append(t(language, "case.line.not_delivered", number=order.number,
                           state=t(language, f"state.{order.state}")))
    else:
        lines.append(t(language, "case.line.no_order", hint=case.customer_hint or "—"))
    lines.append(t(language, "case.line.category", category=t(language, f"case.category.{case.category}")))
    lines.append(t(language, "case.line.severity", severity=t(language, f"case.severity.{case.severity}")))
    lines.append(t(language, "case.line.description", text=case.description))
    lines.append(t(language, "case.line.whole_order", answer=t(language, "case.yes" if case.whole_order else "case.no")))
    lines.append(t(language, "case.line.photos", count=photos))
    lines.append(t(language, "case.line.assignee", name=case.assignee.name if case.assignee else "—"))
    if case.queued:
        lines.append(t(language, "case.line.queued", at=fmt_time(language, case.opened_at, tz)))
    if case.state is CaseState.open:
        lines.append(t(language, "case.line.respond_by", at=fmt_time(language, case.respond_by, tz)))
    if case.state not in SETTLED:
        lines.append(t(language, "case.line.resolve_by", at=fmt_time(language, case.resolve_by, tz)))
    if waiting_reason:
        lines.append(t(language, "case.line.waiting", reason=waiting_reason))
    if case.resolution:
        lines.append(t(language, "case.line.resolution", resolution=t(language, f"case.resolution.{case.resolution}"),
                       note=case.resolution_note or "—"))
    if case.satisfaction is not None:
        lines.append(t(language, "case.line.satisfaction", score=case.satisfaction))
    return "\n".join(lines)


def desk_buttons(language: str, case: AfterSalesCase) -> tuple[tuple[Button, ...], ...]:
    """The clerk's steps for the case's state: accept, severity, assign, wait/resume, resolve, category, fine."""
    if case.state in SETTLED:
        return ()

    def button(what: DeskWord, key: str | None = None, arg: str = "") -> Button:
        return Button(t(language, key or f"case.button.{what}"), DeskAction(case.id, what, arg).pack())

    rows = [tuple(button(what) for what in row) for row in _STEP_ROWS[case.state]]
    rows.append(tuple(button("sev", f"case.severity.{s.value}", code)
                      for code, s in SEVERITY_CODES.items() if s.value != case.severity))
    rows.append((button("assign"), button("cat", "case.button.category")))
    if case.category == Category.wrong_order.value and case.fine_id is None and case.order_id is not None:
        rows.append((button("fine", "case.button.fine_r7", "R7"),
                     button("fine", "case.button.fine_r8", "R8")))
    return tuple(rows)


def sales_buttons(language: str, case: AfterSalesCase) -> tuple[tuple[Button, ...], ...]:
    if case.state in SETTLED:
        return ()
    return ((Button(t(language, "case.button.category"), SalesCaseAction(case.id, "cat").pack()),),)


def category_buttons(language: str, case: AfterSalesCase,
                     card: type[DeskAction] | type[SalesCaseAction]) -> tuple[tuple[Button, ...], ...]:
    """The R13 categories, on the desk's card or on the sales person's."""
    return tuple((Button(("✓ " if c.value == case.category else "") + t(language, f"case.category.{c.value}"),
                         card(case.id, "cat", c.value).pack()),) for c in Category)


def resolution_buttons(language: str, case: AfterSalesCase) -> tuple[tuple[Button, ...], ...]:
    buttons = [Button(t(language, f"case.resolution.{r.value}"), DeskAction(case.id, "res", code).pack())
               for code, r in RESOLUTION_CODES.items()]
    return tuple(buttons[:3]), tuple(buttons[3:])


def score_buttons(language: str, case: AfterSalesCase, low: int, high: int) -> tuple[tuple[Button, ...], ...]:
    """客户满意度: one button per score of the configured scale."""
    return (tuple(Button(t(language, "case.score", n=n), SalesCaseAction(case.id, "score", str(n)).pack()) for n in range(low, high + 1)),)
