"""``orderbot desk --as manager``: print the URL that opens the managers' desk as that person.

Sandbox only. The URL carries initData signed with the sandbox's bot token (what
Telegram does when someone taps the menu button), so the desk checks it exactly
as it checks a real launch; it is valid for ``[desk] max_age_seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from typing import Any

import aiohttp

from bot.demo import person_for
from bot.desk.launch import THEMES, launch_url
from bot.ops_cli import _add_config, _settings
from bot.sandbox.client import SandboxClient


def register(subparsers: Any) -> None:
    desk = subparsers.add_parser("desk", help="print the URL that opens the managers' desk (sandbox)",
                                 description="Print a local URL that opens the managers' desk (Telegram Mini App) "
                                             "in an ordinary browser, signed in as a sandbox person.")
    _add_config(desk)
    desk.add_argument("--as", dest="handle", required=True, metavar="HANDLE",
                      help="manager, storemanager1, clerk … (a demo handle or a Telegram id)")
    desk.add_argument("--theme", choices=sorted(THEMES), default="light", help="Telegram's light or dark palette")
    desk.set_defaults(func=_desk)


async def _sandbox_now(root: str) -> datetime:
    async with SandboxClient(root) as client:
        return datetime.fromisoformat((await client.clock())["now"])


def _desk(args: argparse.Namespace) -> int:
    from bot.sandbox.server import SANDBOX_TOKEN

    settings = _settings(args)
    if not settings.uses_sandbox:
        print("orderbot desk: only in the sandbox; with a real token open the desk from the bot's menu button "
              "or /desk in Telegram", file=sys.stderr)
        return 2
    if not settings.desk.enabled or settings.telegram.mode == "webhook":
        print("orderbot desk: the desk is served on its own port in polling mode only; set [desk] enabled = true "
              "and [telegram] mode = \"polling\"", file=sys.stderr)
        return 2
    root = f"http://{settings.sandbox.host}:{settings.sandbox.port}"
    try:
        now = asyncio.run(_sandbox_now(root))  # the bot's clock: initData's auth_date is checked against it
    except (OSError, aiohttp.ClientError) as error:
        print(f"orderbot desk: cannot reach the sandbox at {root} ({error}). Start the bot first: orderbot run",
              file=sys.stderr)
        return 1
    telegram_id, name = person_for(args.handle)
    desk = settings.desk
    host = f"[{desk.listen}]" if ":" in desk.listen else desk.listen
    print(launch_url(f"http://{host}:{desk.port}{desk.path}", bot_token=SANDBOX_TOKEN, telegram_id=telegram_id,
                     name=name, at=now, theme=args.theme))
    return 0
