"""The strictly typed packages type-check: mypy --strict, as configured in pyproject.toml.

This is how type checking runs in CI (CI runs the README's pytest command). The packages
and options live in ``[tool.mypy]``, so a bare ``mypy`` in the checkout reports the same.
mypy's incremental cache is kept in ``.mypy_cache`` (ignored by git): a warm run takes a
few seconds (3.5 s measured), a cold one about half a minute (32 s on a busy 2-core machine).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api", reason="mypy is in the [test] extra")

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("domain", "storage", "handlers", "schedules", "bot/config.py")


def test_strict_packages_have_no_type_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # mypy reads [tool.mypy] from ./pyproject.toml
    stdout, stderr, status = api.run(["--cache-dir", str(ROOT / ".mypy_cache"), "--no-color-output"])
    assert status == 0, f"mypy found type errors:\n{stdout}{stderr}"


def test_every_type_ignore_in_checked_packages_says_why() -> None:
    """A silenced error names its code and gives the reason on the same line."""
    bare = re.compile(r"#\s*type:\s*ignore(?!\[[\w-]+(?:,\s*[\w-]+)*\]\s+#\s*\S)")
    offenders = []
    for package in CHECKED:
        path = ROOT / package
        for source in ([path] if path.is_file() else sorted(path.rglob("*.py"))):
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
                if bare.search(line):
                    offenders.append(f"{source.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "type: ignore without [code]  # reason:\n" + "\n".join(offenders)


def test_the_checked_packages_are_the_configured_ones() -> None:
    """The list above and ``[tool.mypy] files`` stay the same list."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert tuple(config["tool"]["mypy"]["files"]) == CHECKED
    assert config["tool"]["mypy"]["strict"] is True
