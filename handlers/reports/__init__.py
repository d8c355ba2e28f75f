"""Managers' reports by chat: /status, /overdue, /backorders, /today, /kpi, /evidence, /export."""
