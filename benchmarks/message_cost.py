"""Benchmark: what one order message costs the bot's main thread, without HTTP or other processes.

An order message goes the whole way a real one goes — ``UpdatePipeline.accept`` (audit +
inbox), the chat's lane (apply, the draft card), the answer's bookkeeping (outbound audit
entry, inbox row removed) — against a fake Bot API, on a real SQLite file or PostgreSQL.
Printed: CPU milliseconds per message (process time, steady on a shared machine), SQL
statements and transactions per message; ``--profile`` adds a cProfile listing.

    python3 benchmarks/message_cost.py                      # SQLite, 300 messages
    python3 benchmarks/message_cost.py --database postgresql
    python3 benchmarks/message_cost.py --profile 40         # the 40 costliest functions
    python3 benchmarks/message_cost.py --statements         # the SQL of one message, transaction by transaction
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from benchmarks.load_bench import order_text, pg_database  # noqa: E402
from bot.pipeline import UpdatePipeline  # noqa: E402
from domain.parsing import Parser  # noqa: E402
from domain.policy.settings import PolicySettings  # noqa: E402
from handlers.app import App, AppConfig  # noqa: E402
from storage import users  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.conftest import FakeClock, local  # noqa: E402
from tests.handlers.helpers import RecordingBotApi  # noqa: E402

FIRST_ID = 70_000


def update(n: int, person: int, text: str, at: int) -> dict:
    return {"update_id": n, "message": {"message_id": n, "date": at, "text": text,
                                        "chat": {"id": person, "type": "private"},
                                        "from": {"id": person, "is_bot": False, "first_name": f"导购{person}"}}}


async def run(url: str, messages: int, people: int, profile: int, show: bool = False) -> None:
    # Sized as bot/runtime.py sizes it (Settings.database_connections at 16 chats): SQLAlchemy's
    # default pool closes the overflow and reconnects, which is not what the bot pays.
    engine = create_engine(url, connections=16 + 8)
    await upgrade(engine)
    clock = FakeClock(local(2026, 12, 3, 17, 20))
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        store = await users.add_store(session, code="S1", name="天河店", now=clock.now())
        for k in range(people):
            await users.add_user(session, telegram_id=FIRST_ID + k, name=f"导购{k}", role="sales", now=clock.now(),
                                 store_id=store.id)
    app = App(sessions=sessions, clock=clock, config=AppConfig(policy=PolicySettings(), bot_id=1), parser=Parser())
    api = RecordingBotApi(clock)

    async def nothing(*_: object) -> None:
        return None

    pipeline = UpdatePipeline(app, api, engine, after_answer=nothing, on_unreadable=nothing)  # type: ignore[arg-type]
    counts = {"statements": 0, "transactions": 0}
    # PostgreSQL: how long a transaction holds the audit chain's lock (from taking it to the
    # commit). Every instance's appends wait for it, so 1000 ÷ (ms held per message) bounds what
    # any number of instances can do together.
    locked_at: dict[int, float] = {}
    held = [0.0]
    # ...and per transaction, by the statements it ran while holding it (which transaction holds it longest).
    under_lock: dict[int, list[str]] = {}
    held_by: dict[tuple[str, ...], list[float]] = {}

    showing = False

    def statement(connection: object, _cursor: object, sql: str, _params: object, _context: object,
                  many: bool) -> None:
        counts["statements"] += 1
        if showing:
            print(f"  [{id(connection) % 997:3}] {' '.join(sql.split())[:160]}{' (executemany)' if many else ''}")

    def executed(connection: object, _cursor: object, sql: str, *_: object) -> None:
        if sql.startswith(("SELECT pg_advisory_xact_lock", "SELECT * FROM audit_chain_head")):
            locked_at[id(connection)] = time.perf_counter()
            under_lock[id(connection)] = []
        elif id(connection) in locked_at:
            under_lock[id(connection)].append(" ".join(sql.split()[:3]))

    def begin(connection: object) -> None:
        counts["transactions"] += 1
        if showing:
            print(f"  [{id(connection) % 997:3}] -- begin")

    def committed(connection: object) -> None:
        started = locked_at.pop(id(connection), None)
        if started is not None:
            held[0] += time.perf_counter() - started
            held_by.setdefault(tuple(under_lock.pop(id(connection))), []).append(time.perf_counter() - started)

    def commit(connection: object) -> None:
        if showing:
            print(f"  [{id(connection) % 997:3}] -- commit")

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    event.listen(engine.sync_engine, "begin", begin)
    event.listen(engine.sync_engine, "commit", commit)
    event.listen(engine.sync_engine, "after_cursor_execute", executed)
    event.listen(engine.sync_engine, "commit", committed)
    at = int(clock.now().timestamp())
    n = 0

    async def batch(count: int) -> None:
        nonlocal n
        for _ in range(count // people):
            for k in range(people):
                n += 1
                await pipeline.accept(update(n, FIRST_ID + k, order_text(k, n), at))
            await asyncio.gather(*(lane for lane in pipeline._lanes.values()))  # every chat answered

    await batch(people)  # warm-up: the parser's dictionaries, SQLAlchemy's statement cache
    if show:  # one message in the steady state, every statement and transaction boundary
        showing = True
        print("one order message, after the warm-up ([n] tells the connections apart):")
        n += 1
        await pipeline.accept(update(n, FIRST_ID, order_text(0, n), at))
        await asyncio.gather(*(lane for lane in pipeline._lanes.values()))
        showing = False
    counts.update(statements=0, transactions=0)
    held[0] = 0.0
    held_by.clear()
    profiler = cProfile.Profile() if profile else None
    sent_before = len(api.sent)
    cpu, wall, main = time.process_time(), time.perf_counter(), time.thread_time()
    if profiler:
        profiler.enable()
    await batch(messages)
    if profiler:
        profiler.disable()
    cpu, wall, main = time.process_time() - cpu, time.perf_counter() - wall, time.thread_time() - main
    done = len(api.sent) - sent_before
    assert done == messages, f"{done} answers for {messages} messages"
    print(f"{url.split(':')[0]:<20} {messages} order messages: {cpu * 1000 / messages:5.1f} ms CPU/msg "
          f"({main * 1000 / messages:4.1f} on the event loop's thread, {wall * 1000 / messages:5.1f} ms wall), {counts['statements'] / messages:.1f} SQL statements and "
          f"{counts['transactions'] / messages:.1f} transactions per message"
          + (f"; the audit chain's lock held {held[0] * 1000 / messages:.1f} ms per message" if held[0] else ""))
    for statements, times in sorted(held_by.items(), key=lambda kv: -sum(kv[1])):
        times.sort()
        print(f"  lock held by {len(times)} transactions: median {times[len(times) // 2] * 1000:.2f} ms, "
              f"p90 {times[int(len(times) * 0.9)] * 1000:.2f} ms, after taking it: {' | '.join(statements) or '-'} | commit")
    status = Path("/proc/self/status").read_text()
    print("resident after the run:", next(x for x in status.splitlines() if x.startswith("VmRSS")).split(":")[1].strip())
    if profiler:
        stats = pstats.Stats(profiler)
        calls = stats.total_calls  # type: ignore[attr-defined]
        print(f"{calls / messages:.0f} Python function calls per message (steady, unlike time on a shared machine)")
        by_package: dict[str, list[float]] = {}
        for (filename, _line, _name), (_cc, ncalls, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
            where = filename.split("site-packages/")[-1].split("/")[0] if "site-packages" in filename else \
                filename.replace(str(ROOT) + "/", "").split("/")[0] if filename.startswith(str(ROOT)) else \
                "python" if filename.startswith(("/", "<frozen")) else filename
            totals = by_package.setdefault(where, [0.0, 0])
            totals[0] += tottime
            totals[1] += ncalls
        for where, (seconds, ncalls) in sorted(by_package.items(), key=lambda kv: -kv[1][0])[:14]:
            print(f"  {where:<28} {seconds * 1000 / messages:6.2f} ms/msg (profiled)  {ncalls / messages:7.0f} calls/msg")
        stats.sort_stats(os.environ.get("COST_SORT", "tottime")).print_stats(os.environ.get("COST_FILTER", ""), profile)
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--people", type=int, default=10, help="chats the messages are spread over")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions")
    parser.add_argument("--statements", action="store_true", help="print the SQL one message runs")
    args = parser.parse_args()
    if args.database == "postgresql":
        url, drop = pg_database()
    else:
        url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / f'cost-{uuid.uuid4().hex[:6]}.sqlite3'}"
        drop = lambda: None  # noqa: E731
    try:
        asyncio.run(run(url, args.messages, args.people, args.profile, args.statements))
    finally:
        drop()
    os.sys.stdout.flush()


if __name__ == "__main__":
    main()
