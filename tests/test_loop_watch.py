"""bot.loop_watch: a piece of work that holds the event loop is counted, timed and located."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.loop_watch import LoopWatch


def hold_the_loop_for_a_while() -> None:
    time.sleep(0.3)  # on the loop's thread: every chat would wait


async def test_a_held_loop_is_counted_with_the_place_that_held_it(caplog: pytest.LogCaptureFixture) -> None:
    watch = LoopWatch(threshold=0.1, beat=0.01)
    watch.start()
    with caplog.at_level(logging.WARNING, logger="bot.loop_watch"):
        await asyncio.sleep(0.05)
        hold_the_loop_for_a_while()
        await asyncio.sleep(0.05)
    await watch.stop()
    assert watch.stalls >= 1  # a busy machine may add a stall of its own, never take this one away
    assert watch.longest >= 0.25
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("held for" in w and "hold_the_loop_for_a_while" in w for w in warnings)
