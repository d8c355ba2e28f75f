"""消息类别 and 售后类别: what the message is, by the corpus conventions."""

from datetime import datetime, timedelta, timezone

import pytest

from domain.parsing import Parser

AT = datetime(2026, 12, 3, 15, 20, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture(scope="module")
def parser():
    return Parser()


@pytest.mark.parametrize(
    "text, kind",
    [
        ("张姐 139 0000 1234 实木餐桌一张+四把椅子 下周六送 江宁区天元路88号 全款", "order"),
        ("訂單 客戶王小明 0912-345-678 實木床1.8米一張 12/28交貨 台中市西屯區台灣大道三段99號 已付清", "order"),
        ("售后申请\n单号:DD202611044\n问题:沙发有异味\n要求:退货", "aftersales"),
        ("DD202611090 茶几玻璃裂了 客户要换", "aftersales"),
        ("不好意思,DD202611040下错单了,床应该是1.8米的", "aftersales"),   # a registration error is after-sales
        ("改单:DD202611021 送货日期改到11月30日", "change"),
        ("DD202612005 改到下个礼拜三送", "change"),
        ("DD202612005 床头柜不要了", "change"),                              # dropping one line
        ("销单:DD202611005", "cancel"),
        ("取消 DD202611050 客戶不要了", "cancel"),
        ("张三那单取消,客户不买了", "cancel"),
        ("DD202611003 到了没?", "query"),
        ("請問DD202611021發貨了嗎", "query"),
        ("王小姐的衣柜到仓了吗", "query"),
        ("DD202612005 几时到呀?", "query"),
        ("早上好", "unknown"),
        ("收到,谢谢", "unknown"),
        ("[图片] 样品照片", "unknown"),
        ("圣诞快乐🎄", "unknown"),
        ("老板好,新款沙发到了,欢迎来看", "unknown"),                            # an announcement, not an order
        ("明天开会", "unknown"),                                                # a date alone is not an order
    ],
)
def test_kind(parser, text, kind):
    assert parser.parse(text, AT).kind == kind


@pytest.mark.parametrize(
    "text, category",
    [
        ("DD202610078 客戶說衣櫃門有色差,要換", "quality"),
        ("售后申请 单号:DD202612033 问题:床垫塌陷 要求:退货", "quality"),
        ("DD202612020 客户说衣柜太高放不进去,尺寸不合适,要换", "size"),
        ("DD202612005 衣柜尺寸唔啱,太大放唔落", "size"),
        ("送錯貨:DD202701012 客人訂的是板式衣櫃,送去的是實木的", "wrong_order"),
        ("DD202612045 票打错了,客户名字是孙丽不是孙莉", "wrong_order"),
        ("客户投诉送货师傅态度不好,DD202611088", "other"),
        ("售后申请 单号:DD202612070 问题:安装时把墙面刮花了 要求:赔偿", "other"),
    ],
)
def test_aftersales_category(parser, text, category):
    r = parser.parse(text, AT)
    assert (r.kind, r.aftersales_category) == ("aftersales", category)


def test_category_only_for_aftersales(parser):
    assert parser.parse("改单:DD202611021 送货日期改到11月30日", AT).aftersales_category is None


def test_unknown_carries_no_fields(parser):
    r = parser.parse("明天见,张三 13812345678", AT)
    assert r.kind == "unknown"
    assert r.to_contract() == {"kind": "unknown", "order_ref": None, "customer_name": None, "customer_phone": None,
                               "address": None, "delivery_date": None, "payment": None, "items": [],
                               "aftersales_category": None}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("改单:DD202611021 送货日期改到12月30日", {"delivery_date": "2026-12-30"}),
        ("改单:DD202612018 电话改成 139 2875 0634", {"customer_phone": "13928750634"}),
        ("改单:DD202612050 付款方式改成全款", {"payment": "full"}),
    ],
)
def test_change_fields_hint(parser, text, expected):
    fields = parser.parse(text, AT).change_fields
    assert {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items()} == expected


def test_cancel_reason_hint(parser):
    r = parser.parse("取消订单 DD202612060,客户家里装修推迟", AT)
    assert r.kind == "cancel" and r.cancel_reason == "客户家里装修推迟"
    assert "cancel_reason" not in r.to_contract()
