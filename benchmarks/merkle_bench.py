"""Benchmark: checkpoints, consistency checks and proofs over a 100 000-entry audit log.

Builds the log in a SQLite file (bulk inserts of chained entries and their
leaves, as ``storage.audit.append`` would write them), then times what the bot
does with it and prints the figures. On demand only:

    python3 benchmarks/merkle_bench.py [--entries 100000]

* ``orderbot audit checkpoint``: stored leaf hashes → root (stack) → signed note;
* the daily / start-up check: every leaf recomputed from the rows, tree rebuilt, proved against a checkpoint;
* the inclusion proofs of an /evidence document (50 entries) on the stored tree;
* the migration computing the leaves of an existing log.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alembic import command  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from domain.evidence.leaves import leaf_hashes_of  # noqa: E402
from domain.evidence.merkle import MerkleTree  # noqa: E402
from domain.evidence.note import Checkpoint, Signer  # noqa: E402
from storage import checkpoints  # noqa: E402
from storage.audit import GENESIS, canonical_json, entry_digest  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402
from storage.merkle_tree import entry_fields, stored_leaves  # noqa: E402
from storage.migrate import alembic_config, upgrade  # noqa: E402
from storage.models import AuditEntry, AuditLeaf  # noqa: E402

T0 = datetime(2026, 12, 3, 1, 20, tzinfo=timezone.utc)


def _timed(label: str, started: float) -> float:
    took = time.perf_counter() - started
    print(f"  {label:<58} {took:8.3f} s")
    return took


async def main(entries: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}")
        await upgrade(engine)
        sessions = session_factory(engine)
        print(f"building {entries} chained audit entries (1 in 20 keeps a photo) …")
        prev, leaf_index = GENESIS, 0
        rows, leaves = [], []
        for seq in range(1, entries + 1):
            photo = seq % 20 == 0
            entry = AuditEntry(seq=seq, kind="file" if photo else "inbound", bot_id=1, update_id=seq, chat_id=7,
                               actor_id=7, message_id=seq, version=1, entity=f"DD2026{seq % 9999:05d}",
                               telegram_time=T0, recorded_at=T0, text=f"订单消息 {seq} 张三 13812345678",
                               payload=canonical_json({"sha256": hashlib.sha256(str(seq).encode()).hexdigest()}
                                                      if photo else {"n": seq}), prev_hash=prev)
            entry.hash = prev = entry_digest(entry)
            rows.append({c: getattr(entry, c) for c in ("seq", "kind", "bot_id", "update_id", "chat_id", "actor_id",
                                                        "message_id", "version", "entity", "telegram_time",
                                                        "recorded_at", "text", "payload", "prev_hash", "hash")})
            for kind, digest in leaf_hashes_of(entry_fields(entry)):
                leaves.append({"leaf_index": leaf_index, "seq": seq, "kind": kind, "hash": digest.hex()})
                leaf_index += 1
        async with sessions() as session, session.begin():
            for start in range(0, len(rows), 5000):
                await session.execute(insert(AuditEntry), rows[start:start + 5000])
                await session.execute(insert(AuditLeaf), leaves[start:start + 5000])
            await session.execute(insert(AuditLeaf), leaves[len(rows):])
        print(f"  {entries} entries, {leaf_index} leaves\n")
        signer = Signer.generate("bench.example/orderbot")

        started = time.perf_counter()
        async with sessions() as session, session.begin():
            row = await checkpoints.make(session, signer=signer, purpose="bench", now=T0, published=True)
        _timed("orderbot audit checkpoint (stored leaves → signed note)", started)
        checkpoint = Checkpoint.parse(row.note.split("\n\n")[0] + "\n")

        started = time.perf_counter()
        async with sessions() as session:
            report = await checkpoints.check_against(session, checkpoint, signer.verifier)
        _timed("consistency check (every leaf recomputed from the rows)", started)
        assert report.ok, report.describe()

        started = time.perf_counter()
        async with sessions() as session:
            tree = MerkleTree(await stored_leaves(session))
        for index in range(0, tree.size, max(1, tree.size // 50)):
            tree.inclusion_proof(index)
        tree.consistency_proof(tree.size // 3)
        _timed("/evidence proofs: tree from stored leaves + 50 inclusion proofs", started)

        started = time.perf_counter()
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0005"))
        await upgrade(engine)
        _timed("migration computing the leaves of the existing log", started)
        async with sessions() as session:
            assert len(await stored_leaves(session)) == leaf_index
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    asyncio.run(main(parser.parse_args().entries))
