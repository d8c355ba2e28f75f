"""The Merkle tree over the audit log on SQLite and PostgreSQL, and forgeries an earlier checkpoint exposes.

The forger here has write access to the database and recomputes the chain
hashes (``entry_digest``) of every row they touch — what the hash chain alone
cannot catch.
"""

from __future__ import annotations

import hashlib

from alembic import command
from sqlalchemy import delete, select, text, update

from domain.evidence.leaves import decode
from domain.evidence.merkle import leaf_hash, root_of
from domain.evidence.note import Checkpoint, Signer
from storage import audit, checkpoints, merkle_tree
from storage.audit import Kind, entry_digest, verify_chain
from storage.migrate import alembic_config, upgrade
from storage.models import AuditEntry, AuditLeaf
from tests.conftest import utc

T0 = utc(2026, 12, 3, 9, 20)
SIGNER = Signer.generate("shop.example/orderbot")


async def _append(sessions, n: int, start: int = 0) -> None:  # type: ignore[no-untyped-def]
    for i in range(start, start + n):
        async with sessions() as session, session.begin():
            await audit.append(session, kind=Kind.INBOUND, recorded_at=T0, chat_id=7, actor_id=7, message_id=i + 1,
                               update_id=100 + i, bot_id=1, text=f"消息 {i}", telegram_time=T0, payload={"n": i})


async def _checkpoint(sessions) -> Checkpoint:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        row = await checkpoints.make(session, signer=SIGNER, purpose="test", now=T0, published=True)
        return Checkpoint.parse(row.note.split("\n\n")[0] + "\n")


async def _check(sessions, checkpoint: Checkpoint) -> checkpoints.ConsistencyReport:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return await checkpoints.check_against(session, checkpoint, SIGNER.verifier)


async def _recomputed_leaves(session) -> list[tuple[int, str, bytes]]:  # type: ignore[no-untyped-def]
    """(entry seq, kind, data) of every leaf the audit rows make now, in tree order."""
    entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.seq))).all()
    return [(e.seq, kind, data) for e in entries for kind, data in merkle_tree.entry_leaf_bytes(e)]


async def _rewrite_from(sessions, seq: int, new_text: str = "伪造") -> None:  # type: ignore[no-untyped-def]
    """Change entry ``seq`` and re-hash the chain from there to the end, as a careful forger would."""
    async with sessions() as session, session.begin():
        rows = list((await session.execute(select(AuditEntry).where(AuditEntry.seq >= seq)
                                           .order_by(AuditEntry.seq))).scalars())
        prev = (await session.execute(select(AuditEntry.hash).where(AuditEntry.seq == seq - 1))).scalar() \
            or audit.GENESIS
        for row in rows:
            if row.seq == seq:
                row.text = new_text
            row.prev_hash = prev
            row.hash = f"tmp{row.seq}".ljust(64, "0")  # free the unique hashes while the chain is rebuilt
        await session.flush()
        for row in rows:
            row.prev_hash = prev
            row.hash = entry_digest(row)
            prev = row.hash
            await session.flush()


async def test_each_entry_becomes_a_leaf_with_its_exact_columns(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append(sessions, 3)
    async with sessions() as session:
        stored = await merkle_tree.stored_leaves(session)
        tree, seqs = await merkle_tree.recomputed_tree(session)
        _, _, data = (await _recomputed_leaves(session))[1]
        entry = (await session.execute(select(AuditEntry).where(AuditEntry.seq == 2))).scalar_one()
    assert len(stored) == 3 and seqs == [1, 2, 3]
    assert root_of(stored) == tree.root()
    fields = decode(data)
    assert fields["text"] == "消息 1" and fields["hash"] == entry.hash and fields["prev_hash"] == entry.prev_hash
    assert fields["recorded_at"] == "2026-12-03T09:20:00.000000+00:00"


async def test_a_kept_photo_is_a_leaf_of_its_own(sessions) -> None:  # type: ignore[no-untyped-def]
    photo = b"\x89PNG fake photo bytes"
    sha = hashlib.sha256(photo).hexdigest()
    async with sessions() as session, session.begin():
        await audit.append(session, kind=Kind.FILE, recorded_at=T0, entity="SH202612001",
                           payload={"sha256": sha, "size": len(photo)})
    async with sessions() as session:
        leaves = list((await session.execute(select(AuditLeaf).order_by(AuditLeaf.leaf_index))).scalars())
        found = await _recomputed_leaves(session)
    assert [(x.kind, x.seq) for x in leaves] == [("audit_entry", 1), ("photo", 1)]
    assert decode(found[1][2]) == {"leaf": "photo", "seq": 1, "sha256": sha}
    assert leaf_hash(found[1][2]).hex() == leaves[1].hash


async def test_text_no_encoding_can_hold_still_makes_a_leaf(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        await audit.append(session, kind=Kind.INBOUND, recorded_at=T0, text="表情😀 制表\t符")
    async with sessions() as session:
        [(_, _, data)] = await _recomputed_leaves(session)
    assert decode(data)["text"] == "表情😀 制表\t符" and data.isascii()


async def test_the_migration_computes_leaves_for_entries_already_logged(engine, sessions) -> None:  # type: ignore[no-untyped-def]
    await _append(sessions, 5)
    async with sessions() as session:
        before = await merkle_tree.stored_leaves(session)
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0005"))
    await upgrade(engine)
    async with sessions() as session:
        assert await merkle_tree.stored_leaves(session) == before
        assert (await verify_chain(session)).ok  # the chain is untouched


async def test_an_untouched_log_extends_its_checkpoint(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append(sessions, 10)
    checkpoint = await _checkpoint(sessions)
    await _append(sessions, 5, start=10)
    report = await _check(sessions, checkpoint)
    assert report.ok and report.size == 15 and report.proof, report.describe()


async def test_a_changed_row_is_named(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append(sessions, 12)
    checkpoint = await _checkpoint(sessions)
    async with sessions() as session, session.begin():
        await session.execute(text("UPDATE audit_log SET text = '改过的' WHERE seq = 7"))
    report = await _check(sessions, checkpoint)
    assert not report.ok and report.exact and (report.first_bad_seq, report.first_bad_leaf) == (7, 6)
    assert "entry seq 7" in report.describe()


async def test_a_deleted_row_is_named(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append(sessions, 12)
    checkpoint = await _checkpoint(sessions)
    async with sessions() as session, session.begin():
        await session.execute(delete(AuditEntry).where(AuditEntry.seq == 5))
    report = await _check(sessions, checkpoint)
    assert not report.ok and report.first_bad_leaf == 4 and report.first_bad_seq == 6  # 5 is gone


async def test_a_forged_row_inserted_in_the_middle_is_named(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append(sessions, 12)
    checkpoint = await _checkpoint(sessions)
    async with sessions() as session, session.begin():
        # Make room at seq 4 and slip a forged message in, the chain re-hashed from there.
        for seq in range(12, 3, -1):
            await session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(seq=seq + 1))
        first = (await session.execute(select(AuditEntry).where(AuditEntry.seq == 5))).scalar_one()
        session.add(AuditEntry(seq=4, kind=Kind.INBOUND, version=1, recorded_at=T0, text="我早就说过了",
                               prev_hash=first.prev_hash, hash="f" * 64))
    await _rewrite_from(sessions, 4, new_text="我早就说过了")
    async with sessions() as session:
        assert (await verify_chain(session)).ok  # the hash chain alone is fooled
    report = await _check(sessions, checkpoint)
    assert not report.ok and report.exact and report.first_bad_seq == 4, report.describe()


async def test_rewriting_from_the_middle_with_recomputed_hashes_is_named(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append(sessions, 42)
    checkpoint = await _checkpoint(sessions)
    await _rewrite_from(sessions, 25)
    async with sessions() as session:
        assert (await verify_chain(session)).ok  # "audit chain OK" — yet history changed
    report = await _check(sessions, checkpoint)
    assert not report.ok and report.exact and report.first_bad_seq == 25, report.describe()
    assert "entry seq 25" in report.describe()


async def test_rewriting_the_stored_leaves_too_is_still_detected_and_narrowed(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append(sessions, 20)
    early = await _checkpoint(sessions)
    await _append(sessions, 22, start=20)
    checkpoint = await _checkpoint(sessions)
    await _rewrite_from(sessions, 25)
    async with sessions() as session, session.begin():  # the forger recomputes the leaf table as well
        await session.execute(delete(AuditLeaf))
        for index, (seq, kind, data) in enumerate(await _recomputed_leaves(session)):
            session.add(AuditLeaf(leaf_index=index, seq=seq, kind=kind, hash=leaf_hash(data).hex()))
    report = await _check(sessions, checkpoint)
    assert not report.ok and not report.exact
    assert report.good_leaves == early.size == 20 and report.first_bad_seq == 21
    assert "between leaf 20 and leaf 41" in report.describe()


async def test_deleting_the_last_entries_is_a_cut(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append(sessions, 42)
    checkpoint = await _checkpoint(sessions)
    async with sessions() as session, session.begin():
        await session.execute(delete(AuditEntry).where(AuditEntry.seq > 39))
        assert (await verify_chain(session)).ok
    report = await _check(sessions, checkpoint)
    assert not report.ok and report.first_bad_leaf == 39 and report.first_bad_seq is None
    assert "was cut" in report.describe()


async def test_a_whole_other_log_of_the_same_size_is_refused(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append(sessions, 8)
    checkpoint = await _checkpoint(sessions)
    await _rewrite_from(sessions, 1, new_text="另一个故事")
    report = await _check(sessions, checkpoint)
    assert not report.ok and report.first_bad_seq == 1
