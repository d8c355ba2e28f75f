"""``orderbot run`` in a checkout keeps its data in the ignored ./orderbot-data/: git status stays clean."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A fresh repository holding the project's tracked files as they are now."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    copy = tmp_path / "checkout"
    for name in _git(ROOT, "ls-files", "-z").split("\0"):
        if name and (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    _git(copy, "init", "-q")
    _git(copy, "add", "-A")
    _git(copy, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "checkout")
    return copy


def test_the_default_database_and_files_live_in_an_ignored_folder(checkout: Path) -> None:
    defaults = Settings()
    database = make_url(defaults.database.url.get_secret_value()).database
    assert database is not None and Path(database).parts[0] == "orderbot-data"
    assert Path(defaults.bot.files_dir).parts[0] == "orderbot-data"
    for path in (database, f"{database}-wal", defaults.bot.files_dir + "/ab12.jpg"):
        assert _git(checkout, "check-ignore", path).strip() == path


def test_orderbot_run_in_a_clean_checkout_leaves_git_status_clean(checkout: Path, tmp_path: Path) -> None:
    config = tmp_path / "outside.toml"
    config.write_text("[sandbox]\nport = 0\n", encoding="utf-8")  # a free port; data at its defaults
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERBOT_")}
    env.update(ORDERBOT_CONFIG=str(config), PYTHONPATH=str(checkout))
    bot = subprocess.Popen([sys.executable, "-c", "from bot.cli import main; raise SystemExit(main(['run']))"],
                           cwd=checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    try:
        deadline = time.monotonic() + 90
        assert bot.stdout is not None
        while time.monotonic() < deadline:
            line = bot.stdout.readline()
            if not line:
                break
            seen.append(line)
            if " running on " in line:
                break
        assert any(" running on " in line for line in seen), "".join(seen)
    finally:
        bot.send_signal(signal.SIGINT)
        bot.wait(timeout=30)
    assert (checkout / "orderbot-data" / "orderbot.sqlite3").is_file()
    assert _git(checkout, "status", "--porcelain", "--untracked-files=all") == ""
