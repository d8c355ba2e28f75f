"""货品行: product key word, material, quantity, unit and spec per line."""

from datetime import datetime, timedelta, timezone

import pytest

from domain.parsing import ParsedItem, Parser

AT = datetime(2026, 12, 3, 17, 20, tzinfo=timezone(timedelta(hours=8)))
ORDER = "张三 13812345678 {} 明天送 全款 天河路1号"


@pytest.fixture(scope="module")
def parser():
    return Parser()


def lines(parser, text):
    return [(i.product, i.material, i.quantity) for i in parser.parse(text, AT).items]


@pytest.mark.parametrize(
    "items_text, expected",
    [
        ("实木床1.8米 1张", [("床", "solid", 1)]),
        ("实木餐桌一张+四把椅子", [("餐桌", "solid", 1), ("椅子", None, 4)]),   # 实木 qualifies only the table
        ("实木床、床头柜两个", [("床", "solid", 1), ("床头柜", None, 2)]),
        ("实木系列 书桌一张、书柜两组", [("书桌", "solid", 1), ("书柜", "solid", 2)]),  # a header covers both
        ("床头柜两个也是实木的", [("床头柜", "solid", 2)]),
        ("床1张 板木", [("床", "panel", 1)]),                              # after its line, a space apart
        ("床1张\n实木系列\n餐桌1张", [("床", None, 1), ("餐桌", "solid", 1)]),  # a header line still leads
        ("板式衣柜2门x1", [("衣柜", "panel", 1)]),                        # 2门 is the spec
        ("板式衣柜四门一个", [("衣柜", "panel", 1)]),
        ("实木餐椅十二把", [("餐椅", "solid", 12)]),
        ("床垫150*200两张", [("床垫", None, 2)]),
        ("板式书柜x2", [("书柜", "panel", 2)]),
        ("实木门三樘", [("门", "solid", 3)]),
        ("石木床一张1.8米,床头贵两个", [("床", "solid", 1), ("床头柜", None, 2)]),  # typos
        ("十木床一张", [("床", "solid", 1)]),
        ("板式儿童床一套", [("床", "panel", 1)]),
        ("五斗柜一个", [("斗柜", None, 1)]),
        ("乳胶床垫1张", [("床垫", None, 1)]),
        ("solid wood 餐桌 x1(实木), 实木餐椅 x4", [("餐桌", "solid", 1), ("餐椅", "solid", 4)]),
        ("sofa 1 set", [("sofa", None, 1)]),
        ("2 chairs, dining table x1", [("chairs", None, 2), ("dining table", None, 1)]),
        ("实木床 6尺 一张、实木床头柜 两个", [("床", "solid", 1), ("床头柜", "solid", 2)]),
        ("沙发", [("沙发", None, 1)]),                                          # quantity defaults to 1
    ],
)
def test_order_lines(parser, items_text, expected):
    assert lines(parser, ORDER.format(items_text)) == expected


@pytest.mark.parametrize(
    "items_text, unit, spec",
    [
        ("实木床1.8米 1张", "张", "1.8米"),
        ("板式衣柜 2门 1个", "个", "2门"),
        ("实木沙发1套(3+1+1)", "套", "3+1+1"),
        ("床垫180*200 x1", None, "180*200"),
        ("板式电视柜1个(2米)", "个", "2米"),
        ("实木床一米八一张", "张", "一米八"),
    ],
)
def test_unit_and_spec(parser, items_text, unit, spec):
    item = parser.parse(ORDER.format(items_text), AT).items[0]
    assert (item.unit, item.spec) == (unit, spec)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("改单:DD202611030 餐椅数量改成6把", [("餐椅", None, 6)]),
        ("改單:DD202702030 衣櫃加一個,改成兩個", [("衣柜", None, 2)]),
        ("打错单了 DD202612011 数量应该是4把椅子 不是6把", [("椅子", None, 4)]),
        ("售后申请\n单号:DD202610055\n问题:实木床床腿开裂\n要求:换货", [("床", "solid", 1)]),   # 床腿 is a part
        ("DD202702015 客户要求上门调一下衣柜门,安装没装好", [("衣柜", None, 1)]),          # 上门/衣柜门 are not doors
        ("售後:DD202612066 何太的餐椅有兩張腳鬆了,要換", [("餐椅", None, 2)]),
    ],
)
def test_lines_in_changes_and_aftersales(parser, text, expected):
    assert lines(parser, text) == expected


def test_extra_words_extend_the_dictionary():
    text = ORDER.format("实木罗汉床一张 实木官帽椅两把")
    assert ("官帽椅", "solid", 2) not in lines(Parser(), text)
    assert ("官帽椅", "solid", 2) in lines(Parser(extra_words=("官帽椅",)), text)


def test_items_are_frozen():
    item = ParsedItem("床", "solid", 1, "张", "1.8米")
    with pytest.raises(Exception):
        item.quantity = 2  # type: ignore[misc]
    assert item.to_contract() == {"product": "床", "material": "solid", "quantity": 1, "unit": "张", "spec": "1.8米"}
