"""The rule-book modules stay pure: stdlib and domain imports only, no clock."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(
    p for pattern in ("domain/policy/*.py", "domain/orders/*.py", "domain/aftersales/*.py",
                      "domain/numbering.py", "domain/kpi.py", "domain/errors.py")
    for p in ROOT.glob(pattern)
)
# Pure standard library only: no I/O, no clock (unicodedata and collections compute, nothing more).
ALLOWED_TOP = {"__future__", "collections", "dataclasses", "datetime", "difflib", "enum", "re", "types", "typing", "unicodedata",
               "zoneinfo", "domain"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_only_stdlib_and_domain(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] in ALLOWED_TOP, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_never_reads_the_clock(path):
    text = path.read_text(encoding="utf-8")
    for call in ("datetime.now(", "date.today(", "datetime.utcnow(", "time.time(", "datetime.today("):
        assert call not in text, f"{path.name} reads the clock via {call}"


def test_the_scan_sees_the_modules():
    assert len(MODULES) >= 15
