"""Benchmark: /kpi, /status and /export on a year of a 20-store company.

Builds, in a SQLite file in a temp dir, with bulk core inserts (not the chat):
20 stores, ~70 people, ~50 000 orders with ~75 000 lines over 2026, ~5 000
after-sales cases, ~2 000 fines and ~500 000 hash-chained audit entries; then
times /kpi (the storage query for a week, month, quarter and year, and the whole chat command
through dispatch), /status, /evidence, the weekly chart and the orders export on the event loop,
then the same reports through the bot's worker process (``bot.jobs``), and prints the figures.
On demand only:

    python3 benchmarks/report_bench.py [--orders 50000] [--keep DIR]

Targets: /kpi under 2 s, the year's export under 20 s.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from domain.policy.settings import PolicySettings  # noqa: E402
from domain.reports import Period  # noqa: E402
from handlers.app import App, AppConfig  # noqa: E402
from storage.audit import GENESIS, canonical_json  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from domain.evidence.leaves import ENTRY_FIELDS, leaf_hashes_of  # noqa: E402
from storage.merkle_tree import entry_fields  # noqa: E402
from storage.models import AfterSalesCase, AuditEntry, AuditLeaf, Fine, Order, OrderLine, Store, User  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 31, 16, 0, tzinfo=TZ)
MANAGER_TG = 10_000


class Clock:
    def now(self) -> datetime:
        return NOW


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def uniform(rows: list[dict]) -> list[dict]:
    """executemany needs the same keys in every row: missing ones are NULL."""
    keys = {key for row in rows for key in row}
    return [{key: row.get(key) for key in keys} for row in rows]


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds") if value else None


async def build(url: str, n_orders: int, seed: int = 7) -> dict[str, int]:
    rnd = random.Random(seed)
    engine = create_engine(url)
    await upgrade(engine)
    created = at(date(2026, 1, 1), 9)
    counts = {}
    async with engine.begin() as conn:
        await conn.execute(insert(Store.__table__), [
            {"id": i, "code": f"S{i}", "name": f"门店{i}", "created_at": created} for i in range(1, 21)])
        people = [{"id": 1, "telegram_id": MANAGER_TG, "name": "王经理", "role": "manager", "store_id": None}]
        people += [{"id": 1 + i, "telegram_id": 11_000 + i, "name": f"跟单{i}", "role": "clerk", "store_id": None}
                   for i in range(1, 6)]
        for s in range(1, 21):
            people.append({"id": 100 + s, "telegram_id": 20_000 + s, "name": f"店长{s}", "role": "store_manager",
                           "store_id": s})
            for k in (1, 2):
                people.append({"id": 200 + s * 2 + k, "telegram_id": 30_000 + s * 2 + k, "name": f"导购{s}-{k}",
                               "role": "sales", "store_id": s})
        await conn.execute(insert(User.__table__), [{**p, "username": None, "language": "zh-CN", "active": True,
                                                    "created_at": created} for p in people])
        sales_of = {s: [200 + s * 2 + 1, 200 + s * 2 + 2] for s in range(1, 21)}
        clerks = [2, 3, 4, 5, 6]

        orders, lines, audit = [], [], []
        seq, prev = 0, GENESIS

        def chain(kind: str, when: datetime, *, entity: str | None = None, text: str | None = None,
                  actor: int | None = None, chat: int | None = None, message: int | None = None,
                  payload: dict | None = None) -> None:
            nonlocal seq, prev
            seq += 1
            body = {"seq": seq, "kind": kind, "bot_id": 1, "update_id": 10**9 + seq if kind == "inbound" else None,
                    "chat_id": chat, "actor_id": actor, "message_id": message, "version": 1, "entity": entity,
                    "telegram_time": _iso(when) if kind == "inbound" else None, "recorded_at": _iso(when),
                    "text": text, "payload": canonical_json(payload), "prev_hash": prev}
            digest = hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()
            audit.append({**body, "telegram_time": when if kind == "inbound" else None, "recorded_at": when,
                          "hash": digest})
            prev = digest

        per_month: dict[int, int] = {}
        start = date(2026, 1, 2)
        for i in range(1, n_orders + 1):
            day = start + timedelta(days=rnd.randrange(0, 362))
            per_month[day.month] = per_month.get(day.month, 0) + 1
            number = f"DD2026{day.month:02d}{per_month[day.month]:03d}" if per_month[day.month] < 1000 else \
                f"DD2026{day.month:02d}{per_month[day.month]}"
            store = rnd.randrange(1, 21)
            sales = rnd.choice(sales_of[store])
            clerk = rnd.choice(clerks)
            solid = rnd.random() < 0.5
            delivery = day + timedelta(days=rnd.randrange(8, 35))
            order_date = delivery - timedelta(days=10 if solid else 5)
            submitted = at(day, 17, rnd.randrange(0, 60)) if rnd.random() > 0.1 else at(day, 11, 5)
            row = {"id": i, "number": number, "store_id": store, "sales_id": sales, "customer_name": f"客户{i}",
                   "customer_phone": f"138{i:08d}", "address": f"天河路{i}号", "delivery_date": delivery,
                   "payment": "full", "order_date": order_date,
                   "flags": "rush_insertion" if submitted.hour == 11 else "", "sent_at": submitted,
                   "created_at": submitted, "submitted_at": submitted, "clerk_id": clerk, "state": "submitted"}
            events = [("received", submitted + timedelta(minutes=20))]
            now_date = NOW.date()
            cancelled = rnd.random() < 0.03
            if cancelled:
                row.update(state="cancelled", cancelled_at=submitted + timedelta(days=1), cancel_reason="客户不要了")
            else:
                row["received_at"] = events[0][1]
                steps = [("reconfirmed_at", "confirmed", order_date - timedelta(days=2)),
                         ("placed_at", "placed", order_date + timedelta(days=1 if rnd.random() < 0.1 else -1)),
                         ("completed_at", "complete", delivery - timedelta(days=3)),
                         ("printed_at", "printed", delivery - timedelta(days=2)),
                         ("picked_up_at", "picked_up", delivery - timedelta(days=rnd.choice((1, 1, 1, -1)))),
                         ("delivered_at", "delivered", delivery + timedelta(days=1 if rnd.random() < 0.08 else 0)),
                         ("closed_at", "closed", delivery + timedelta(days=2))]
                row["state"] = "received"
                for column, state, when_day in steps:
                    if when_day >= now_date:
                        break
                    row[column] = at(when_day, 10, rnd.randrange(0, 60))
                    row["state"] = state
                    events.append((state, row[column]))
                    if state == "printed":
                        row["pickup_deadline"] = when_day + timedelta(days=3)
            orders.append(row)
            for position in range(1, 3 if rnd.random() < 0.5 else 2):
                backorder = row["state"] == "placed" and rnd.random() < 0.3
                lines.append({"order_id": i, "position": position, "product": "床" if position == 1 else "床头柜",
                              "material": "solid" if solid else "panel", "quantity": 1, "unit": "张",
                              "state": "backorder" if backorder else ("arrived" if row.get("completed_at")
                                                                      else "pending"),
                              "eta": delivery - timedelta(days=4) if backorder else None})
            # ~10 audit entries per order: the message, the bot's answers, every state change.
            chat = 30_000 + sales
            first = seq
            chain("inbound", submitted, text=f"客户{i} 138{i:08d} 床1张 {delivery:%m月%d日}送", actor=chat, chat=chat,
                  message=i)
            chain("outbound", submitted, entity=f"draft:{i}", text="请确认", chat=chat, message=i + 1)
            chain("inbound", submitted + timedelta(seconds=30), text=None, actor=chat, chat=chat,
                  payload={"callback_data": f"d:{i}:ok"})
            chain("state_change", submitted, entity=number, text="order.submitted", actor=chat)
            for state, when in events:
                chain("state_change", when, entity=number, text=f"order.{state}", actor=11_000)
            while seq - first < 10:  # ~10 entries an order: answers and notifications fill up the rest
                chain("outbound", submitted, entity=number, text="进度通知", chat=chat)
        counts["orders"], counts["lines"], counts["audit"] = len(orders), len(lines), len(audit)
        for chunk in range(0, len(orders), 5000):
            await conn.execute(insert(Order.__table__), uniform(orders[chunk:chunk + 5000]))
        for chunk in range(0, len(lines), 10000):
            await conn.execute(insert(OrderLine.__table__), uniform(lines[chunk:chunk + 10000]))
        for chunk in range(0, len(audit), 20000):
            await conn.execute(insert(AuditEntry.__table__), audit[chunk:chunk + 20000])
        leaves = []  # the Merkle leaves audit.append would have written with each entry
        for row in audit:
            for kind, digest in leaf_hashes_of(entry_fields(tuple(row[name] for name in ENTRY_FIELDS))):
                leaves.append({"leaf_index": len(leaves), "seq": row["seq"], "kind": kind, "hash": digest.hex()})
        for chunk in range(0, len(leaves), 20000):
            await conn.execute(insert(AuditLeaf.__table__), leaves[chunk:chunk + 20000])

        cases = []
        for c in range(1, n_orders // 10 + 1):
            order = orders[rnd.randrange(len(orders))]
            day = order["delivery_date"] + timedelta(days=rnd.randrange(1, 20))
            if day >= NOW.date():
                continue
            opened = at(day, 15, rnd.randrange(0, 60))
            state = rnd.choice(("closed", "closed", "closed", "resolved", "accepted", "rejected", "reopened"))
            cases.append({"number": f"SH2026{day.month:02d}{c:04d}", "state": state, "order_id": order["id"],
                          "store_id": order["store_id"], "sales_id": order["sales_id"],
                          "assignee_id": rnd.choice(clerks), "category": "quality", "severity":
                          rnd.choice(("high", "medium", "low")), "description": "柜门松了", "whole_order": False,
                          "sent_at": opened, "created_at": opened, "queued": False, "opened_at": opened,
                          "sla_started_at": opened, "accepted_at": opened + timedelta(hours=rnd.choice((1, 3, 6))),
                          "respond_by": opened + timedelta(hours=4),
                          "resolved_at": opened + timedelta(days=rnd.choice((1, 2, 4))) if state in (
                              "closed", "resolved", "reopened") else None,
                          "resolve_by": opened + timedelta(days=3),
                          "satisfaction": rnd.choice((5, 4, 4, 3, 2)) if state in ("closed", "reopened") else None,
                          "reopen_count": 0})
            if state in ("accepted", "reopened"):
                cases[-1]["next_due_at"] = cases[-1]["resolve_by"]
        await conn.execute(insert(AfterSalesCase.__table__), uniform(cases))
        counts["cases"] = len(cases)
        fines = [{"number": f"FK2026{(f % 12) + 1:02d}{f:04d}", "rule": rnd.choice(("R2", "R6", "R10")),
                  "rule_key": f"bench:{f}", "person_id": rnd.choice(clerks + sales_of[1]), "amount_yuan": 50,
                  "reason": "基准测试", "state": rnd.choice(("proposed", "confirmed", "waived")),
                  "order_id": rnd.randrange(1, len(orders) + 1), "proposed_at": at(date(2026, (f % 12) + 1, 10), 18),
                  "evidence": "[]"} for f in range(1, n_orders // 25 + 1)]
        await conn.execute(insert(Fine.__table__), fines)
        counts["fines"] = len(fines)
    await engine.dispose()
    return counts


async def measure(url: str, out_dir: Path) -> None:
    from handlers.reports.export import build_workbook
    from handlers.reports.kpi import counts as kpi_counts
    from tests.handlers.helpers import send  # drives the real dispatch with an Incoming

    engine = create_engine(url)
    app = App(sessions=session_factory(engine), clock=Clock(),
              config=AppConfig(policy=PolicySettings(), bot_id=1, files_dir=str(out_dir / "files")), parser=None)

    async def timed(label: str, job):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        result = await job()
        print(f"{label:<48} {time.perf_counter() - started:7.3f} s")
        return result

    year, month = Period(date(2026, 1, 1), date(2026, 12, 31)), Period(date(2026, 12, 1), date(2026, 12, 31))
    week, quarter = Period(date(2026, 12, 28), date(2026, 12, 31)), Period(date(2026, 10, 1), date(2026, 12, 31))
    for label, period in (("week", week), ("month", month), ("quarter", quarter), ("year", year)):
        async def query(period=period):  # type: ignore[no-untyped-def]
            async with app.sessions() as session:
                return (await kpi_counts(session, app.config, period, now=NOW, today=NOW.date(), group="store"),
                        await kpi_counts(session, app.config, period, now=NOW, today=NOW.date(), group="clerk"))
        await timed(f"kpi storage queries, {label} (store + clerk)", query)
    # Without a worker (app.jobs None) every /kpi is counted in the update's own task: what a
    # period would cost the event loop. Up to a month stays there; longer ones go to the worker.
    reply = await timed("/kpi 今年 (whole chat command via dispatch)", lambda: send(app, MANAGER_TG, "/kpi 今年"))
    print("   " + reply.replies[0].text.replace("\n", "\n   ")[:900])
    await timed("/kpi 本月 (whole chat command via dispatch)", lambda: send(app, MANAGER_TG, "/kpi 本月"))
    await timed("/kpi 本周 (whole chat command via dispatch)", lambda: send(app, MANAGER_TG, "/kpi 本周"))
    await timed("/kpi 上月 (whole chat command via dispatch)", lambda: send(app, MANAGER_TG, "/kpi 上月"))
    status = await timed("/status (manager)", lambda: send(app, MANAGER_TG, "/status"))
    print("   " + status.replies[0].text.replace("\n", "\n   "))
    from handlers.reports.chart import render_trend
    from handlers.reports.kpi import weekly_trend

    async def chart():  # type: ignore[no-untyped-def]
        async with app.sessions() as session:
            return render_trend(await weekly_trend(session, app.config, now=NOW, today=NOW.date()))
    png = await timed("weekly chart: 8 weeks of KPIs + PNG", chart)
    (out_dir / "kpi-trend.png").write_bytes(png)
    print(f"   {out_dir / 'kpi-trend.png'}")
    await timed("/evidence DD202606001", lambda: send(app, MANAGER_TG, "/evidence DD202606001"))

    def progress(done: int, total: int) -> None:
        print(f"\r   {done}/{total}", end="", file=sys.stderr)

    async def export():  # type: ignore[no-untyped-def]
        async with app.sessions() as session:
            return await build_workbook(session, "orders", year, tz=TZ, contacts=True, progress=progress)
    content, rows = await timed("export orders, whole year (build_workbook)", export)
    print(f"   {rows} rows, {len(content) / 1e6:.1f} MB")
    (out_dir / "orders-2026.xlsx").write_bytes(content)
    await timed("/export orders 上月 (chat, one month)", lambda: send(app, MANAGER_TG, "/export orders 上月"))
    await through_the_worker(url, app)
    await engine.dispose()


async def through_the_worker(url: str, app: App) -> None:
    """The same through the bot's worker (``bot.jobs``): what the loop waits for is only the hand-over."""
    from bot.jobs import ProcessJobs
    from handlers.types import ChartJob, EvidenceJob, KpiJob

    jobs = ProcessJobs(url, on_done=lambda: None)
    jobs.bind(app)
    today = NOW.date()
    work = (("worker: start-up + /kpi 本月", KpiJob(date(2026, 12, 1), today, None, None, "全部门店", True, today, NOW,
                                                 "zh-CN", MANAGER_TG, "kpi:1")),
            ("worker: /kpi 今年", KpiJob(date(2026, 1, 1), today, None, None, "全部门店", True, today, NOW, "zh-CN",
                                        MANAGER_TG, "kpi:2")),
            ("worker: /evidence DD202606001", EvidenceJob("DD202606001", "zh-CN", "王经理", NOW, MANAGER_TG, "ev:1")),
            ("worker: weekly chart", ChartJob(date(2026, 12, 28), NOW, "zh-CN", "chart:1")))
    try:
        for label, job in work:
            loop_cpu, started = time.thread_time(), time.perf_counter()
            await jobs.run(job)
            print(f"{label:<48} {time.perf_counter() - started:7.3f} s "
                  f"({(time.thread_time() - loop_cpu) * 1000:.0f} ms of it on the loop's thread)")
    finally:
        await jobs.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--keep", metavar="DIR", help="build the database here and keep it")
    args = parser.parse_args()
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="orderbot-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}"
    started = time.perf_counter()
    counts = asyncio.run(build(url, args.orders))
    print(f"built {counts} in {time.perf_counter() - started:.1f} s at {directory}")
    asyncio.run(measure(url, directory))


if __name__ == "__main__":
    main()
