"""R17 考核指标 (业务跟单绩效考核): rates over plain counts.

Each KPI is a ``Rate`` that keeps its numerator and denominator, so rates of
several clerks or stores combine by adding counts (``combine``), never by
averaging percentages. An empty denominator gives ``value=None`` — "no data",
which a report must not show as 0 % or 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from domain.aftersales.case import is_satisfied
from domain.policy.settings import AfterSalesRules


@dataclass(frozen=True, slots=True)
class Rate:
    numerator: int
    denominator: int
    value: float | None  # 0.0–1.0, None when the denominator is 0

    @property
    def percent(self) -> float | None:
        return None if self.value is None else self.value * 100


def rate(numerator: int, denominator: int) -> Rate:
    """A part-of-whole ratio; a part larger than the whole is a counting error upstream."""
    if numerator < 0 or denominator < 0:
        raise ValueError("counts cannot be negative")
    if numerator > denominator:
        raise ValueError("the part cannot exceed the whole")
    return Rate(numerator, denominator, numerator / denominator if denominator else None)


def combine(rates: Iterable[Rate]) -> Rate:
    """Pool rates (e.g. clerks → store) by summing counts."""
    rates = list(rates)
    return rate(sum(r.numerator for r in rates), sum(r.denominator for r in rates))


def order_completion_rate(completed: int, due: int) -> Rate:
    """订单完成率 = 实际完成订单数 / 应完成订单数."""
    return rate(completed, due)


def on_time_processing_rate(steps_on_time: int, steps_total: int) -> Rate:
    """订单处理及时率 = 按时完成的处理环节数 / 处理环节总数."""
    return rate(steps_on_time, steps_total)


def problem_resolution_rate(resolved: int, raised: int) -> Rate:
    """问题解决率 = 已解决问题数 / 出现问题总数."""
    return rate(resolved, raised)


def customer_satisfaction(satisfied: int, surveyed: int) -> Rate:
    """客户满意度 = 满意客户数 / 调查客户数."""
    return rate(satisfied, surveyed)


def customer_satisfaction_from_scores(scores: Iterable[int], rules: AfterSalesRules | None = None) -> Rate:
    """客户满意度 from raw 1–5 survey scores, using the same threshold that re-opens cases."""
    scores = list(scores)
    return customer_satisfaction(sum(1 for s in scores if is_satisfied(s, rules)), len(scores))
