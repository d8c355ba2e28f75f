"""``orderbot audit keygen | checkpoint | verify --checkpoint`` on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import stat

import pytest
from sqlalchemy import select

from bot.cli import main
from domain.evidence.note import Signer, Verifier, open_checkpoint
from storage import audit
from storage.audit import Kind, entry_digest
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import AuditEntry, OutboxMessage
from tests.conftest import utc

T0 = utc(2026, 12, 3, 9, 20)


def _on_db(url: str, work):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        engine = create_engine(url)
        try:
            await upgrade(engine)
            return await work(session_factory(engine))
        finally:
            await engine.dispose()
    return asyncio.run(run())


def _append(url: str, n: int, start: int = 0) -> None:
    async def work(sessions):  # type: ignore[no-untyped-def]
        for i in range(start, start + n):
            async with sessions() as session, session.begin():
                await audit.append(session, kind=Kind.INBOUND, recorded_at=T0, chat_id=7, actor_id=7,
                                   message_id=i + 1, text=f"消息 {i}", payload={"n": i})
    _on_db(url, work)


def _rewrite_from(url: str, seq: int) -> None:
    async def work(sessions):  # type: ignore[no-untyped-def]
        async with sessions() as session, session.begin():
            rows = list((await session.execute(select(AuditEntry).where(AuditEntry.seq >= seq)
                                               .order_by(AuditEntry.seq))).scalars())
            prev = (await session.execute(select(AuditEntry.hash).where(AuditEntry.seq == seq - 1))).scalar() \
                or audit.GENESIS
            for row in rows:
                row.hash = f"tmp{row.seq}".ljust(64, "0")
            await session.flush()
            for row in rows:
                if row.seq == seq:
                    row.text = "伪造"
                row.prev_hash = prev
                row.hash = prev = entry_digest(row)
                await session.flush()
    _on_db(url, work)


@pytest.fixture
def setup(db_url, tmp_path, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    key = tmp_path / "audit.key"
    assert main(["audit", "keygen", "--out", str(key), "--name", "shop.example/orderbot"]) == 0
    public = capsys.readouterr().out.strip()
    monkeypatch.setenv("ORDERBOT_AUDIT_SIGNING_KEY_FILE", str(key))
    return str(config), key, Verifier.parse(public)


def test_keygen_writes_a_private_key_only_its_owner_reads(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    key = tmp_path / "k"
    assert main(["audit", "keygen", "--out", str(key)]) == 0
    public = capsys.readouterr().out.strip()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert Signer.parse(key.read_text()).verifier.text() == public
    assert main(["audit", "keygen", "--out", str(key)]) == 2  # never overwrites a key in use
    assert "exists already" in capsys.readouterr().err


def test_checkpoint_prints_a_signed_note_and_queues_it_for_the_managers(db_url, setup, capsys) -> None:  # type: ignore[no-untyped-def]
    config, _key, verifier = setup
    _append(db_url, 5)
    assert main(["users", "add", "900", "主管", "--role", "manager", "--config", config]) == 0
    capsys.readouterr()
    assert main(["audit", "checkpoint", "--config", config]) == 0
    out = capsys.readouterr()
    checkpoint = open_checkpoint(out.out, verifier)
    assert checkpoint.size == 6  # five entries and the registration
    assert "queued for 1 manager" in out.err

    async def queued(sessions):  # type: ignore[no-untyped-def]
        async with sessions() as session:
            return [(o.chat_id, o.text) for o in (await session.execute(select(OutboxMessage))).scalars()]
    [(chat, text)] = _on_db(db_url, queued)
    assert chat == 900 and out.out.strip() in text


def test_verify_checkpoint_passes_an_extended_log_and_names_a_rewrite(db_url, setup, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    config, _key, _verifier = setup
    _append(db_url, 42)
    assert main(["audit", "checkpoint", "--no-send", "--config", config]) == 0
    published = tmp_path / "checkpoint.txt"
    published.write_text("主管手机上的消息：\n" + capsys.readouterr().out, encoding="utf-8")
    _append(db_url, 3, start=42)
    assert main(["audit", "verify", "--checkpoint", str(published), "--config", config]) == 0
    assert "OK — the log extends the checkpoint" in capsys.readouterr().out

    _rewrite_from(db_url, 25)
    # The hash chain alone says OK; the leaves stored when each entry was logged do not.
    assert main(["audit", "verify", "--config", config]) == 1
    out = capsys.readouterr().out
    assert "audit chain OK" in out and "leaf 24 no longer matches entry seq 25" in out, out
    assert main(["audit", "verify", "--checkpoint", str(published), "--config", config]) == 1
    out = capsys.readouterr().out
    assert "NOT CONSISTENT" in out and "entry seq 25" in out, out


def test_verify_checkpoint_refuses_another_key_and_a_replaced_log(db_url, setup, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    config, _key, _verifier = setup
    _append(db_url, 8)
    forged = Signer.generate("shop.example/orderbot").sign("shop.example/orderbot\n8\n" + "A" * 43 + "=\n")
    assert main(["audit", "verify", "--checkpoint", forged, "--config", config]) == 1
    assert "REFUSED" in capsys.readouterr().out
    assert main(["audit", "checkpoint", "--no-send", "--config", config]) == 0
    note = capsys.readouterr().out
    _rewrite_from(db_url, 1)  # the whole log replaced by another of the same size
    assert main(["audit", "verify", "--checkpoint", note, "--config", config]) == 1
    assert "entry seq 1 " in capsys.readouterr().out
