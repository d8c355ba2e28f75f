"""``orderbot parse``: run the message parser from the shell, one message or a JSONL batch.

    orderbot parse "张三 13812345678 实木床1张 12.20送" [--at 2026-12-03T17:20:00+08:00]
    orderbot parse --jsonl IN.jsonl        # or - for stdin; one output line per input line
    orderbot parse --corrections [--out FILE] [--config PATH]
                                           # the sales people's corrections on confirm cards,
                                           # as labelled corpus lines (score.py reads them as gold)

The batch never stops on a bad line: it still writes ``{"id": ..., "kind": "unknown", ...}``.
Unlike the domain, the CLI may read the clock: ``--at`` defaults to now, and a single message's
time is put on the business's wall clock (``[rules] timezone``) before 今天/明天 are counted.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import IO, Iterable
from zoneinfo import ZoneInfo

from bot.database import run_on_database
from bot.ops_cli import _add_config, _settings
from domain.localtime import local_moment
from domain.parsing import PARSER_VERSION, ParsedMessage, Parser
from domain.parsing.corrections import labelled_line
from storage.corrections import correction_journeys
from storage.db import session_factory

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "parse",
        help="parse a staff message (or a JSONL batch) into an order record",
        description=f"Parse chat messages into contract records (parser {PARSER_VERSION}).",
    )
    p.add_argument("text", nargs="?", help="the message text")
    p.add_argument("--at", help="the message's timestamp, ISO 8601 (default: now); counted in [rules] timezone")
    p.add_argument("--jsonl", metavar="IN", help='JSONL file of {"id","sent_at","text"} lines, or - for stdin')
    _add_config(p)
    p.add_argument("--corrections", action="store_true",
                   help="export corrections made on confirm cards (from the database) as corpus lines")
    p.add_argument("--out", metavar="FILE", help="with --corrections: write here instead of stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.corrections:
        return export_corrections(args)
    if args.jsonl is None and args.text is None:
        print("orderbot parse: give TEXT or --jsonl IN", file=sys.stderr)
        return 2
    parser = Parser()
    if args.jsonl is not None:
        if args.jsonl == "-":
            parse_stream(parser, sys.stdin, sys.stdout)
        else:
            with open(args.jsonl, encoding="utf-8", errors="replace") as f:
                parse_stream(parser, f, sys.stdout)
        return 0
    try:
        at = _sent_at(args.at) if args.at else datetime.now(LOCAL_TZ)
        at = local_moment(at, _settings(args).timezone)
    except ValueError:
        print(f"orderbot parse: --at is not an ISO timestamp: {args.at!r}", file=sys.stderr)
        return 2
    record = parser.parse(args.text, at)
    print(json.dumps(record.to_contract(), ensure_ascii=False))
    return 0


def parse_stream(parser: Parser, lines: Iterable[str], out: IO[str]) -> None:
    for line in lines:
        if not line.strip():
            continue  # blank lines carry no message, so they get no output line
        out.write(json.dumps(_parse_line(parser, line), ensure_ascii=False) + "\n")
        out.flush()


def _parse_line(parser: Parser, line: str) -> dict:
    rid = None
    try:
        obj = json.loads(line)
        if not isinstance(obj, dict):
            raise ValueError("not an object")
        rid = obj.get("id")
        text, sent_at = obj["text"], _sent_at(obj["sent_at"])
        if not isinstance(text, str):
            raise ValueError("text is not a string")
        record = parser.parse(text, sent_at)
    except (ValueError, KeyError, TypeError):
        record = ParsedMessage(kind="unknown", parser_version=PARSER_VERSION)
    return {"id": rid, **record.to_contract()}


def _sent_at(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("sent_at is not a string")
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    # a timestamp without an offset is taken as the desk's local time
    return at if at.tzinfo else at.replace(tzinfo=LOCAL_TZ)


def export_corrections(args: argparse.Namespace) -> int:
    """Write every corrected draft as ``{"id","sent_at","text","expected","corrected"}``, one a line."""
    settings = _settings(args)
    tz = settings.timezone
    to_simplified = Parser().simplify

    async def work(engine) -> list[dict]:  # type: ignore[no-untyped-def]
        async with session_factory(engine)() as session:
            journeys = await correction_journeys(session)
        lines = []
        for j in journeys:
            line = labelled_line(f"c{j.order_id}", j.text, j.sent_at.astimezone(tz), j.parsed, j.corrections,
                                 to_simplified=to_simplified)
            if line is not None:
                line["order"] = j.number
                line["parser_version"] = j.parser_version
                lines.append(line)
        return lines

    lines = run_on_database(settings, work)
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(body)
        print(f"{len(lines)} corrected messages -> {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(body)
    return 0
