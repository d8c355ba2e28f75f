"""纠错样本: a sales person's correction on the confirm card as a labelled corpus line.

The label is the parse with each field the sales person set replaced by the value they set —
but only where the original message holds that value: a field the message never had
(the bot asked for it and got it in a later reply) stays null, as the corpus labels it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from .model import KINDS

_FIELDS = ("kind", "order_ref", "customer_name", "customer_phone", "address", "delivery_date", "payment", "items",
           "aftersales_category")
# Values that can be checked against the text; dates and payment words cannot (明天 / 已付清).
_SEARCHABLE = ("customer_name", "customer_phone", "address")


def _plain(value: str) -> str:
    return re.sub(r"[\s\-]+", "", unicodedata.normalize("NFKC", value))


def labelled_line(line_id: str, text: str, sent_at: datetime, parsed: Mapping[str, Any],
                  corrections: Sequence[Mapping[str, Any]], *,
                  to_simplified: Callable[[str], str] = lambda s: s) -> dict[str, Any] | None:
    """The corpus line ({"id","sent_at","text","expected",...}) or None when nothing was corrected.

    ``corrections`` are the card's edits in order, each ``{"fields": [...], "values": {...}}``;
    ``to_simplified`` makes traditional text comparable with the simplified values.
    """
    expected = {name: parsed.get(name) for name in _FIELDS}
    expected["items"] = list(parsed.get("items") or [])
    if expected["kind"] not in KINDS or expected["kind"] == "unknown":
        expected["kind"] = "order"  # a draft is an order, whatever the first reading was
    haystack = _plain(to_simplified(text))
    corrected: list[str] = []
    for edit in corrections:
        values = edit.get("values") or {}
        for name in edit.get("fields") or ():
            if name not in values or name not in _FIELDS:
                continue
            value = values[name]
            if name in _SEARCHABLE and isinstance(value, str):
                value = to_simplified(value)  # an order keeps 陳生 as typed; the contract says 陈生
            if parsed.get(name) in (None, [], "") and name in _SEARCHABLE:
                # filled in, not corrected: a label only when the message itself holds it
                if not value or _plain(str(value)) not in haystack:
                    continue
            elif parsed.get(name) in (None, [], ""):
                continue
            if name == "items":
                value = [{k: item.get(k) for k in ("product", "material", "quantity", "unit", "spec")}
                         for item in value]
            expected[name] = value
            if name not in corrected:
                corrected.append(name)
    if not corrected:
        return None
    return {"id": line_id, "sent_at": sent_at.isoformat(), "text": text, "expected": expected,
            "corrected": corrected}
