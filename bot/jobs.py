"""Heavy work off the event loop: exports are built in a worker process.

A year's export is seconds of pure-Python work (openpyxl); on the event loop it
would stall every chat meanwhile, and a thread would still share the interpreter
lock. The worker process opens its own database engine, writes the workbook under
``files_dir/exports`` and returns the path; the bot then queues the document to the
person who asked (``handlers.reports.export.send_export``). The person got a
"preparing…" answer at once. A job that a crash interrupts is not resumed: the
person sees no document and asks again (the request itself is in the audit log).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from domain.policy.settings import PolicySettings
from handlers.app import App
from handlers.reports.export import export_failed, send_export, write_export
from handlers.types import ExportJob
from storage.db import create_engine, session_factory

log = logging.getLogger(__name__)


def build_in_worker(database_url: str, job: ExportJob, policy: PolicySettings, folder: str) -> tuple[str, int]:
    """Runs in the worker process: its own engine and event loop."""
    async def run() -> tuple[Path, int]:
        engine = create_engine(database_url, reader=True)
        try:
            return await write_export(session_factory(engine), job, policy=policy, folder=Path(folder))
        finally:
            await engine.dispose()

    path, rows = asyncio.run(run())
    return str(path), rows


class ProcessJobs:
    """The :class:`handlers.types.JobRunner` of a running bot."""

    def __init__(self, database_url: str, *, on_done: Callable[[], None], workers: int = 1) -> None:
        self._app: App | None = None  # bound once the App (which holds this runner) exists
        self._database_url = database_url
        self._on_done = on_done
        self._workers = workers
        self._executor: Executor | None = None
        self._running: set[asyncio.Task[None]] = set()

    def bind(self, app: App) -> None:
        self._app = app

    def submit(self, job: ExportJob) -> None:
        task = asyncio.create_task(self._run(job), name=f"job-{job.key}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, job: ExportJob) -> None:
        assert self._app is not None, "ProcessJobs.bind(app) first"
        if self._executor is None:
            # spawn, not fork: the parent has an event loop and driver threads a fork would copy mid-flight.
            self._executor = ProcessPoolExecutor(self._workers, mp_context=multiprocessing.get_context("spawn"))
        folder = str(Path(self._app.config.files_dir) / "exports")
        loop = asyncio.get_running_loop()
        try:
            path, rows = await loop.run_in_executor(self._executor, build_in_worker, self._database_url, job,
                                                    self._app.config.policy, folder)
        except Exception:
            log.exception("export %s failed", job.key)
            async with self._app.sessions() as session, session.begin():
                await export_failed(session, self._app, job)
        else:
            async with self._app.sessions() as session, session.begin():
                await send_export(session, self._app, job, Path(path), rows)
        self._on_done()

    async def stop(self) -> None:
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
