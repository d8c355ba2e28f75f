"""The evidence log: append-only and hash-chained.

Every inbound update is recorded (and committed) before anything is done with
it; outbound messages and state changes follow. ``verify_chain`` recomputes
the chain and names the first entry that was changed, removed or inserted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, event, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from storage import merkle_tree
from storage.db import is_postgres
from storage.models import AuditEntry, AuditLeaf
from storage.types import json_storable, storable_text

GENESIS = "0" * 64
# An arbitrary constant: the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 0x6F72646572626F74  # "orderbot"


class Kind:
    INBOUND = "inbound"
    INBOUND_EDIT = "inbound_edit"
    CALLBACK = "callback"
    OUTBOUND = "outbound"
    OUTBOUND_EDIT = "outbound_edit"
    STATE_CHANGE = "state_change"
    FILE = "file"
    SYSTEM = "system"
    UNREADABLE = "unreadable_update"  # arrived, but not as the Bot API shapes an update: kept raw


# A text column holding one of these is stored in readable form and the exact text
# goes into the payload under this key (see :func:`exact_text`).
EXACT_TEXT = "exact_text"
_BIGINT = range(-2**63, 2**63)


def canonical_json(value: Mapping[str, Any]) -> str:
    """The one JSON form of a payload: sorted keys, no spaces, storable on every backend.

    NUL and control characters become JSON escapes (``json.dumps`` does that) and so
    do lone surrogates (:func:`storage.types.json_storable`), so the text is valid
    UTF-8 that PostgreSQL accepts, and loads back to exactly what was given.
    """
    return json_storable(json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str))


def exact_text(entry: AuditEntry) -> str | None:
    """What was really written, even where the ``text`` column had to hold a readable form."""
    if entry.payload and EXACT_TEXT in entry.payload:
        exact = json.loads(entry.payload).get(EXACT_TEXT)
        if isinstance(exact, str):
            return exact
    return entry.text


def _stored_time(value: datetime | None) -> datetime | None:
    # The column hands back UTC; hashing the same value keeps verify honest. (A naive
    # time is left for the column to refuse.)
    return value.astimezone(timezone.utc) if value is not None and value.tzinfo is not None else value


def _stored_int(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in _BIGINT:
        raise ValueError(f"audit {name} must be a 64-bit integer, got {value!r}")
    return value


# What an entry's hash covers: every column but its id and the hash itself (named here, not read off the
# table, so that a column added later cannot change the hash of the entries already written).
_HASHED = ("seq", "kind", "bot_id", "update_id", "chat_id", "actor_id", "message_id", "version", "entity",
           "telegram_time", "recorded_at", "text", "payload", "prev_hash")


def entry_digest(entry: AuditEntry) -> str:
    """The hash of one entry: its own columns plus the previous entry's hash.

    :func:`append` puts every value into its stored form first, so what is hashed
    is exactly what the database holds and :func:`verify_chain` re-reads.
    """
    body = {name: getattr(entry, name) for name in _HASHED}
    body["telegram_time"], body["recorded_at"] = merkle_tree.iso_time(entry.telegram_time), \
        merkle_tree.iso_time(entry.recorded_at)
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass
class _Head:
    """The chain's last link as this transaction knows it: read once under the chain lock, then
    moved on by each append. Only the transaction that read it may use it — on PostgreSQL other
    instances append as soon as the lock is released."""

    transaction: Any
    seq: int
    hash: str
    leaves: int  # the Merkle tree's size


_HEAD_KEY = "audit_chain_head"  # in session.info


async def _chain_head(session: AsyncSession, *, bot_id: int | None = None,
                      update_id: int | None = None) -> tuple[_Head, int | None]:
    """The chain lock, and the last entry's seq and hash and the tree's size — with ``update_id``
    also the entry already recorded for that update, if any. One statement the first time in a
    transaction, none after."""
    sync = session.sync_session
    transaction = sync.get_nested_transaction() or sync.get_transaction()
    head: _Head | None = session.info.get(_HEAD_KEY)
    if head is not None and head.transaction is transaction and update_id is None:
        return head, None
    # PostgreSQL: the lock, then the read (migration 0013): one round trip, as every instance waits
    # meanwhile. SQLite writers are already serialised (BEGIN IMMEDIATE, see storage.db).
    query = _LOCKED_HEAD if is_postgres(session) else _HEAD
    row = (await session.execute(query, {"key": _CHAIN_LOCK_KEY, "bot_id": bot_id, "update_id": update_id})).one()
    head = _Head(transaction, row[0] or 0, row[1] or GENESIS, 0 if row[2] is None else row[2] + 1)
    session.info[_HEAD_KEY] = head
    return head, row[3]  # (no update id: no entry matches ``update_id = NULL``)


# Built once: SQLAlchemy then reuses the statement's cache key and compiled form.
_LAST_SEQ = select(func.max(AuditEntry.seq)).scalar_subquery()
_HEAD = select(_LAST_SEQ, select(AuditEntry.hash).where(AuditEntry.seq == _LAST_SEQ).scalar_subquery(),
               select(func.max(AuditLeaf.leaf_index)).scalar_subquery(),
               select(AuditEntry.id).where(AuditEntry.bot_id.is_not_distinct_from(bindparam("bot_id")),
                                           AuditEntry.update_id == bindparam("update_id")).scalar_subquery())
_LOCKED_HEAD = text("SELECT * FROM audit_chain_head(:key, :bot_id, :update_id)")
_AUDIT_LOG = AuditEntry.metadata.tables[AuditEntry.__tablename__]
_INSERT = _AUDIT_LOG.insert().returning(_AUDIT_LOG.c.id)


async def append(session: AsyncSession, *, kind: str, recorded_at: datetime, text: str | None = None,
                 chat_id: int | None = None, actor_id: int | None = None, message_id: int | None = None,
                 update_id: int | None = None, bot_id: int | None = None, version: int = 1,
                 entity: str | None = None, telegram_time: datetime | None = None,
                 payload: Mapping[str, Any] | None = None) -> AuditEntry:
    """Add one entry at the end of the chain. The caller's transaction commits it.

    Any text is accepted: a ``text`` the database cannot hold as given (a NUL, a lone
    surrogate) is stored readable and kept exactly in the payload (:func:`exact_text`).
    The entry returned is not in the session (read it back to change nothing: it is append-only);
    its ``id`` is set.
    """
    await _write_queued(session)  # the chain keeps the order the entries were asked for in
    head, _ = await _chain_head(session)  # record_update read it already: no statement then
    if text is not None and not isinstance(text, str):
        text = str(text)
    if text is not None and storable_text(text) != text:
        payload = {**(payload or {}), EXACT_TEXT: text}
        text = storable_text(text)
    entry = AuditEntry(
        seq=head.seq + 1,
        kind=kind,
        bot_id=_stored_int("bot_id", bot_id),
        update_id=_stored_int("update_id", update_id),
        chat_id=_stored_int("chat_id", chat_id),
        actor_id=_stored_int("actor_id", actor_id),
        message_id=_stored_int("message_id", message_id),
        version=version,
        entity=storable_text(entity) if entity is not None else None,
        telegram_time=_stored_time(telegram_time),
        recorded_at=_stored_time(recorded_at),
        text=text,
        payload=canonical_json(payload) if payload is not None else None,
        prev_hash=head.hash,
    )
    entry.hash = entry_digest(entry)
    # The entry (and a photo it kept) join the Merkle tree.
    leaves = merkle_tree.leaf_rows(entry, size=head.leaves)
    columns = {name: getattr(entry, name) for name in _COLUMNS}
    # Core inserts: the ORM's flush machinery cost more than the hashing, for rows never changed.
    if is_postgres(session):  # one round trip, under the lock every instance waits for
        entry.id = (await session.execute(_INSERT_WITH_LEAVES, {
            **columns, **{f"leaf_{name}": [leaf[name] for leaf in leaves] for name in _LEAF_COLUMNS}})).scalar_one()
    else:
        entry.id = (await session.execute(_INSERT, columns)).scalar_one()
        await session.execute(_INSERT_LEAF, leaves if len(leaves) > 1 else leaves[0])
    head.seq, head.hash, head.leaves = entry.seq, entry.hash, head.leaves + len(leaves)
    return entry


_COLUMNS = tuple(column.name for column in _AUDIT_LOG.c if column.name != "id")  # the id is the database's
_LEAVES = AuditLeaf.metadata.tables[AuditLeaf.__tablename__]
_INSERT_LEAF = _LEAVES.insert()
_LEAF_COLUMNS = ("leaf_index", "seq", "kind", "hash")
_INSERT_WITH_LEAVES = text(
    f"WITH entry AS (INSERT INTO {_AUDIT_LOG.name} ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join(':' + name for name in _COLUMNS)}) RETURNING id), "
    f"leaves AS (INSERT INTO {_LEAVES.name} ({', '.join(_LEAF_COLUMNS)}) "
    "SELECT * FROM unnest(CAST(:leaf_leaf_index AS BIGINT[]), CAST(:leaf_seq AS BIGINT[]), "
    "CAST(:leaf_kind AS VARCHAR[]), CAST(:leaf_hash AS VARCHAR[]))) "
    "SELECT id FROM entry").bindparams(*(bindparam(name, type_=_AUDIT_LOG.c[name].type) for name in _COLUMNS))


@dataclass
class _Queue:
    """Entries asked for in one transaction and written when it commits."""

    session: AsyncSession
    transaction: Any
    entries: list[dict[str, Any]]


_QUEUE_KEY = "audit_queue"  # in session.info


async def append_at_commit(session: AsyncSession, **fields: Any) -> None:
    """:func:`append`, for an entry whose id nobody needs: written just before the transaction commits.

    On PostgreSQL every instance's appends wait for the chain lock, which a transaction holds from
    its first append to its commit. Written last, a use case's state changes and replies hold it for
    the few statements that write them, not for the rest of the use case. An :func:`append` in the
    same transaction writes the queued entries first, so the chain keeps the order they were asked
    for in; a transaction rolled back drops them. Inside a savepoint, which may roll back on its own,
    the entry is written at once.
    """
    sync = session.sync_session
    if sync.get_nested_transaction() is not None:
        await append(session, **fields)
        return
    transaction = sync.get_transaction()
    queue: _Queue | None = session.info.get(_QUEUE_KEY)
    if queue is None or queue.transaction is not transaction:
        queue = session.info[_QUEUE_KEY] = _Queue(session, transaction, [])
    queue.entries.append(fields)


async def _write_queued(session: AsyncSession) -> None:
    queue: _Queue | None = session.info.get(_QUEUE_KEY)
    if queue is None:
        return
    sync = session.sync_session
    current = queue.transaction is sync.get_transaction()  # else it was rolled back: dropped
    if current and sync.get_nested_transaction() is not None:
        return  # not into a savepoint that may roll back: they are written at the commit
    del session.info[_QUEUE_KEY]
    if current:
        for fields in queue.entries:
            await append(session, **fields)


@event.listens_for(Session, "before_commit")
def _write_queued_before_commit(session: Session) -> None:
    queue: _Queue | None = session.info.get(_QUEUE_KEY)
    if queue is not None:
        # Commit runs inside SQLAlchemy's greenlet (AsyncSession.commit), where await_only may wait.
        await_only(_write_queued(queue.session))


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, previous_transaction: Any) -> None:
    queue: _Queue | None = session.info.get(_QUEUE_KEY)
    if queue is not None and queue.transaction is previous_transaction:
        del session.info[_QUEUE_KEY]  # (it also refers back to the session)


async def record_update(session: AsyncSession, *, bot_id: int | None, update_id: int | None,
                        **fields: Any) -> tuple[AuditEntry, bool]:
    """Record an inbound update once: returns (entry, True) when it was already recorded.

    The check runs under the chain lock, so two deliveries of the same update
    racing each other still produce one entry; the unique constraint is the backstop.
    """
    _, existing_id = await _chain_head(session, bot_id=bot_id, update_id=update_id)
    if existing_id is not None:
        existing = await session.get(AuditEntry, existing_id)
        if existing is not None:
            return existing, True
    return await append(session, bot_id=bot_id, update_id=update_id, **fields), False


async def last_update_id(session: AsyncSession) -> int:
    """The highest Telegram update id ever recorded (0 for none)."""
    return await session.scalar(select(func.max(AuditEntry.update_id))) or 0


async def next_message_version(session: AsyncSession, chat_id: int, message_id: int) -> int:
    """Versions of one Telegram message: the original is 1, each edit the next number."""
    latest = select(func.max(AuditEntry.version)).where(*_versions(chat_id, message_id))
    return (await session.scalar(latest) or 0) + 1


async def message_versions(session: AsyncSession, chat_id: int, message_id: int) -> list[AuditEntry]:
    return list(await session.scalars(select(AuditEntry).where(*_versions(chat_id, message_id))
                                      .order_by(AuditEntry.version)))


def _versions(chat_id: int, message_id: int) -> tuple[Any, ...]:
    """The inbound entries of one Telegram message: the original and its edits."""
    return (AuditEntry.chat_id == chat_id, AuditEntry.message_id == message_id,
            AuditEntry.kind.in_((Kind.INBOUND, Kind.INBOUND_EDIT)))


async def entries_for_entity(session: AsyncSession, entity: str) -> list[AuditEntry]:
    return list(await session.scalars(select(AuditEntry).where(AuditEntry.entity == entity)
                                      .order_by(AuditEntry.seq)))


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    entry_id: int
    what: str  # "changed" | "removed_before" | "inserted_or_reordered"

    def describe(self) -> str:
        if self.what == "changed":
            return f"audit entry seq {self.seq} (id {self.entry_id}) was changed: its content no longer matches its hash"
        if self.what == "removed_before":
            return f"audit entries were removed before seq {self.seq} (id {self.entry_id}): the sequence has a gap"
        return (f"audit entry seq {self.seq} (id {self.entry_id}) does not follow its predecessor: "
                "an entry was inserted, reordered or its predecessor's hash was altered")


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


async def verify_chain(session: AsyncSession) -> ChainReport:
    """Recompute every hash in order; stop at the first entry that breaks the chain."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    # 2000 entries at a time, each batch let go before the next is read (the seq is selected again for
    # keyset_pages to page by).
    query = select(AuditEntry, AuditEntry.seq)
    async for rows in merkle_tree.keyset_pages(session, query, AuditEntry.seq, 2000):
        for entry, _ in rows:
            if entry.seq != expected_seq:
                return ChainReport(checked, ChainProblem(entry.seq, entry.id, "removed_before"))
            if entry_digest(entry) != entry.hash:
                return ChainReport(checked, ChainProblem(entry.seq, entry.id, "changed"))
            if entry.prev_hash != expected_prev:
                return ChainReport(checked, ChainProblem(entry.seq, entry.id, "inserted_or_reordered"))
            expected_prev, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
        session.expunge_all()
    return ChainReport(checked, None)
