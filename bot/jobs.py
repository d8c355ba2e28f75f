"""Heavy work off the event loop: exports, evidence documents, long /kpi periods and the weekly
chart are built in worker processes.

A year's export is seconds of pure-Python work (openpyxl), a year's /kpi a second or two of
queries, an evidence document the whole Merkle tree; on the event loop each would stall every
chat meanwhile, and a thread would still share the interpreter lock. A worker process opens
its own database engine, only reads, and returns what it built
(``handlers.reports.jobs.build``); the bot then queues it to the person who asked
(``deliver``) — they got a "preparing…" answer at once — or, when the building failed, says
so (``failed``) and logs why. The desk awaits the same workers (``run``) instead of building
on the loop. A job that a crash interrupts is not resumed: the person sees no document and
asks again (the request itself is in the audit log).

Two pools of one process each: exports (tens of seconds for a year) and everything else, so
a /kpi or an evidence document does not wait behind a year's workbook. The workers run at the
lowest CPU priority (nice 19, and Linux's idle scheduling class): on a busy machine the bot's
loop, answering people, goes first.
The heavy libraries (openpyxl, jinja2, matplotlib) are imported in the workers only.
"""

from __future__ import annotations

import asyncio
import copyreg
import logging
import multiprocessing.context
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from domain.evidence.note import Signer
from handlers.app import App, AppConfig
from handlers.types import ExportJob, Job
from storage.db import create_engine, session_factory

log = logging.getLogger(__name__)
WORKER_NICE = 19


def _pickle_signer(signer: Signer) -> tuple[Callable[[str], Signer], tuple[str]]:
    # The worker signs the checkpoint an evidence document proves against, so the key goes with
    # the job over the pipe to our own child process (never to disk, never to the database), in
    # the key's own text form.
    return Signer.parse, (signer.private_text(),)


copyreg.pickle(Signer, _pickle_signer)


def _lower_priority(pid: int) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, pid, WORKER_NICE)
    except OSError:  # not allowed here: the same priority as the bot, as before
        pass
    # Linux: SCHED_IDLE runs the worker only on CPU time nothing else wants. Nice 19 still took
    # about a twentieth of a contended core, and all of the second core the sandbox, the users
    # and PostgreSQL share with the bot; idle scheduling leaves that to them.
    if hasattr(os, "sched_setscheduler"):
        try:
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
        except OSError:
            pass


class _IdleSpawnProcess(multiprocessing.context.SpawnProcess):
    """A spawned worker put at the lowest priority by the bot as soon as it exists.

    Set from inside (an initializer), the priority came only after the new interpreter had
    imported the bot's modules — about a second of CPU per worker at the bot's own priority, just
    when someone had asked for a report and the chats were busy. (Threads the worker starts
    later, such as aiosqlite's, inherit it.)
    """

    def start(self) -> None:
        super().start()
        if self.pid is not None:
            _lower_priority(self.pid)


class _IdleSpawnContext(multiprocessing.context.SpawnContext):
    Process = _IdleSpawnProcess


def worker_pool(workers: int = 1) -> ProcessPoolExecutor:
    """A pool of worker processes at the lowest CPU priority. Spawned, not forked: the parent has an
    event loop and driver threads a fork would copy mid-flight."""
    return ProcessPoolExecutor(workers, mp_context=_IdleSpawnContext())


def build_in_worker(database_url: str, config: AppConfig, job: Job) -> Any:
    """Runs in the worker process: its own engine (reading) and event loop."""
    from handlers.reports.jobs import build

    async def run() -> Any:
        engine = create_engine(database_url, reader=True)
        try:
            async with session_factory(engine)() as session:
                return await build(session, config, job)
        finally:
            await engine.dispose()

    return asyncio.run(run())


class ProcessJobs:
    """The :class:`handlers.types.JobRunner` of a running bot."""

    def __init__(self, database_url: str, *, on_done: Callable[[], None], workers: int = 1) -> None:
        self._app: App | None = None  # bound once the App (which holds this runner) exists
        self._database_url = database_url
        self._on_done = on_done
        self._workers = workers
        self._pools: dict[str, Executor] = {}
        self._running: set[asyncio.Task[None]] = set()

    def bind(self, app: App) -> None:
        self._app = app

    def submit(self, job: Job) -> None:
        task = asyncio.create_task(self._run(job), name=f"job-{job.key}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def _pool(self, job: Job) -> Executor:
        name = "exports" if isinstance(job, ExportJob) else "reports"
        if name not in self._pools:
            self._pools[name] = worker_pool(self._workers)
        return self._pools[name]

    async def run(self, job: Job) -> Any:
        assert self._app is not None, "ProcessJobs.bind(app) first"
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool(job), build_in_worker, self._database_url, self._app.config, job)

    async def _run(self, job: Job) -> None:
        from handlers.reports.jobs import deliver, failed

        assert self._app is not None, "ProcessJobs.bind(app) first"
        try:
            result = await self.run(job)
        except Exception:
            log.exception("%s %s failed", type(job).__name__, job.key)
            async with self._app.sessions() as session, session.begin():
                await failed(session, self._app, job)
        else:
            async with self._app.sessions() as session, session.begin():
                await deliver(session, self._app, job, result)
        self._on_done()

    async def stop(self) -> None:
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
