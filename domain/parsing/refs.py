"""单号: order references the message names (DD202612005, 合同号 HT-2026-301), upper-cased."""

from __future__ import annotations

import re

from .spans import Found

# DD + YYYYMM + sequence is the house format (rules.md); staff also quote contract numbers
# behind a label, in any letters-digits-dashes shape.
_HOUSE = re.compile(r"(?<![A-Za-z0-9])[Dd]{2}[\s-]?(\d{6,12})(?!\d)")
_VALUE = r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
_LABELLED = re.compile(
    r"(?:合同编?号|订单编?号|单号|编号|order\s*(?:no\.?|number|#|ref)|ref\.?|no\.)"
    rf"\s*[:#]?\s*({_VALUE})"
    # Bare 合同/订单 also head messages (订单 客户王小明 ...); only a value led by letters is a ref.
    r"|(?:合同|订单)\s*[:#]?\s*([A-Za-z]{1,4}-?\d[A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)",
    re.I,
)


def find_refs(text: str) -> list[Found[str]]:
    found: list[Found[str]] = []
    for m in _LABELLED.finditer(text):
        value = m.group(1) or m.group(2)
        # A bare phone-length number behind 订单 is usually not a reference; keep ones with letters
        # or dashes, or long house-style digits.
        if sum(c.isdigit() for c in value) < 3:
            continue
        found.append(Found(m.start(), m.end(), _clean(value)))
    for m in _HOUSE.finditer(text):
        if any(f.start <= m.start() < f.end for f in found):
            continue
        found.append(Found(m.start(), m.end(), "DD" + m.group(1)))
    found.sort(key=lambda f: f.start)
    return found


def _clean(value: str) -> str:
    value = value.upper().replace(" ", "")
    if value.startswith("DD-"):
        value = "DD" + value[3:]
    return value
