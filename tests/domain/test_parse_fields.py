"""单号 / 电话 / 付款 / 数字 / 姓名 / 地址: each field reader on its own."""

from datetime import datetime, timedelta, timezone

import pytest

from domain.parsing import Parser
from domain.parsing.normalize import normalize
from domain.parsing.numerals import to_int
from domain.parsing.payment import find_payments
from domain.parsing.phones import find_phones
from domain.parsing.refs import find_refs

AT = datetime(2026, 12, 3, 17, 20, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture(scope="module")
def parser():
    return Parser()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("电话:13812345678", "13812345678"),
        ("139-2456-7801", "13924567801"),
        ("186 2003 4417", "18620034417"),
        ("+86 138 2233 4455", "+8613822334455"),
        ("+86-135-7204-6631", "+8613572046631"),
        ("0912-345-678", "0912345678"),                 # Taiwan mobile
        ("+886 912 345 678", "+886912345678"),
        ("电话:9123 4567", "91234567"),                 # Hong Kong, no prefix
        ("+852 6123 4567", "+85261234567"),
        ("tel 2345 6789", "23456789"),                  # HK landline needs a label
        ("020-12345678", "02012345678"),                # mainland landline
        ("139 0000 1234", "13900001234"),
    ],
)
def test_phone_formats(text, expected):
    assert [f.value for f in find_phones(text)][:1] == [expected]


@pytest.mark.parametrize("text", ["定金50000000", "订金 5000 0000", "实木床1.8米", "DD202612005 已发", "12/20 送", "2345 6789"])
def test_not_phones(text):
    assert find_phones(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("单号DD202611021,客户", "DD202611021"),
        ("请问dd202611021发货了吗", "DD202611021"),
        ("DD-202612005", "DD202612005"),
        ("合同号:HT-2026-301", "HT-2026-301"),
        ("订单 HT2026301", "HT2026301"),
    ],
)
def test_order_refs(text, expected):
    assert [f.value for f in find_refs(text)] == [expected]


@pytest.mark.parametrize("text", ["订单 0912-345-678", "单号:abc", "订单 客户王小明"])
def test_not_order_refs(text):
    assert find_refs(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("全款", "full"), ("已付清", "full"), ("全数", "full"), ("俾咗钱", "full"), ("paid in full", "full"),
        ("担保", "guaranteed"), ("担保单", "guaranteed"),
        ("定金500", "deposit"), ("订金", "deposit"), ("首付", "deposit"), ("已付定金300元", "deposit"),
        ("落订", "deposit"), ("deposit paid", "deposit"),
        ("货到付款", "cod"), ("送货收款", "cod"), ("COD", "cod"), ("货到俾钱", "cod"),
    ],
)
def test_payment_wordings(text, expected):
    assert find_payments(text)[0].value == expected


@pytest.mark.parametrize(
    "text, expected",
    [("两", 2), ("十二", 12), ("二十五", 25), ("4", 4), ("一百二", 120), ("零", 0), ("", None), ("abc", None),
     ("一二三四五六七八九十一", None)],
)
def test_numerals(text, expected):
    assert to_int(text) == expected


def test_normalize_full_width_traditional_and_spoken_digits():
    t2s = Parser()._t2s
    assert normalize("客戶：陳大文\u3000電話：１３９１２３４５６７８", t2s) == "客户:陈大文 电话:13912345678"
    assert normalize("电话一三八一二三四五六七八", t2s) == "电话13812345678"
    assert normalize(b"\xff\xfe\x00junk", t2s)  # bytes are decoded, never raise


@pytest.mark.parametrize(
    "text, expected",
    [
        ("客户:张三\n电话:13812345678\n产品:床1张\n付款:全款", "张三"),
        ("客户王建华,电话 186 2003 4417,实木餐桌一张,11月25日送", "王建华"),
        ("客戶：陳大文\n電話：9123 4567\n產品：實木床頭櫃 兩個\n付款方式：全款", "陈大文"),
        ("姓名:Kevin Li; 手机:+852 9876 5432; 商品:实木茶几x1; 日期:1/5", "Kevin Li"),
        ("张姐 139 0000 1234 实木床一张 明天送 全款", "张姐"),
        ("張生 9123 4567 床一張 聽日送 俾咗錢", "张生"),
        ("客户李女士反映餐桌桌面起泡,要求退货", "李女士"),
        ("张三那单取消,客户不买了", "张三"),
        ("DD202612045 票打错了,客户名字是孙丽不是孙莉", "孙丽"),
        ("客户姓王叫王大明电话13900001234要一张床", "王大明"),
        ("Tony +852 6123 4567 sofa 1 set, deliver Dec 20, paid in full", "Tony"),
    ],
)
def test_customer_name(parser, text, expected):
    assert parser.parse(text, AT).customer_name == expected


@pytest.mark.parametrize(
    "text",
    ["客戶說衣櫃門有色差,要換 DD202610078", "客户投诉送货师傅态度不好,DD202611088", "取消:DD202702005,客户 18307725727"],
)
def test_a_verb_after_kehu_is_not_a_name(parser, text):
    assert parser.parse(text, AT).customer_name is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("地址:佛山市顺德区乐从镇河滨北路3号\n产品:床1张", "佛山市顺德区乐从镇河滨北路3号"),
        ("刘芳 13760012245 实木床1张 11.27送 全款 南海桂城海八路18号", "南海桂城海八路18号"),
        ("王五|13800001111|实木床x1|12/20|全款|天河路1号", "天河路1号"),
        ("王五/13800001111/实木床x1/12月20日/全款/天河路1号", "天河路1号"),
        ("王生 9123 4567 衣櫃兩個 1月20號送 全款 荃灣 沙咀道 200號", "荃湾 沙咀道 200号"),
        ("改单 张三 送货地址改为佛山市顺德区乐从镇乐从大道99号", "佛山市顺德区乐从镇乐从大道99号"),
        ("DD202702010 下错单,地址写错了,应该是佛山市南海区桂城街道南海大道北80号", "佛山市南海区桂城街道南海大道北80号"),
    ],
)
def test_address(parser, text, expected):
    assert parser.parse(text, AT).address == expected
