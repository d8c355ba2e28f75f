"""``orderbot clock`` and the chat's ``/clock`` line: a documented way to move the sandbox clock."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.sandbox.chat import run_chat
from bot.sandbox.clock_words import ClockChange, ClockWordsError, describe, read_clock_words
from bot.sandbox.server import SandboxServer
from storage.models import Order
from tests.e2e.conftest import e2e_db_url, e2e_environ, e2e_overrides, framework, harness  # noqa: F401  (the e2e fixtures)
from tests.e2e.harness import Harness

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 18, 10, tzinfo=UTC)  # 02:10 on Thursday 3 December in Beijing


@pytest.mark.parametrize("words, change", [
    ([], ClockChange()),
    (["show"], ClockChange()),
    (["reset"], ClockChange(reset=True)),
    (["set", "15:30"], ClockChange(set_to=datetime(2026, 12, 3, 15, 30, tzinfo=SHANGHAI))),  # the local today
    (["15:30"], ClockChange(set_to=datetime(2026, 12, 3, 15, 30, tzinfo=SHANGHAI))),
    (["set", "2026-12-05", "15:30"], ClockChange(set_to=datetime(2026, 12, 5, 15, 30, tzinfo=SHANGHAI))),
    (["set", "2026-12-05"], ClockChange(set_to=datetime(2026, 12, 5, 2, 10, tzinfo=SHANGHAI))),
    (["set", "2026-12-05T15:30+00:00"], ClockChange(set_to=datetime(2026, 12, 5, 15, 30, tzinfo=UTC))),
    (["+1d"], ClockChange(advance=timedelta(days=1))),
    (["+2h"], ClockChange(advance=timedelta(hours=2))),
    (["-30m"], ClockChange(advance=timedelta(minutes=-30))),
    (["+1d2h"], ClockChange(advance=timedelta(days=1, hours=2))),
    (["+1w"], ClockChange(advance=timedelta(weeks=1))),
])
def test_clock_words(words: list[str], change: ClockChange) -> None:
    assert read_clock_words(words, NOW, SHANGHAI) == change


@pytest.mark.parametrize("words", [["set"], ["set", "25:00"], ["tomorrow"], ["+1y"], ["set", "2026-13-01", "9:00"],
                                   ["a", "b", "c"]])
def test_words_that_are_no_clock_command_say_what_is_accepted(words: list[str]) -> None:
    with pytest.raises(ClockWordsError, match=r"set HH:MM"):
        read_clock_words(words, NOW, SHANGHAI)


def test_the_clock_is_described_in_the_business_zone() -> None:
    assert describe(NOW, 0.4, SHANGHAI) == "2026-12-03 02:10 Thu Asia/Shanghai (real time)"
    assert describe(NOW, 3 * 86400 + 7200, SHANGHAI) == \
        "2026-12-03 02:10 Thu Asia/Shanghai (3 days 02:00 ahead of real time)"
    assert describe(NOW, -1800, SHANGHAI) == "2026-12-03 02:10 Thu Asia/Shanghai (00:30 behind real time)"


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def cli(*argv: str) -> int:
    """Run ``orderbot ARGV`` as a person would, in its own thread and event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, main, list(argv))


async def test_orderbot_clock_sets_advances_shows_and_resets(sandbox: SandboxServer, capsys) -> None:  # type: ignore[no-untyped-def]
    url = sandbox.root_url
    assert await cli("clock", "--url", url, "set", "2026-12-05", "15:30") == 0
    assert abs(sandbox.clock.now() - datetime(2026, 12, 5, 15, 30, tzinfo=SHANGHAI)) < timedelta(seconds=5)
    assert "sandbox clock: 2026-12-05 15:30 Sat Asia/Shanghai (" in capsys.readouterr().out
    assert await cli("clock", "--url", url, "+1d") == 0
    assert abs(sandbox.clock.now() - datetime(2026, 12, 6, 15, 30, tzinfo=SHANGHAI)) < timedelta(seconds=5)
    assert await cli("clock", "-30m", "--url", url) == 0  # a step back, not an option
    assert abs(sandbox.clock.now() - datetime(2026, 12, 6, 15, 0, tzinfo=SHANGHAI)) < timedelta(seconds=5)
    assert await cli("clock", "--url", url, "set", "09:00") == 0  # the sandbox's own local today
    assert abs(sandbox.clock.now() - datetime(2026, 12, 6, 9, 0, tzinfo=SHANGHAI)) < timedelta(seconds=5)
    assert await cli("clock", "--url", url, "show") == 0
    assert "2026-12-06 09:0" in capsys.readouterr().out
    assert await cli("clock", "--url", url, "reset") == 0
    assert "(real time)" in capsys.readouterr().out
    assert abs(sandbox.clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


async def test_orderbot_clock_explains_bad_words_and_a_missing_sandbox(sandbox: SandboxServer, capsys) -> None:  # type: ignore[no-untyped-def]
    assert await cli("clock", "--url", sandbox.root_url, "set", "25:00") == 2
    assert "not a time of day: '25:00'" in capsys.readouterr().err
    assert sandbox.clock.offset == timedelta(0)
    assert await cli("clock", "--url", "http://127.0.0.1:9", "show") == 1
    assert "cannot reach the sandbox at http://127.0.0.1:9" in capsys.readouterr().err


async def test_the_chat_clock_line_moves_the_clock_and_reaches_no_bot(sandbox: SandboxServer) -> None:
    out = io.StringIO()
    script = "/clock 2026-12-05 15:30\n/clock +2h\n/clock 99:99\n/quit\n"
    await asyncio.wait_for(run_chat(sandbox.root_url, 601, "郑", stdin=io.StringIO(script), stdout=out,
                                    answer_wait=0.2, linger=0.05), 20)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("(clock: 2026-12-05 15:30 Sat Asia/Shanghai") for line in lines), lines
    assert any(line.startswith("(clock: 2026-12-05 17:30 Sat Asia/Shanghai") for line in lines), lines
    assert any(line.startswith("(clock: not a time of day: '99:99'") for line in lines), lines
    assert not sandbox.state.history and not sandbox.state.pending  # nothing was sent to the bot


async def test_a_message_after_orderbot_clock_set_carries_that_time_to_the_bot(harness: Harness) -> None:
    h = harness
    assert await cli("clock", "--url", h.sandbox.root_url, "set", "2026-12-03", "02:10") == 0
    [card] = await h.say("sales1", "张三 13812345678 板木衣柜1个 明天送 天河区天河路1号 全款")
    assert "送货日期：12月4日（周五）" in card["text"]
    async with h.runtime.app.sessions() as session:
        order = (await session.execute(select(Order))).scalars().one()
    assert order.delivery_date == date(2026, 12, 4)


async def test_a_card_that_arrived_before_the_chat_was_opened_can_be_pressed(harness: Harness) -> None:
    # Found trying it: the clerk's new-order card queued overnight went out at 09:00; opening
    # `orderbot chat --as clerk` afterwards showed nothing to press ("no message with buttons").
    h = harness
    await h.say("sales1", "张三 13812345678 板木衣柜1个 12月20日送 天河区天河路1号 全款")
    clerk_after = await h.client.last_seq()
    [confirmed] = await h.press("sales1", (await h.client.bot_events(Harness.uid("sales1")))[-1], "确认")
    [card] = await h.wait_for("clerk", clerk_after)
    assert "接单" in h.buttons(card)
    out = io.StringIO()
    await asyncio.wait_for(run_chat(h.sandbox.root_url, Harness.uid("clerk"), "李跟单", stdin=io.StringIO("#1\n"),
                                    stdout=out, answer_wait=5.0, linger=0.5), 30)
    shown = out.getvalue()
    assert "(earlier in this chat" in shown and "新订单" in shown
    assert f"[you pressed [1] 接单 on #{card['message_id']}]" in shown
    assert "【已接单】" in shown
