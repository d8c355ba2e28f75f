"""付款方式: 全款/已付清 -> full, 担保 -> guaranteed, 定金/订金/首付 -> deposit, 货到付款 -> cod.

Traditional, Cantonese (俾咗钱, 落订, 按金) and English wordings map onto the same four values.
"""

from __future__ import annotations

import re

from .spans import Found

_AMOUNT = r"(?:\s*[:]?\s*(?:rmb|hkd|\$|¥)?\s*\d+(?:\.\d+)?\s*(?:元|块|蚊|rmb|hkd|万|千)?)?"

# Earlier alternatives win at the same position, so the longer wordings come first
# (货到付款 before 付款, 已付定金 before 已付).
_WORDINGS: tuple[tuple[str, str], ...] = (
    ("cod", r"货到付款|货到收款|货到付|货到先[俾畀付]|到货先[俾畀付]|送到先[俾畀付]|送货收款|送货时收款|送货付款|送到付款|到付|收货付款|到货付款|货到俾钱|"
            r"cash on delivery|pay(?:ment)? on delivery|(?<![a-z])cod(?![a-z])"),
    ("deposit", r"已付定金|已付订金|已交定金|付了定金|交了定金|定金|订金|首付|落咗订|落咗定|落了订|落订|落定|按金|预付款?|"
                r"(?<![a-z])deposit(?![a-z])|down payment"),
    ("guaranteed", r"担保单?|担保|guarantee[d]?"),
    ("full", r"全款|已付清|付清|结清|全数|全额|全部付清|已全付|付全款|俾晒钱|畀晒钱|俾咗钱|畀咗钱|俾晒|畀晒|找晒数|找咗数|已找数|"
             r"已付款?(?![定订首部一])|"
             r"paid in full|full(?:y)? paid|full payment|pay(?:ment)? in full|(?<![a-z])paid(?![a-z])"),
)
_PATTERN = re.compile("|".join(f"(?P<{name}>(?:{rx}){_AMOUNT})" for name, rx in _WORDINGS), re.I)


def find_payments(text: str) -> list[Found[str]]:
    return [Found(m.start(), m.end(), m.lastgroup or "") for m in _PATTERN.finditer(text)]
