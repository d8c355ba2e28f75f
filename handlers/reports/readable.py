"""What the evidence document shows a reader: labels from the message catalogue, never enum names or JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from domain.texts import has, product_word, t
from handlers.orders.cards import item_text

# Where a value names a state or a category, the catalogue namespace it is labelled from.
_VALUE_LABELS = {
    "flags": "flag.label", "from_state": "state", "to_state": "state", "state": "state", "from": "state", "to": "state",
    "severity": "case.severity", "category": "case.category", "role": "role",
    "material": "material", "payment": "payment", "order_state": "state", "aftersales_category": "case.category",
}
# A moment stored as ISO text with its offset (2026-12-03T07:20:00+00:00): shown in the business's zone.
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")
# Fields an event records for the machine (ids, versions) rather than for the reader.
_QUIET = ("event", "action", "kind", "order_id", "parser_version", "change_id", "evidence", "requested_evidence", "path", "file_id")


def _first(language: str, keys: Iterable[str], fallback: str) -> str:
    """The text of the first of ``keys`` the catalogue has; ``fallback`` when it has none of them."""
    return next((t(language, key) for key in keys if has(key)), fallback)


def event_label(language: str, event: str, *, case: bool = False) -> str:
    """``order.changed`` / ``changed`` / ``case.opened`` / ``fine.confirmed`` as the reader's words."""
    name = event.split(".", 1)[1] if "." in event else event
    prefix = event.split(".", 1)[0] if "." in event else ("case" if case else "order")
    candidates = {"order": [f"event.{name}"], "case": [f"case.event.{name}"],
                  "fine": [f"fine.state.{name}"], "user": []}.get(prefix, [])
    return _first(language, candidates + [f"event.{name}", f"case.event.{name}"], name.replace("_", " "))


def state_label(language: str, state: str | None, *, case: bool = False) -> str:
    if not state:
        return ""
    return _first(language, ((f"case.state.{state}",) if case else ()) + (f"state.{state}", f"case.state.{state}"),
                  state)


def kind_label(language: str, kind: str) -> str:
    return _first(language, [f"audit.kind.{kind}"], kind)


def flag_labels(language: str, flags: str | list[str] | None) -> str:
    items = flags.split(",") if isinstance(flags, str) else list(flags or [])
    return t(language, "punct.enum").join(_value(language, "flags", f) for f in items if f)


def field_label(language: str, name: str) -> str:
    return _first(language, (f"evidence.detail.{name}", f"field.{name}", f"export.col.{name}"), name.replace("_", " "))


def moment_text(value: datetime | None, tz: tzinfo) -> str:
    """A moment as the evidence document writes it, in the business's zone: 2026-12-03 15:20:00."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _value(language: str, name: str, value: Any, tz: tzinfo | None = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return t(language, "evidence.yes" if value else "evidence.no")
    if isinstance(value, str) and tz is not None and _MOMENT.match(value):
        return moment_text(datetime.fromisoformat(value.replace("Z", "+00:00")), tz)
    if isinstance(value, str) and name in _VALUE_LABELS:
        return _first(language, [f"{_VALUE_LABELS[name]}.{value}"], value)
    if isinstance(value, str) and name == "product":
        return product_word(language, value)
    if isinstance(value, list) and name == "items":
        return t(language, "punct.list").join(_item(language, v) if isinstance(v, dict) else str(v)
                                              for v in value) or "—"
    if isinstance(value, list):
        return t(language, "punct.enum").join(_value(language, name, v, tz) for v in value) or "—"
    if isinstance(value, dict):
        return t(language, "punct.list").join(_labelled(language, k, v, tz) for k, v in value.items()
                                              if v not in (None, "", [], {})) or "—"
    return str(value)


def _labelled(language: str, name: str, value: Any, tz: tzinfo | None = None) -> str:
    """``Address: …`` / ``地址：…`` — the field's label and value with the reader's colon."""
    return f"{field_label(language, name)}{t(language, 'punct.colon')}{_value(language, name, value, tz)}"


def _item(language: str, item: dict[str, Any]) -> str:
    """A product line as the cards show it: 实木床 1.8米 ×1张 / solid wood bed 1.8m ×1."""
    return item_text(language, item.get("material"), str(item.get("product") or ""), item.get("spec"),
                     int(item.get("quantity") or 1), item.get("unit"))


def detail_lines(language: str, detail: str | dict[str, Any] | None, *, skip: tuple[str, ...] = (),
                 tz: tzinfo | None = None) -> list[str]:
    """One "label：value" line per field of an event's detail (stored as JSON); moments in ``tz``."""
    if not detail:
        return []
    if isinstance(detail, str):
        raw = detail
        try:
            detail = json.loads(raw)
        except ValueError:
            return [raw]
    if not isinstance(detail, dict):
        return [_value(language, "", detail, tz)]
    lines = []
    for name, value in detail.items():
        if name in skip or name in _QUIET or value in (None, "", [], {}):
            continue
        if name == "parsed" and isinstance(value, dict):
            lines += [_labelled(language, k, v, tz) for k, v in value.items()
                      if k not in _QUIET and v not in (None, "", [], {})]
        elif name == "diff" and isinstance(value, dict):
            lines += [t(language, "change.diff_line", field=field_label(language, field),
                        old=_value(language, field, change.get("old"), tz),
                        new=_value(language, field, change.get("new"), tz))
                      for field, change in value.items() if isinstance(change, dict)]
        else:
            lines.append(_labelled(language, name, value, tz))
    return lines
