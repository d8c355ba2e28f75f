"""R2 rush insertion, R3 payment, R4 lead time / order date, R12 intake pause."""

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from domain.policy.intake import assess_intake, is_rush_insertion, lead_days, order_date
from domain.policy.settings import IntakeRules, LeadTimeRules, PolicySettings

SH = ZoneInfo("Asia/Shanghai")
LEAD = LeadTimeRules()
POLICY = PolicySettings()


@pytest.mark.parametrize(
    "materials, expected",
    [
        (["panel"], date(2026, 12, 15)),  # 5 days
        (["solid"], date(2026, 12, 10)),  # 10 days
        (["板木", "实木"], date(2026, 12, 10)),  # mixed takes the longer
        (["實木"], date(2026, 12, 10)),  # traditional script
        ([" Panel "], date(2026, 12, 15)),
        (["panel", None], date(2026, 12, 10)),  # unknown counts as the longer default
        (["oak"], date(2026, 12, 10)),
        ([], date(2026, 12, 10)),
    ],
)
def test_order_date(materials, expected):
    assert order_date(date(2026, 12, 20), materials, LEAD) == expected


def test_order_date_follows_configured_lead_times():
    lead = LeadTimeRules(panel_days=2, solid_days=7, unknown_material_days=3)
    assert order_date(date(2026, 12, 20), ["panel"], lead) == date(2026, 12, 18)
    assert order_date(date(2026, 12, 20), ["mdf"], lead) == date(2026, 12, 17)
    assert lead_days("solid", lead) == 7


@pytest.mark.parametrize(
    "t, expected",
    [(time(16, 59), True), (time(17, 0), False), (time(17, 59, 59), False), (time(18, 0), True), (time(9), True)],
)
def test_is_rush_insertion(t, expected):
    assert is_rush_insertion(t, IntakeRules()) is expected


def assess(sent_at, *, delivery=date(2026, 12, 20), materials=("panel",), payment="full", return_day=None):
    return assess_intake(
        sent_at=sent_at, delivery_date=delivery, materials=materials, payment=payment,
        return_day=return_day, policy=POLICY,
    )


@pytest.mark.parametrize(
    "sent_at, materials, flags",
    [
        (datetime(2026, 12, 10, 17, 30, tzinfo=SH), ("panel",), set()),
        (datetime(2026, 12, 10, 10, 0, tzinfo=SH), ("panel",), {"rush_insertion"}),
        (datetime(2026, 12, 15, 17, 30, tzinfo=SH), ("panel",), set()),  # on the order date: in time
        (datetime(2026, 12, 16, 17, 30, tzinfo=SH), ("panel",), {"short_lead_time"}),
        (datetime(2026, 12, 12, 20, 0, tzinfo=SH), ("solid",), {"rush_insertion", "short_lead_time"}),
        # 09:30 UTC is 17:30 in Shanghai: the window is on the business clock
        (datetime(2026, 12, 10, 9, 30, tzinfo=timezone.utc), ("panel",), set()),
    ],
)
def test_assess_intake_flags(sent_at, materials, flags):
    got = assess(sent_at, materials=materials)
    assert got.flags == flags
    assert got.refusal is None and not got.missing


@pytest.mark.parametrize(
    "payment, refusal, missing",
    [
        ("full", None, set()),
        ("guaranteed", None, set()),
        ("全款", None, set()),
        ("担保", None, set()),
        ("deposit", "payment.not_accepted", set()),
        ("定金", "payment.not_accepted", set()),
        (None, None, {"payment"}),
        ("  ", None, {"payment"}),
    ],
)
def test_assess_intake_payment(payment, refusal, missing):
    got = assess(datetime(2026, 12, 10, 17, 30, tzinfo=SH), payment=payment)
    assert got.refusal == refusal
    assert got.missing == missing


def test_missing_delivery_date_leaves_order_date_unknown():
    got = assess(datetime(2026, 12, 10, 17, 30, tzinfo=SH), delivery=None)
    assert got.order_date is None and got.missing == {"delivery_date"}
    assert "short_lead_time" not in got.flags


@pytest.mark.parametrize(
    "sent_at, return_day, paused, resume_on",
    [
        (datetime(2026, 12, 17, 17, 30, tzinfo=SH), date(2026, 12, 17), True, date(2026, 12, 18)),
        # return day on a Saturday: resume on Monday, Sunday is not a working day
        (datetime(2026, 12, 19, 17, 30, tzinfo=SH), date(2026, 12, 19), True, date(2026, 12, 21)),
        (datetime(2026, 12, 16, 17, 30, tzinfo=SH), date(2026, 12, 17), False, None),
        (datetime(2026, 12, 17, 17, 30, tzinfo=SH), None, False, None),
    ],
)
def test_intake_paused_on_return_day(sent_at, return_day, paused, resume_on):
    got = assess(sent_at, delivery=date(2026, 12, 31), return_day=return_day)
    assert got.paused_for_return_day is paused
    assert got.resume_on == resume_on
    assert got.order_date == date(2026, 12, 26)
