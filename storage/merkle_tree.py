"""The Merkle tree over the audit log: its leaves, stored as entries are appended, and recomputed.

Stored leaf hashes make a checkpoint of 100 000 entries a single column read
and one pass of hashing. Checks never trust them alone: ``recomputed_tree``
derives every leaf again from the audit rows themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.evidence.leaves import ENTRY_FIELDS, leaf_hashes_of, leaves_of
from domain.evidence.merkle import MerkleTree, leaf_hash, root_of
from storage.db import rows_in
from storage.models import AuditEntry, AuditLeaf

Columns = TypeVarTuple("Columns")


def iso_time(value: datetime | None) -> str | None:
    """A stored time as the audit chain and the Merkle leaves hash it."""
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds") if value is not None else None


def entry_fields(entry: Any) -> dict[str, Any]:
    """An audit row (model, or a result row of ``ENTRY_FIELDS`` in order) as the fields its leaf is made of."""
    if isinstance(entry, AuditEntry):
        fields = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    else:
        fields = dict(zip(ENTRY_FIELDS, entry, strict=True))
    fields["telegram_time"], fields["recorded_at"] = iso_time(fields["telegram_time"]), iso_time(fields["recorded_at"])
    return fields


def entry_leaf_bytes(entry: Any) -> list[tuple[str, bytes]]:
    return leaves_of(entry_fields(entry))


def leaf_rows(entry: AuditEntry, *, size: int) -> list[dict[str, Any]]:
    """The ``audit_leaves`` rows of a just-made entry, appended to a tree of ``size`` leaves; the
    caller holds the chain lock and knows the size (``storage.audit`` reads it with the chain's head)
    and inserts them with the entry."""
    return [{"leaf_index": size + offset, "seq": entry.seq, "kind": kind, "hash": digest.hex()}
            for offset, (kind, digest) in enumerate(leaf_hashes_of(entry_fields(entry)))]


async def keyset_pages(session: AsyncSession, query: Select[*Columns], key: InstrumentedAttribute[int], batch: int,
                       *, after: int = 0) -> AsyncIterator[Sequence[Row[*Columns]]]:
    """``query``'s rows in ``key`` order, ``batch`` at a time from ``key`` > ``after`` on (keyset
    pagination: a large read never holds every row nor rereads skipped ones)."""
    while rows := (await session.execute(query.where(key > after).order_by(key).limit(batch))).all():
        yield rows
        after = getattr(rows[-1], key.key)


async def stored_leaves(session: AsyncSession, size: int | None = None) -> list[bytes]:
    """The stored leaf hashes in tree order (the first ``size`` of them)."""
    query = select(AuditLeaf.leaf_index, AuditLeaf.hash)
    if size is not None:
        query = query.where(AuditLeaf.leaf_index < size)
    out: list[bytes] = []
    async for rows in keyset_pages(session, query, AuditLeaf.leaf_index, 20000, after=-1):
        for row in rows:
            if row.leaf_index != len(out):  # a hole: the stored tree itself was cut
                return out
            out.append(bytes.fromhex(row.hash))
    return out


async def stored_root(session: AsyncSession) -> tuple[int, bytes]:
    leaves = await stored_leaves(session)
    return len(leaves), root_of(leaves)


async def recomputed_tree(session: AsyncSession) -> tuple[MerkleTree, list[int]]:
    """The tree the audit rows make now — every leaf derived again from the rows, in seq order — and
    the entry seq of each of its leaves."""
    hashes: list[bytes] = []
    seqs: list[int] = []
    query = select(*(getattr(AuditEntry, name) for name in ENTRY_FIELDS))
    async for rows in keyset_pages(session, query, AuditEntry.seq, 5000):
        for row in rows:
            for _kind, data in entry_leaf_bytes(row):
                hashes.append(leaf_hash(data))
                seqs.append(row.seq)
    return MerkleTree(hashes), seqs


async def leaf_indexes(session: AsyncSession, seqs: list[int]) -> dict[tuple[int, str], int]:
    """(entry seq, leaf kind) → leaf index, for the given entries."""
    query = select(AuditLeaf.seq, AuditLeaf.kind, AuditLeaf.leaf_index)
    return {(seq, kind): index for seq, kind, index in await rows_in(session, query, AuditLeaf.seq, seqs)}
