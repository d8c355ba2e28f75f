"""What a new user sees when the bot starts: the lines that matter, no stack traces, no noise.

Found by running the README's command: every start printed a WARNING with a 30-line stack
("event loop held for 165 ms") for the deliberate garbage collection that ends start-up,
and APScheduler's "Adding job tentatively" five times over.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox.server import SandboxServer
from tests.e2e.processes import BotProcess, wait_until

pytestmark = pytest.mark.e2e


async def test_a_fresh_start_logs_no_stall_of_its_own_and_no_scheduler_chatter(tmp_path: Path) -> None:
    sandbox = SandboxServer()
    await sandbox.start()
    config = tmp_path / "config.toml"
    config.write_text("\n".join([
        "[database]", f'url = "sqlite+aiosqlite:///{tmp_path / "bot.sqlite3"}"', "",
        "[sandbox]", f"port = {sandbox.port}", "attach = true", "demo_team = true", "",
        "[desk]", "port = 0", "",
        "[bot]", f'files_dir = "{tmp_path / "files"}"', "",
    ]), encoding="utf-8")
    bot = BotProcess(config, tmp_path / "bot.log")
    try:
        bot.start()
        await wait_until(lambda: "running on the sandbox" in bot.output(), 90, "the bot started")
        log = bot.output()
        stalls = [part for part in log.split("event loop held for")[1:] if "bot/runtime.py" in part
                  and "in start" in part.split("\n20")[0]]
        assert stalls == [], stalls
        assert "Adding job tentatively" not in log and "apscheduler.scheduler" not in log
        assert "sweep:" in log  # the scheduler did start (its catch-up sweep ran)
    finally:
        if bot.alive:
            await bot.terminate()
        await sandbox.stop()
