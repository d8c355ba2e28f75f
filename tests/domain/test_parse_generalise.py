"""Readers that generalise beyond the dev corpus: other stores' numbering, changes and cancellations
without the usual verbs, status questions in Cantonese/traditional, customers introduced
mid-sentence, symptoms, property damage, room fit, holiday-relative and bracket-label dates."""

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.parsing import Parser
from domain.parsing.dates import find_dates
from domain.parsing.refs import find_refs

AT = datetime(2026, 12, 3, 15, 20, tzinfo=timezone(timedelta(hours=8)))  # a Thursday


@pytest.fixture(scope="module")
def parser():
    return Parser()


@pytest.mark.parametrize("text, expected", [
    ("SO-202612-015 原定12月20日", "SO-202612-015"),
    ("KS27-0779的儿童床中间陷下去一块", "KS27-0779"),
    ("2027-HT-334 客人话迟啲先送", "2027-HT-334"),
    ("20270114-008 / 邱淑贞 / 13912345670 / 板式衣柜x2", "20270114-008"),
    ("[合同编号]MJ-2027-491[客户名]高洁", "MJ-2027-491"),
])
def test_contract_number_schemes(text, expected):
    assert [f.value for f in find_refs(text)][:1] == [expected]


@pytest.mark.parametrize("text", ["实木床 1800x2000", "VIP1499 潘婷", "2026-12-20送", "sofa x2 HKD12000", "3.22送"])
def test_not_contract_numbers(text):
    assert find_refs(text) == []


@pytest.mark.parametrize("text, kind", [
    ("HT-2026-0408 送货往后挪到下个礼拜一", "change"),
    ("DD202611045 补四把实木餐椅进去", "change"),
    ("MJ-2027-486 餐桌唔使送啦，其他照送", "change"),
    ("DD202612107 电视柜是6个，不是1个", "change"),
    ("DD202701014 客户说改担保", "change"),
    ("SO-202612-525 客户撤回订单", "cancel"),
    ("KS27-0880 此单作废，以新单HT-2027-0057为准", "cancel"),
    ("ZY2026-00820 void, the new order replaces it", "cancel"),
    ("CT-202701-0450 送貨日子定咗未", "query"),
    ("羅先生(6423-1834)訂嘅牀頭櫃幾時送得", "query"),
    ("請問HT-2027-0090是否已經排車", "query"),
])
def test_kind_without_the_usual_verbs(parser, text, kind):
    assert parser.parse(text, AT).kind == kind


@pytest.mark.parametrize("text, category", [
    ("DD202701088 床一躺上去就咯吱咯吱响", "quality"),
    ("DD202701088 沙发有股刺鼻的味道", "quality"),
    ("DD202701088 沙发坐垫塌下去了", "quality"),
    ("DD202701088 桌面鼓包起泡", "quality"),
    ("DD202701088 茶几边角崩了一块", "quality"),
    ("DD202701088 搬运的时候把客户电梯刮花了", "other"),
    ("DD202701088 安装时钻坏了客户墙里的水管", "other"),
    ("DD202701088 衣柜放进房间太挤了，跟房间不合", "size"),
    ("DD202701088 the wardrobe doesn't fit the room", "size"),
])
def test_aftersales_categories(parser, text, category):
    rec = parser.parse(text, AT)
    assert (rec.kind, rec.aftersales_category) == ("aftersales", category)


@pytest.mark.parametrize("text, name", [
    ("今天下午高洁在我们店定了茶几1个，后天送到珠海市香洲区情侣中路39号，电话155-3229-7987，全款", "高洁"),
    ("陳太落咗單，實木兒童牀2張，下個禮拜一送去紅磡黃埔花園9期6座，落咗訂，電話53969710", "陈太"),
    ("HT-2026-0722|Eric张|159-1052-5508|佛山市南海区大沥镇广佛路12号|板式衣柜一个|下周五|全款", "Eric张"),
    ("客户：VIP1499 潘婷\n电话：185-2651-0323\n地址：深圳市福田区莲花路2008号\n产品：床垫1张", "潘婷"),
])
def test_names(parser, text, name):
    assert parser.parse(text, AT).customer_name == name


@pytest.mark.parametrize("text, expected", [
    ("元旦后第一个礼拜三送", date(2027, 1, 6)),
    ("平安夜当天送", date(2026, 12, 24)),
    ("春节前一天", date(2027, 2, 5)),
    ("3天后送", date(2026, 12, 6)),
    ("押后到12/28先送", date(2026, 12, 28)),
])
def test_holiday_and_relative_dates(text, expected):
    assert [f.value for f in find_dates(text, AT.date())][:1] == [expected]


def test_order_day_is_not_the_delivery_day(parser):
    rec = parser.parse("今天下午高洁在我们店定了茶几1个，后天送到珠海市香洲区情侣中路39号，电话15532297987，全款", AT)
    assert rec.delivery_date == date(2026, 12, 5)


def test_bracket_label_date_and_next_label_payment(parser):
    rec = parser.parse("〔客户〕区太〔电话〕181-2956-2422〔地址〕珠海市香洲区情侣中路39号〔货品〕实木床两张"
                       "〔送货时间〕2026-12-16〔付款〕收订金500", AT)
    assert (rec.kind, rec.delivery_date, rec.payment) == ("order", date(2026, 12, 16), "deposit")


# -- the statistical fallback for the kind ---------------------------------------------------------
@pytest.mark.parametrize("text, kind", [
    ("SO-2027-0012 多两把餐椅", "change"),
    ("DD202612044 床垫有霉味", "aftersales"),
])
def test_the_model_reads_what_no_cue_word_covers_and_is_never_sure_of_it(parser, text, kind):
    rules_only = parser.parse(text, AT, use_model=False)
    rec = parser.parse(text, AT)
    assert rules_only.kind == "unknown"
    assert rec.kind == kind and rec.kind_confidence <= 0.6 and rec.kind_alternatives
    assert rec.order_ref is not None


@pytest.mark.parametrize("text", ["好的收到，我跟客户说一下", "今日公司年会，下午不送货", "早晨", "[图片]"])
def test_the_model_leaves_chatter_unknown(parser, text):
    assert parser.parse(text, AT).kind == "unknown"


def test_confidence_of_a_plain_order_is_high_and_a_guessed_name_is_low(parser):
    rec = parser.parse("客户：张三 电话：13812345678 地址：天河区天河路1号 产品：实木床1张 送货日期：12月20日 付款：全款", AT)
    assert rec.kind_confidence >= 0.9 and rec.uncertain_fields() == ()
    guessed = parser.parse("今天下午高洁在我们店定了茶几1个，后天送到珠海市香洲区情侣中路39号，电话15532297987，全款", AT)
    assert guessed.uncertain_fields() == ("customer_name",)


def test_a_change_that_also_asks_is_uncertain_between_the_two(parser):
    rec = parser.parse("DD202612005 送货日期改到12月28日 几时能送到？", AT)
    assert rec.kind == "change" and rec.kind_is_uncertain and "query" in rec.kind_alternatives
