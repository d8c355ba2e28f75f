"""The layers point inward (design.md): import-linter's contracts in pyproject.toml hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    result = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                             "lint_imports_command()", "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_nothing_outside_the_cli_reads_the_wall_clock() -> None:
    offenders = []
    for package in ("domain", "handlers", "storage", "schedules"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            for needle in ("datetime.now(", "date.today(", "time.time(", "datetime.utcnow("):
                if needle in source:
                    offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []
