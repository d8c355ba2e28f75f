"""Issue #12: heavy reports are jobs — kept with the update's outcome until started, and a job
the worker could not build is answered clearly (and logged), never left silent."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import date

import pytest

from bot.jobs import WORKER_NICE, ProcessJobs, worker_pool
from handlers.app import App
from handlers.types import (ChartJob, EvidenceJob, ExportJob, KpiJob, Outcome, outcome_from_json,
                            outcome_to_json)
from storage.outbox import pending_for_chat
from tests.conftest import local

NOW = local(2026, 12, 3, 17, 20)
JOBS = (ExportJob("orders", date(2026, 1, 1), date(2026, 12, 31), "zh-CN", True, 1002, "export:7"),
        EvidenceJob("DD202612001", "en", "王经理", NOW, 1002, "evidence:8"),
        KpiJob(date(2026, 1, 1), date(2026, 12, 3), None, None, "全部门店", True, date(2026, 12, 3), NOW, "zh-TW",
               1002, "kpi:9"),
        ChartJob(date(2026, 11, 30), NOW, "zh-CN", "chart:2026-11-30"))


def test_every_kind_of_job_survives_the_inbox() -> None:
    """An outcome is stored until its replies are out: a crash then still starts its jobs."""
    again = outcome_from_json(outcome_to_json(Outcome(jobs=JOBS)))
    assert again.jobs == JOBS


def test_an_export_stored_before_there_were_other_jobs_is_still_an_export() -> None:
    stored = ('{"replies": [], "callback_answer": null, "menus": [], "jobs": [{"kind": "fines", "start": '
              '"2026-11-01", "end": "2026-11-30", "language": "zh-CN", "contacts": false, "chat_id": 5, '
              '"key": "export:3"}]}')
    [job] = outcome_from_json(stored).jobs
    assert job == ExportJob("fines", date(2026, 11, 1), date(2026, 11, 30), "zh-CN", False, 5, "export:3")


async def test_a_job_the_worker_cannot_build_is_answered_and_logged(app: App, tmp_path,  # type: ignore[no-untyped-def]
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    done = asyncio.Event()
    finished = []

    def on_done() -> None:
        finished.append(1)
        if len(finished) == 3:
            done.set()

    # The worker's database is not there: every build fails in the worker process.
    jobs = ProcessJobs(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'nowhere.sqlite3'}", on_done=on_done)
    jobs.bind(app)
    caplog.set_level(logging.ERROR, logger="bot.jobs")
    try:
        for job in JOBS[:3]:
            jobs.submit(job)
        await asyncio.wait_for(done.wait(), 120)
    finally:
        await jobs.stop()
    async with app.sessions() as session:
        texts = sorted(m.text for m in await pending_for_chat(session, 1002))
    assert texts == sorted([
        "⚠️ 订单导出没有生成成功，请稍后再发一次 /export。",
        "⚠️ The evidence document of DD202612001 could not be built; please send /evidence again in a while.",
        "⚠️ 考核指標（2026-01-01 至 2026-12-03）沒有統計成功，請稍後再發一次 /kpi。",
    ]), texts
    assert sum("failed" in r.getMessage() for r in caplog.records) == 3


def _priority() -> tuple[int, int | None]:
    return os.nice(0), os.sched_getscheduler(0) if hasattr(os, "sched_getscheduler") else None


def test_workers_run_below_the_bot_at_the_lowest_priority() -> None:
    # A worker's year of export must not take CPU the bot's loop or the machine's other work wants —
    # nor its start, which imports the bot's modules: the priority is set as soon as it exists.
    pool = worker_pool()
    try:
        first = pool.submit(_priority)
        workers = list(pool._processes.values())  # started by the submit
        assert len(workers) == 1 and workers[0].is_alive()
        from_outside = (os.getpriority(os.PRIO_PROCESS, workers[0].pid),
                        os.sched_getscheduler(workers[0].pid) if hasattr(os, "sched_getscheduler") else None)
        niceness, policy = first.result(timeout=60)
    finally:
        pool.shutdown()
    assert niceness == from_outside[0] == WORKER_NICE
    if policy is not None:
        assert policy == from_outside[1] == os.SCHED_IDLE
