"""The evidence log on a real SQLite and PostgreSQL: chained, verifiable, tamper-evident."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from storage import audit
from storage.audit import Kind, verify_chain
from tests.conftest import utc

T0 = utc(2026, 12, 3, 9, 20)


async def _append_n(sessions, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        async with sessions() as session, session.begin():
            await audit.append(session, kind=Kind.INBOUND, recorded_at=T0, chat_id=7, actor_id=7,
                               message_id=i + 1, update_id=100 + i, bot_id=1, text=f"消息 {i}",
                               telegram_time=T0, payload={"n": i})


async def _texts(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return list((await session.execute(text("SELECT text FROM audit_log ORDER BY seq"))).scalars().all())


async def _verify(sessions):  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return await verify_chain(session)


async def test_an_untouched_chain_verifies(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append_n(sessions, 5)
    report = await _verify(sessions)
    assert report.ok and report.checked == 5


async def test_entries_link_to_their_predecessor(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append_n(sessions, 3)
    async with sessions() as session:
        rows = (await session.execute(text("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq"))).all()
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == audit.GENESIS
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash


async def test_an_updated_row_is_named(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append_n(sessions, 5)
    async with sessions() as session, session.begin():
        await session.execute(text("UPDATE audit_log SET text = '改过的' WHERE seq = 3"))
    report = await _verify(sessions)
    assert not report.ok
    assert (report.problem.seq, report.problem.what) == (3, "changed")
    assert report.checked == 2
    assert "seq 3" in report.problem.describe()


async def test_a_rehashed_forgery_breaks_the_next_link(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append_n(sessions, 4)
    async with sessions() as session, session.begin():
        entry = (await session.execute(
            select(audit.AuditEntry).where(audit.AuditEntry.seq == 2))).scalar_one()
        entry.text = "伪造"
        entry.hash = audit.entry_digest(entry)  # the forger recomputes this row's hash
    report = await _verify(sessions)
    assert (report.problem.seq, report.problem.what) == (3, "inserted_or_reordered")


async def test_a_deleted_row_is_found(sessions) -> None:  # type: ignore[no-untyped-def]
    await _append_n(sessions, 5)
    async with sessions() as session, session.begin():
        await session.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    report = await _verify(sessions)
    assert (report.problem.seq, report.problem.what) == (5, "removed_before")


async def test_a_redelivered_update_is_recorded_once(sessions) -> None:  # type: ignore[no-untyped-def]
    results = []
    for _ in range(2):
        async with sessions() as session, session.begin():
            entry, duplicate = await audit.record_update(session, bot_id=1, update_id=42, kind=Kind.INBOUND,
                                                         recorded_at=T0, text="同一条")
            results.append((entry.seq, duplicate))
    assert results == [(1, False), (1, True)]


async def test_the_same_update_id_from_another_bot_is_not_a_duplicate(sessions) -> None:  # type: ignore[no-untyped-def]
    for bot_id in (1, 2):
        async with sessions() as session, session.begin():
            _, duplicate = await audit.record_update(session, bot_id=bot_id, update_id=42, kind=Kind.INBOUND,
                                                     recorded_at=T0)
            assert not duplicate


async def test_concurrent_appends_keep_one_unbroken_chain(sessions) -> None:  # type: ignore[no-untyped-def]
    async def one(i: int) -> None:
        async with sessions() as session, session.begin():
            await audit.append(session, kind=Kind.OUTBOUND, recorded_at=T0, chat_id=i, text=str(i))

    await asyncio.gather(*(one(i) for i in range(20)))
    report = await _verify(sessions)
    assert report.ok and report.checked == 20


async def test_times_come_back_aware_and_equal(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        await audit.append(session, kind=Kind.INBOUND, recorded_at=T0, telegram_time=T0)
    async with sessions() as session:
        entry = (await session.execute(select(audit.AuditEntry))).scalar_one()
    assert entry.recorded_at == T0 and entry.recorded_at.tzinfo is not None


async def test_a_naive_time_is_refused(sessions) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from sqlalchemy.exc import StatementError

    with pytest.raises(StatementError, match="naive datetime"):
        async with sessions() as session, session.begin():
            await audit.append(session, kind=Kind.INBOUND, recorded_at=datetime(2026, 12, 3, 9, 0))


async def test_appends_in_one_transaction_and_after_a_rolled_back_one_keep_the_chain(sessions) -> None:  # type: ignore[no-untyped-def]
    # The chain's head is read once per transaction and then carried along: a transaction that
    # rolls back (or a savepoint) must leave nothing of it behind for the next append.
    async with sessions() as session, session.begin():
        for i in range(3):
            await audit.append(session, kind=Kind.OUTBOUND, recorded_at=T0, chat_id=i, text=str(i))
    async with sessions() as session:
        async with session.begin():
            await audit.append(session, kind=Kind.OUTBOUND, recorded_at=T0, text="rolled back")
            await session.rollback()
        async with session.begin():
            await audit.append(session, kind=Kind.OUTBOUND, recorded_at=T0, text="after the rollback")
            nested = await session.begin_nested()
            await audit.append(session, kind=Kind.OUTBOUND, recorded_at=T0, text="savepoint rolled back")
            await nested.rollback()
            _, duplicate = await audit.record_update(session, bot_id=1, update_id=7, kind=Kind.INBOUND,
                                                     recorded_at=T0, text="in the same transaction")
            assert not duplicate
            _, duplicate = await audit.record_update(session, bot_id=1, update_id=7, kind=Kind.INBOUND,
                                                     recorded_at=T0, text="again")
            assert duplicate
    report = await _verify(sessions)
    assert report.ok and report.checked == 5
    texts = await _texts(sessions)
    async with sessions() as session:
        leaves = (await session.execute(text("SELECT leaf_index, seq FROM audit_leaves ORDER BY leaf_index"))).all()
    assert texts == ["0", "1", "2", "after the rollback", "in the same transaction"]
    assert [tuple(row) for row in leaves] == [(i, i + 1) for i in range(5)]


async def test_entries_written_at_commit_keep_the_order_they_were_asked_for_in(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        await audit.append_at_commit(session, kind=Kind.STATE_CHANGE, recorded_at=T0, text="first")
        await audit.append_at_commit(session, kind=Kind.OUTBOUND, recorded_at=T0, text="second")
        await audit.append(session, kind=Kind.SYSTEM, recorded_at=T0, text="third, needs its id")
        await audit.append_at_commit(session, kind=Kind.OUTBOUND, recorded_at=T0, text="fourth")
        nested = await session.begin_nested()
        await audit.append_at_commit(session, kind=Kind.OUTBOUND, recorded_at=T0, text="in a savepoint rolled back")
        await nested.rollback()
        await audit.append_at_commit(session, kind=Kind.OUTBOUND, recorded_at=T0, text="fifth")
    async with sessions() as session:
        async with session.begin():
            await audit.append_at_commit(session, kind=Kind.OUTBOUND, recorded_at=T0, text="rolled back")
            await session.rollback()
        async with session.begin():
            await audit.append_at_commit(session, kind=Kind.OUTBOUND, recorded_at=T0, text="sixth")
    report = await _verify(sessions)
    assert report.ok and report.checked == 6
    texts = await _texts(sessions)
    async with sessions() as session:
        leaves = (await session.execute(text("SELECT count(*) FROM audit_leaves"))).scalar_one()
    # "fourth" waited out the savepoint (which wrote its own entry at once, then rolled it back).
    assert texts == ["first", "second", "third, needs its id", "fourth", "fifth", "sixth"]
    assert leaves == 6


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_transaction_takes_the_chain_lock_only_when_it_commits_its_queued_entries(sessions) -> None:  # type: ignore[no-untyped-def]
    async def lock_is_free() -> bool:
        async with sessions() as other, other.begin():
            return bool((await other.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                             {"key": audit._CHAIN_LOCK_KEY})).scalar_one())

    async with sessions() as session, session.begin():
        await audit.append_at_commit(session, kind=Kind.STATE_CHANGE, recorded_at=T0, text="queued")
        assert await lock_is_free()  # another instance may append meanwhile
        await audit.append(session, kind=Kind.SYSTEM, recorded_at=T0, text="written now")
        assert not await lock_is_free()
    report = await _verify(sessions)
    assert report.ok and report.checked == 2
