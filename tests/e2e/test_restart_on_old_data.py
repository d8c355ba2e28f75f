"""`orderbot run` stopped and started again on its old data dir, with a fresh in-process sandbox.

Found trying the desk: after a restart every message was dropped as a redelivery ("update 2 was
already recorded") — the new sandbox numbered updates from 1 again, ids the database already had.
"""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from bot.sandbox.client import SandboxClient
from tests.e2e.conftest import e2e_settings


@pytest.mark.e2e
async def test_a_restarted_bot_answers_the_first_message_after_the_restart(e2e_db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = e2e_settings(e2e_db_url, "python-telegram-bot", files_dir=str(tmp_path / "files"))
    for run in range(2):
        runtime = Runtime(settings, first_backoff=0.05)  # owns its sandbox, as `orderbot run` does
        await runtime.start()
        client = SandboxClient(runtime.sandbox.root_url)
        try:
            after = await client.last_seq()
            await client.send_text(1002, "/whoami", first_name="王经理")
            events = await client.wait_for_bot(1002, after, timeout=10.0)
            assert any("王经理" in (e.get("text") or "") for e in events if e["kind"] == "send"), (run, events)
        finally:
            await client.close()
            await runtime.stop()
