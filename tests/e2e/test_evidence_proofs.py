"""Evidence anyone can verify, end to end: checkpoints in the managers' chat, /evidence checked offline,
and the alarm when the history in the database is rewritten."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main as cli_main
from domain.evidence.bundle import EvidenceError, check_document, read_document
from domain.evidence.note import Signer, extract_note, open_checkpoint
from handlers.reminders.sweep import sweep
from handlers.reports.checkpoints import startup_check
from storage.audit import entry_digest
from storage import outbox
from storage.models import AuditCheckpoint, AuditEntry
from tests.conftest import local
from tests.e2e.harness import Harness
from tests.e2e.test_aftersales import PHOTO_1, PHOTO_2, open_case_with_photo
from tests.e2e.test_orders import ORDER, number_in, submit

SIGNER = Signer.generate("shop.example/orderbot")
DOCS = Path(__file__).resolve().parents[2] / "docs"


async def _story(h: Harness) -> str:
    """A rush order whose message is edited afterwards, and the confirmed R2 fine."""
    h.sandbox.clock.set(local(2026, 12, 3, 10, 5))  # outside the 17:00–18:00 window: a rush insertion
    [card] = await h.say("sales1", ORDER)
    source_id = card["reply_to_message_id"] or card["message_id"] - 1
    clerk_after = await h.client.last_seq()
    [done] = await h.press("sales1", card, "确认")
    number = number_in(done["text"])
    [clerk_card] = await h.wait_for("clerk", clerk_after)
    after = await h.client.last_seq()
    await h.client.edit_text(h.uid("sales1"), source_id, ORDER.replace("13812345678", "13812345679"))
    [question] = await h.wait_for("sales1", after)
    await h.press("sales1", question, "不改")
    manager_after = await h.client.last_seq()
    await h.press("clerk", clerk_card, "提议插单罚款（R2）")
    [proposal] = await h.wait_for("manager", manager_after)
    sales_after = await h.client.last_seq()
    await h.press("manager", proposal, "确认罚款")
    await h.wait_for("sales1", sales_after)
    return number


@pytest.fixture
def e2e_environ(tmp_path) -> dict:  # type: ignore[no-untyped-def]
    key = tmp_path / "audit.key"
    key.write_text(SIGNER.private_text() + "\n", encoding="utf-8")
    return {"ORDERBOT_AUDIT_SIGNING_KEY_FILE": str(key)}


async def _daily_checkpoint(h: Harness) -> str:
    """The 18:30 sweep: the signed checkpoint reaches the manager; returns the message text."""
    after = await h.client.last_seq()
    h.sandbox.clock.set(local(2026, 12, 3, 18, 30))  # the sheet's minute
    await sweep(h.runtime.app, h.sandbox.clock.now())
    h.sandbox.clock.set(local(2026, 12, 4, 9, 0))  # the sandbox clock runs on: delivered next morning
    h.runtime.kick_outbox()
    for _ in range(5):
        messages = await h.wait_for("manager", after)
        found = [m["text"] for m in messages if m["text"].startswith("🔏 证据检查点")]
        if found:
            return found[0]
        after = messages[-1]["seq"]
    raise AssertionError("no checkpoint reached the manager")


async def _evidence_html(h: Harness, who: str, number: str) -> str:
    [_preparing, reply] = await h.say(who, f"/evidence {number}", expect=2, timeout=60)
    assert reply["document"]["file_name"] == f"evidence-{number}.html", reply["text"]
    return (await h.client.download(reply["document"]["url"])).decode("utf-8")


async def test_the_daily_checkpoint_reaches_the_managers_signed(harness: Harness) -> None:
    h = harness
    await _story(h)
    text = await _daily_checkpoint(h)
    print("\n--- manager receives ---\n" + text)
    checkpoint = open_checkpoint(extract_note(text), SIGNER.verifier)  # pasted from the phone, it verifies
    assert checkpoint.origin == "shop.example/orderbot" and checkpoint.size > 10


async def test_an_evidence_document_verifies_offline_and_refuses_any_change(harness: Harness, tmp_path,  # type: ignore[no-untyped-def]
                                                                             capsys) -> None:
    h = harness
    number = await _story(h)
    await _daily_checkpoint(h)
    await h.say("sales1", f"{number} 客户说周末在家")  # more entries after the published checkpoint
    html = await _evidence_html(h, "manager", number)

    result = check_document(html, SIGNER.verifier)  # no database: only the file and the public key
    assert result.published is not None and result.published.size < result.checkpoint.size
    assert result.shown > 20 and any(f.get("text", "").startswith("张三") or "13812345679" in (f.get("text") or "")
                                     for f in result.leaves.values())
    # The reader sees labels in their language, not enum names or JSON.
    readable = html[:html.index('<script type="application/json"')]
    assert "rush_insertion" not in readable and '{"' not in readable and "插单" in readable
    assert "state_change" not in readable and "状态变化" in readable

    path = tmp_path / f"evidence-{number}.html"
    path.write_text(html, encoding="utf-8")
    capsys.readouterr()
    code = await asyncio.to_thread(cli_main, ["audit", "check-evidence", str(path), "--key", SIGNER.verifier.text()])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("evidence OK:"), out
    # The standalone script in docs/ (stdlib + one Ed25519 library) agrees.
    script = [sys.executable, str(DOCS / "verify_evidence.py"), str(path), "--key", SIGNER.verifier.text()]
    standalone = await asyncio.to_thread(subprocess.run, script, capture_output=True, text=True)
    assert standalone.returncode == 0 and standalone.stdout.startswith("OK:"), standalone.stdout + standalone.stderr

    # One changed character in what the reader sees: refused, naming the entry.
    forged = html.replace("13812345679", "13812345670", 1)
    assert forged != html
    with pytest.raises(EvidenceError, match="not what the log holds"):
        check_document(forged, SIGNER.verifier)
    path.write_text(forged, encoding="utf-8")
    code = await asyncio.to_thread(cli_main, ["audit", "check-evidence", str(path), "--key", SIGNER.verifier.text()])
    assert code == 1 and "REFUSED" in capsys.readouterr().out
    standalone = await asyncio.to_thread(subprocess.run, script, capture_output=True, text=True)
    assert standalone.returncode == 1 and "REFUSED" in standalone.stdout
    # One changed character in the proof block itself (the leaf bytes of the edited message): refused.
    bundle, _cells = read_document(html)
    start, end = html.index('id="orderbot-evidence">') + len('id="orderbot-evidence">'), html.rindex("</script>")
    leaf = next(x for x in bundle["leaves"] if "13812345679" in x["data"])
    leaf["data"] = leaf["data"].replace("13812345679", "13812345670")
    tampered = html[:start] + json.dumps(bundle) + html[end:]
    with pytest.raises(EvidenceError, match="not in the signed log"):
        check_document(tampered, SIGNER.verifier)
    # Signed with another key than the published one: refused.
    with pytest.raises(EvidenceError, match="not signed by"):
        check_document(html, Signer.generate("shop.example/orderbot").verifier)


async def test_a_rewritten_history_raises_the_alarm_at_start_up(harness: Harness) -> None:
    h = harness
    await _story(h)
    await _daily_checkpoint(h)
    async with h.runtime.app.sessions() as session, session.begin():
        rows = list((await session.execute(select(AuditEntry).where(AuditEntry.seq >= 5)
                                           .order_by(AuditEntry.seq))).scalars())
        prev = (await session.execute(select(AuditEntry.hash).where(AuditEntry.seq == 4))).scalar_one()
        for row in rows:  # free the unique hashes, then re-chain from seq 5 with the forged text
            row.hash = f"tmp{row.seq}".ljust(64, "0")
        await session.flush()
        for row in rows:
            if row.seq == 5:
                row.text = "伪造的消息"
            row.prev_hash, row.hash = prev, None  # type: ignore[assignment]
            row.hash = entry_digest(row)
            prev = row.hash
            await session.flush()
    after = await h.client.last_seq()
    report = await startup_check(h.runtime.app)
    assert report is not None and not report.ok and report.first_bad_seq == 5
    h.runtime.kick_outbox()
    [alarm] = await h.wait_for("manager", after)
    print("\n--- manager receives ---\n" + alarm["text"])
    assert alarm["text"].startswith("🚨 审计日志与") and "从第 5 条记录起与检查点不同" in alarm["text"]
    [admin_alarm] = await h.wait_for("admin", after)
    assert "从第 5 条记录起" in admin_alarm["text"]


async def test_a_photo_shown_later_is_matched_to_the_log(harness: Harness) -> None:
    h = harness
    order = await submit(h)
    number, _card = await open_case_with_photo(h, order)
    html = await _evidence_html(h, "clerk", number)
    result = check_document(html, SIGNER.verifier)
    photos = [f for f in result.leaves.values() if f["leaf"] == "photo"]
    # Whoever holds the photo hashes it and finds that hash proved in the signed log.
    assert [p["sha256"] for p in photos] == [hashlib.sha256(PHOTO_1).hexdigest()]
    assert f'data-field="sha256">{hashlib.sha256(PHOTO_1).hexdigest()}<' in html
    # Another picture passed off as the evidence photo does not match.
    assert hashlib.sha256(PHOTO_2).hexdigest() not in html


async def test_the_daily_checkpoint_is_made_once_a_day(harness: Harness) -> None:
    h = harness
    await _story(h)
    await _daily_checkpoint(h)
    for _ in range(2):  # later sweeps of the same day (every minute) do not sign again
        await sweep(h.runtime.app, local(2026, 12, 3, 18, 30, 30))
    async with h.runtime.app.sessions() as session:
        rows = (await session.execute(select(AuditCheckpoint))).scalars().all()
        marker = await outbox.for_key(session, "audit:daily:2026-12-03")
    assert [r.purpose for r in rows] == ["daily:2026-12-03"] and rows[0].published and marker is not None
