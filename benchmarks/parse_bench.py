"""Parser throughput and cold start, printed on demand (never asserted in tests).

    python3 benchmarks/parse_bench.py [--corpus PATH] [--seconds N]

* warm: one process, one Parser, the whole corpus parsed over and over for N seconds;
  prints messages per second.
* cold: a fresh interpreter (subprocess) from process start to the first parsed record,
  so it counts importing jieba/OpenCC/cn2an and building the dictionary; best of 3.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# shared/ sits beside the repository (as on CI)
DEFAULT_CORPUS = ROOT / ".." / "shared" / "corpus" / "dev.jsonl"

_COLD = """
import time, sys
t0 = float(sys.argv[1])
from datetime import datetime
from domain.parsing import parse
parse("张三 13812345678 实木床1张 12.20送 全款 天河路1号", datetime.fromisoformat("2026-12-03T17:20:00+08:00"))
print(time.time() - t0)
"""


def load(path: Path) -> list[tuple[str, datetime]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            rows.append((obj["text"], datetime.fromisoformat(obj["sent_at"])))
    return rows


def warm(rows: list[tuple[str, datetime]], seconds: float) -> tuple[float, float]:
    """Messages per second of wall time, and per second of this process's CPU time (the
    figure that stays honest when other processes share the cores)."""
    sys.path.insert(0, str(ROOT))
    from domain.parsing import Parser

    parser = Parser()
    for text, at in rows:  # first pass fills caches; not timed
        parser.parse(text, at)
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for text, at in rows:
            parser.parse(text, at)
        n += len(rows)
    return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


def cold(runs: int = 3) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system of the child) from spawn to first record."""
    times, cpu = [], []
    for _ in range(runs):
        # the clock starts before the interpreter is spawned, so process start-up is included
        t0 = time.time()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([sys.executable, "-c", _COLD, repr(t0)], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(float(out.strip().splitlines()[-1]))
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(times), min(cpu)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args(argv)
    rows = load(args.corpus)
    rate, cpu_rate = warm(rows, args.seconds)
    print(f"warm: {rate:,.0f} messages/s wall, {cpu_rate:,.0f} per CPU-second "
          f"({len(rows)} messages repeated, one process, one core)")
    wall, cpu = cold()
    print(f"cold start: {wall:.3f} s wall, {cpu:.3f} s CPU (process start to first record, best of 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
