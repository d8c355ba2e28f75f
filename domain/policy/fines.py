"""R16 奖罚执行: a fine's life from proposal to appeal decision.

``proposed`` (the bot or a clerk computed it) → ``confirmed`` (a manager
confirmed; the written notice goes out) or ``waived``; a confirmed fine may be
``appealed`` (申诉) within N working days of the notice, then ``upheld`` or
``overturned``. A confirmed fine can still be waived, e.g. R10 when the backlog
was too large to deliver.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.errors import DomainError
from domain.policy.calendar import WorkingCalendar
from domain.policy.settings import FineRules


class FineState(StrEnum):
    proposed = "proposed"  # 拟罚
    confirmed = "confirmed"  # 已确认 (书面通知)
    waived = "waived"  # 免罚
    appealed = "appealed"  # 申诉中
    upheld = "upheld"  # 维持
    overturned = "overturned"  # 撤销


class FineAction(StrEnum):
    confirm = "confirm"
    waive = "waive"
    appeal = "appeal"
    uphold = "uphold"
    overturn = "overturn"


_STEPS: dict[FineState, dict[FineAction, FineState]] = {
    FineState.proposed: {FineAction.confirm: FineState.confirmed, FineAction.waive: FineState.waived},
    FineState.confirmed: {FineAction.appeal: FineState.appealed, FineAction.waive: FineState.waived},
    FineState.appealed: {FineAction.uphold: FineState.upheld, FineAction.overturn: FineState.overturned},
    FineState.waived: {},
    FineState.upheld: {},
    FineState.overturned: {},
}


def fine_actions(state: FineState) -> frozenset[FineAction]:
    return frozenset(_STEPS[state])


def appeal_deadline(notified_on: date, rules: FineRules, calendar: WorkingCalendar) -> date:
    """申诉期限: the last day to appeal, N working days after the notice (inclusive)."""
    return calendar.add_working_days(notified_on, rules.appeal_working_days)


def may_appeal(today: date, deadline: date) -> bool:
    return today <= deadline


def fine_transition(
    state: FineState,
    action: FineAction,
    *,
    today: date | None = None,
    appeal_deadline: date | None = None,
) -> FineState:
    """The state after ``action``.

    Raises ``fine.step_not_allowed`` (params ``state``, ``action``) and, for an
    appeal, ``fine.appeal_too_late`` (params ``deadline``). An appeal needs
    ``today`` and ``appeal_deadline`` so the deadline can never be forgotten.
    """
    target = _STEPS[state].get(action)
    if target is None:
        raise DomainError("fine.step_not_allowed", state=state.value, action=action.value)
    if action is FineAction.appeal:
        if today is None or appeal_deadline is None:
            raise ValueError("an appeal needs today and appeal_deadline")
        if not may_appeal(today, appeal_deadline):
            raise DomainError("fine.appeal_too_late", deadline=appeal_deadline, today=today)
    return target


# 责任人: whom a rule fines when a fine is named by its order or after-sales case
# (R2 插单 and R8 改单: the sales person; R7 and R10: the clerk; R6: both).
_RESPONSIBLE: dict[str, tuple[str, ...]] = {
    "R2": ("sales",), "R6": ("sales", "clerk"), "R7": ("clerk",), "R8": ("sales",), "R10": ("clerk",),
}


def responsible_roles(rule: str) -> tuple[str, ...]:
    """The roles ``rule`` fines on an order, in the order the rule names them; () if it names nobody."""
    return _RESPONSIBLE.get(rule.strip().upper(), ())
