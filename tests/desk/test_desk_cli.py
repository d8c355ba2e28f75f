"""``orderbot desk --as manager``: a URL the desk accepts, signed at the sandbox clock's time."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

from bot.cli import main
from bot.sandbox.server import SANDBOX_TOKEN, SandboxServer
from domain.desk.init_data import check
from tests.conftest import local


def _config(tmp_path, sandbox_port: int) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(f"[sandbox]\nport = {sandbox_port}\n[desk]\nport = 8765\npath = \"/mini\"\n", encoding="utf-8")
    return str(path)


def test_it_prints_a_url_signed_for_that_person_at_the_sandbox_time(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        sandbox = SandboxServer()
        sandbox.clock.set(local(2026, 12, 5, 10, 0))
        await sandbox.start()
        try:
            config = _config(tmp_path, sandbox.port)
            status = await asyncio.to_thread(main, ["desk", "--as", "storemanager1", "--config", config,
                                                    "--theme", "dark"])
            assert status == 0
        finally:
            await sandbox.stop()

    asyncio.run(scenario())
    url = capsys.readouterr().out.strip()
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "127.0.0.1:8765", "/mini")
    fragment = parse_qs(parts.fragment)
    now = int(local(2026, 12, 5, 10, 0).timestamp())
    session = check(fragment["tgWebAppData"][0], SANDBOX_TOKEN, now=now, max_age_seconds=60)
    assert session.telegram_id == 2002 and abs(session.auth_date - now) < 5
    assert "#212121" in fragment["tgWebAppThemeParams"][0]


def test_without_a_running_sandbox_it_says_to_start_the_bot(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["desk", "--as", "manager", "--config", _config(tmp_path, 1)]) == 1
    assert "orderbot run" in capsys.readouterr().err


def test_with_a_real_token_it_points_at_telegram(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ORDERBOT_TOKEN", "123:REAL")
    assert main(["desk", "--as", "manager", "--config", _config(tmp_path, 1)]) == 2
    assert "menu button" in capsys.readouterr().err
