"""/cases, /case SH… with its whole history, and /returnday (R12)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from domain.errors import DomainError
from domain.policy.return_day import return_day_notices, validate_return_day
from domain.roles import Role
from domain.texts import t
from handlers.aftersales import cards
from handlers.aftersales.common import DESK, visible_case
from handlers.orders.views import by_number, listing
from handlers.context import Context
from handlers.records import history_lines
from handlers.orders.cards import fmt_date
from storage import aftersales as case_store
from storage import orders as order_store
from storage.models import AfterSalesCase


async def cases(ctx: Context, args: str) -> None:
    """Open cases, the soonest deadline first."""
    await listing(ctx, "cases", case_store.cases_visible, lambda case: ctx.t(
        "cases.row", number=case.number, order=case.order.number if case.order else "—",
        category=ctx.t(f"case.category.{case.category}"), state=cards.state_label(ctx.language, case.state),
        due=cards.fmt_time(ctx.language, case.next_due_at, ctx.app.config.tz)))


async def case(ctx: Context, args: str) -> None:
    """/case SH202612001 — the case, its photos (hash, size), pauses and full history with evidence."""
    await by_number(ctx, args, "case", visible_case, show_case)


async def show_case(ctx: Context, case: AfterSalesCase) -> None:
    lang, tz = ctx.language, ctx.app.config.tz
    photos = await case_store.photos(ctx.session, case.id)
    pause_rows = await case_store.pauses(ctx.session, case.id)
    open_pause = next((p for p in pause_rows if p.ended_at is None), None)
    lines = [cards.card(lang, case, tz, photos=len(photos), waiting_reason=open_pause.reason if open_pause else None)]
    lines += [t(lang, "case.photo_row", n=index, sha=photo.sha256[:16], size=photo.size) if photo.sha256
              else t(lang, "case.photo_row_failed", n=index, file_id=photo.file_id[:24])
              for index, photo in enumerate(photos, start=1)]
    lines += [t(lang, "case.pause_row", start=cards.fmt_time(lang, pause.started_at, tz),
                end=cards.fmt_time(lang, pause.ended_at, tz) if pause.ended_at else t(lang, "case.pause_open"),
                reason=pause.reason) for pause in pause_rows]
    lines += await history_lines(ctx, await case_store.history(ctx.session, case.id),
                                 what=lambda event: t(lang, f"case.event.{event.event}"),
                                 note=lambda event, detail: _note(lang, event.event, detail), note_first=True)
    if Role(ctx.person.role) in DESK:
        buttons = cards.desk_buttons(lang, case)
    else:
        buttons = cards.sales_buttons(lang, case) if case.sales_id == ctx.person.id else ()
    ctx.reply("\n".join(lines), buttons=buttons, entity=case.number)


def _note(lang: str, event: str, detail: dict[str, Any]) -> str | None:
    """What a case's history line adds: the text, reason or note — or the category, severity, assignee,
    score or resolution the step set."""
    extra = detail.get("text") or detail.get("reason") or detail.get("note")
    if event == "category_set":
        extra = t(lang, f"case.category.{detail.get('to')}")
    elif event == "severity_set":
        extra = t(lang, f"case.severity.{detail.get('to')}")
    elif event == "assigned":
        extra = detail.get("name")
    elif event in ("close", "reopen"):
        extra = t(lang, "case.score", n=detail.get("score"))
    elif event == "resolve":
        extra = t(lang, f"case.resolution.{detail.get('resolution')}") + (f"{t(lang, 'punct.colon')}{extra}" if extra else "")
    return str(extra) if extra else None


async def returnday(ctx: Context, args: str) -> None:
    """/returnday 2026-12-17 — R12: this month's return day (15th–20th, a working day); notices are scheduled."""
    rules, calendar = ctx.app.config.policy.after_sales, ctx.app.calendar
    today = calendar.local(ctx.now).date()
    text = args.strip()
    if not text:
        current = await order_store.return_day_of_month(ctx.session, f"{today.year:04d}-{today.month:02d}")
        key = "returnday.current" if current else "returnday.none"
        ctx.say(key, date=fmt_date(ctx.language, current) if current else "",
                first=rules.return_day_first, last=rules.return_day_last)
        return
    day = _parse_day(text, today)
    if day is None:
        ctx.say("returnday.usage", first=rules.return_day_first, last=rules.return_day_last)
        return
    validate_return_day(day, rules, calendar, today=today)
    year_month = f"{day.year:04d}-{day.month:02d}"
    previous = await order_store.return_day_of_month(ctx.session, year_month)
    await order_store.set_return_day(ctx.session, day=day, user_id=ctx.person.id, now=ctx.now)
    # Notices: the first working moment of each notice date; a date already past is not sent.
    due = [(d, calendar.next_working_time(calendar.day_start_at(d))) for d in return_day_notices(day, rules)
           if d >= today]
    await case_store.replace_return_day_notices(ctx.session, year_month=year_month, return_day=day, due=due)
    await ctx.audit(f"returnday:{year_month}", "return_day.set",
                    {"day": day.isoformat(), "previous": previous.isoformat() if previous else None,
                     "notices": [d.isoformat() for d, _ in due]})
    notices = ctx.t("punct.enum").join(fmt_date(ctx.language, d) for d, _ in due) or ctx.t("returnday.no_notices")
    ctx.say("returnday.set", date=fmt_date(ctx.language, day), notices=notices)


def _parse_day(text: str, today: date) -> date | None:
    """2026-12-17, 2026/12/17, 12-17 or 17 (this month)."""
    cleaned = text.split()[0].replace("/", "-").replace(".", "-")
    if (found := re.fullmatch(r"(?:(?:(\d{4})-)?(\d{1,2})-)?(\d{1,2})", cleaned)) is None:
        return None
    year, month, day = found.groups()
    try:
        return date(int(year or today.year), int(month or today.month), int(day))
    except ValueError:
        raise DomainError("return_day.invalid_date", text=text) from None

