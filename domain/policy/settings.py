"""The rule book's numbers (R1–R18, as the README names them) as one immutable value.

Every default here equals the default in ``config.example.toml``;
``bot.config`` builds this object from the TOML file, so code never hard-codes a
number of the rule book.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Literal


@dataclass(frozen=True, slots=True)
class WorkingTime:
    """R18 工作时间: when people may be pinged."""

    work_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5)  # Monday=0 … Saturday=5
    day_start: time = time(9, 0)
    day_end: time = time(18, 30)
    # Public holidays and make-up working days (调休) of this region from a maintained
    # package: "CN" (mainland), "HK", "MO", "TW", or "none".
    calendar: Literal["CN", "HK", "MO", "TW", "none"] = "CN"
    holidays: tuple[date, ...] = ()  # the company's own days off
    extra_working_days: tuple[date, ...] = ()  # the company's own working days on a rest day or holiday
    # Escalations wait for working time too, unless the company says they may not.
    urgent_escalations_ignore_hours: bool = False


@dataclass(frozen=True, slots=True)
class IntakeRules:
    """R2 交单时间 / 插单."""

    window_start: time = time(17, 0)
    window_end: time = time(18, 0)
    rush_insertion_fine_yuan: int = 50
    last_call: time = time(17, 45)


@dataclass(frozen=True, slots=True)
class LeadTimeRules:
    """R4 下单提前期: days before the delivery date an order must be placed."""

    panel_days: int = 5  # 板木
    solid_days: int = 10  # 实木
    # A line whose material is unknown is treated like the longer lead time:
    # being early costs nothing, being late costs a fine.
    unknown_material_days: int = 10


@dataclass(frozen=True, slots=True)
class IntakeChecks:
    """接单核对: when a draft looks wrong enough that the card asks the sender to check it.

    None of these refuse an order; past a limit the confirm card says what looks off
    and the sender confirms with 「仍然提交」 instead of 「确认」.
    """

    max_lines: int = 20  # product lines in one order
    max_quantity_per_line: int = 50
    # How often the same line (product, material, spec, quantity) may appear; more is
    # usually a message pasted twice.
    max_identical_lines: int = 1
    # Same store, same customer phone, same items within this many hours: a duplicate (重复下单).
    duplicate_window_hours: int = 24
    # A delivery date further ahead than this is usually a typo (12月1日 meant last week).
    max_delivery_days_ahead: int = 180


@dataclass(frozen=True, slots=True)
class PlacementRules:
    """R6/R7 下单提醒与罚款."""

    sales_reminder_at: time = time(9, 0)
    clerk_reminder_at: time = time(17, 0)
    not_placed_fine_yuan: int = 50  # each, sales and clerk
    clerk_error_fine_yuan: int = 50  # R7


@dataclass(frozen=True, slots=True)
class ChangeFines:
    """R8 改单罚款 per piece."""

    after_printing_yuan: int = 30
    after_store_warehouse_yuan: int = 50


@dataclass(frozen=True, slots=True)
class PickupRules:
    """R10 成品仓提货."""

    days: int = 3
    first_fine_yuan: int = 10  # doubles each late day: 10, 20, 40, …
    max_fine_yuan: int = 10_000  # a cap so a forgotten order cannot overflow anyone's wages


@dataclass(frozen=True, slots=True)
class AfterSalesRules:
    """R11–R14 售后."""

    window_start: time = time(15, 0)
    window_end: time = time(17, 0)
    outside_window: str = "reject"  # or "queue": opened at the next window start
    return_day_first: int = 15  # R12: the return day is one of days 15–20
    return_day_last: int = 20
    return_day_notice_days: tuple[int, ...] = (3, 1)
    # R14 SLA per severity, in working hours (first response) / working days (resolution)
    respond_working_hours: dict[str, float] = field(
        default_factory=lambda: {"high": 2.0, "medium": 4.0, "low": 8.0}
    )
    resolve_working_days: dict[str, float] = field(
        default_factory=lambda: {"high": 1.0, "medium": 3.0, "low": 5.0}
    )
    warn_before_working_hours: float = 1.0
    # The case owner first (warned before the deadline), then each superior in turn:
    # the store's manager (店长), then the managers (主管/经理).
    escalation_chain: tuple[str, ...] = ("clerk", "store_manager", "manager")
    escalation_ack_working_hours: float = 2.0
    # Satisfaction survey after resolution (R17 customer satisfaction): scores 1–5,
    # 4 and above count as satisfied; below re-opens the case.
    satisfaction_min: int = 1
    satisfaction_max: int = 5
    satisfied_min_score: int = 4


@dataclass(frozen=True, slots=True)
class DigestRules:
    """R15 跟踪表 / 周会."""

    daily_at: time = time(18, 30)
    weekly_day: int = 0  # Monday
    weekly_at: time = time(9, 0)
    chase_list_at: time = time(9, 0)  # R9


@dataclass(frozen=True, slots=True)
class FineRules:
    """R16 奖罚执行."""

    appeal_working_days: int = 5


@dataclass(frozen=True, slots=True)
class PolicySettings:
    timezone: str = "Asia/Shanghai"
    working: WorkingTime = field(default_factory=WorkingTime)
    intake: IntakeRules = field(default_factory=IntakeRules)
    lead_time: LeadTimeRules = field(default_factory=LeadTimeRules)
    intake_checks: IntakeChecks = field(default_factory=IntakeChecks)
    placement: PlacementRules = field(default_factory=PlacementRules)
    change_fines: ChangeFines = field(default_factory=ChangeFines)
    pickup: PickupRules = field(default_factory=PickupRules)
    after_sales: AfterSalesRules = field(default_factory=AfterSalesRules)
    digests: DigestRules = field(default_factory=DigestRules)
    fines: FineRules = field(default_factory=FineRules)
