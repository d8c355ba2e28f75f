"""售后单: categories (R13), severity, resolutions and the case life cycle.

``open → accepted (受理) ⇄ waiting_customer (等客户) → resolved (已处理) → closed``;
``open → rejected`` for a request that is not an after-sales matter; a
customer who is not satisfied re-opens a resolved case (``reopened``), which is
worked again like an accepted one. Only ``waiting_customer`` stops the SLA clock.
"""

from __future__ import annotations

from enum import StrEnum

from domain.errors import DomainError
from domain.policy.settings import AfterSalesRules


class Category(StrEnum):
    """R13 售后类别."""

    quality = "quality"  # 质量问题退换货 (one product can return a whole order)
    size = "size"  # 送货时尺寸不合适
    wrong_order = "wrong_order"  # 登记错误: 下错单、打错票、送错货
    other = "other"  # 其他


# The words staff type for a category (改类别 尺寸), simplified and traditional.
_CATEGORY_WORDS = {
    Category.quality: ("质量问题退换货", "质量问题", "质量", "質量", "品质", "品質", "quality"),
    Category.size: ("尺寸不合适", "尺寸不合適", "尺寸", "尺码", "大小", "size"),
    Category.wrong_order: ("登记错误", "登記錯誤", "登记错", "下错单", "下錯單", "打错票", "打錯票", "送错货", "送錯貨",
                           "wrong order", "wrong_order"),
    Category.other: ("其他", "其它", "other"),
}


def category_named(word: str) -> Category | None:
    """The R13 category a word names (尺寸 → size), None for anything else."""
    cleaned = " ".join(word.strip().lower().split()).strip("。.!！")
    for category, words in _CATEGORY_WORDS.items():
        if cleaned in words:
            return category
    return None


class Severity(StrEnum):
    high = "high"  # 紧急
    medium = "medium"  # 一般
    low = "low"  # 轻微


class Resolution(StrEnum):
    repair = "repair"  # 维修
    exchange = "exchange"  # 换货
    return_ = "return"  # 退货
    refund = "refund"  # 退款
    rejected = "rejected"  # 不予处理 (examined, claim declined)


class CaseState(StrEnum):
    open = "open"  # 已登记
    accepted = "accepted"  # 已受理
    waiting_customer = "waiting_customer"  # 等待客户
    resolved = "resolved"  # 已处理, awaiting the satisfaction answer
    closed = "closed"  # 已结案
    rejected = "rejected"  # 不受理
    reopened = "reopened"  # 重开 (customer not satisfied)


class CaseAction(StrEnum):
    accept = "accept"
    reject = "reject"
    wait_for_customer = "wait_for_customer"
    customer_replied = "customer_replied"
    resolve = "resolve"
    close = "close"
    reopen = "reopen"


_WORKING = {
    CaseAction.wait_for_customer: CaseState.waiting_customer,
    CaseAction.resolve: CaseState.resolved,
}
_STEPS: dict[CaseState, dict[CaseAction, CaseState]] = {
    CaseState.open: {CaseAction.accept: CaseState.accepted, CaseAction.reject: CaseState.rejected},
    CaseState.accepted: dict(_WORKING),
    CaseState.reopened: {CaseAction.accept: CaseState.accepted, **_WORKING},
    CaseState.waiting_customer: {CaseAction.customer_replied: CaseState.accepted, CaseAction.resolve: CaseState.resolved},
    CaseState.resolved: {CaseAction.close: CaseState.closed, CaseAction.reopen: CaseState.reopened},
    CaseState.closed: {},
    CaseState.rejected: {},
}

FINISHED = frozenset({CaseState.closed, CaseState.rejected})


def case_actions(state: CaseState) -> frozenset[CaseAction]:
    return frozenset(_STEPS[state])


def case_transition(state: CaseState, action: CaseAction) -> CaseState:
    """The state after ``action``; ``case.finished`` or ``case.step_not_allowed`` otherwise."""
    if state in FINISHED:
        raise DomainError("case.finished", state=state.value, action=action.value)
    target = _STEPS[state].get(action)
    if target is None:
        raise DomainError(
            "case.step_not_allowed",
            state=state.value,
            action=action.value,
            allowed=tuple(sorted(a.value for a in case_actions(state))),
        )
    return target


def pauses_sla(state: CaseState) -> bool:
    """Waiting for the customer is not the desk's delay: the SLA clock stops."""
    return state is CaseState.waiting_customer


def validate_score(score: int, rules: AfterSalesRules | None = None) -> int:
    """A satisfaction score (满意度评分) on the configured scale, else ``case.score_out_of_range``."""
    rules = rules or AfterSalesRules()
    if isinstance(score, bool) or not isinstance(score, int) or not rules.satisfaction_min <= score <= rules.satisfaction_max:
        raise DomainError("case.score_out_of_range", score=score, min=rules.satisfaction_min, max=rules.satisfaction_max)
    return score


def is_satisfied(score: int, rules: AfterSalesRules | None = None) -> bool:
    """满意: a valid score at or above ``satisfied_min_score`` (4 of 5 by default)."""
    rules = rules or AfterSalesRules()
    return validate_score(score, rules) >= rules.satisfied_min_score


def after_satisfaction(score: int, rules: AfterSalesRules | None = None) -> CaseAction:
    """What a resolved case does with the customer's score: close, or re-open."""
    return CaseAction.close if is_satisfied(score, rules) else CaseAction.reopen
