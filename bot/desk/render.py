"""From the desk's read models to template values: labels in the reader's language, the chart's points."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any

from domain.orders.lifecycle import OrderState
from domain.reports import KPI_NAMES, percent_text
from domain.texts import t
from handlers.aftersales import cards as case_cards
from handlers.context import Context
from handlers.desk.board import Board
from handlers.desk.find import Found
from handlers.desk.kpis import PERIODS, Trend
from handlers.fines import fine_reason
from handlers.orders import cards
from handlers.reports.common import period_label, today
from handlers.reports.kpi import KpiAnswer, rate_lines
from handlers.reports.views import scope_label
from storage.orders import OPEN_STATES

STATIC = ("desk.js", "desk.css")
COLOURS = {"completion": "#2e7d32", "on_time": "#1565c0", "resolution": "#ef6c00", "satisfaction": "#8e24aa"}


@lru_cache(maxsize=None)
def static_file(name: str) -> bytes | None:
    if name not in STATIC:
        return None
    return (files("bot.desk") / "static" / name).read_bytes()


def _hours(hours: float) -> str:
    return f"{abs(hours):.1f}"


def board_values(ctx: Context, found: Board) -> dict[str, Any]:
    lang, tz, now = ctx.language, ctx.app.config.tz, ctx.now
    day = today(ctx)

    def states(figures: Any) -> list[tuple[str, int]]:
        return [(cards.state_label(lang, s), figures.by_state[s]) for s in OPEN_STATES if figures.by_state.get(s)]

    figures = found.total
    summary = [t(lang, "report.status.orders", count=sum(figures.by_state.values()),
                 states=" · ".join(f"{label} {n}" for label, n in states(figures)) or "—"),
               t(lang, "report.status.today", place=figures.to_place_today, deliver=figures.deliveries_today,
                 submitted=figures.submitted_today, rush=figures.rush_today),
               t(lang, "report.status.overdue", placement=figures.overdue_placement, pickup=figures.pickup_late,
                 backorders=figures.backorder_lines),
               t(lang, "report.status.fines", count=figures.fines_proposed, total=figures.fines_proposed_yuan)]
    state_columns = [s for s in OPEN_STATES if any(row.figures.by_state.get(s) for row in found.stores)]
    overdue = []
    for order in found.overdue:
        if order.state is OrderState.printed:
            problem = t(lang, "desk.board.pickup", date=cards.fmt_date(lang, order.pickup_deadline))
        else:
            problem = t(lang, "desk.board.placement", date=cards.fmt_date(lang, order.order_date))
        overdue.append({"number": order.number, "store": order.store.name if order.store else "—",
                        "customer": order.customer_name or "—", "state": cards.state_label(lang, order.state),
                        "problem": problem})
    open_orders = [{"number": o.number, "store": o.store.name if o.store else "—", "customer": o.customer_name or "—",
                    "state": cards.state_label(lang, o.state), "order_date": cards.fmt_date(lang, o.order_date),
                    "delivery": cards.fmt_date(lang, o.delivery_date)} for o in found.open_orders]
    backorders = [{"number": order.number, "store": order.store.name if order.store else "—",
                   "line": cards.line_text(lang, line), "eta": t(lang, "desk.board.eta", date=cards.fmt_date(lang, line.eta))}
                  for line, order in found.backorders]
    cases = []
    for row in found.cases:
        case = row.case
        due = case.next_due_at
        left = None
        if due is not None:
            # R14 deadlines count working hours (R18): so do the hours left or overdue.
            hours = ctx.app.calendar.working_hours_between(now, due)  # negative once past
            left = t(lang, "desk.board.left" if due > now else "desk.board.late", hours=_hours(hours))
        cases.append({"number": case.number, "store": case.store.name if case.store else "—",
                      "severity": case.severity, "severity_label": t(lang, f"case.severity.{case.severity}"),
                      "state": case_cards.state_label(lang, case.state), "sla": row.sla,
                      "sla_label": t(lang, f"report.sla.{row.sla}"), "due": case_cards.fmt_time(lang, due, tz),
                      "left": left, "case_id": case.id, "may_ack": row.may_ack,
                      "breach": int(row.breach.timestamp()) if row.breach else ""})
    fines = [{"id": r.fine.id, "number": r.fine.number, "may_decide": r.may_decide,
              "text": t(lang, "desk.board.fine_row", rule=r.fine.rule, person=r.fine.person.name,
                        amount=r.fine.amount_yuan, reason=fine_reason(lang, r.fine)),
              "order": r.fine.order.number if r.fine.order else None} for r in found.fines]
    return {"header": t(lang, "desk.board.header", scope=scope_label(ctx), date=cards.fmt_date(lang, day)),
            "summary": summary, "state_columns": [(s, cards.state_label(lang, s)) for s in state_columns],
            "stores": [{"name": row.name, "open": sum(row.figures.by_state.values()), "by_state": row.figures.by_state}
                       for row in found.stores],
            # Headings count everything (the /status figures); the lists show the first rows.
            "totals": {"fines": figures.fines_proposed, "overdue": figures.overdue_placement + figures.pickup_late,
                       "backorders": figures.backorder_lines},
            "open_orders": open_orders, "overdue": overdue, "backorders": backorders, "cases": cases, "fines": fines}


def _chart(trend: Trend, lang: str) -> dict[str, Any]:
    """An inline SVG line chart: x = the weeks, y = 0–100 %; a week with nothing to count breaks the line."""
    width, height, left, right, top, bottom = 340, 180, 34, 18, 8, 28
    n = max(len(trend.weeks), 1)
    step = (width - left - right) / max(n - 1, 1)

    def x(i: int) -> float:
        return round(left + i * step, 1)

    def y(percent: float) -> float:
        return round(top + (100 - percent) / 100 * (height - top - bottom), 1)

    lines = []
    for name in KPI_NAMES:
        segments: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(trend.series.get(name, [])):
            if value is None:
                segments.append([])
            else:
                segments[-1].append((x(i), y(value)))
        lines.append({"name": name, "label": t(lang, f"desk.kpi.name.{name}"), "colour": COLOURS[name],
                      "segments": [" ".join(f"{a},{b}" for a, b in seg) for seg in segments if seg],
                      "points": [p for seg in segments for p in seg]})
    grid = [{"y": y(p), "label": f"{p}%"} for p in (0, 50, 100)]
    ticks = [{"x": x(i), "label": f"{w.start.month}/{w.start.day}"} for i, w in enumerate(trend.weeks)]
    return {"width": width, "height": height, "lines": lines, "grid": grid, "ticks": ticks, "left": left,
            "right": width - right, "bottom": height - bottom}


def kpi_values(ctx: Context, answer: KpiAnswer, trend: Trend, period: str, who: str) -> dict[str, Any]:
    lang = ctx.language

    def cells(figures: Any) -> list[str]:
        rates = figures.rates()
        return [f"{percent_text(rates[k])} ({rates[k].numerator}/{rates[k].denominator})" for k in KPI_NAMES]

    periods = [(word, t(lang, f"desk.kpi.periods.{name}")) for word, name in PERIODS]
    values: dict[str, Any] = {"refusal": answer.refusal, "periods": periods, "period": period, "who": who,
                              "names": [t(lang, f"desk.kpi.name.{k}") for k in KPI_NAMES]}
    if answer.refusal is not None or answer.period is None:
        return values
    values.update({
        "header": t(lang, "desk.kpi.header", period=period_label(lang, answer.period), scope=answer.scope_name),
        "empty": answer.figures.empty, "no_data": t(lang, "report.kpi.no_data"),
        "rates": rate_lines(lang, answer.figures) if not answer.figures.empty else [],
        "by_store": [(name, cells(figures)) for name, figures in answer.by_store],
        "by_clerk": [(name, cells(figures)) for name, figures in answer.by_clerk],
        "formulas": t(lang, "report.kpi.formulas"),
        "trend_title": t(lang, "desk.kpi.trend", scope=answer.scope_name),
        "chart": _chart(trend, lang),
        "trend_rows": [(f"{w.start.isoformat()}", cells(c)) for w, c in zip(trend.weeks, trend.counts)],
    })
    return values


def find_values(ctx: Context, found: Found) -> dict[str, Any]:
    lang = ctx.language
    orders = [{"number": o.number, "customer": o.customer_name or "—",
               "phone": o.customer_phone if found.contacts else None,
               "address": o.address if found.contacts else None,
               "store": o.store.name if o.store else "—", "state": cards.state_label(lang, o.state)}
              for o in found.orders]
    cases = [{"number": c.number, "order": c.order.number if c.order else "—",
              "customer": (c.order.customer_name if c.order else None) or "—",
              "store": c.store.name if c.store else "—", "state": case_cards.state_label(lang, c.state),
              "severity": t(lang, f"case.severity.{c.severity}")} for c in found.cases]
    return {"query": found.query, "too_short": found.too_short, "orders": orders, "cases": cases,
            "searched": bool(found.query) and not found.too_short}


def when(moment: datetime | None, ctx: Context) -> str:
    return case_cards.fmt_time(ctx.language, moment, ctx.app.config.tz)
