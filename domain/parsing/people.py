"""客户姓名: the customer as written (张三, 张先生, 陈生, 何太, Kevin Li).

A Chinese name is recognised by its surname (百家姓) followed by a title or one or two given
characters; a word that does not start with a surname (说, 反映, 投诉) is never a name.
"""

from __future__ import annotations

import re

from .lexicon import Lexicon
from .spans import Found

# Longest first: 小姐 before 小, 太太 before 太.
TITLES = ("先生", "小姐", "女士", "太太", "阿姨", "老师", "老板", "师傅", "经理", "总", "生", "太", "姐",
          "哥", "叔", "姨", "sir", "Sir", "SIR")
# Characters that end a given name: particles and verbs that follow names in chat.
_STOP = set("的那这说要反投问已在是订买不和电手地送付也都催想还之了讲话讲啲嘅咗嗰话讲同与跟及或单")
_LABEL = re.compile(
    r"(?:客户|客人|顾客|姓名|名字|收货人|联系人|买家|买方|甲方|业主|customer|client|name)"
    # voice-to-text: 客户姓王叫王大明 / 客户名叫张三
    r"\s*(?:姓(?P<sn>[\u4e00-\u9fff]{1,2})\s*,?\s*(?=叫|(?P=sn)))?(?:的?名字|姓名|名)?\s*(?:是|叫)?\s*[:]?\s*"
    # a customer or member number before the name: 客户:VIP1499 潘婷 / 客户:No.33 许文杰 / 19号 陈美玲
    r"(?:(?:No\.?|VIP|会员号?|编号)?\s*\d{1,8}\s*号?\s+)?",
    re.I,
)
# An English given name with a Chinese surname: Kelly黄, Jason 陈.
_EN_GIVEN_SURNAME = re.compile(r"(?<![A-Za-z])([A-Z][a-z]{1,11})\s?([\u4e00-\u9fff])(?=$|[^\u4e00-\u9fff]|[订定又在下落的买要话说嘅那这])")
# Words that introduce the customer mid-sentence: 王女士在我们店定了…, 刚才许文杰过来定了…,
# 陈太落咗单, 林先生上周订的…; the name ends right before them.
_INTRODUCES = re.compile(
    r"(?:今天|刚才|刚刚)?(?:在|喺)(?:我们|我哋|我地|店|门市|门店|铺头|展厅)|又在|又来|过来|来店|"
    r"订了|定了|订咗|定咗|落咗单|落了单|下单了|下了单|买了|订购了?|上个?(?:礼拜|周|星期)|啊就是"
)
_EN_NAME = re.compile(r"(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)?")
_EN_NOT_NAME = re.compile(
    r"^(?:DD|After|Any|Customer|Client|Update|All|Flat|Room|Deliver|Delivery|Paid|Full|Deposit|Sofa|Bed|Table|Chair|Order|Cancel|Please|Hi|Hello|Thanks|"
    r"Thank|Ok|OK|Dear|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun|"
    r"Tomorrow|Today|Next|This|Address|Tel|Phone|Solid|Panel|Wardrobe|Mattress|COD|Cash|The|New|Change)\b")
# After a bare name at the start of a chunk: 张三那单, 何太的, 王建华那张单.
_AFTER_NAME = re.compile(
    r"^(?:的|那|这|嘅|个单|的单|订的|家|屋企|说|话|讲|反映|要|问|投诉|催|取消|销单|改|[张个把套只件啲]$)")
# Chat openers before a name: 请问张生张床几时到
_FILLER = re.compile(r"^(?:(?:请问|问下|问一下|麻烦|帮我|帮忙|你好|您好|老板|看看|看下|睇下|查下|查一下|hello|hi)\s*)+", re.I)


# Everyday words that start with a surname character (原 is a surname; 原来 is not a name).
_NOT_NAME = re.compile(r"^(?:原来|原定|原本|原先|原价|原装|安装|安排|方便|时间|周末|高兴|明天|东西|白色|黄色|金色|"
                       r"江门|温度|常规|全部|全款|包装|师傅|司机|毛病)")


class NameReader:
    def __init__(self, lexicon: Lexicon) -> None:
        self._surnames = lexicon.surnames
        # a given name does not run into a known word (张三实木床 is 张三, not 张三实)
        self._known = frozenset(lexicon.products) | frozenset(lexicon.materials) | lexicon.words | lexicon.units

    def read_at(self, s: str) -> str | None:
        """The Chinese name that starts s, or None."""
        surname = s[:2] if s[:2] in self._surnames else s[:1] if s[:1] in self._surnames else ""
        if not surname or _NOT_NAME.match(s):
            return None
        rest = s[len(surname):]
        for title in TITLES:
            if rest.startswith(title):
                return surname + title
        given = ""
        for i, ch in enumerate(rest[:2]):
            if not _is_cjk(ch) or ch in _STOP or self._starts_word(rest[i:]):
                break
            given += ch
        return surname + given if given else None

    def _starts_word(self, s: str) -> bool:
        return any(s[:n] in self._known for n in (2, 3, 4))

    def english_with_surname(self, text: str, at: int = 0, anchored: bool = False) -> Found[str] | None:
        """Kelly黄 / Jason 陈: an English given name and a Chinese surname, as written."""
        m = _EN_GIVEN_SURNAME.match(text, at) if anchored else _EN_GIVEN_SURNAME.search(text, at)
        if m and m.group(2) in self._surnames and not _EN_NOT_NAME.match(m.group(1)):
            return Found(m.start(), m.end(), m.group(1) + m.group(2))
        return None

    def introduced(self, text: str) -> str | None:
        """A name right before words that introduce the customer (X在我们店定了, X落咗单)."""
        for m in _INTRODUCES.finditer(text):
            end = m.start()
            if text[end - 1:end] == "的":  # 阿姨叫李秀兰的在店里订了
                end -= 1
            for title in ("女士", "先生", "小姐", "太太"):  # 何丽珍女士在店里订了: the name, not the title
                if text.endswith(title, 0, end) and self.read_at(text[max(0, end - len(title) - 3):end - len(title)]):
                    end -= len(title)
                    break
            for length in (4, 3, 2):
                start = end - length
                if start < 0:
                    continue
                name = self.read_at(text[start:end])
                if name and len(name) == length:
                    return name
            en = self.english_with_surname(text[max(0, end - 16):end])
            if en and en.end == min(end, 16):
                return en.value
        return None

    def labelled(self, text: str) -> list[Found[str]]:
        found = []
        for m in _LABEL.finditer(text):
            at = m.end()
            en = self.english_with_surname(text, at, anchored=True)
            if en:
                found.append(Found(m.start(), en.end, en.value))
                continue
            name = self.read_at(text[at:at + 6])
            if name is None:
                english = _EN_NAME.match(text, at)
                if english and not _EN_NOT_NAME.match(english.group()):
                    name = english.group()
            if name:
                found.append(Found(m.start(), at + len(name), name))
        return found

    def in_chunk(self, chunk: str, first: bool) -> str | None:
        """A name standing alone in a chunk (张三), or leading one (张三那单取消, 何太的餐椅)."""
        chunk = _FILLER.sub("", chunk.strip(" :-~>*#@.。\"'“”()[]"))
        if not chunk:
            return None
        name = self.read_at(chunk)
        if name:
            rest = chunk[len(name):]
            if not rest or _AFTER_NAME.match(rest):
                return name
            return None
        if first:
            en = _EN_NAME.fullmatch(chunk)
            if en and not _EN_NOT_NAME.match(chunk):
                return chunk
        return None


_EN_OPENER = re.compile(r"^[\s>*\-#@]*(?:(?:new\s+)?order|customer|client|name)?\s*[:\-]?\s*", re.I)


# Mr Wong / Ms Chan anywhere in the message: the title makes it a name wherever it stands.
_EN_TITLED = re.compile(r"(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+(?![a-zA-Z]*\s*(?:Road|Rd|Street|St)\b))?")


def titled_english_name(text: str) -> str | None:
    m = _EN_TITLED.search(text)
    return m.group() if m else None


def leading_english_name(text: str) -> str | None:
    """Tony 9123 4567 ... / Mr Chan, sofa ...: an English name opening the message."""
    text = _EN_OPENER.sub("", text)
    m = _EN_NAME.match(text)
    if not m or _EN_NOT_NAME.match(m.group()):
        return None
    rest = text[m.end():]
    if rest[:1].isalpha() and rest[:1].isascii():
        return None
    return m.group()


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"
