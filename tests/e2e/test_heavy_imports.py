"""Issue #12: the bot's own process keeps only what answering messages needs.

openpyxl (exports), jinja2 (evidence documents) and matplotlib (charts) are imported by the
worker processes that build those, never by the bot on the message path — not even after
the bot was asked for an export, an evidence document and a year's /kpi, which arrive all
the same — and the transport library not chosen is never imported. Each run is its own
Python process (this test's own process has imported everything the other tests needed).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import asyncio, json, sys
from bot.runtime import Runtime
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer
from tests.conftest import local
from tests.e2e.conftest import e2e_settings
from tests.e2e.harness import Harness

HEAVY = ("openpyxl", "jinja2", "matplotlib", "numpy", "lxml", "PIL", "telegram", "aiogram")


def loaded():
    return sorted(name for name in HEAVY if name in sys.modules)


async def main(framework, directory):
    sandbox = SandboxServer()
    sandbox.clock.set(local(2026, 12, 3, 17, 20))
    await sandbox.start()
    runtime = Runtime(e2e_settings(f"sqlite+aiosqlite:///{directory}/bot.sqlite3", framework,
                                   files_dir=f"{directory}/files"), sandbox=sandbox, first_backoff=0.05)
    await runtime.start()
    h = Harness(sandbox, SandboxClient(sandbox.root_url), runtime)
    seen = {}
    try:
        [card] = await h.say("sales1", "王女士 13812345678 实木床1.8米1张 12月20日送 天河区天河路1号 全款", timeout=60)
        [done] = await h.press("sales1", card, "确认", timeout=30)
        number = next(word for word in done["text"].replace("：", " ").split() if word.startswith("DD"))[:11]
        seen["after an order"] = loaded()
        [preparing, export] = await h.say("manager", "/export orders 本月", expect=2, timeout=120)
        [preparing, evidence] = await h.say("manager", f"/evidence {number}", expect=2, timeout=120)
        [preparing, kpi] = await h.say("manager", "/kpi 今年", expect=2, timeout=120)
        seen["documents"] = [export["document"]["file_name"], evidence["document"]["file_name"],
                             kpi["text"].split("\n")[0]]
        [card] = await h.say("sales1", "李先生 13912345678 床头柜2个 12月21日送 天河区天河路2号 全款", timeout=60)
        seen["after the reports"] = loaded()
    finally:
        await h.client.close()
        await runtime.stop()
        await sandbox.stop()
    print(json.dumps(seen, ensure_ascii=False))


asyncio.run(main(sys.argv[1], sys.argv[2]))
'''


@pytest.mark.parametrize("framework, other", [("python-telegram-bot", "aiogram"), ("aiogram", "telegram")])
def test_the_bot_process_never_imports_the_report_libraries(tmp_path: Path, framework: str, other: str) -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT, framework, str(tmp_path)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    export, evidence, kpi = seen["documents"]
    assert export.endswith(".xlsx") and evidence.startswith("evidence-DD") and kpi.startswith("📈 考核指标 2026-01-01")
    for moment in ("after an order", "after the reports"):
        assert not {"openpyxl", "jinja2", "matplotlib", "numpy", "lxml", "PIL", other} & set(seen[moment]), \
            (moment, seen[moment])
