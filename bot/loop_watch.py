"""Notice when the event loop is held up, and say by what.

Every chat is answered by one event loop, so a piece of work that runs long without giving it
back (a slow statement, a large document built in place) makes every chat wait. A task beats
every ``beat`` seconds; a daemon thread watches the beats, and when none came for ``threshold``
seconds it takes the loop thread's stack then and there — the place that holds the loop — and
logs it once the loop is back, with how long it was held. At shutdown one line sums them up
(``benchmarks/load_bench.py`` prints it with its figures).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class LoopWatch:
    threshold: float = 0.1  # seconds without a beat that count as the loop being held
    beat: float = 0.02
    stalls: int = 0
    longest: float = 0.0
    _last_beat: float = field(default_factory=time.monotonic, init=False)
    _stack: str = field(default="", init=False)
    _loop_thread: int = field(default=0, init=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False)

    def start(self) -> None:
        self._loop_thread = threading.get_ident()
        self._loop = asyncio.get_running_loop()
        self._last_beat = time.monotonic()
        self._task = self._loop.create_task(self._beats(), name="loop-watch")
        threading.Thread(target=self._watch, name="loop-watch", daemon=True).start()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        log.info("event loop held %d time(s) for %.0f ms or more; longest %.0f ms",
                 self.stalls, self.threshold * 1000, self.longest * 1000)

    async def _beats(self) -> None:
        while True:
            await asyncio.sleep(self.beat)
            now = time.monotonic()
            held = now - self._last_beat - self.beat
            self._last_beat = now
            if held >= self.threshold:
                self.stalls += 1
                self.longest = max(self.longest, held)
                log.warning("event loop held for %.0f ms; every chat waited. Where it was held:\n%s",
                            held * 1000, self._stack or "(not caught)")
            self._stack = ""

    def _watch(self) -> None:
        while not self._stop.wait(self.threshold / 2):
            if self._stack or time.monotonic() - self._last_beat < self.threshold + self.beat:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            if frame is not None and self._loop is not None:
                self._stack = _where(asyncio.current_task(self._loop), frame)


def _where(task: asyncio.Task[Any] | None, frame: FrameType) -> str:
    """The running task's awaits, which say whose work it is (a statement runs in a greenlet of
    SQLAlchemy's, whose frames do not lead back to the code that awaited it), then the innermost
    frames, which say what it is doing."""
    awaits = ""
    if task is not None:
        frames = traceback.StackSummary.extract((f, f.f_lineno) for f in task.get_stack())
        awaits = f"task {task.get_name()}:\n" + "".join(frames.format())
    return awaits + "innermost:\n" + "".join(traceback.format_stack(frame, limit=8))
