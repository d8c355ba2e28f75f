"""After-sales (售后): cases, the daily window (R11), SLA and escalation (R14)."""

from domain.aftersales.case import (
    Category, CaseAction, CaseState, Resolution, Severity, after_satisfaction, case_actions,
    case_transition, category_named, is_satisfied, pauses_sla, validate_score,
)
from domain.aftersales.sla import EscalationStep, SlaDue, escalation_steps, sla_due, warning_at
from domain.aftersales.window import aftersales_open, next_window_start, within_aftersales_window

__all__ = [
    "Category", "CaseAction", "CaseState", "Resolution", "Severity", "after_satisfaction",
    "case_actions", "case_transition", "category_named", "is_satisfied", "pauses_sla", "validate_score",
    "EscalationStep", "SlaDue", "escalation_steps", "sla_due", "warning_at",
    "aftersales_open", "next_window_start", "within_aftersales_window",
]
