"""R14 售后时限: respond and resolve in working time, then report upward.

Budgets come per severity: first response in working hours, resolution in
working days (one working day = one calendar working-day length, 9.5 h by
default, so "3 days" opened Tuesday 15:00 is due Friday 15:00). Time spent
waiting for the customer (``pauses``) does not count. Before a deadline the
owner is warned; after it the case climbs the escalation chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, Sequence

from domain.aftersales.case import Severity
from domain.policy.calendar import WorkingCalendar
from domain.policy.settings import AfterSalesRules

Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True, slots=True)
class SlaDue:
    """Deadlines of one case; None while the clock is stopped by an open pause."""

    respond_by: datetime | None
    resolve_by: datetime | None


class EscalationStep(NamedTuple):
    """上报: who hears about a breached case, and when. Unpacks as ``(role, due_at)``."""

    role: str
    due_at: datetime


def sla_due(
    opened_at: datetime,
    severity: Severity | str,
    rules: AfterSalesRules,
    calendar: WorkingCalendar,
    pauses: Sequence[Pause] = (),
) -> SlaDue:
    """Respond-by and resolve-by for a case opened at ``opened_at``.

    A pause only shifts a deadline it actually interrupts: waiting for the
    customer after the response deadline passed does not move that deadline.
    A pause still open (end None) before the deadline is reached leaves it None.
    """
    key = Severity(severity).value
    respond_hours = rules.respond_working_hours[key]
    resolve_hours = rules.resolve_working_days[key] * calendar.working_day_hours
    merged = _merge(pauses, opened_at)
    return SlaDue(
        respond_by=_deadline(opened_at, respond_hours, merged, calendar),
        resolve_by=_deadline(opened_at, resolve_hours, merged, calendar),
    )


def warning_at(due_at: datetime | None, rules: AfterSalesRules, calendar: WorkingCalendar) -> datetime | None:
    """预警: ``warn_before_working_hours`` of working time before the deadline."""
    if due_at is None:
        return None
    return calendar.add_working_hours(due_at, -rules.warn_before_working_hours)


def escalation_steps(
    breach_at: datetime,
    rules: AfterSalesRules,
    calendar: WorkingCalendar,
    *,
    ignore_working_hours: bool | None = None,
) -> tuple[EscalationStep, ...]:
    """The ladder after a breach: each superior in ``escalation_chain`` after the owner.

    The chain's first role owns the case and was already warned before the
    breach, so the ladder starts with its superior at the breach itself (R14:
    "reported to the superior"), and each further level follows when the
    previous one has not acknowledged within ``escalation_ack_working_hours``.
    Steps wait for working time (R18) unless ``urgent_escalations_ignore_hours``
    (or ``ignore_working_hours``) says escalations may ring at night.
    """
    if ignore_working_hours is None:
        ignore_working_hours = calendar.working.urgent_escalations_ignore_hours
    steps: list[EscalationStep] = []
    due = breach_at if ignore_working_hours else calendar.next_working_time(breach_at)
    for role in rules.escalation_chain[1:]:
        steps.append(EscalationStep(role, due))
        if ignore_working_hours:
            due = due + timedelta(hours=rules.escalation_ack_working_hours)
        else:
            due = calendar.add_working_hours(due, rules.escalation_ack_working_hours)
    return tuple(steps)


def _merge(pauses: Sequence[Pause], opened_at: datetime) -> list[Pause]:
    """Pauses clipped to after opening, sorted, overlaps joined; an open pause swallows the rest."""
    clipped: list[Pause] = []
    for start, end in pauses:
        if end is not None and end <= opened_at:
            continue
        clipped.append((max(start, opened_at), end))
    clipped.sort(key=lambda p: p[0])
    merged: list[Pause] = []
    for start, end in clipped:
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None:
                break
            if start <= last_end:
                merged[-1] = (last_start, None if end is None else max(last_end, end))
                continue
        merged.append((start, end))
    return merged


def _deadline(
    opened_at: datetime, budget_hours: float, pauses: list[Pause], calendar: WorkingCalendar
) -> datetime | None:
    cursor, remaining = opened_at, budget_hours
    for start, end in pauses:
        candidate = calendar.add_working_hours(cursor, remaining)
        if candidate <= start:
            return candidate
        remaining -= calendar.working_hours_between(cursor, start)
        if end is None:
            return None
        cursor = max(cursor, end)
    return calendar.add_working_hours(cursor, remaining)
