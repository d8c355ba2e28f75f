"""Writes fresh_generated.jsonl: labelled messages in styles the dev corpus lacks.

Each message is built from a template and its label from the same parameters, by the
conventions of shared/corpus/README (weeks start on Monday, 月底 = last day of the sending
month, a date without a year is the next such date, the corrected value wins, ...), so the
labels never come from the parser. Traditional variants are made with OpenCC and kept only
when the labelled values survive the round trip back to simplified.

    .venv/bin/python tests/domain/data/fresh_generator.py  # rewrites the file, seed fixed

The hand-written companion, fresh_handwritten.jsonl, covers what templates do badly.
"""

from __future__ import annotations

import calendar
import json
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import opencc

OUT = Path(__file__).resolve().parent / "fresh_generated.jsonl"
TZ = timezone(timedelta(hours=8))
R = random.Random(20261201)
S2HK = opencc.OpenCC("s2hk").convert
S2TW = opencc.OpenCC("s2tw").convert
T2S = opencc.OpenCC("t2s").convert

# --- pools ---------------------------------------------------------------------------------
FULL_NAMES = ["周志强", "陈美玲", "刘建国", "黄丽娟", "林家豪", "郑秀英", "何伟明", "吴婷婷", "梁国栋", "冯晓燕",
              "罗嘉欣", "许文杰", "邓海燕", "曾志伟", "彭佳慧", "谢安琪", "蔡明辉", "钟丽华", "叶振宇", "卢小红",
              "杨帆", "朱琳", "胡斌", "高洁", "宋涛", "韩雪", "唐亮", "潘婷", "杜鹏", "孔颖"]
TITLED = ["张先生", "李小姐", "陈太", "何生", "林女士", "王太太", "黄生", "梁小姐", "邓先生", "苏女士",
          "钟太", "罗先生", "谭小姐", "麦生", "区太"]
EN_CN = ["Kelly黄", "Vivian林", "Jason陈", "Amy刘", "Eric张", "Coco何"]
MAINLAND = ["13{}".format(R.randint(100000000, 999999999)) for _ in range(40)] + \
           ["18{}".format(R.randint(100000000, 999999999)) for _ in range(30)] + \
           ["15{}".format(R.randint(100000000, 999999999)) for _ in range(30)]
HK = ["{}{}".format(R.choice("569"), R.randint(1000000, 9999999)) for _ in range(40)]
TW = ["09{}".format(R.randint(10000000, 99999999)) for _ in range(30)]
ADDR_CN = ["广州市越秀区东风中路318号", "佛山市南海区大沥镇广佛路12号", "深圳市福田区莲花路2008号", "东莞市南城区宏图路88号",
           "中山市东区兴中道6号", "珠海市香洲区情侣中路39号", "惠州市惠城区江北文昌一路9号", "江门市蓬江区建设路45号",
           "广州市番禺区石基镇前锋路23号", "佛山市顺德区大良街道凤山东路5号", "深圳市龙岗区布吉街道吉华路301号",
           "广州市白云区机场路1718号", "肇庆市端州区天宁北路16号", "清远市清城区人民一路33号", "汕头市龙湖区长平路120号"]
ADDR_HK = ["观塘开源道55号", "将军澳尚德邨尚智楼1203室", "屯门屯喜路2号", "大埔宝湖道3号", "红磡黄埔花园9期6座",
           "铜锣湾告士打道280号", "马鞍山西沙路608号", "葵涌葵芳邨葵荣楼8楼"]
ADDR_TW = ["台北市大安区敦化南路二段76号", "新竹市东区光复路一段89号", "台南市东区长荣路三段15号",
           "桃园市中坜区中正路120号", "台中市西屯区台湾大道三段99号"]
# (as written, key, material, default unit)
PRODUCTS = [("实木床", "床", "solid", "张"), ("板式床", "床", "panel", "张"), ("乳胶床垫", "床垫", None, "张"),
            ("床头柜", "床头柜", None, "个"), ("实木床头柜", "床头柜", "solid", "个"), ("板式衣柜", "衣柜", "panel", "个"),
            ("实木衣柜", "衣柜", "solid", "个"), ("餐桌", "餐桌", None, "张"), ("实木餐桌", "餐桌", "solid", "张"),
            ("餐椅", "餐椅", None, "把"), ("实木餐椅", "餐椅", "solid", "把"), ("布艺沙发", "沙发", None, "套"),
            ("真皮沙发", "沙发", None, "套"), ("茶几", "茶几", None, "个"), ("电视柜", "电视柜", None, "个"),
            ("板式书桌", "书桌", "panel", "张"), ("书柜", "书柜", None, "个"), ("鞋柜", "鞋柜", None, "个"),
            ("五斗柜", "斗柜", None, "个"), ("梳妆台", "梳妆台", None, "张"), ("儿童床", "床", None, "张"),
            ("实木儿童床", "床", "solid", "张")]
CN_NUM = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 8: "八"}
PAY = [("全款", "full"), ("已付清", "full"), ("款已结清", "full"), ("担保单", "guaranteed"), ("走担保", "guaranteed"),
       ("付了定金", "deposit"), ("收订金500", "deposit"), ("首付3000", "deposit"), ("货到付款", "cod"), ("送货收款", "cod")]
PAY_HK = [("俾咗钱", "full"), ("全数俾咗", "full"), ("落咗订", "deposit"), ("按金已收", "deposit"), ("货到俾钱", "cod")]
PAY_EN = [("paid in full", "full"), ("deposit paid", "deposit"), ("COD", "cod"), ("full payment", "full")]
STAFF = ["小李", "阿芳", "店长", "Mandy", "小王"]
WEEKDAYS_CN = "一二三四五六日"
# holidays in the corpus window, for the holiday-relative dates
HOLIDAYS = {"元旦": lambda y: date(y, 1, 1), "圣诞": lambda y: date(y, 12, 25), "平安夜": lambda y: date(y, 12, 24),
            "春节": lambda y: {2027: date(2027, 2, 6)}.get(y), "元宵": lambda y: {2027: date(2027, 2, 20)}.get(y)}


def sent_time(lo: date = date(2026, 11, 2), hi: date = date(2027, 2, 20)) -> datetime:
    d = lo + timedelta(days=R.randrange((hi - lo).days))
    return datetime(d.year, d.month, d.day, R.randint(9, 20), R.choice((3, 12, 27, 41, 55)), tzinfo=TZ)


def on_or_after(today: date, month: int, day: int) -> date:
    for y in (today.year, today.year + 1):
        try:
            d = date(y, month, day)
        except ValueError:
            continue
        if d >= today:
            return d
    raise ValueError


def fmt_phone(p: str) -> str:
    style = R.randrange(4)
    if len(p) == 11:
        return [p, f"{p[:3]} {p[3:7]} {p[7:]}", f"{p[:3]}-{p[3:7]}-{p[7:]}", p][style]
    if len(p) == 8:
        return [p, f"{p[:4]} {p[4:]}", f"+852 {p[:4]} {p[4:]}", f"{p[:4]}-{p[4:]}"][style]
    return [p, f"{p[:4]}-{p[4:7]}-{p[7:]}", f"{p[:4]} {p[4:7]} {p[7:]}", p][style]


def phone_value(written: str) -> str:
    return ("+" if written.startswith("+") else "") + "".join(c for c in written if c.isdigit())


def a_date(sent: datetime, style: str = "any") -> tuple[str, date]:
    """(text, resolved date) for a delivery date written in one of many ways."""
    today = sent.date()
    monday = today - timedelta(days=today.weekday())
    choices = ["md_cn", "md_slash", "md_dot", "next_week", "rel", "day_after_n", "month_end", "this_week",
               "holiday", "ymd_dash"] if style == "any" else [style]
    kind = R.choice(choices)
    if kind == "md_cn":
        d = today + timedelta(days=R.randint(2, 40))
        return f"{d.month}月{d.day}日" if R.random() < .5 else f"{d.month}月{d.day}号", d
    if kind == "md_slash":
        d = today + timedelta(days=R.randint(2, 40))
        return f"{d.month}/{d.day}", d
    if kind == "md_dot":
        d = today + timedelta(days=R.randint(2, 40))
        return f"{d.month}.{d.day}", d
    if kind == "ymd_dash":
        d = today + timedelta(days=R.randint(2, 40))
        return R.choice((f"{d.year}-{d.month:02d}-{d.day:02d}", f"{d.year}/{d.month}/{d.day}")), d
    if kind == "next_week":
        wd = R.randrange(7)
        word = R.choice(("下周", "下个礼拜", "下星期", "下礼拜"))
        return f"{word}{WEEKDAYS_CN[wd]}", monday + timedelta(days=7 + wd)
    if kind == "this_week":
        if today.weekday() >= 5:
            return a_date(sent, "next_week")
        wd = R.randint(today.weekday() + 1, 6)
        word = R.choice(("这周", "本周", "这个星期", "这礼拜"))
        return f"{word}{WEEKDAYS_CN[wd]}", monday + timedelta(days=wd)
    if kind == "rel":
        word, n = R.choice((("明天", 1), ("后天", 2), ("大后天", 3)))
        return word, today + timedelta(days=n)
    if kind == "day_after_n":
        n = R.choice((3, 5, 10))
        return R.choice((f"{n}天后", f"{n}天之后")), today + timedelta(days=n)
    if kind == "month_end":
        if R.random() < .7:
            return "月底", date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
        y, m = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return "下个月底", date(y, m, calendar.monthrange(y, m)[1])
    if kind == "holiday":
        options = []
        for name, at in HOLIDAYS.items():
            for y in (today.year, today.year + 1):
                h = at(y)
                if h and today < h <= today + timedelta(days=60):
                    options.append((name, h))
        if not options:
            return a_date(sent, "md_cn")
        name, h = R.choice(options)
        form = R.randrange(3)
        if form == 0:  # the first <weekday> after the holiday
            wd = R.choice((0, 0, 2, 5))
            d = h + timedelta(days=1)
            while d.weekday() != wd:
                d += timedelta(days=1)
            return f"{name}后第一个{R.choice(('周', '礼拜', '星期'))}{WEEKDAYS_CN[wd]}", d
        if form == 1:
            return f"{name}前一天", h - timedelta(days=1)
        return f"{name}当天", h
    raise AssertionError(kind)


def items_text(n_lines: int | None = None) -> tuple[str, list[dict]]:
    n_lines = n_lines or R.choice((1, 1, 2, 2, 3))
    picked = R.sample(PRODUCTS, n_lines)
    keys = set()
    parts, gold = [], []
    for word, key, material, unit in picked:
        if key in keys:
            continue
        keys.add(key)
        q = R.choice((1, 1, 2, 4)) if unit != "把" else R.choice((4, 6, 8))
        spec = None
        if key == "床" and R.random() < .5:
            spec = R.choice(("1.8米", "1.5米", "1.2米"))
        form = R.randrange(3)
        written = word + (spec or "")
        if form == 0:
            parts.append(f"{written}{CN_NUM.get(q, str(q))}{unit}")
        elif form == 1:
            parts.append(f"{written}x{q}")
        else:
            parts.append(f"{written}{q}{unit}")
        gold.append({"product": key, "material": material, "quantity": q,
                     "unit": None if form == 1 else unit, "spec": spec})
    return R.choice(("，", "、", " ", "+")).join(parts), gold


def rec(kind, ref=None, name=None, phone=None, address=None, d=None, payment=None, items=(), category=None):
    return {"kind": kind, "order_ref": ref, "customer_name": name, "customer_phone": phone, "address": address,
            "delivery_date": d.isoformat() if d else None, "payment": payment, "items": list(items),
            "aftersales_category": category}


# --- order numbers in other stores' schemes ---------------------------------------------------
def contract_ref(sent: datetime) -> str:
    y = sent.year
    n = R.randint(1, 999)
    return R.choice((
        f"HT-{y}-{n:04d}", f"HT{y}{sent.month:02d}{n:03d}", f"SO-{y}{sent.month:02d}-{n:03d}",
        f"XS{y}{sent.month:02d}{sent.day:02d}-{n:02d}", f"MJ-{y}-{n:03d}", f"KS{str(y)[2:]}-{n:04d}",
        f"CT-{y}{sent.month:02d}-{n:04d}", f"ZY{y}-{n:05d}", f"{y}-HT-{n:03d}",
    ))


def house_ref(sent: datetime) -> str:
    return f"DD{sent.year}{sent.month:02d}{R.randint(1, 120):03d}"


def any_ref(sent: datetime) -> str:
    return contract_ref(sent) if R.random() < .55 else house_ref(sent)


def a_name() -> str:
    return R.choice((R.choice(FULL_NAMES), R.choice(TITLED), R.choice(TITLED), R.choice(EN_CN)))


def a_phone(region: str = "cn") -> tuple[str, str]:
    p = R.choice({"cn": MAINLAND, "hk": HK, "tw": TW}[region])
    w = fmt_phone(p)
    return w, phone_value(w)


# --- order templates ----------------------------------------------------------------------------
def order_bracket(sent):
    name, (pw, pv), addr = a_name(), a_phone(), R.choice(ADDR_CN)
    it, gold = items_text()
    dt, d = a_date(sent)
    pay, pval = R.choice(PAY)
    open_, close = R.choice((("【", "】"), ("[", "]"), ("〔", "〕")))
    lab = lambda s: f"{open_}{s}{close}"  # noqa: E731
    fields = [(R.choice(("客户", "顾客", "客户名")), name), (R.choice(("电话", "手机", "联系方式")), pw),
              (R.choice(("地址", "送货地址", "安装地址")), addr), (R.choice(("产品", "货品", "品名")), it),
              (R.choice(("送货日期", "交期", "送货时间", "安装日期")), dt), (R.choice(("付款", "付款方式", "结算")), pay)]
    ref = None
    if R.random() < .4:
        ref = contract_ref(sent)
        fields.insert(0, (R.choice(("合同号", "合同编号", "单号")), ref))
    sep = R.choice(("", " ", "\n"))
    text = sep.join(lab(k) + v for k, v in fields)
    return text, rec("order", ref, name, pv, addr, d, pval, gold)


def order_ref_first_record(sent):
    ref = contract_ref(sent)
    name, (pw, pv) = a_name(), a_phone()
    addr = R.choice(ADDR_CN)
    it, gold = items_text()
    dt, d = a_date(sent, R.choice(("md_cn", "md_slash", "next_week", "rel")))
    pay, pval = R.choice(PAY)
    sep = R.choice(("|", " | ", "/", "／"))
    if sep.strip() in ("/", "／") and "/" in dt:
        dt, d = a_date(sent, "md_cn")
    parts = [ref, name, pw, it, dt + R.choice(("", "送")), pay, addr]
    if R.random() < .5:
        parts = [ref, name, pw, addr, it, dt, pay]
    return sep.join(parts), rec("order", ref, name, pv, addr, d, pval, gold)


def order_forwarded(sent):
    staff = R.choice(STAFF)
    name, (pw, pv), addr = R.choice(FULL_NAMES + TITLED), a_phone(), R.choice(ADDR_CN)
    it, gold = items_text()
    dt, d = a_date(sent, R.choice(("md_cn", "next_week", "rel", "this_week")))
    pay, pval = R.choice(PAY)
    hh = R.randint(9, 20)
    head = R.choice(("[聊天记录]", "转发的聊天记录：", "——转发——", "以下为转发内容"))
    lines = [head, f"{staff} {hh}:0{R.randint(0, 9)}", f"客户{name}，{pw}",
             f"{staff} {hh}:1{R.randint(0, 9)}", f"要{it}，{dt}送",
             f"{staff} {hh}:2{R.randint(0, 9)}", f"地址{addr}，{pay}"]
    return "\n".join(lines), rec("order", None, name, pv, addr, d, pval, gold)


def order_voice(sent):
    name, addr = R.choice(FULL_NAMES + TITLED), R.choice(ADDR_CN)
    p = R.choice(MAINLAND)
    spoken = "".join("零一二三四五六七八九"[int(c)] for c in p) if R.random() < .5 else p
    it, gold = items_text(R.choice((1, 2)))
    dt, d = a_date(sent, R.choice(("md_cn", "next_week", "rel", "month_end", "day_after_n")))
    pay, pval = R.choice(PAY)
    text = R.choice((
        f"那个{name}啊就是刚刚来的那个他在我们店定了{it}然后电话是{spoken}地址是{addr}然后说{dt}送过去{pay}",
        f"嗯跟单那边记一下{name}订了{it}电话{spoken}嗯送到{addr}时间是{dt}哦对了{pay}",
        f"刚才{name}过来定了{it}啊{dt}要送{addr}电话号码{spoken}{pay}的",
    ))
    return text, rec("order", None, name, p, addr, d, pval, gold)


def order_mid_sentence_name(sent):
    name, (pw, pv), addr = R.choice(FULL_NAMES + EN_CN), a_phone(), R.choice(ADDR_CN)
    it, gold = items_text()
    dt, d = a_date(sent)
    pay, pval = R.choice(PAY)
    text = R.choice((
        f"今天下午{name}在我们店定了{it}，{dt}送到{addr}，电话{pw}，{pay}",
        f"老顾客{name}又在店里买了{it}，送{addr}，{dt}，{pw}，{pay}",
        f"刚成交一单：{name}订了{it}，{pay}，{dt}送货，{addr}，联系{pw}",
        f"记一下 {name} 下单了 {it} {dt}送 {addr} {pw} {pay}",
    ))
    return text, rec("order", None, name, pv, addr, d, pval, gold)


def order_contract(sent):
    ref = contract_ref(sent)
    name, (pw, pv), addr = R.choice(FULL_NAMES), a_phone(), R.choice(ADDR_CN)
    it, gold = items_text()
    dt, d = a_date(sent, R.choice(("md_cn", "ymd_dash", "md_slash")))
    pay, pval = R.choice(PAY)
    text = (f"{R.choice(('合同编号', '合同号', '销售合同No.', '订货单号'))}：{ref}\n{R.choice(('甲方', '买方', '客户'))}：{name}\n"
            f"联系电话：{pw}\n交货地点：{addr}\n{R.choice(('品名', '货品', '产品'))}：{it}\n"
            f"{R.choice(('交货日期', '交期', '约定送货日'))}：{dt}\n{R.choice(('付款方式', '结算方式'))}：{pay}")
    return text, rec("order", ref, name, pv, addr, d, pval, gold)


def order_member_no(sent):
    name, (pw, pv), addr = R.choice(FULL_NAMES + TITLED), a_phone(), R.choice(ADDR_CN)
    it, gold = items_text()
    dt, d = a_date(sent, R.choice(("md_cn", "md_slash", "next_week")))
    pay, pval = R.choice(PAY)
    no = R.choice((f"VIP{R.randint(1000, 9999)}", f"{R.randint(10, 99)}号", f"会员{R.randint(10000, 99999)}",
                   f"No.{R.randint(1, 99)}"))
    text = f"客户：{no} {name}\n电话：{pw}\n地址：{addr}\n产品：{it}\n送货：{dt}\n付款：{pay}"
    return text, rec("order", None, name, pv, addr, d, pval, gold)


def order_cantonese(sent):
    name, (pw, pv), addr = R.choice(TITLED + FULL_NAMES[:8]), a_phone("hk"), R.choice(ADDR_HK)
    it, gold = items_text()
    dt, d = a_date(sent, R.choice(("md_cn", "next_week", "rel", "this_week")))
    dt = dt.replace("明天", "听日").replace("后天", "后日").replace("下周", "下个礼拜")
    pay, pval = R.choice(PAY_HK)
    text = R.choice((
        f"{name} {pw} 要{it} {dt}送 {addr} {pay}",
        f"{name}落咗单，{it}，{dt}送去{addr}，{pay}，电话{pw}",
        f"新单 {name} {it} {dt}到货 {addr} {pw} {pay}",
    ))
    return _traditional(text, S2HK), rec("order", None, name, pv, addr, d, pval, gold)


def order_taiwan(sent):
    name, (pw, pv), addr = R.choice(FULL_NAMES + TITLED[:6]), a_phone("tw"), R.choice(ADDR_TW)
    it, gold = items_text()
    dt, d = a_date(sent, R.choice(("md_slash", "next_week", "this_week", "md_cn")))
    dt = dt.replace("下周", "下礼拜").replace("这周", "这礼拜")
    pay, pval = R.choice((("已付清", "full"), ("付订金", "deposit"), ("货到付款", "cod"), ("全额付清", "full")))
    text = R.choice((
        f"客户{name}／手机{pw}／{addr}／{it}／{dt}配送／{pay}",
        f"{name} 手机{pw} 订购{it} 预计{dt}配送到{addr} {pay}",
    ))
    return _traditional(text, S2TW), rec("order", None, name, pv, addr, d, pval, gold)


def order_english(sent):
    name = R.choice(("Kelly Wong", "Mr Lam", "Ms Cheung", "Peter", "Joanne", "Vivian林", "Ms Ho"))
    pw, pv = a_phone(R.choice(("hk", "cn")))
    addr = R.choice(ADDR_HK + ADDR_CN[:4])
    en = R.choice((("sofa", "沙发"), ("coffee table", None), ("wardrobe", None), ("dining table", None)))
    q = R.choice((1, 2))
    prod = en[0]
    dt, d = a_date(sent, "md_slash")
    pay, pval = R.choice(PAY_EN)
    text = R.choice((
        f"New order - {name}, {pw}, {prod} x{q}, deliver {dt}, {pay}, addr: {addr}",
        f"{name} {pw} / {prod} x{q} / {dt} / {pay} / {addr}",
    ))
    return text, rec("order", None, name, pv, addr, d, pval, [{"product": prod, "material": None, "quantity": q,
                                                               "unit": None, "spec": None}])


# --- changes without the usual verbs ------------------------------------------------------------
def change_postpone(sent):
    ref = any_ref(sent)
    dt, d = a_date(sent, R.choice(("md_cn", "next_week", "md_slash", "holiday")))
    text = R.choice((
        f"{ref} 客户说房子还没装修好，推后到{dt}再送",
        f"{ref} 送货往后挪到{dt}",
        f"{ref} 交期顺延至{dt}",
        f"{ref} 客户要求延迟至{dt}送货",
        f"{ref} 先别送，等{dt}再送过去",
        f"{ref} 押后到{dt}先送",
        f"{ref} 客人话迟啲先送，{dt}",
    ))
    return text, rec("change", ref, d=d)


def change_add(sent):
    ref = any_ref(sent)
    word, key, material, unit = R.choice(PRODUCTS)
    n = R.choice((1, 2, 2, 4))
    text = R.choice((
        f"{ref} 客户要再加{CN_NUM.get(n, n)}{unit}{word}",
        f"{ref} 追加{word}{n}{unit}，一起送",
        f"{ref} 加多{CN_NUM.get(n, n)}{unit}{word}",
        f"{ref} 另外加{word}x{n}，其他照旧",
        f"{ref} 补{CN_NUM.get(n, n)}{unit}{word}进去",
    ))
    return text, rec("change", ref, items=[{"product": key, "material": material, "quantity": n, "unit": unit,
                                            "spec": None}])


def change_remove(sent):
    ref = any_ref(sent)
    word, key, material, unit = R.choice(PRODUCTS)
    text = R.choice((
        f"{ref} {word}先不用送了，其他照旧",
        f"{ref} 拿掉{word}那一项",
        f"{ref} {word}唔使送啦，其他照送",
        f"{ref} 删掉{word}，剩下的照常送",
        f"{ref} 客户说{word}不需要了，别的不变",
    ))
    return text, rec("change", ref, items=[{"product": key, "material": material, "quantity": 1, "unit": None,
                                            "spec": None}])


def change_count(sent):
    ref = any_ref(sent)
    word, key, material, unit = R.choice(PRODUCTS)
    n, m = R.sample((1, 2, 3, 4, 6, 8), 2)
    text = R.choice((
        f"{ref} {word}是{n}{unit}，不是{m}{unit}",
        f"{ref} {word}数量更正为{n}{unit}",
        f"{ref} {word}要{n}{unit}才对",
        f"{ref} {word}的数量以{n}{unit}为准",
    ))
    return text, rec("change", ref, items=[{"product": key, "material": material, "quantity": n, "unit": unit,
                                            "spec": None}])


def change_field(sent):
    ref = any_ref(sent)
    kind = R.randrange(3)
    if kind == 0:
        addr = R.choice(ADDR_CN)
        text = R.choice((f"{ref} 客户搬家了，新地址：{addr}", f"{ref} 送货地点更新：{addr}",
                         f"{ref} 地址以这个为准 {addr}"))
        return text, rec("change", ref, address=addr)
    if kind == 1:
        pw, pv = a_phone()
        text = R.choice((f"{ref} 客户换号码了，新电话{pw}", f"{ref} 联系电话以{pw}为准", f"{ref} 新手机号 {pw}"))
        return text, rec("change", ref, phone=pv)
    pay, pval = R.choice((("全款", "full"), ("货到付款", "cod"), ("担保", "guaranteed")))
    text = R.choice((f"{ref} 付款方式变更为{pay}", f"{ref} 客户说改{pay}", f"{ref} 付款那栏更新：{pay}"))
    return text, rec("change", ref, payment=pval)


# --- cancellations ------------------------------------------------------------------------------------
def cancel(sent):
    ref = any_ref(sent)
    new = any_ref(sent)
    text = R.choice((
        f"{ref} 客户撤回订单",
        f"{ref} 此单作废，以新单{new}为准",
        f"{ref} 作废，重新下单",
        f"{ref} 废单，客户不买了",
        f"{ref} 整单撤销",
        f"客户决定撤回 {ref}",
        f"{ref} 客人唔要喇，成单撤咗佢",
        f"{ref} 單作廢 新單取代",
        f"{ref} withdraw please, customer changed mind",
        f"{ref} void, the new order replaces it",
    ))
    if "撤咗" in text or "廢" in text:
        text = _traditional(text, S2HK)
    return text, rec("cancel", ref)


# --- status questions ---------------------------------------------------------------------------------
def query(sent):
    ref = any_ref(sent)
    word, key, material, unit = R.choice(PRODUCTS[:18])
    name = R.choice(TITLED)
    kind = R.randrange(3)
    if kind == 0:
        text = R.choice((f"{ref} 而家去到边", f"{ref} 出咗货未", f"{ref} 有冇消息", f"{ref} 送货日子定咗未",
                         f"{ref} 几时有得送", f"{ref} 排咗期未"))
        return _traditional(text, S2HK), rec("query", ref)
    if kind == 1:
        text = R.choice((f"请问{ref}目前进度", f"{ref}送到哪里了", f"{ref}何时可以出货", f"想确认一下{ref}的配送日期",
                         f"{ref} 现在是什么状况"))
        return _traditional(text, S2TW), rec("query", ref)
    pw, pv = a_phone("hk")
    text = R.choice((f"{name} {pw} 嗰张{word}到咗仓未", f"{name}({pw})订嘅{word}几时送得", f"{name}嘅{word}去到边"))
    return _traditional(text, S2HK), rec("query", None, name, pv if pw in text else None,
                                         items=[{"product": key, "material": material, "quantity": 1, "unit": None,
                                                 "spec": None}])


# --- after-sales ------------------------------------------------------------------------------------
SYMPTOMS = ["一坐就吱吱响", "一躺上去就咯吱咯吱响", "有股刺鼻的味道", "味很冲，开窗几天都散不掉", "坐垫塌下去了",
            "中间陷下去一块", "表面鼓包起泡", "漆面起了很多小泡", "边角崩了一块", "桌角缺了个口", "抽屉一拉就咔咔响",
            "门板合不拢", "腿一碰就摇", "木头有裂纹"]
DAMAGE = ["送货时把客户家门框撞掉一块漆", "搬运的时候把客户电梯刮花了", "师傅把客户家的地砖磕破了",
          "安装时钻坏了客户墙里的水管", "送货师傅把客户的木地板划了一道", "搬上楼时撞坏了客户家的楼梯扶手"]
ROOM = ["放进房间太挤了，跟房间不合", "和房间尺寸对不上", "房间太小，摆进去门都开不了", "跟客户的房间不匹配，要换小号",
        "客户量错了房间，摆不进去", "放到卧室里顶到窗台了"]


def aftersales(sent):
    ref = any_ref(sent)
    word, key, material, unit = R.choice([p for p in PRODUCTS if p[1] not in ("餐椅",)])
    kind = R.choice(("quality", "quality", "other", "size"))
    if kind == "quality":
        text = R.choice((f"{ref} 客户反映{word}{R.choice(SYMPTOMS)}", f"{ref} {word}{R.choice(SYMPTOMS)}，客户要求处理",
                         f"{ref}的{word}{R.choice(SYMPTOMS)}，麻烦安排"))
        items = [{"product": key, "material": material, "quantity": 1, "unit": None, "spec": None}]
    elif kind == "other":
        text = R.choice((f"{ref} {R.choice(DAMAGE)}，客户很不满", f"{ref} {R.choice(DAMAGE)}，要给客户一个说法"))
        items = []
    else:
        text = R.choice((f"{ref} {word}{R.choice(ROOM)}", f"{ref} 客户说{word}{R.choice(ROOM)}"))
        items = [{"product": key, "material": material, "quantity": 1, "unit": None, "spec": None}]
    if R.random() < .3:
        text = _traditional(text, S2HK if R.random() < .5 else S2TW)
    return text, rec("aftersales", ref, items=items, category=kind)


UNKNOWN = ["早晨", "收到晒，唔该", "好嘅", "OK 👌", "[语音]", "[视频]", "[图片] 客户家里的照片", "今日台风停止送货",
           "下周一盘点，仓库停发一天", "年底冲量，大家加油💪", "元旦前后送货比较紧，请提前报单", "月底前交报表",
           "實木床展示款到店了，大家可以帶客戶來看", "noted with thanks", "辛苦了", "👌👌", "好的，明白",
           "明早开会九点", "欢迎新同事Amy加入", "春节放假安排稍后通知", "[文件] 12月价格表.xlsx", "收到，马上处理",
           "早上好各位", "今天下雨，送货注意安全"]


def _traditional(text: str, convert) -> str:
    t = convert(text)
    return t if T2S(t) == text else text


TEMPLATES = [(order_bracket, 26), (order_ref_first_record, 24), (order_forwarded, 14), (order_voice, 14),
             (order_mid_sentence_name, 20), (order_contract, 12), (order_member_no, 10), (order_cantonese, 14),
             (order_taiwan, 10), (order_english, 8), (change_postpone, 16), (change_add, 12), (change_remove, 10),
             (change_count, 10), (change_field, 10), (cancel, 22), (query, 30), (aftersales, 36)]


def main() -> None:
    rows = []
    n = 0
    for make, count in TEMPLATES:
        for _ in range(count):
            n += 1
            sent = sent_time()
            text, expected = make(sent)
            rows.append({"id": f"f{n:03d}", "sent_at": sent.isoformat(), "text": text, "expected": expected})
    for text in UNKNOWN:
        n += 1
        rows.append({"id": f"f{n:03d}", "sent_at": sent_time().isoformat(), "text": text, "expected": rec("unknown")})
    with OUT.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} messages -> {OUT}")


if __name__ == "__main__":
    main()
