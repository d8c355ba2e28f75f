"""R11 售后受理时间: requests are handled daily 15:00–17:00 only.

Outside the window a request is either refused (``outside_window = "reject"``;
the message is still kept as evidence) or queued and opened at the next window
start (``"queue"``).
"""

from __future__ import annotations

from datetime import datetime, time

from domain.policy.calendar import WorkingCalendar
from domain.policy.settings import AfterSalesRules


def within_aftersales_window(local_time: time, rules: AfterSalesRules) -> bool:
    """Whether a wall-clock time falls in ``[window_start, window_end)``."""
    return rules.window_start <= local_time < rules.window_end


def aftersales_open(moment: datetime, rules: AfterSalesRules, calendar: WorkingCalendar) -> bool:
    """The desk is open: a working day and inside the window (nobody handles it on a Sunday)."""
    local = calendar.local(moment)
    return calendar.is_working_day(local.date()) and within_aftersales_window(local.time(), rules)


def next_window_start(moment: datetime, rules: AfterSalesRules, calendar: WorkingCalendar) -> datetime:
    """When a queued request opens: ``moment`` itself if the desk is open, else the next window start."""
    local = calendar.local(moment)
    if aftersales_open(local, rules, calendar):
        return local
    day = local.date()
    if calendar.is_working_day(day) and local.time() < rules.window_start:
        return calendar.at(day, rules.window_start)
    return calendar.at(calendar.next_working_day(day), rules.window_start)
