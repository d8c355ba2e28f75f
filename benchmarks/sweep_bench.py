"""How long one sweep takes as the order book grows.

    python benchmarks/sweep_bench.py [--sizes 1000 10000 100000] [--database-url URL]

For each size: N open orders with nothing due, then the same book with 1 % of
the orders due (order date today, not placed → R6 reminders). Prints the
sweep's wall time; the first sweep of a due batch queues the reminders, a
second one finds them queued and must stay cheap too. Run on demand; the test
suite never times anything.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, update  # noqa: E402

from bot.demo import seed_demo_team  # noqa: E402
from domain.policy.settings import PolicySettings  # noqa: E402
from handlers.app import App, AppConfig  # noqa: E402
from handlers.reminders.sweep import sweep  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Order, OrderLine  # noqa: E402
from tests.conftest import FakeClock, local  # noqa: E402

NOW = local(2026, 12, 9, 10, 0)  # a Wednesday morning
STATES = ("submitted", "received", "confirmed", "placed", "complete", "printed", "picked_up", "delivered")


async def build(url: str, n: int) -> App:
    engine = create_engine(url)
    await upgrade(engine)
    app = App(sessions=session_factory(engine), clock=FakeClock(NOW),
              config=AppConfig(policy=PolicySettings(), bot_username="bench", bot_id=1), parser=None)
    async with app.sessions() as session, session.begin():
        await seed_demo_team(session, NOW)
    rng = random.Random(7)
    far = date(2027, 6, 1)
    rows, lines = [], []
    for i in range(1, n + 1):
        state = STATES[i % len(STATES)]
        rows.append(dict(id=i, number=f"DD2026{i:07d}", state=state, store_id=1 + i % 2, sales_id=4,
                         customer_name="客户", customer_phone="13800000000", address="天河路1号",
                         delivery_date=far + timedelta(days=10), payment="full", order_date=far, flags="",
                         sent_at=NOW, created_at=NOW, submitted_at=NOW, clerk_id=3,
                         printed_at=NOW if state == "printed" else None,
                         pickup_deadline=far if state == "printed" else None, placed_at=NOW))
        lines.append(dict(order_id=i, position=1, product="床", material="solid", quantity=1,
                          state=rng.choice(("pending", "arrived", "backorder")), eta=far))
    async with app.sessions() as session, session.begin():
        for start in range(0, n, 5000):
            await session.execute(insert(Order), rows[start:start + 5000])
            await session.execute(insert(OrderLine), lines[start:start + 5000])
    return app


async def timed(app: App, repeat: int = 3) -> tuple[float, int]:
    times, queued = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        report = await sweep(app, NOW)
        times.append(time.perf_counter() - start)
        queued += report.queued
    return statistics.median(times), queued


async def main(sizes: list[int], url: str | None) -> None:
    print(f"{'open orders':>12} {'nothing due':>14} {'1% due: first':>16} {'queued':>7} {'1% due: again':>15}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            db = url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
            app = await build(db, n)
            idle, _ = await timed(app)
            due_ids = list(range(1, n + 1, 100))  # 1 %
            async with app.sessions() as session, session.begin():
                await session.execute(update(Order).where(Order.id.in_(due_ids))
                                      .values(state="submitted", order_date=NOW.date(), placed_at=None,
                                              submitted_at=NOW - timedelta(days=7)))
            start = time.perf_counter()
            report = await sweep(app, NOW)
            first = time.perf_counter() - start
            again, _ = await timed(app)
            print(f"{n:>12,} {idle * 1000:>11.1f} ms {first * 1000:>13.1f} ms {report.queued:>7} "
                  f"{again * 1000:>12.1f} ms", flush=True)
            await app.sessions.kw["bind"].dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--database-url", help="default: a fresh SQLite file per size")
    args = parser.parse_args()
    asyncio.run(main(args.sizes, args.database_url))
