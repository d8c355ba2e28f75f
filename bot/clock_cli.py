"""``orderbot clock``: show or move the running sandbox's clock, to try time-dependent rules.

    orderbot clock show                  # the sandbox's time, in the business time zone
    orderbot clock set 15:30             # today at 15:30 local time
    orderbot clock set 2026-12-05 15:30
    orderbot clock +1d                   # also +2h, -30m, +1d2h, +1w
    orderbot clock reset                 # back to real time

The bot in sandbox mode runs on that very clock: messages sent afterwards carry the new
time as their Telegram ``date``, and reminders due by then go out at the next sweep.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from typing import Any

import aiohttp

from bot.ops_cli import _add_config, _settings
from bot.sandbox.client import SandboxClient, SandboxError
from bot.sandbox.clock_words import USAGE, ClockWordsError, describe, read_clock_words


def register(subparsers: Any) -> None:
    clock = subparsers.add_parser("clock", help="show or move the sandbox clock (set 15:30, +1d, reset)",
                                  description=f"Move the running sandbox's clock: {USAGE}.")
    _add_config(clock)
    clock.add_argument("--url", metavar="URL", help="the sandbox (default: [sandbox] host and port of the config)")
    clock.add_argument("words", nargs="*", metavar="ACTION",
                       help="show (default) | set HH:MM | set YYYY-MM-DD [HH:MM] | +1d | +2h | reset")
    clock.set_defaults(func=_clock, takes_dashed_words=True)


async def clock_command(root: str, words: list[str], tz: Any) -> str:
    """Read ``words``, apply them to the sandbox at ``root`` and describe the clock afterwards."""
    async with SandboxClient(root) as client:
        current = await client.clock()
        change = read_clock_words(words, datetime.fromisoformat(current["now"]), tz)
        after = await client.change_clock(change)
    return describe(datetime.fromisoformat(after["now"]), after["offset_seconds"], tz)


def _clock(args: argparse.Namespace) -> int:
    settings = _settings(args)
    root = (args.url or f"http://{settings.sandbox.host}:{settings.sandbox.port}").rstrip("/")
    try:
        print(f"sandbox clock: {asyncio.run(clock_command(root, list(args.words), settings.timezone))}")
    except ClockWordsError as error:
        print(f"orderbot clock: {error}", file=sys.stderr)
        return 2
    except SandboxError as error:
        print(f"orderbot clock: the sandbox refused: {error.description}", file=sys.stderr)
        return 1
    except (OSError, aiohttp.ClientError) as error:
        print(f"orderbot clock: cannot reach the sandbox at {root} ({error}). Start the bot first: orderbot run",
              file=sys.stderr)
        return 1
    return 0
