"""Order intake (接单审核): R2 交单时间/插单, R3 付款方式, R4 下单提前期, R12 退货日暂停.

Intake never silently drops an order: it computes the order date, raises flags
the clerk acts on, names a refusal code when a rule forbids the order, and says
when intake is paused for the return day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Iterable

from domain.policy.calendar import calendar_for
from domain.policy.return_day import held_until, intake_paused
from domain.policy.settings import IntakeRules, LeadTimeRules, PolicySettings


class Material(StrEnum):
    """R4 材质, which sets the lead time."""

    panel = "panel"  # 板木
    solid = "solid"  # 实木


class Payment(StrEnum):
    """R3 付款方式: only these two are accepted."""

    full = "full"  # 全款
    guaranteed = "guaranteed"  # 担保


# The parser may hand over either the canonical code or the word sales typed.
_MATERIAL_ALIASES = {
    "panel": Material.panel, "板木": Material.panel, "板式": Material.panel, "板材": Material.panel,
    "密度板": Material.panel, "颗粒板": Material.panel, "多层板": Material.panel,
    "solid": Material.solid, "solid wood": Material.solid, "实木": Material.solid, "實木": Material.solid,
    "全实木": Material.solid, "纯实木": Material.solid, "原木": Material.solid,
}
_PAYMENT_ALIASES = {
    "full": Payment.full, "全款": Payment.full,
    "guaranteed": Payment.guaranteed, "担保": Payment.guaranteed, "擔保": Payment.guaranteed,
}

RUSH_INSERTION = "rush_insertion"  # 插单
SHORT_LEAD_TIME = "short_lead_time"  # 提前期不足


def material_of(material: str | None) -> Material | None:
    """The material a code or word names (实木 → solid), None when unknown or missing."""
    return _MATERIAL_ALIASES.get(material.strip().lower() if isinstance(material, str) else "")


def lead_days(material: str | None, lead: LeadTimeRules) -> int:
    """Lead time of one material; unknown or missing counts as ``unknown_material_days``."""
    kind = material_of(material)
    if kind is Material.panel:
        return lead.panel_days
    if kind is Material.solid:
        return lead.solid_days
    return lead.unknown_material_days


def order_date(delivery_date: date, materials: Iterable[str | None], lead: LeadTimeRules) -> date:
    """下单日期: the delivery date minus the lead time; a mixed order takes the longest.

    Calendar days, as the rule book counts them. An order with no material at all
    is treated as unknown.
    """
    days = [lead_days(m, lead) for m in materials] or [lead.unknown_material_days]
    return delivery_date - timedelta(days=max(days))


def is_rush_insertion(sent_at_local_time: time, rules: IntakeRules) -> bool:
    """插单: handed in outside the daily window ``[window_start, window_end)``."""
    return not rules.window_start <= sent_at_local_time < rules.window_end


def normalise_payment(payment: str | None) -> Payment | None:
    """The accepted payment the text names, else None (the caller tells missing from wrong)."""
    if payment is None:
        return None
    return _PAYMENT_ALIASES.get(payment.strip().lower())


@dataclass(frozen=True, slots=True)
class IntakeAssessment:
    """What the rules say about one submitted order (接单审核结果)."""

    order_date: date | None
    flags: frozenset[str]
    refusal: str | None
    missing: frozenset[str]
    paused_for_return_day: bool
    resume_on: date | None


def assess_intake(
    *,
    sent_at: datetime,
    delivery_date: date | None,
    materials: Iterable[str | None],
    payment: str | None,
    return_day: date | None,
    policy: PolicySettings,
) -> IntakeAssessment:
    """Apply R2, R3, R4 and R12 to an order sent at ``sent_at`` (aware).

    ``refusal`` is ``"payment.not_accepted"`` for a payment other than full or
    guaranteed (R3). A missing payment or delivery date is not a refusal but an
    entry in ``missing`` so the clerk can ask for it. ``short_lead_time`` means
    the order arrived after its order date (R4); submitting on the order date is
    still in time, because R6 makes that the day sales tell the clerk.
    """
    calendar = calendar_for(policy)
    local = calendar.local(sent_at)
    sent_on = local.date()

    flags: set[str] = set()
    if is_rush_insertion(local.time(), policy.intake):
        flags.add(RUSH_INSERTION)

    missing: set[str] = set()
    placed_by: date | None = None
    if delivery_date is None:
        missing.add("delivery_date")
    else:
        placed_by = order_date(delivery_date, materials, policy.lead_time)
        if sent_on > placed_by:
            flags.add(SHORT_LEAD_TIME)

    refusal = None
    if payment is None or not payment.strip():
        missing.add("payment")
    elif normalise_payment(payment) is None:
        refusal = "payment.not_accepted"

    paused = intake_paused(sent_on, return_day)
    return IntakeAssessment(
        order_date=placed_by,
        flags=frozenset(flags),
        refusal=refusal,
        missing=frozenset(missing),
        paused_for_return_day=paused,
        resume_on=held_until(sent_on, return_day, calendar),
    )
