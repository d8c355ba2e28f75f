"""Real use: 「床1张 板木」 — the material typed after the line, a space apart, as phones type it.
It was read as no material at all, so the draft said 材质未写明 and counted the order date with
solid wood's 10 days instead of panel's 5."""

from __future__ import annotations

from tests.conftest import local
from tests.e2e.harness import Harness


async def test_a_material_after_its_line_counts_for_that_line(harness: Harness) -> None:
    h = harness
    await h.client.set_clock(local(2026, 12, 3, 17, 20))
    [card] = await h.say("sales1", "张三 13800138000 天河路1号 床1张 板木 全款 12月28日送货")
    assert "材质未写明" not in card["text"]
    assert "下单日：12月23日" in card["text"]  # 12月28日 less panel's 5 days


async def test_a_material_line_under_the_lines_is_still_a_header_for_what_follows(harness: Harness) -> None:
    h = harness
    await h.client.set_clock(local(2026, 12, 3, 17, 20))
    [card] = await h.say("sales1", "张三 13800138000 天河路1号 全款 12月28日送货\n床1张\n实木系列\n餐桌1张")
    assert "第1项材质未写明" in card["text"]  # the bed, above the header, stays unstated
    assert "第2项" not in card["text"]  # the table under 实木系列 is solid wood
