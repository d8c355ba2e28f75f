"""Cards in the reader's language, data included: product, material and unit words are Traditional
in zh-TW and English in en (no Chinese punctuation there); what people typed — a customer's name
and address, a case description, a fine's reason, quoted messages — stays as typed."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from domain.texts import to_traditional
from tests.conftest import local
from tests.e2e.harness import Harness
from tests.e2e.test_aftersales import open_case_with_photo
from tests.e2e.test_orders import ORDER, number_in, submit

# Typed by people (or names given by the admin): shown as typed in every language.
TYPED = ("张三", "13812345678", "天河区天河路1号", "天河店", "张导购", "李跟单", "王经理", "打错单",
         "衣柜门板开裂，客户要求换货", "衣柜门板开裂")
QUOTED = re.compile(r"「[^」]*」|“[^”]*”")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
PEOPLE = ("sales1", "clerk", "manager")


def _catalogue_part(text: str) -> str:
    text = QUOTED.sub("", text)
    for typed in TYPED:
        text = text.replace(typed, "")
    return text


async def _press_first(h: Harness, who: str, message: dict) -> list[dict]:
    return await h.press(who, message, h.buttons(message)[0])


@pytest.mark.parametrize("language", ["zh-TW", "en"])
async def test_every_card_shows_its_data_in_the_readers_language(harness: Harness, language: str) -> None:
    h = harness
    for who in PEOPLE:
        await h.say(who, f"/lang {language}")
    start = await h.client.last_seq()

    [card] = await h.say("sales1", ORDER)
    clerk_after = await h.client.last_seq()
    [done] = await _press_first(h, "sales1", card)  # confirm
    number = number_in(done["text"])
    [clerk_card] = await h.wait_for("clerk", clerk_after)
    await _press_first(h, "clerk", clerk_card)  # receive
    await h.say("clerk", f"/order {number}")
    await h.say("sales1", "/orders")
    await h.say("sales1", f"{number} 到哪了")
    case, _ = await open_case_with_photo(h, number)
    await h.say("clerk", f"/case {case}")
    manager_after = await h.client.last_seq()
    await h.say("clerk", "/fine 2001 30 R8 打错单")
    await h.wait_for("manager", manager_after)
    await h.say("manager", "/fines", expect=2)
    await h.say("clerk", "/remind")
    await h.say("sales1", "/remind")

    texts = [e["text"] or "" for who in PEOPLE for e in await h.client.bot_events(h.uid(who), start)
             if e["kind"] in ("send", "edit")]
    assert len(texts) >= 15
    if language == "en":
        assert any("solid wood bed 1.8m ×1" in text for text in texts), texts
    else:
        assert any("實木床 1.8米 ×1張" in text for text in texts), texts
    for text in texts:
        part = _catalogue_part(text)
        if language == "zh-TW":
            assert to_traditional(part) == part, f"simplified characters in a zh-TW text: {text!r}"
        else:
            assert "：" not in text, f"full-width colon in an English text: {text!r}"
            assert not CJK.findall(part), f"Chinese in an English text: {CJK.findall(part)} in {text!r}"


async def test_a_name_and_address_typed_in_traditional_stay_as_typed(harness: Harness) -> None:
    # A Hong Kong sales person types 陳生 and 彌敦道: the parser reads them in simplified characters,
    # but the order keeps and shows them as typed — to every reader, as with any typed text — and
    # a search in either script still finds the order.
    h = harness
    await h.say("sales1", "/lang zh-TW")
    [card] = await h.say("sales1", "陳生 98765432 板木衣櫃2個 12月20日送 旺角彌敦道1號 全數俾咗")
    assert "客戶：陳生" in card["text"] and "地址：旺角彌敦道1號" in card["text"], card["text"]
    clerk_after = await h.client.last_seq()
    [done] = await _press_first(h, "sales1", card)
    number = number_in(done["text"])
    [clerk_card] = await h.wait_for("clerk", clerk_after)
    assert "陳生" in clerk_card["text"] and "旺角彌敦道1號" in clerk_card["text"], clerk_card["text"]
    for asked in ("陈生的衣柜到了吗", "陳生張衣櫃到咗未"):
        [answer] = await h.say("clerk", asked)
        assert number in answer["text"] and "陳生" in answer["text"], (asked, answer["text"])
    [change] = await h.say("sales1", f"{number} 地址改為 旺角彌敦道2號")
    assert "旺角彌敦道2號" in change["text"], change["text"]


@pytest.mark.parametrize("language", ["zh-TW", "en"])
async def test_a_change_card_names_the_products_in_the_readers_language(harness: Harness, language: str) -> None:
    h = harness
    for who in ("sales1", "clerk"):
        await h.say(who, f"/lang {language}")
    [card] = await h.say("sales1", ORDER)
    [done] = await _press_first(h, "sales1", card)
    number = number_in(done["text"])
    start = await h.client.last_seq()
    [change] = await h.say("sales1", f"{number} 加一个床头柜")
    await _press_first(h, "sales1", change)  # 确认修改: the clerk hears of it too
    [refused] = await h.say("sales1", f"{number} 沙发改成2张")  # no such line: the order's lines are listed
    texts = [e["text"] or "" for who in ("sales1", "clerk") for e in await h.client.bot_events(h.uid(who), start)
             if e["kind"] in ("send", "edit")]
    added, bed = ("nightstand ×1", "solid wood bed 1.8m ×1") if language == "en" else ("床頭櫃 ×1個", "實木床 1.8米 ×1張")
    assert added in change["text"] and bed in refused["text"], (change["text"], refused["text"])
    assert sum(added in text for text in texts) >= 3, texts  # the card, its confirmation, the clerk's notice
    for text in texts:
        part = _catalogue_part(text)
        if language == "zh-TW":
            assert to_traditional(part) == part, f"simplified characters in a zh-TW text: {text!r}"
        else:
            assert not CJK.findall(part), f"Chinese in an English text: {CJK.findall(part)} in {text!r}"


async def test_the_backorder_list_counts_its_lines_in_english(harness: Harness) -> None:
    h = harness
    await h.say("manager", "/lang en")
    [card] = await h.say("sales1", ORDER)
    clerk_after = await h.client.last_seq()
    await _press_first(h, "sales1", card)
    [card] = await h.wait_for("clerk", clerk_after)
    for label in ("接单", "已与客户确认", "已下单"):
        [card] = await h.press("clerk", card, label)
    [lines] = await h.press("clerk", card, "到货/欠货登记")
    await h.press("clerk", lines, "第1项欠货")
    await h.say("clerk", "12月18日")
    [listed] = await h.say("manager", "/backorders")
    assert listed["text"].startswith("⏳ Backorder lines: 1 (earliest ETA first):"), listed["text"]  # not "1 … lines"


async def test_lists_in_english_answers_and_exports_use_english_punctuation(harness: Harness) -> None:
    """Lists were joined with Chinese punctuation whatever the reader's language: an English clerk's
    /fine named the matching people as 'Zhang（2001）、Liu（2002）', and the English export wrote the
    goods as 'a；b' and the flags as 'rush、short lead time'."""
    h = harness
    h.sandbox.clock.set(local(2026, 12, 3, 10, 5))  # outside the window, a short lead time: two flags
    number, _ = await submit(h, "张三 13812345678 实木床1张 板木床头柜2个 12月8日送 天河区天河路1号 全款")
    await h.say("clerk", "/lang en")
    [ambiguous] = await h.say("clerk", "/fine 导购 30 R8 typo")
    assert "（" not in ambiguous["text"] and "、" not in ambiguous["text"], ambiguous["text"]
    assert f"张导购 ({h.uid('sales1')}), " in ambiguous["text"], ambiguous["text"]
    [_preparing, export] = await h.say("clerk", "/export orders this month", expect=2, timeout=60)
    ws = load_workbook(io.BytesIO(await h.client.download(export["document"]["url"]))).active
    row = {head.value: cell.value for head, cell in zip(ws[1], ws[2])}
    assert ws.cell(2, 1).value == number
    items, flags = row["Items"], row["Flags"]
    assert "; " in items and "；" not in items, items
    assert ", " in flags and "、" not in flags, flags
