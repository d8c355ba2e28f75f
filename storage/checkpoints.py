"""Signed checkpoints of the audit tree, and whether the log still extends one (一致性证明).

A checkpoint the bot published (in the managers' chat, on their phones) pins
the first ``size`` leaves: ``check_against`` rebuilds the tree from the audit
rows and names where the log stopped matching — exactly, from the stored leaf
hashes, when those still reproduce the signed root; otherwise within the span
between the last checkpoint that still matches and the one that does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.evidence.merkle import MerkleTree, root_of
from domain.evidence.note import Checkpoint, NoteError, Signer, Verifier, open_checkpoint, unsigned_checkpoint
from storage.db import added
from storage.merkle_tree import recomputed_tree, stored_leaves, stored_root
from storage.models import AuditCheckpoint

# The origin line of checkpoints when no signing key is configured (a key's name is the origin otherwise).
DEFAULT_ORIGIN = "orderbot/audit"


def origin_for(signer: Signer | None) -> str:
    return signer.name if signer is not None else DEFAULT_ORIGIN


def note_for(checkpoint: Checkpoint, signer: Signer | None) -> str:
    return signer.sign(checkpoint.body()) if signer is not None else checkpoint.body()


async def store(session: AsyncSession, checkpoint: Checkpoint, note: str, *, signed: bool, purpose: str,
                published: bool, now: datetime) -> AuditCheckpoint:
    return await added(session, AuditCheckpoint(
        tree_size=checkpoint.size, root_hash=checkpoint.root.hex(), note=note, signed=signed, purpose=purpose,
        published=published, created_at=now))


async def make(session: AsyncSession, *, signer: Signer | None, purpose: str, now: datetime,
               published: bool = False, tree: MerkleTree | None = None) -> AuditCheckpoint:
    """Sign the tree as it stands (the stored leaves, or ``tree`` when the caller rebuilt it) and keep it."""
    size, root = (tree.size, tree.root()) if tree is not None else await stored_root(session)
    checkpoint = Checkpoint(origin_for(signer), size, root)
    return await store(session, checkpoint, note_for(checkpoint, signer), signed=signer is not None,
                       purpose=purpose, published=published, now=now)


def opened(row: AuditCheckpoint, verifier: Verifier | None) -> Checkpoint | None:
    """The checkpoint of a stored row when its signature checks (any row when nothing is signed)."""
    try:
        if verifier is None:
            return None if row.signed else unsigned_checkpoint(row.note)
        return open_checkpoint(row.note, verifier)
    except NoteError:
        return None


async def last_published(session: AsyncSession, verifier: Verifier | None) -> tuple[AuditCheckpoint, Checkpoint] | None:
    """The newest published checkpoint whose signature still checks: the anchor to compare with."""
    for row in await session.scalars(_PUBLISHED.limit(50)):
        checkpoint = opened(row, verifier)
        if checkpoint is not None:
            return row, checkpoint
    return None


async def last_published_row(session: AsyncSession) -> AuditCheckpoint | None:
    return await session.scalar(_PUBLISHED.limit(1))


_PUBLISHED = select(AuditCheckpoint).where(AuditCheckpoint.published.is_(True)).order_by(
    AuditCheckpoint.id.desc())


@dataclass
class ConsistencyReport:
    """How the log as it is now relates to ``checkpoint``."""

    checkpoint: Checkpoint
    size: int  # leaves in the log now
    ok: bool
    proof: list[bytes] = field(default_factory=list)  # consistency proof checkpoint → now, when ok
    first_bad_leaf: int | None = None
    first_bad_seq: int | None = None  # the entry at that leaf now (None: the log ends before it)
    exact: bool = True  # False: only the span good_leaves..checkpoint.size is known
    good_leaves: int = 0  # leaves proved unchanged

    def describe(self) -> str:
        n = self.checkpoint.size
        if self.ok:
            return (f"the log extends the checkpoint: its first {n} leaves are exactly the signed tree "
                    f"(the log has {self.size} leaves now)")
        if self.exact and self.first_bad_leaf is not None:
            if self.first_bad_seq is None:
                return (f"the log was cut: the checkpoint signed {n} leaves, the log has {self.size}; "
                        f"everything from leaf {self.first_bad_leaf} on was removed")
            return (f"the log was rewritten: entry seq {self.first_bad_seq} (leaf {self.first_bad_leaf}) is the "
                    f"first that differs from the checkpoint of {n} leaves")
        where = f"between leaf {self.good_leaves} and leaf {n - 1}"
        return (f"the log does not extend the checkpoint of {n} leaves: it was rewritten {where}; the stored "
                "leaf hashes were rewritten too, so the first changed entry cannot be named from this database "
                "alone — compare with a copy taken before")


async def check_against(session: AsyncSession, checkpoint: Checkpoint, verifier: Verifier | None = None, *,
                        rebuilt: tuple[MerkleTree, list[int]] | None = None) -> ConsistencyReport:
    """Whether the audit rows still make a tree that extends ``checkpoint``; where not, from which entry.

    ``rebuilt``: the tree and leaf seqs ``recomputed_tree`` gave, when the caller has them already.
    """
    tree, seqs = rebuilt if rebuilt is not None else await recomputed_tree(session)
    n = checkpoint.size
    if tree.size >= n and tree.root(n) == checkpoint.root:
        return ConsistencyReport(checkpoint, tree.size, True, proof=tree.consistency_proof(n), good_leaves=n)
    report = ConsistencyReport(checkpoint, tree.size, False)
    stored = await stored_leaves(session, n)
    if len(stored) == n and root_of(stored) == checkpoint.root:
        # The leaves written at append time are the signed ones: compare entry by entry.
        first = next((i for i in range(n) if i >= tree.size or tree.leaf(i) != stored[i]), n)
        report.first_bad_leaf, report.good_leaves = first, first
        report.first_bad_seq = seqs[first] if first < tree.size else None
        return report
    # Narrow it down with the other checkpoints we hold whose signatures check.
    good = 0
    for row in await session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.tree_size < n)
                                     .order_by(AuditCheckpoint.tree_size.desc())):
        earlier = opened(row, verifier)
        if earlier is not None and earlier.size <= tree.size and tree.root(earlier.size) == earlier.root:
            good = earlier.size
            break
    report.exact, report.good_leaves = False, good
    report.first_bad_leaf = good if good < tree.size else None
    report.first_bad_seq = seqs[good] if good < tree.size else None
    return report
