"""Benchmark: many sales people typing orders at once, against a bare echo bot of the same library.

Every bot runs as its own process attached to one sandbox on 127.0.0.1. Each simulated
sales person sends order messages one after another and waits for the bot's answer (the
draft card; the echo bot's echo) before the next. Printed per scenario: messages per
second over the whole run and the latency of an answer (p50, p99).

    python3 benchmarks/load_bench.py                       # 10 and 50 users, SQLite, vs echo
    python3 benchmarks/load_bench.py --database postgresql --instances 1,3
    python3 benchmarks/load_bench.py --export-under-load   # typing alone, then with a year's /export,
                                                           # /kpi 今年 and /evidence meanwhile: the p99 ratio
    python3 benchmarks/load_bench.py --rss 10000           # RSS of one instance after N orders

PostgreSQL: ``ORDERBOT_BENCH_PG_URL`` (default postgresql://postgres@127.0.0.1:5432/test);
a throwaway database is created and dropped. On demand only; tests never time anything.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox.client import SandboxClient  # noqa: E402
from bot.sandbox.server import SandboxServer  # noqa: E402
from tests.conftest import local  # noqa: E402
from tests.e2e.processes import (BotProcess, RoundRobinProxy, bot_config, free_port, ready, seed_sales,  # noqa: E402
                                 wait_until)

FIRST_ID = 60_000
SURNAMES, GIVEN = "张王李赵陈刘杨黄周吴", "伟芳娜敏静丽强磊军洋"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (children not counted: the export worker is its own)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy so far (not idle, not waiting for disk): with the bot,
    the sandbox, the users and PostgreSQL on one machine, this says whether it is saturated."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """User + system CPU of the local PostgreSQL server's processes so far (0 where none runs here)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(proc.name))
            except OSError:
                pass  # gone meanwhile
    return total


async def sample_lock_waits(url: str, stop: asyncio.Event) -> dict[str, float]:
    """How many PostgreSQL sessions wait, on average, for the audit chain's lock (an advisory lock
    on one bigint key) and for a chat's lock (two int keys), sampled every 10 ms while ``stop``
    is not set: what serialises the instances, seen from the server."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    chain = chat = samples = 0
    try:
        while not stop.is_set():
            row = await conn.fetchrow(
                "SELECT count(*) FILTER (WHERE objsubid = 1), count(*) FILTER (WHERE objsubid = 2) FROM pg_locks"
                " WHERE locktype = 'advisory' AND NOT granted AND database ="
                " (SELECT oid FROM pg_database WHERE datname = current_database())")
            chain, chat, samples = chain + row[0], chat + row[1], samples + 1
            await asyncio.sleep(0.01)
    finally:
        await conn.close()
    return {"chain_waiting": chain / max(samples, 1), "chat_waiting": chat / max(samples, 1)}


def order_text(person: int, k: int) -> str:
    name = SURNAMES[person % 10] + GIVEN[k % 10]
    return f"{name} 139{person % 10000:04d}{k % 10000:04d} 实木床1.8米1张 12月20日送 天河区天河路{k + 1}号 全款"


async def _user(client: SandboxClient, person: int, messages: int, latencies: list[float]) -> None:
    for k in range(messages):
        after = await client.last_seq()
        started = time.perf_counter()
        await client.send_text(person, order_text(person, k), first_name=f"导购{person}")
        events = await client.wait_for_bot(person, after, timeout=60)
        assert events
        latencies.append(time.perf_counter() - started)


async def load(client: SandboxClient, people: list[int], messages: int) -> dict[str, float]:
    latencies: list[float] = []
    started, cpu = time.perf_counter(), time.process_time()
    busy, postgres = machine_busy_seconds(), postgres_cpu_seconds()
    await asyncio.gather(*(_user(client, p, messages, latencies) for p in people))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"msgs": len(latencies), "wall": wall, "rate": len(latencies) / wall,
            "sandbox_cpu_ms": (time.process_time() - cpu) * 1000 / len(latencies),
            "busy_cores": (machine_busy_seconds() - busy) / wall,
            "postgres_cpu_ms": (postgres_cpu_seconds() - postgres) * 1000 / len(latencies),
            "p50": statistics.median(ordered), "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]}


async def _with_sandbox(body: Callable[[SandboxServer, SandboxClient], Awaitable[dict]]) -> dict:
    sandbox = SandboxServer()
    sandbox.clock.set(local(2026, 12, 3, 17, 20))
    await sandbox.start()
    client = SandboxClient(sandbox.root_url)
    try:
        return await body(sandbox, client)
    finally:
        await client.close()
        await sandbox.stop()


async def echo_run(framework: str, n_users: int, messages: int, tmp: Path) -> dict:
    async def body(sandbox: SandboxServer, client: SandboxClient) -> dict:
        log = (tmp / f"echo-{framework}.log").open("ab")
        process = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "echo_bot.py"), framework,
                                    sandbox.root_url], stdout=log, stderr=subprocess.STDOUT)
        try:
            await wait_until(lambda: bool(sandbox.calls_to("getUpdates")), 60, "the echo bot polling")
            people = [FIRST_ID + i for i in range(n_users)]
            for person in people:
                await client.register_user(person, f"导购{person}")
            return await load(client, people, messages)
        finally:
            process.terminate()
            await asyncio.to_thread(process.wait, 20)
    return await _with_sandbox(body)


async def orderbot_run(url: str, framework: str, n_users: int, messages: int, tmp: Path, *, instances: int = 1,
                       webhook: bool = False, chats: int | None = None,
                       during: Callable[[SandboxClient], Awaitable[None]] | None = None,
                       after: Callable[[list[BotProcess]], Awaitable[None]] | None = None) -> dict:
    people = [FIRST_ID + i for i in range(n_users)]
    await seed_sales(url, people)

    async def body(sandbox: SandboxServer, client: SandboxClient) -> dict:
        ports = [free_port() for _ in range(instances)] if instances > 1 or webhook else []
        proxy = RoundRobinProxy([f"http://127.0.0.1:{p}/tg" for p in ports]) if ports else None
        if proxy:
            await proxy.start()
        bots = [BotProcess(bot_config(tmp / f"bot{n}.toml", database_url=url, sandbox_port=sandbox.port,
                                      framework=framework, webhook_port=ports[n] if ports else None,
                                      proxy_url=proxy.url if proxy else None, files_dir=tmp / "files",
                                      concurrent_chats=chats),
                           tmp / f"bot{n}.log") for n in range(instances)]
        try:
            for bot in bots:
                bot.start()
            for n in range(instances):
                if ports:
                    await wait_until(lambda p=ports[n]: ready(p), 90, f"instance {n}")
                else:
                    await wait_until(lambda: bool(sandbox.calls_to("getUpdates")), 90, "the bot polling")
            for person in people:
                await client.register_user(person, f"导购{person}")
            # One order first, outside the figures: the parser loads its dictionary on first use.
            after_seq = await client.last_seq()
            await client.send_text(people[0], order_text(people[0], 999), first_name=f"导购{people[0]}")
            await client.wait_for_bot(people[0], after_seq, timeout=120)
            side = asyncio.ensure_future(during(client)) if during else None
            cpu_before = sum(cpu_seconds(b.process.pid) for b in bots if b.process)
            log_marks = [len(b.output()) for b in bots]
            stop_sampling = asyncio.Event()
            sampler = asyncio.ensure_future(sample_lock_waits(url, stop_sampling)) \
                if url.startswith("postgresql") else None
            try:
                figures = await load(client, people, messages)
            finally:  # a load that fails must not leave the sampler polling
                stop_sampling.set()
            if sampler is not None:
                figures.update(await sampler)
            # CPU per message: far steadier than wall clock on a machine others use too.
            figures["cpu_ms"] = (sum(cpu_seconds(b.process.pid) for b in bots if b.process) - cpu_before) \
                * 1000 / figures["msgs"]
            if side is not None:
                figures["side"] = await side
            during_load = "".join(b.output()[mark:] for b, mark in zip(bots, log_marks, strict=True))
            figures.update(loop_stalls(during_load))
            figures["errors"] = len(re.findall(r"^\S+ \S+ ERROR ", during_load, re.MULTILINE))
            if after is not None:
                await after(bots)
            return figures
        except BaseException:
            for bot in bots:
                print(f"--- {bot.log}:\n" + "\n".join(bot.output().splitlines()[-20:]), file=sys.stderr)
            raise
        finally:
            for bot in bots:
                if bot.alive:
                    await bot.terminate()
            if proxy:
                await proxy.stop()
    return await _with_sandbox(body)


_STALL = re.compile(r"event loop held for (\d+) ms[^\n]*\n((?:(?!\d{4}-\d\d-\d\d ).*\n)*)")  # to the next record


def loop_stalls(log_text: str) -> dict:
    """The bots' ``bot.loop_watch`` warnings logged during the load: how often every chat waited
    100 ms or more for one piece of work, the longest, and the project's code it was held in."""
    stalls = [(int(ms), stack) for ms, stack in _STALL.findall(log_text)]
    if not stalls:
        return {"stalls": 0}
    longest, stack = max(stalls)
    ours = re.findall(rf'File "{re.escape(str(ROOT))}/((?!\.venv)[^"]+)", line (\d+), in (\S+)', stack)
    where = "{}:{} {}".format(*ours[-1]) if ours else "a library"
    return {"stalls": len(stalls), "longest_stall_ms": longest, "stall_at": where}


def line(label: str, f: dict, base: dict | None = None) -> str:
    ratio = f" ({f['rate'] / base['rate']:.2f} of echo)" if base else ""
    return (f"{label:<44} {f['msgs']:>5} msgs in {f['wall']:6.1f} s = {f['rate']:6.1f} msg/s{ratio};"
            f" p50 {f['p50'] * 1000:5.0f} ms, p99 {f['p99'] * 1000:5.0f} ms"
            + (f"; bot CPU {f['cpu_ms']:.1f} ms/msg" if "cpu_ms" in f else "")
            + f" (sandbox + users {f['sandbox_cpu_ms']:.1f}"
            + (f", PostgreSQL {f['postgres_cpu_ms']:.1f}" if f["postgres_cpu_ms"] >= 0.05 else "")
            + f"); machine {f['busy_cores']:.1f} of {os.cpu_count()} cores busy"
            + (f"; waiting for the chain lock {f['chain_waiting']:.1f}, for a chat lock {f['chat_waiting']:.1f}"
               if "chain_waiting" in f else "")
            + (f"; event loop held ≥100 ms {f['stalls']}×, longest {f['longest_stall_ms']} ms ({f['stall_at']})"
               if f.get("stalls") else "; event loop never held ≥100 ms" if "stalls" in f else "")
            + (f"; {f['errors']} ERROR lines in the bots' logs" if f.get("errors") else ""))


def pg_database() -> tuple[str, Callable[[], None]]:
    import asyncpg

    base = os.environ.get("ORDERBOT_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"orderbot_bench_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + "/" + name
    return url, lambda: asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def fresh_url(kind: str, tmp: Path) -> tuple[str, Callable[[], None]]:
    if kind == "postgresql":
        return pg_database()
    return f"sqlite+aiosqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.sqlite3'}", lambda: None


# The bot's command line under pyinstrument (a developer tool, not a dependency): one text report per process.
PROFILED_RUN = """import os, sys, pyinstrument
profiler = pyinstrument.Profiler(interval=0.0005, async_mode="disabled")
profiler.start()
from bot.cli import main
try:
    status = main(sys.argv[1:])
finally:
    profiler.stop()
    os.makedirs("DIR", exist_ok=True)
    open(f"DIR/bot-{os.getpid()}.txt", "w").write(profiler.output_text(unicode=True, show_all=False))
sys.exit(status)"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--framework", default="python-telegram-bot", choices=["python-telegram-bot", "aiogram"])
    parser.add_argument("--users", default="10,50")
    parser.add_argument("--messages", type=int, default=0,
                        help="order messages per user (8; 30 with --export-under-load)")
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--instances", default="1",
                        help="comma-separated; one instance polls, several sit behind a round-robin proxy")
    parser.add_argument("--webhook", action="store_true", help="one instance also in webhook mode, behind the proxy")
    parser.add_argument("--chats", type=int, default=0, help="[updates] concurrent_chats (0: the bot's default)")
    parser.add_argument("--export-under-load", action="store_true")
    parser.add_argument("--heavy", default="export,kpi,evidence",
                        help="with --export-under-load: which of export, kpi, evidence the manager asks for")
    parser.add_argument("--rss", type=int, default=0, metavar="ORDERS")
    parser.add_argument("--profile", metavar="DIR", help="run each bot under pyinstrument; reports into DIR")
    parser.add_argument("--no-echo", action="store_true", help="skip the echo bot (orderbot figures only)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="orderbot-load-"))
    if args.profile:
        import tests.e2e.processes as processes

        processes.RUN = PROFILED_RUN.replace("DIR", str(Path(args.profile).resolve()))
    print(f"load benchmark ({args.framework}, {args.database}; {os.cpu_count()} cores); logs in {tmp}")
    if args.export_under_load:
        export_under_load(args, tmp)
        return
    if args.rss:
        rss_after(args, tmp)
        return
    args.messages = args.messages or 8
    for n_users in [int(u) for u in args.users.split(",")]:
        echo = None if args.no_echo else asyncio.run(echo_run(args.framework, n_users, args.messages, tmp))
        if echo is not None:
            print(line(f"echo bot, {n_users} users", echo))
        for instances in [int(i) for i in args.instances.split(",")]:
            url, drop = fresh_url(args.database, tmp)
            try:
                figures = asyncio.run(orderbot_run(url, args.framework, n_users, args.messages, tmp,
                                                   instances=instances, webhook=args.webhook,
                                                   chats=args.chats or None))
            finally:
                drop()
            print(line(f"orderbot, {n_users} users, {instances} instance(s)", figures, echo))


# What the manager asks for during the load, and how its answer is recognised.
HEAVY: dict[str, tuple[str, Callable[[dict], bool]]] = {
    "export": ("/export orders 2026-01-01 2026-12-31",
               lambda e: (e.get("document") or {}).get("file_name", "").endswith(".xlsx")),
    "kpi": ("/kpi 今年", lambda e: (e.get("text") or "").startswith("📈")),
    "evidence": ("/evidence DD202606001", lambda e: (e.get("document") or {}).get("file_name", "").endswith(".html")),
}


def export_under_load(args: argparse.Namespace, tmp: Path) -> None:
    """Issue #12's figure: 20 sales people typing orders, alone and then while the manager asks for a
    year's /export, /kpi 今年 and an /evidence document (SQLite, one instance, a year of a 20-store
    company); the typing people's p50/p99 both times and the ratio."""
    import shutil

    from benchmarks.report_bench import MANAGER_TG, build

    messages = args.messages or 30  # ~20 s of typing: as long as the year's export takes
    heavy = [name.strip() for name in args.heavy.split(",") if name.strip()]
    if unknown := set(heavy) - set(HEAVY):
        raise SystemExit(f"--heavy: unknown {', '.join(sorted(unknown))} (choose from {', '.join(HEAVY)})")
    template = tmp / "year.sqlite3"
    started = time.perf_counter()
    asyncio.run(build(f"sqlite+aiosqlite:///{template}", 50_000))
    print(f"a year of a 20-store company built in {time.perf_counter() - started:.0f} s")

    async def manager(client: SandboxClient) -> str:
        await client.register_user(MANAGER_TG, "王经理")
        started = time.perf_counter()
        after = await client.last_seq(MANAGER_TG)
        for name in heavy:
            await client.send_text(MANAGER_TG, HEAVY[name][0])
        wanted = {name: HEAVY[name][1] for name in heavy}
        arrived: dict[str, float] = {}
        while len(arrived) < len(wanted):
            events = await client.wait_for_bot(MANAGER_TG, after, timeout=300)
            for event in events:
                for name, matches in wanted.items():
                    if name not in arrived and matches(event):
                        arrived[name] = time.perf_counter() - started
            after = events[-1]["seq"]
        return ", ".join(f"{name} after {arrived[name]:.1f} s" for name in wanted)

    results = {}
    asked = ", ".join(HEAVY[name][0].split()[0] for name in heavy)
    for label, during in (("alone", None), (f"with a year's {asked}", manager)):
        database = tmp / f"year-{uuid.uuid4().hex[:6]}.sqlite3"
        shutil.copy(template, database)
        figures = asyncio.run(orderbot_run(f"sqlite+aiosqlite:///{database}", args.framework, 20, messages, tmp,
                                           during=during))
        results[label] = figures
        print(line(f"20 users typing, {label}", figures) + (f"; {figures['side']}" if "side" in figures else ""))
    alone, loaded = results.values()
    print(f"with the heavy work / alone: p50 ×{loaded['p50'] / alone['p50']:.2f}, "
          f"p99 ×{loaded['p99'] / alone['p99']:.2f} (the issue's target: p99 at most ×1.20)")


def rss_after(args: argparse.Namespace, tmp: Path) -> None:
    """Resident memory of one instance after it took ``--rss`` order messages: 20 people typing (more at
    once only queue in the sandbox client's connection pool), and which libraries it holds."""
    n_users = 20
    per_user = max(1, -(-args.rss // n_users))

    async def measure(bots: list[BotProcess]) -> None:
        assert bots[0].process is not None
        status = Path(f"/proc/{bots[0].process.pid}/status").read_text()
        rss = next(line for line in status.splitlines() if line.startswith("VmRSS"))
        print(f"after {n_users * per_user} order messages: {rss.split(':')[1].strip()} resident")

    url, drop = fresh_url(args.database, tmp)
    try:
        figures = asyncio.run(orderbot_run(url, args.framework, n_users, per_user, tmp, after=measure))
    finally:
        drop()
    print(line(f"orderbot, {n_users} users × {per_user}", figures))


if __name__ == "__main__":
    main()
