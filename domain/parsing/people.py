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
    r"(?:客户|客人|顾客|姓名|名字|收货人|联系人|买家|业主|customer|client|name)"
    # voice-to-text: 客户姓王叫王大明 / 客户名叫张三
    r"\s*(?:姓(?P<sn>[\u4e00-\u9fff]{1,2})\s*,?\s*(?=叫|(?P=sn)))?(?:的?名字|姓名|名)?\s*(?:是|叫)?\s*[:]?\s*",
    re.I,
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


class NameReader:
    def __init__(self, lexicon: Lexicon) -> None:
        self._surnames = lexicon.surnames
        # a given name does not run into a known word (张三实木床 is 张三, not 张三实)
        self._known = frozenset(lexicon.products) | frozenset(lexicon.materials) | lexicon.words | lexicon.units

    def read_at(self, s: str) -> str | None:
        """The Chinese name that starts s, or None."""
        surname = s[:2] if s[:2] in self._surnames else s[:1] if s[:1] in self._surnames else ""
        if not surname:
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

    def labelled(self, text: str) -> list[Found[str]]:
        found = []
        for m in _LABEL.finditer(text):
            at = m.end()
            name = self.read_at(text[at:at + 6])
            if name is None:
                en = _EN_NAME.match(text, at)
                if en and not _EN_NOT_NAME.match(en.group()):
                    name = en.group()
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
