"""/calendar: the month's working days, holidays, make-up days (调休), return day and intake pause;
managers add or remove a company day off by chat, audited, effective for every rule at once."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date

from domain.errors import DomainError
from domain.policy.calendar import DayKind, WorkingCalendar
from domain.policy.fines import appeal_deadline
from domain.policy.month_view import DayRun, special_runs, working_days_in_month
from domain.policy.pickup import pickup_deadline
from domain.roles import Role
from handlers.aftersales.common import refresh_sla
from handlers.context import Context
from handlers.orders.cards import fmt_date
from storage import calendar as calendar_store
from storage import orders as order_store

MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
# Months named relative to this one: how many months on.
_RELATIVE = {**dict.fromkeys(("", "本月", "这个月", "這個月", "this", "now"), 0),
             **dict.fromkeys(("下月", "下个月", "下個月", "next"), 1),
             **dict.fromkeys(("上月", "上个月", "上個月", "last", "previous"), -1)}
_ISO_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


async def calendar_command(ctx: Context, args: str) -> None:
    """/calendar [本月|下月|上月|YYYY-MM|M月] · /calendar off DATE REASON · /calendar on DATE."""
    words = args.split()
    if words and words[0].lower() in ("off", "休息", "放假"):
        await _day_off(ctx, words[1:])
        return
    if words and words[0].lower() in ("on", "上班", "取消"):
        await _day_on(ctx, words[1:])
        return
    await _show_month(ctx, *_month(" ".join(words), ctx.app.calendar.local(ctx.now).date()))


async def _show_month(ctx: Context, year: int, month: int) -> None:
    calendar, lang = ctx.app.calendar, ctx.language
    region = calendar.public.region or "none"
    working = calendar.working
    lines = [ctx.t("calendar.title", year=year, month=month, region=ctx.t(f"calendar.region.{region}")),
             ctx.t("calendar.summary", working=working_days_in_month(calendar, year, month),
                   weekdays=_weekdays(ctx, working.work_days),
                   start=f"{working.day_start:%H:%M}", end=f"{working.day_end:%H:%M}")]
    if not calendar.knows_year(year):
        lines.append(ctx.t("calendar.unknown_year", year=year))
    runs = special_runs(calendar, year, month, lang)
    lines += [_run_line(ctx, run) for run in runs]
    return_day = await order_store.return_day_of_month(ctx.session, f"{year:04d}-{month:02d}")
    lines.append(ctx.t("calendar.day.return_day", days=fmt_date(lang, return_day)) if return_day is not None
                 else ctx.t("calendar.no_return_day"))
    if not runs and calendar.knows_year(year):
        lines.insert(2, ctx.t("calendar.nothing_special"))
    if Role(ctx.person.role) in MANAGERS:
        lines.append(ctx.t("calendar.manage_hint"))
    ctx.reply("\n".join(lines))


def _weekdays(ctx: Context, days: tuple[int, ...]) -> str:
    """周一至周六 for a run of weekdays, 周一、周三、周五 otherwise."""
    ordered = sorted(set(days))
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return ctx.t("calendar.weekday_range", first=ctx.t(f"weekday.{ordered[0]}"),
                     last=ctx.t(f"weekday.{ordered[-1]}"))
    return ctx.t("calendar.list_separator").join(ctx.t(f"weekday.{d}") for d in ordered)


def _run_line(ctx: Context, run: DayRun) -> str:
    lang = ctx.language
    days = fmt_date(lang, run.first) if run.first == run.last else ctx.t(
        "calendar.range", first=fmt_date(lang, run.first), last=fmt_date(lang, run.last))
    name = run.name
    if run.kind is DayKind.MAKE_UP:
        name = ctx.t("calendar.day.make_up_for", name=run.name) if run.name else ""
    return ctx.t(f"calendar.day.{run.kind.value}", days=days, name=name)


def _managed_day(ctx: Context, words: list[str], usage: str, *, least: int) -> date | None:
    """The day a manager's /calendar off|on names — None after saying why not (not a manager, too
    few words, a day in the past)."""
    if Role(ctx.person.role) not in MANAGERS:
        ctx.say("error.not_allowed")
        return None
    if len(words) < least:
        ctx.say(usage)
        return None
    today = ctx.app.calendar.local(ctx.now).date()
    day = _day(words[0], today)
    if day < today:
        ctx.say("calendar.off.past", date=fmt_date(ctx.language, day))
        return None
    return day


async def _day_off(ctx: Context, words: list[str]) -> None:
    if (day := _managed_day(ctx, words, "calendar.off.usage", least=2)) is None:
        return
    calendar, reason = ctx.app.calendar, " ".join(words[1:])[:200]
    kind = calendar.day_kind(day)
    # A company day off already: only its reason changes, no deadline moves.
    new_reason = kind is DayKind.COMPANY_DAY_OFF and day in calendar.company_days_off
    if not new_reason and not kind.is_working:
        ctx.say("calendar.off.already", date=fmt_date(ctx.language, day), what=_what(ctx, calendar, day))
        return
    previous = await calendar_store.add_company_day_off(ctx.session, day=day, reason=reason,
                                                        user_id=ctx.person.id, now=ctx.now)
    if new_reason:
        await ctx.app.live_calendar.reload(ctx.session)
        await _audit(ctx, "calendar.day_off_updated", day, reason=reason, previous=previous)
        ctx.say("calendar.off.updated", date=fmt_date(ctx.language, day), previous=previous, reason=reason)
        return
    recomputed = await _recount(ctx, "calendar.day_off_added", day, reason)
    ctx.say("calendar.off.done", date=fmt_date(ctx.language, day), reason=reason, recomputed=recomputed)


async def _day_on(ctx: Context, words: list[str]) -> None:
    if (day := _managed_day(ctx, words, "calendar.on.usage", least=1)) is None:
        return
    if day in ctx.app.calendar.working.holidays:
        ctx.say("calendar.on.config", date=fmt_date(ctx.language, day))
        return
    reason = await calendar_store.remove_company_day_off(ctx.session, day)
    if reason is None:
        ctx.say("calendar.on.none", date=fmt_date(ctx.language, day))
        return
    recomputed = await _recount(ctx, "calendar.day_off_removed", day, reason)
    ctx.say("calendar.on.done", date=fmt_date(ctx.language, day), reason=reason,
            what=_what(ctx, ctx.app.calendar, day), recomputed=recomputed)


async def _recount(ctx: Context, event: str, day: date, reason: str) -> str:
    """After a day off was added or removed: reload, recount, audit; the note on how many deadlines moved."""
    await ctx.app.live_calendar.reload(ctx.session)
    changed = await recompute_stored_deadlines(ctx)
    await _audit(ctx, event, day, reason=reason, recomputed=changed)
    return ctx.t("calendar.recomputed", changed=changed) if changed else ""


async def recompute_stored_deadlines(ctx: Context) -> int:
    """Deadlines already stored count working days: recount them in the new calendar (R10, R14, R16).

    Returns how many changed. Reminders and fines derive from these on the next sweep, and
    queued notifications wait for working time at send time, so nothing else is stored.
    """
    calendar, policy = ctx.app.calendar, ctx.app.config.policy
    changed = 0
    for case in await calendar_store.cases_with_deadlines(ctx.session):
        before = (case.next_due_at, case.warn_at)
        await refresh_sla(ctx, case)
        changed += before != (case.next_due_at, case.warn_at)
    for order in await calendar_store.orders_awaiting_pickup(ctx.session):
        assert order.printed_at is not None  # the query selects printed orders only
        deadline = pickup_deadline(calendar.local(order.printed_at).date(), policy.pickup, calendar)
        if deadline != order.pickup_deadline:
            order.pickup_deadline, changed = deadline, changed + 1
    today = calendar.local(ctx.now).date()
    for fine in await calendar_store.fines_open_to_appeal(ctx.session, today):
        assert fine.notified_at is not None  # the query selects notified fines only
        deadline = appeal_deadline(calendar.local(fine.notified_at).date(), policy.fines, calendar)
        if deadline != fine.appeal_deadline:
            fine.appeal_deadline, changed = deadline, changed + 1
    return changed


async def _audit(ctx: Context, event: str, day: date, **data: object) -> None:
    await ctx.audit(f"calendar:{day.isoformat()}", event, {"day": day.isoformat(), **data})


def _what(ctx: Context, calendar: WorkingCalendar, day: date) -> str:
    kind = calendar.day_kind(day)
    name = calendar.holiday_name(day, ctx.language) if kind is DayKind.PUBLIC_HOLIDAY else None
    return name or ctx.t(f"calendar.kind.{kind.value}")


def _day(text: str, today: date) -> date:
    """2027-02-16, 2027/2/16; without a year (2-16, 2/16) the next such date from today."""
    cleaned = text.strip()
    with suppress(ValueError):  # a day the calendar does not have (2-30)
        if match := _ISO_DAY.fullmatch(cleaned):
            return date(*(int(g) for g in match.groups()))
        if short := re.fullmatch(r"(\d{1,2})[-/.月](\d{1,2})日?", cleaned):
            month, day = int(short.group(1)), int(short.group(2))
            candidate = date(today.year, month, day)
            return candidate if candidate >= today else date(today.year + 1, month, day)
    raise DomainError("calendar.invalid_date", text=text)


def _month(text: str, today: date) -> tuple[int, int]:
    word = text.strip().lower()
    if word in _RELATIVE:
        year, month = divmod(today.year * 12 + today.month - 1 + _RELATIVE[word], 12)
        return year, month + 1
    if (match := re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", word)) and 1 <= int(match.group(2)) <= 12:
        return int(match.group(1)), int(match.group(2))
    if (match := re.fullmatch(r"(\d{1,2})\s*月", word)) and 1 <= int(match.group(1)) <= 12:
        month = int(match.group(1))
        return (today.year + 1 if month < today.month else today.year), month
    raise DomainError("calendar.invalid_month", text=text)
