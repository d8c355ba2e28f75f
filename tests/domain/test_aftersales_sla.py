"""R14 SLA in working time, pauses, warnings and the escalation ladder."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from domain.aftersales import Severity, escalation_steps, sla_due, warning_at
from domain.policy.calendar import WorkingCalendar
from domain.policy.settings import AfterSalesRules, WorkingTime

SH = ZoneInfo("Asia/Shanghai")
RULES = AfterSalesRules()
CAL = WorkingCalendar(WorkingTime(), "Asia/Shanghai")


def sh(d, h, mi=0):
    return datetime(2026, 12, d, h, mi, tzinfo=SH)


@pytest.mark.parametrize(
    "opened, severity, respond_by, resolve_by",
    [
        (sh(8, 15), Severity.medium, sh(9, 9, 30), sh(11, 15)),  # 4 h; 3 days -> Fri 15:00
        (sh(8, 15), Severity.high, sh(8, 17), sh(9, 15)),
        (sh(10, 15), "low", sh(11, 13, 30), sh(16, 15)),  # 8 h; 5 days skip Sunday
        (sh(5, 17), "medium", sh(7, 11, 30), sh(9, 17)),  # Saturday, over Sunday
        (sh(6, 12), "high", sh(7, 11), sh(7, 18, 30)),  # opened on Sunday: clock starts Monday 09:00
    ],
)
def test_sla_due_without_pauses(opened, severity, respond_by, resolve_by):
    sla = sla_due(opened, severity, RULES, CAL)
    assert (sla.respond_by, sla.resolve_by) == (respond_by, resolve_by)


@pytest.mark.parametrize(
    "pauses, respond_by, resolve_by",
    [
        # paused 16:00 -> next day 10:00 (3.5 working h): both deadlines move
        ([(sh(8, 16), sh(9, 10))], sh(9, 13), sh(11, 18, 30)),
        # pause after the response deadline only moves resolution
        ([(sh(9, 10), sh(9, 12))], sh(9, 9, 30), sh(11, 17)),
        # pause before opening is ignored; one straddling opening counts from opening
        ([(sh(7, 10), sh(7, 11))], sh(9, 9, 30), sh(11, 15)),
        ([(sh(8, 14), sh(8, 16))], sh(9, 10, 30), sh(11, 16)),
        # overlapping pauses count once
        ([(sh(8, 16), sh(8, 17)), (sh(8, 16, 30), sh(8, 18))], sh(9, 11, 30), sh(11, 17)),
        # pause on a Sunday costs nothing
        ([(sh(6, 10), sh(6, 12))], sh(9, 9, 30), sh(11, 15)),
        # still waiting for the customer: the clock is stopped
        ([(sh(8, 16), None)], None, None),
        # open pause after the response deadline: response fixed, resolution unknown
        ([(sh(9, 12), None)], sh(9, 9, 30), None),
    ],
)
def test_sla_due_with_pauses(pauses, respond_by, resolve_by):
    sla = sla_due(sh(8, 15), Severity.medium, RULES, CAL, pauses)
    assert (sla.respond_by, sla.resolve_by) == (respond_by, resolve_by)


def test_sla_budgets_follow_settings():
    rules = AfterSalesRules(respond_working_hours={"high": 1, "medium": 1, "low": 1}, resolve_working_days={"high": 0.5, "medium": 1, "low": 1})
    sla = sla_due(sh(7, 9), "high", rules, CAL)
    assert (sla.respond_by, sla.resolve_by) == (sh(7, 10), sh(7, 13, 45))


@pytest.mark.parametrize(
    "due, expected",
    [(sh(9, 13), sh(9, 12)), (sh(9, 9, 30), sh(8, 18)), (sh(7, 9, 30), sh(5, 18)), (None, None)],
)
def test_warning_before_deadline_in_working_time(due, expected):
    assert warning_at(due, RULES, CAL) == expected


def test_escalation_ladder_in_working_time():
    steps = escalation_steps(sh(8, 18), RULES, CAL)
    assert steps == (("store_manager", sh(8, 18)), ("manager", sh(9, 10, 30)))
    role, due = steps[0]  # unpacks as a pair
    assert (role, due) == ("store_manager", sh(8, 18))


def test_breach_after_hours_waits_for_the_morning():
    assert escalation_steps(sh(5, 20), RULES, CAL) == (("store_manager", sh(7, 9)), ("manager", sh(7, 11)))


def test_urgent_escalations_may_ring_at_night():
    urgent = WorkingCalendar(WorkingTime(urgent_escalations_ignore_hours=True), "Asia/Shanghai")
    assert escalation_steps(sh(5, 20), RULES, urgent) == (("store_manager", sh(5, 20)), ("manager", sh(5, 22)))
    assert escalation_steps(sh(5, 20), RULES, CAL, ignore_working_hours=True)[1].due_at == sh(5, 22)


def test_chain_follows_settings():
    rules = AfterSalesRules(escalation_chain=("clerk", "manager"), escalation_ack_working_hours=1)
    assert escalation_steps(sh(7, 10), rules, CAL) == (("manager", sh(7, 10)),)


moments = st.datetimes(min_value=datetime(2026, 11, 1), max_value=datetime(2027, 1, 31)).map(lambda d: d.replace(tzinfo=SH))


@settings(max_examples=200, deadline=None)
@given(moments, st.sampled_from(list(Severity)), st.lists(st.tuples(st.integers(0, 200), st.integers(0, 48)), max_size=3))
def test_deadline_is_budget_plus_paused_working_time(opened, severity, raw_pauses):
    # Any set of closed pauses: the working time from opening to the deadline,
    # minus the paused working time inside it, equals the budget.
    pauses = [(opened + timedelta(hours=s), opened + timedelta(hours=s + length)) for s, length in raw_pauses]
    due = sla_due(opened, severity, RULES, CAL, pauses).resolve_by
    budget = RULES.resolve_working_days[severity.value] * CAL.working_day_hours
    # union of pauses clipped to [opened, due]
    spans = sorted((max(a, opened), min(b, due)) for a, b in pauses if b > opened and a < due)
    paused, cursor = 0.0, None
    for a, b in spans:
        if cursor is not None and a < cursor:
            a = cursor
        if b > a:
            paused += CAL.working_hours_between(a, b)
        cursor = b if cursor is None else max(cursor, b)
    assert CAL.working_hours_between(opened, due) - paused == pytest.approx(budget, abs=1e-6)
    assert due >= opened
