"""The operator's command line: db upgrade, users add/list, audit verify (and its failure on tampering)."""

from __future__ import annotations

import sqlite3

import pytest

from bot.cli import main


@pytest.fixture
def config(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "cli.sqlite3"}"\n', encoding="utf-8")
    return str(path), tmp_path / "cli.sqlite3"


def test_upgrade_add_list_and_verify(config, capsys) -> None:  # type: ignore[no-untyped-def]
    path, db = config
    assert main(["db", "upgrade", "--config", path]) == 0
    assert "database at revision" in capsys.readouterr().out
    assert main(["users", "add", "555", "王五", "--role", "跟单员", "--config", path]) == 0
    assert main(["users", "add", "556", "赵六", "--role", "admin", "--config", path]) == 0
    assert main(["users", "add", "555", "重复", "--config", path]) == 1
    assert main(["users", "add", "557", "钱七", "--role", "sales", "--config", path]) == 2  # a store is required
    capsys.readouterr()
    assert main(["users", "list", "--config", path]) == 0
    listing = capsys.readouterr().out
    assert "555\t王五\tclerk" in listing and "556\t赵六\tadmin" in listing
    assert main(["audit", "verify", "--config", path]) == 0
    assert "audit chain OK: 2 entries verified" in capsys.readouterr().out

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_log SET payload = replace(payload, 'clerk', 'admin') WHERE seq = 1")
    assert main(["audit", "verify", "--config", path]) == 1
    out = capsys.readouterr().out
    assert "BROKEN after 0 good entries" in out and "seq 1" in out and "was changed" in out


def test_a_bad_config_stops_with_the_key_named(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text('[rules.intake]\nwindow_start = "25:00"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["db", "upgrade", "--config", str(path)])
    assert stopped.value.code == 2
    assert "[rules.intake] window_start = '25:00'" in capsys.readouterr().err
