"""单号: order references the message names (DD202612005, 合同号 HT-2026-301), upper-cased.

Besides the house format, stores quote their own contract numbers without a label: letters,
a year and a serial with dashes between (HT-2026-0315, SO-202612-015, KS27-0779,
XS20261122-387), or a dated serial (20270114-008) heading a slash/pipe record.
"""

from __future__ import annotations

import re

from .spans import Found

# DD + YYYYMM + sequence is the house format (domain.numbering); staff also quote contract numbers
# behind a label, in any letters-digits-dashes shape.
_HOUSE = re.compile(r"(?<![A-Za-z0-9])[Dd]{2}[\s-]?(\d{6,12})(?!\d)")
_VALUE = r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
_LABELLED = re.compile(
    r"(?:合同编?号|订单编?号|订货单号|单号|编号|单据号|order\s*(?:no\.?|number|#|ref)|ref\.?|no\.)"
    rf"\s*[:#]?\s*({_VALUE})"
    # Bare 合同/订单 also head messages (订单 客户王小明 ...); only a value led by letters is a ref.
    r"|(?:合同|订单)\s*[:#]?\s*([A-Za-z]{1,4}-?\d[A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)",
    re.I,
)
# Unlabelled contract numbers: an upper-case prefix of two to four letters (x, m, cm are
# sizes, so one letter is not enough) with a year-like run of digits, dashes allowed; or the
# same the other way round (2026-HT-001).
_SCHEME = re.compile(
    r"(?<![A-Za-z0-9.+\-])"
    r"(?:[A-Z]{2,4}-?\d{2,}(?:-\d{2,})*(?:-[A-Z]{1,3})?|\d{4}-[A-Z]{2,4}-\d{2,})"
    r"(?![A-Za-z0-9]|\.\d|-\d)"
)
# A dated serial heading a record: 20270114-008 / 邱淑贞 / ...
_DATED_SERIAL = re.compile(r"^\s*(20\d{6,10}-\d{2,4})(?=\s*[/|,，;:])")
# Letter prefixes that are words or units, not numbering schemes.
_NOT_SCHEME = re.compile(r"^(?:VIP|NO|TEL|FAX|QQ|WX|HKD|RMB|USD|CM|MM|KG|PCS|SET|SETS|X)(?:-|\d)")


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
        if _overlaps(found, m.start(), m.end()):
            continue
        found.append(Found(m.start(), m.end(), "DD" + m.group(1)))
    for m in _SCHEME.finditer(text):
        value = m.group()
        if (_overlaps(found, m.start(), m.end()) or _NOT_SCHEME.match(value)
                or sum(c.isdigit() for c in value) < 5):
            continue
        found.append(Found(m.start(), m.end(), _clean(value)))
    dated = _DATED_SERIAL.match(text)
    if dated and not _overlaps(found, dated.start(1), dated.end(1)):
        found.append(Found(dated.start(1), dated.end(1), dated.group(1)))
    found.sort(key=lambda f: f.start)
    return found


def _overlaps(found: list[Found[str]], start: int, end: int) -> bool:
    return any(f.start < end and start < f.end for f in found)


def _clean(value: str) -> str:
    value = value.upper().replace(" ", "")
    if value.startswith("DD-"):
        value = "DD" + value[3:]
    return value
