"""orderbot export orders|aftersales|fines [--from D --to D] [--out FILE]: the chat's /export from a shell.

Same workbook as in chat (Chinese headers, date cells, filters, frozen header),
with every column — the operator of the database is entitled to it all — and a
progress line on stderr for large exports.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from typing import Any

from bot.ops_cli import _add_config, _settings


def register(subparsers: Any) -> None:
    export = subparsers.add_parser("export", help="write orders, after-sales cases or fines as an .xlsx")
    _add_config(export)
    export.add_argument("kind", choices=("orders", "aftersales", "fines"))
    export.add_argument("--from", dest="start", metavar="YYYY-MM-DD", type=date.fromisoformat,
                        help="first day (default: the first of this month)")
    export.add_argument("--to", dest="end", metavar="YYYY-MM-DD", type=date.fromisoformat,
                        help="last day (default: today)")
    export.add_argument("--out", metavar="FILE", help="where to write (default: KIND-FROM_TO.xlsx)")
    export.add_argument("--language", default="zh-CN", help="headers' language: zh-CN (default), zh-TW, en")
    export.set_defaults(func=_export)


class ProgressLine:
    """``orders ████████░░░░ 12000/50000 24% 3.1s`` redrawn in place on stderr."""

    def __init__(self, label: str, stream: Any = None) -> None:
        self.label, self.stream, self.started = label, stream or sys.stderr, time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        bar = "█" * int(share * 30) + "░" * (30 - int(share * 30))
        self.stream.write(f"\r{self.label} {bar} {done}/{total} {share:4.0%} {time.monotonic() - self.started:.1f}s")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _export(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from bot.clock import SystemClock
    from domain.reports import Period
    from handlers.reports.export import build_workbook, file_name
    from bot.database import run_on_database
    from storage.db import session_factory

    tz = settings.timezone
    today = SystemClock().now().astimezone(tz).date()
    start = args.start or today.replace(day=1)
    end = args.end or today
    if end < start:
        print("orderbot: --to is before --from", file=sys.stderr)
        return 2
    period = Period(start, end)
    out = args.out or file_name(args.kind, period)
    progress = ProgressLine(args.kind)

    async def work(engine) -> int:  # type: ignore[no-untyped-def]
        async with session_factory(engine)() as session:
            content, rows = await build_workbook(session, args.kind, period, tz=tz, language=args.language,
                                                 contacts=True, progress=progress, lead=settings.rules.lead_time)
        with open(out, "wb") as handle:
            handle.write(content)
        return rows

    rows = run_on_database(settings, work)
    progress.close()
    print(f"wrote {rows} rows to {out}")
    return 0
