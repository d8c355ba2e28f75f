"""/export orders|aftersales|fines [period]: the clerk's own spreadsheet as an .xlsx.

One row per order, case or fine; headers from the message catalogue (Chinese by
default); dates and times as real date cells in the business time zone; the
header row frozen and filters on. Rows stream from the database in chunks into
openpyxl's write-only worksheet (with lxml, about 21 s for a year of a 20-store company).
Customer phone numbers and addresses are columns only for those entitled.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.orders.lifecycle import LineState
from domain.policy.intake import material_of
from domain.policy.intake_checks import assumed_material
from domain.policy.settings import LeadTimeRules
from domain.reports import Period
from domain.texts import t
from handlers.context import Context
from handlers.orders.cards import line_text
from handlers.app import App, AppConfig
from handlers.reports.common import answer, read_period_of, sees_contacts
from handlers.types import ExportJob, OutgoingDocument, Reply
from storage import reports
from storage.reports import utc_bounds

if TYPE_CHECKING:  # openpyxl (~24 MB with numpy and lxml) is imported where a workbook is built: the worker
    from openpyxl.cell.cell import Cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = ("orders", "aftersales", "fines")
DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"

# Column widths by header key: 17 for a time (…_at), 10 where not named.
WIDTHS = {
    "number": 14, "case_number": 14, "fine_number": 14, "order": 14, "phone": 14, "flags": 14, "category": 12,
    "case_state": 12, "delivery_date": 12, "order_date": 12, "pickup_deadline": 12, "appeal_deadline": 12,
    "respond_by": 17, "resolve_by": 17, "address": 28, "items": 36, "description": 36, "reason": 40,
    "backorders": 30, "cancel_reason": 20, "resolution_note": 24, "appeal_reason": 24, "material": 8,
    "payment": 8, "satisfaction": 8, "reopen_count": 8, "queued": 8, "amount": 8, "rule": 6,
}
CONTACT_COLUMNS = frozenset({"phone", "address"})  # only for those entitled
COLUMNS = {
    "orders": ("number", "store", "sales", "customer", "phone", "address", "items", "material", "delivery_date",
               "order_date", "payment", "state", "flags", "submitted_at", "received_at", "reconfirmed_at",
               "placed_at", "completed_at", "printed_at", "pickup_deadline", "picked_up_at", "delivered_at",
               "closed_at", "cancelled_at", "cancel_reason", "backorders"),
    "aftersales": ("case_number", "store", "sales", "order", "customer", "phone", "address", "category",
                   "severity", "description", "case_state", "assignee", "opened_at", "accepted_at", "respond_by",
                   "resolve_by", "resolved_at", "case_closed_at", "resolution", "resolution_note", "satisfaction",
                   "reopen_count", "queued"),
    "fines": ("fine_number", "rule", "person", "store", "amount", "reason", "fine_state", "order", "proposed_at",
              "decided_by", "decided_at", "appeal_deadline", "appealed_at", "appeal_reason"),
}


def _materials(lang: str, lines: Sequence[Any], lead: LeadTimeRules | None) -> str:
    """材质 column: the named materials, and for lines without one what the lead time assumed —
    never a guess dressed up as a material."""
    named = sorted({kind.value for line in lines if (kind := material_of(line.material)) is not None})
    shown = [t(lang, f"material.{m}").strip() for m in named]
    if any(material_of(line.material) is None for line in lines):
        assumed = assumed_material(lead) if lead is not None else None
        shown.append(t(lang, "material.unknown_assumed", material=t(lang, f"material.{assumed.value}").strip())
                     if assumed is not None else t(lang, "material.unknown"))
    return "/".join(shown)


# A row's values by header key: its columns under their own names (a column the sheet does not
# show is not looked at), and what is named, labelled or joined differently.
def _order_values(lang: str, item: tuple[Any, Sequence[Any]], lead: LeadTimeRules | None) -> dict[str, Any]:
    row, lines = item
    flags = [f for f in (row.flags or "").split(",") if f]
    return {
        **row._mapping, "store": row.store_name, "sales": row.sales_name, "customer": row.customer_name,
        "phone": row.customer_phone, "items": t(lang, "punct.list").join(line_text(lang, line) for line in lines),
        "material": _materials(lang, lines, lead),
        "payment": t(lang, f"payment.{row.payment}") if row.payment else None,
        "state": t(lang, f"state.{row.state}"),
        "flags": t(lang, "punct.enum").join(t(lang, f"flag.short.{f}").strip() for f in flags),
        "backorders": t(lang, "punct.list").join(
            f"{line_text(lang, line)} → {line.eta.isoformat() if line.eta else '?'}"
            for line in lines if line.state == LineState.backorder),
    }


def _case_values(lang: str, row: Any, lead: LeadTimeRules | None) -> dict[str, Any]:
    return {
        **row._mapping, "case_number": row.number, "store": row.store_name, "sales": row.sales_name,
        "order": row.order_number, "customer": row.customer_name or row.customer_hint,
        "phone": row.customer_phone, "category": t(lang, f"case.category.{row.category}"),
        "severity": t(lang, f"case.severity.{row.severity}"), "case_state": t(lang, f"case.state.{row.state}"),
        "assignee": row.assignee_name, "case_closed_at": row.closed_at,
        "resolution": t(lang, f"case.resolution.{row.resolution}") if row.resolution else None,
        "queued": t(lang, "case.yes") if row.queued else t(lang, "case.no"),
    }


def _fine_values(lang: str, row: Any, lead: LeadTimeRules | None) -> dict[str, Any]:
    return {
        **row._mapping, "fine_number": row.number, "person": row.person_name, "store": row.store_name,
        "amount": row.amount_yuan, "fine_state": t(lang, f"fine.state.{row.state}"), "order": row.order_number,
        "decided_by": row.decided_by_name,
    }


VALUES: dict[str, Callable[[str, Any, LeadTimeRules | None], dict[str, Any]]] = {
    "orders": _order_values, "aftersales": _case_values, "fines": _fine_values}


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML may not carry


class _Sheet:
    """openpyxl's write-only worksheet: rows stream out as they come (fast with lxml installed),
    with the frozen header, the filter over all rows and real date cells."""

    def __init__(self, language: str, kind: str, keys: list[str], tz: ZoneInfo) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(t(language, f"export.sheet.{kind}"))
        self.keys, self.tz = keys, tz
        for index, key in enumerate(keys, start=1):
            width = WIDTHS.get(key, 17 if key.endswith("_at") else 10)
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        self.sheet.append([self._styled(t(language, f"export.col.{key}"), font=bold) for key in self.keys])
        self.count = 1
        # One styled cell per column and kind, reused row after row: a write-only sheet writes
        # each row out as it is appended, and restyling a fresh cell per value is most of the cost.
        self._dates = [self._styled(number_format=DATE_FORMAT) for _ in self.keys]
        self._times = [self._styled(number_format=TIME_FORMAT) for _ in self.keys]

    def _styled(self, value: Any = None, **style: Any) -> Cell:
        from openpyxl.cell import WriteOnlyCell

        cell: Cell = WriteOnlyCell(self.sheet, value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    def _cell(self, column: int, value: Any) -> Any:
        if isinstance(value, datetime):
            cell = self._times[column]
            # Excel has no time zones: the business zone's wall-clock time, minute precision.
            value = value.astimezone(self.tz).replace(tzinfo=None, second=0, microsecond=0)
        elif isinstance(value, date):
            cell = self._dates[column]
        elif isinstance(value, str):
            return _ILLEGAL.sub("", value) or None
        else:
            return value
        cell.value = value
        return cell

    def add(self, values: dict[str, Any]) -> None:
        self.sheet.append([self._cell(i, values[key]) for i, key in enumerate(self.keys)])
        self.count += 1

    def workbook(self) -> bytes:
        from openpyxl.utils import get_column_letter

        self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(self.keys))}{self.count}"
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


async def build_workbook(session: AsyncSession, kind: str, period: Period, *, tz: ZoneInfo, language: str = "zh-CN",
                         contacts: bool = False, progress: Callable[[int, int], None] | None = None,
                         lead: LeadTimeRules | None = None) -> tuple[bytes, int]:
    """The .xlsx bytes and the number of data rows, for orders handed in / cases opened /
    fines proposed within ``period`` (local dates). ``lead`` says which material a line
    without one was counted as."""
    if kind not in KINDS:
        raise ValueError(f"unknown export {kind!r}")
    start, end = utc_bounds(period, tz)
    expected = await reports.count_export(session, kind, start, end)
    # After the first query: a database that fails leaves no open sheet.
    rows = _Sheet(language, kind, [c for c in COLUMNS[kind] if contacts or c not in CONTACT_COLUMNS], tz)
    written = 0
    async for chunk in reports.stream_export(session, kind, start, end):
        for row in chunk:
            rows.add(VALUES[kind](language, row, lead))
        written += len(chunk)
        if progress:
            progress(written, expected)
    return rows.workbook(), written


def file_name(kind: str, period: Period) -> str:
    return f"{kind}-{period.start.isoformat()}_{period.end.isoformat()}.xlsx"


async def export(ctx: Context, args: str) -> None:
    """/export orders|aftersales|fines [本月|上月|YYYY-MM|from to] — an .xlsx sent as a document."""
    words = args.split()
    aliases = {"订单": "orders", "售后": "aftersales", "罚款": "fines", "cases": "aftersales"}
    kind = aliases.get(words[0], words[0].lower()) if words else ""
    reading = read_period_of(ctx, words[1:], export=True) if kind in KINDS else None
    if isinstance(reading, str):
        ctx.reply(reading)
        return
    period = reading.period if reading is not None and not reading.rest else None
    if period is None:
        ctx.say("report.export.usage")
        return
    job = ExportJob(kind, period.start, period.end, ctx.language, sees_contacts(ctx), ctx.incoming.chat_id,
                    key=f"export:{ctx.evidence_id}")
    if ctx.app.jobs is None:  # no worker (use-case tests): build it in this transaction
        content, rows = await build_workbook(ctx.session, kind, period, tz=ctx.app.config.tz, language=ctx.language,
                                             contacts=job.contacts, lead=ctx.app.config.policy.lead_time)
        ctx.replies.append(Reply(chat_id=ctx.incoming.chat_id, text=caption(job, rows),
                                 document=OutgoingDocument(file_name(kind, period), content, XLSX)))
        return
    ctx.say("report.export.preparing", kind=ctx.t(f"export.sheet.{kind}"), start=period.start.isoformat(),
            end=period.end.isoformat())
    ctx.jobs.append(job)


def caption(job: ExportJob, rows: int) -> str:
    return t(job.language, "report.export.caption", kind=t(job.language, f"export.sheet.{job.kind}"), rows=rows,
             start=job.start.isoformat(), end=job.end.isoformat())


async def write_export(session: AsyncSession, config: AppConfig, job: ExportJob) -> tuple[str, int]:
    """Build the job's workbook under ``files_dir``; what the background worker runs. Its path and rows."""
    period = Period(job.start, job.end)
    content, rows = await build_workbook(session, job.kind, period, tz=config.tz, language=job.language,
                                         contacts=job.contacts, lead=config.policy.lead_time)
    folder = Path(config.files_dir) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job.key.replace(':', '-')}-{file_name(job.kind, period)}"
    path.write_bytes(content)
    return str(path), rows


async def send_export(session: AsyncSession, app: App, job: ExportJob, written: tuple[str, int]) -> None:
    """Queue the finished workbook to the person who asked."""
    path, rows = written
    await answer(session, app, job, caption(job, rows),
                 attachment={"kind": "document", "path": path, "mime_type": XLSX,
                             "file_name": file_name(job.kind, Period(job.start, job.end))})


async def export_failed(session: AsyncSession, app: App, job: ExportJob) -> None:
    await answer(session, app, job, t(job.language, "report.export.failed",
                                      kind=t(job.language, f"export.sheet.{job.kind}")))
