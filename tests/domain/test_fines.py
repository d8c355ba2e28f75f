"""R16 fine states, appeals and the 5-working-day appeal deadline."""

from datetime import date

import pytest

from domain.errors import DomainError
from domain.policy.calendar import WorkingCalendar
from domain.policy.fines import (
    FineAction as FA, FineState as FS, appeal_deadline, fine_actions, fine_transition, may_appeal,
)
from domain.policy.settings import FineRules, WorkingTime

CAL = WorkingCalendar(WorkingTime(holidays=(date(2026, 12, 10),)), "Asia/Shanghai")
PLAIN = WorkingCalendar(WorkingTime(), "Asia/Shanghai")


@pytest.mark.parametrize(
    "state, action, expected",
    [
        (FS.proposed, FA.confirm, FS.confirmed),
        (FS.proposed, FA.waive, FS.waived),
        (FS.confirmed, FA.waive, FS.waived),  # R10 backlog waiver after the notice
        (FS.appealed, FA.uphold, FS.upheld),
        (FS.appealed, FA.overturn, FS.overturned),
    ],
)
def test_allowed_fine_steps(state, action, expected):
    assert fine_transition(state, action) is expected


@pytest.mark.parametrize(
    "state, action",
    [
        (FS.proposed, FA.appeal),  # nothing to appeal before the written notice
        (FS.proposed, FA.uphold),
        (FS.waived, FA.confirm),
        (FS.upheld, FA.appeal),  # one appeal only
        (FS.overturned, FA.waive),
        (FS.appealed, FA.waive),
    ],
)
def test_refused_fine_steps(state, action):
    with pytest.raises(DomainError) as err:
        fine_transition(state, action, today=date(2026, 12, 7), appeal_deadline=date(2026, 12, 12))
    assert err.value.code == "fine.step_not_allowed"


@pytest.mark.parametrize(
    "today, allowed",
    [(date(2026, 12, 8), True), (date(2026, 12, 12), True), (date(2026, 12, 13), False)],
)
def test_appeal_respects_deadline(today, allowed):
    if allowed:
        assert fine_transition(FS.confirmed, FA.appeal, today=today, appeal_deadline=date(2026, 12, 12)) is FS.appealed
    else:
        with pytest.raises(DomainError) as err:
            fine_transition(FS.confirmed, FA.appeal, today=today, appeal_deadline=date(2026, 12, 12))
        assert err.value.code == "fine.appeal_too_late"
        assert err.value.params["deadline"] == date(2026, 12, 12)


def test_appeal_without_dates_is_a_programming_error():
    with pytest.raises(ValueError):
        fine_transition(FS.confirmed, FA.appeal)


@pytest.mark.parametrize(
    "cal, notified_on, expected",
    [
        (PLAIN, date(2026, 12, 7), date(2026, 12, 12)),  # Mon + 5 working days = Sat
        (PLAIN, date(2026, 12, 5), date(2026, 12, 11)),  # Sat: Sunday does not count
        (CAL, date(2026, 12, 7), date(2026, 12, 14)),  # a holiday pushes it past Sunday
        (PLAIN, date(2026, 12, 6), date(2026, 12, 11)),  # notice on a Sunday
    ],
)
def test_appeal_deadline(cal, notified_on, expected):
    assert appeal_deadline(notified_on, FineRules(), cal) == expected


def test_appeal_deadline_follows_settings():
    assert appeal_deadline(date(2026, 12, 7), FineRules(appeal_working_days=1), PLAIN) == date(2026, 12, 8)


@pytest.mark.parametrize("today, expected", [(date(2026, 12, 12), True), (date(2026, 12, 13), False)])
def test_may_appeal(today, expected):
    assert may_appeal(today, date(2026, 12, 12)) is expected


def test_terminal_states_have_no_actions():
    assert all(not fine_actions(s) for s in (FS.waived, FS.upheld, FS.overturned))
