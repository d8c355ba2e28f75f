"""消息类别: order / aftersales / change / cancel / query / unknown, and the 售后 category.

Conventions (corpus/README): a reported registration error (下错单/打错单/送错货) is after-sales
(wrong_order) even when it says the right value; a requested modification or dropping one line
is a change; cancelling the whole order is a cancel; greetings, thanks, photos are unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WRONG_ORDER = re.compile(
    r"下错单?|打错单?|打错票|票打错|单打错|送错货?|发错货?|装错|登记错|录错|录入错|写错|填错|开错单?|搞错|弄错|"
    r"送咗错|错咗|wrong (?:item|order|product)|sent the wrong",
    re.I,
)
_AFTERSALES = re.compile(
    r"售后|退货|换货|退换|换新|要换|想换|换一[张个把套]|换个|维修|修理|返修|上门修|投诉|赔偿|质量|"
    r"坏了?|烂|裂|开裂|断了?|松了?|变形|起泡|色差|异味|气味|味道大|塌陷|掉漆|脱漆|起皮|脱皮|划痕|刮花|"
    r"刮坏|磕|破损|破了|损坏|发霉|生锈|异响|响声|晃|摇晃|不平|脱胶|褪色|漏|虫|甲醛|问题|毛病|"
    r"尺寸不合适|尺寸不对|放不下|放不进|装不下|太大|太小|太高|太矮|太宽|太窄|太长|太短|不合适|"
    r"安装没装好|没装好|装不好|撞坏|撞崩|撞花|要赔|赔钱|装歪|歪了|调一下|上门调|态度|整返|烂咗|坏咗|唔啱|甩皮|甩色|爆皮|掉色|"
    r"拉不动|推不动|拉唔郁|打不开|关不上|卡住|卡死|要退|想退|退掉|退款|买大了|买小了|摆唔落|放唔落|摆不下|入唔到|"
    r"after-?sales|defect|broken|damaged|crack|return|exchange|repair|complain|"
    r"响|吱|刺鼻|味很冲|怪味|臭|塌|陷|凹|鼓包|气泡|崩|缺口|缺了|缺角|裂纹|裂痕|合不拢|关唔埋|摇|压弯|弯了|爆|有声|"
    r"smell|squeak|sag|scratch|wobbl|loose|noise|bubbl|chipped|peel|stain|doesn.?t fit|fit the room",
    re.I,
)
# A product defect described by its symptom (noise, smell, collapse, bubbles, chips).
_SYMPTOM = re.compile(
    r"响|吱|咯吱|刺鼻|味|臭|塌|陷|凹|鼓包|起泡|气泡|泡|崩|缺口|缺了|缺角|裂|合不拢|关唔埋|关不上|摇|晃|松|压弯|弯了|变形|爆|有声|"
    r"smell|squeak|noise|sag|bubble|chip|crack|wobbl", re.I)
# Damage the delivery or installation did to the customer's home is not a product defect.
_PROPERTY = re.compile(r"门框|电梯|地砖|瓷砖|水管|地板|木地板|扶手|楼梯|墙|云石地|地毯|大门|家门|道门|入户门|"
                       r"(?<![a-z])(?:lift|elevator|wall|floor|door ?frame|stairs?)(?![a-z])", re.I)
_DAMAGE = re.compile(r"撞|刮|磕|砸|蹭|钻坏|钻穿|划了|划花|划伤|整花|整烂|弄脏|弄坏|碰坏|搞花|scratch|damag|dent", re.I)
_PROPERTY_OWNER = re.compile(r"客户|客人|业主|customer|client|送货|安装|搬|师傅|mover", re.I)
# "Doesn't fit the room": the room is named with what does not fit.
_ROOM_FIT = re.compile(
    r"(?:房间|间房|卧室|客厅|书房|房)[^,，。]{0,8}(?:不合|对不上|摆不进|放不进|太小|太细|太挤|不匹配|顶到|行都行唔到|摆唔落|放唔落|入唔到)|"
    r"(?:不合|对不上|不匹配|太挤|量错)[^,，。]{0,4}(?:房间|间房|房)|"
    r"fit (?:in )?the room|doesn.?t fit|too (?:big|large) for", re.I)
_CANCEL = re.compile(r"销单|撤单|取消|退订|退单|不要了|不买了|唔要|cancel|"
                     r"撤回|撤销|撤咗|作废|废单|整单退|成单退|全部退|不想要了?|不做了|唔做|反悔|"
                     r"withdraw|(?<![a-z])void(?![a-z])", re.I)
# Cancelling words that always mean the whole order (作废 / 撤回 never drop one line).
_WHOLE_CANCEL = re.compile(r"销单|撤单|退订|cancel|撤回|撤销|撤咗|作废|废单|withdraw|(?<![a-z])void(?![a-z])", re.I)
_LINE_POSITION = re.compile(r"第\s*(?:\d+|[一二两三四五六七八九十]+)\s*(?:项|行|样)")
_WHOLE_ORDER = re.compile(r"整单|全部|订单|这单|那单|此单|单号|整张单|全单")
_CHANGE = re.compile(
    r"改单|更改|修改|改成|改为|改到|改去|改做|改作|改期|改(?=送|日期|地址|电话|时间|数量|付款|颜色|尺寸|全款|担保|定金|订金|货到|到付|现金)|"
    r"延期|推迟|延后|提前|换成|换到|加一|加多|加个|多加|加\s*\d|加[两二三四五六七八九十]|增加|添加|再加|追加|"
    r"减一|减少|少一|少送|去掉|不要了|change to|reschedule|postpone|instead|"
    # changes said without 改: postponing, adding or dropping pieces, a corrected count or value
    r"推后|往后|挪到|挪后|顺延|延迟|押后|迟啲|晚点送|晚些送|再送|早两天|早一天|提早|延后|"
    r"追加|再加|加多|另外加|另加|补[一两二三四五六七八九十\d]|多加|总共|"
    r"不用送|唔使送|不需要了|拿掉|删掉|删除|减掉|唔要嗰|只要.{0,8}就够|"
    r"更正|才对|为准|[是系]\s*\d+\s*\S?\s*[,，]?\s*不是|新地址|新电话|新手机|新号码|换号码|换了号码|搬家|更新|变更|"
    r"(?<![a-z])(?:move|add|remove|drop|more|delay)(?![a-z])|"
    r"(?<![a-z])(?:change|amend)\s*:|(?:move|moved|push|pushed|shift|shifted)\s+(?:to|back)(?![a-z])",
    re.I,
)
_QUERY = re.compile(
    r"吗|嘛|没有?[??]?$|了没|没到|到没|未到|几时|什么时候|啥时候|何时|进度|物流|查一?下|查询|请问|到哪|在哪|怎么样了|"
    r"到了没|发货了|出货了|到仓|到货了|有货|咩|未呀|未啊|搞掂未|掂未|好未|咗未|点样|有冇|得唔得|([\u4e00-\u9fff])唔\1|[??]|"
    r"(?<![a-z])(?:when|status|eta|update|any news)(?![a-z])|"
    # Cantonese and Taiwanese status questions
    r"去到边|去咗边|到边|出咗|有冇|定咗未|排咗期|未[呀啊吖]?\s*$|有得送|送得|得到|进度|到哪|哪里|状况|状态|阶段|"
    r"确认一下|确认下|是否|[係系]咪|能不能|可不可以|可唔可以|where is|shipped|(?<![a-z])yet(?![a-z])",
    re.I,
)
# A question about an order is asked, not placed: these make a name + phone + product a query.
_STRONG_QUERY = re.compile(
    r"吗|嘛|[??]|几时|什么时候|何时|到了没|了没|没有?$|未[呀啊吖]?\s*$|咗未|掂未|好未|去到边|到边|到哪|有冇|进度|状况|阶段|"
    r"送得|得到|定咗未|排咗期|是否|[係系]咪|确认|where is|status|(?<![a-z])eta(?![a-z])", re.I)
_ORDER_HEADER = re.compile(r"^\s*(?:新单|下单|订单|报单|新订单|order(?![a-z]))", re.I)
_QUALITY = re.compile(
    r"质量|坏|烂|裂|断|松|变形|起泡|色差|异味|气味|味道|塌陷|掉漆|脱漆|起皮|脱皮|划痕|破损|破了|损坏|"
    r"发霉|生锈|异响|响声|晃|不平|脱胶|褪色|漏|虫|甲醛|甩皮|甩色|爆皮|掉色|拉不动|推不动|拉唔郁|打不开|关不上|卡住|卡死|"
    r"defect|broken|damaged|crack",
    re.I,
)
_SIZE = re.compile(r"尺寸|尺码|太细|放不下|放不进|装不下|进不去|买大了|买小了|摆唔落|放唔落|摆不下|入唔到|太大|太小|太高|太矮|太宽|太窄|太长|太短|too (?:big|small|large|wide|long)", re.I)
_OTHER = re.compile(r"安装|装好|装歪|歪了|调一下|上门调|态度|投诉|赔偿|师傅|墙|地板|迟到|服务", re.I)


_COMPLAINT = re.compile(
    r"放不下|放不进|装不下|进不去|摆唔落|放唔落|摆不下|入唔到|买大了|买小了|尺寸不合适|尺寸不对|"
    r"开裂|裂了|裂缝|坏了|坏咗|烂了|烂咗|断了|变形|起泡|掉漆|脱漆|甩皮|爆皮|色差|异味|塌陷|拉不动|卡住|破损")


@dataclass(frozen=True)
class Evidence:
    """What the field readers found, which decides between order, query and unknown."""

    has_ref: bool
    has_name: bool
    has_phone: bool
    has_address: bool
    has_date: bool
    has_payment: bool
    n_items: int


def classify(text: str, ev: Evidence) -> str:
    order_fields = sum((ev.has_phone, ev.has_address, ev.has_date, ev.has_payment, ev.has_name))
    looks_like_order = ev.n_items > 0 and (order_fields >= 3 or (order_fields >= 2 and (ev.has_phone or ev.has_address)))
    if _WRONG_ORDER.search(text):
        return "aftersales"
    if "售后" in text:
        return "aftersales"
    if looks_like_order and order_fields >= 4:
        return "order"
    # phone, place, date and payment with no product word we know is still an order
    if ev.has_phone and order_fields >= 4 and not ev.has_ref:
        return "order"
    if re.search(r"改单|改訂|更改订单", text):
        return "change"
    cancel = _CANCEL.search(text)
    if cancel:
        # dropping one line (床头柜不要了, 第2项不要了) is a change; the whole order is a cancel
        if _LINE_POSITION.search(text) and not _WHOLE_ORDER.search(text):
            return "change"
        if ev.n_items and not _WHOLE_ORDER.search(text) and not _WHOLE_CANCEL.search(text):
            return "change"
        return "cancel"
    about = ev.has_ref or ev.has_name or ev.n_items
    # 衣柜放不进电梯，要换成两门的: a complaint about what arrived is after-sales even when
    # it says what to change it into
    if (_COMPLAINT.search(text) or _ROOM_FIT.search(text) or _property_damage(text)) and about:
        return "aftersales"
    if _CHANGE.search(text) and (ev.has_ref or ev.has_name or ev.n_items):
        return "change"
    if _AFTERSALES.search(text) and (ev.has_ref or ev.has_name or ev.n_items or ev.has_phone):
        return "aftersales"
    if _STRONG_QUERY.search(text) and about and not (ev.has_address or ev.has_payment):
        return "query"
    if looks_like_order:
        return "order"
    if _QUERY.search(text) and (ev.has_ref or ev.has_name or ev.n_items or ev.has_phone):
        return "query"
    if _ORDER_HEADER.search(text) and ev.n_items:
        return "order"
    if ev.n_items and order_fields >= 1 and (ev.has_phone or ev.has_address or ev.has_payment):
        return "order"
    if ev.has_ref and _QUERY.search(text):
        return "query"
    return "unknown"


def names_other_cause(text: str) -> bool:
    """An after-sales message that says why it is not a defect, size or mix-up (态度, 赔偿, 墙…)."""
    return bool(_OTHER.search(text) or _property_damage(text))


def _property_damage(text: str) -> bool:
    return bool(_DAMAGE.search(text) and _PROPERTY.search(text) and _PROPERTY_OWNER.search(text))


def aftersales_category(text: str) -> str:
    if _WRONG_ORDER.search(text):
        return "wrong_order"
    if _property_damage(text):
        return "other"
    if _SIZE.search(text) or _ROOM_FIT.search(text):
        return "size"
    if _SYMPTOM.search(text) and not _OTHER.search(text):
        return "quality"
    quality = _QUALITY.search(text)
    if quality and not (_OTHER.search(text) and not re.search(r"质量|坏|裂|断|松|变形|起泡|色差|异味|塌陷|破|甩皮|爆皮|关不上|打不开|拉不动|推不动|拉唔郁|卡住|卡死", text)):
        return "quality"
    if re.search(r"退货|换货|换新|要换", text) and not _OTHER.search(text):
        return "quality"
    return "other"


def confidence(text: str, ev: Evidence, kind: str) -> tuple[float, tuple[str, ...]]:
    """How sure ``classify`` can be, and which other kinds the text also has cues for.

    Each kind's own cue is looked for independently; a message that carries cues of several
    kinds (an order-like record that also asks 几时到, a change that also says 取消) is
    uncertain, and the bot asks rather than guesses.
    """
    about = ev.has_ref or ev.has_name or ev.n_items > 0
    order_fields = sum((ev.has_phone, ev.has_address, ev.has_date, ev.has_payment, ev.has_name))
    if kind == "order" and not ev.has_ref and order_fields >= 4:
        # a full record naming no order: only a question could make it something else
        return (0.6, ("query",)) if _STRONG_QUERY.search(text) else (0.95, ())
    cues = {
        "order": ev.n_items > 0 and order_fields >= 3,
        "change": bool(_CHANGE.search(text) or re.search(r"改单|改訂|更改订单", text)) and about,
        "cancel": bool(_CANCEL.search(text)) and about,
        "query": bool(_STRONG_QUERY.search(text)) and about,
        "aftersales": bool(_WRONG_ORDER.search(text) or _COMPLAINT.search(text) or _ROOM_FIT.search(text)
                           or _property_damage(text) or "售后" in text),
    }
    if kind == "unknown":
        # nothing read as a kind, but an order number, a phone or a product: say so
        return (0.5 if (ev.has_ref or ev.has_phone or ev.n_items) else 0.95), ()
    others = tuple(k for k, hit in cues.items() if hit and k != kind)
    # a cancel of the whole order always reads as a change too (撤回/不要了); that is no doubt
    if kind == "cancel":
        others = tuple(k for k in others if k != "change")
    # a change or after-sales message names products and often the date: not an order of its own
    if kind in ("change", "aftersales", "cancel") and "order" in others and not ev.has_phone:
        others = tuple(k for k in others if k != "order")
    if kind == "aftersales":
        # 要换成两门的 / 退货，整单退 are part of the complaint
        others = tuple(k for k in others if k not in ("change", "cancel"))
    if kind == "change" and not _WHOLE_CANCEL.search(text):
        others = tuple(k for k in others if k != "cancel")  # 床头柜不要了 drops one line
    if not others:
        return (0.95 if cues.get(kind) else 0.8), ()
    return (0.6 if len(others) == 1 else 0.5), others
