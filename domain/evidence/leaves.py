"""Exactly which bytes each leaf of the audit tree is.

Two kinds of leaf, in log order — every audit entry, and right after a
``file`` entry that kept a photo, the photo itself:

* entry leaf: the canonical JSON of the entry as stored — ``leaf`` =
  ``"audit_entry"`` and every column (``seq kind bot_id update_id chat_id actor_id
  message_id version entity telegram_time recorded_at text payload prev_hash
  hash``; times as UTC ISO 8601 with microseconds, ``payload`` as the stored
  JSON text);
* photo leaf: ``{"leaf": "photo", "seq": <its file entry>, "sha256": <hex of the photo bytes>}``,
  so a photo shown later is matched to the log by hashing it.

Canonical JSON: keys sorted, no spaces, ``ensure_ascii`` — the bytes are pure
ASCII, so any text (NUL, lone surrogates, emoji) round-trips exactly and the
same entry always gives the same leaf. The leaf hash is RFC 6962's
``SHA-256(0x00 || bytes)`` (``domain.evidence.merkle.leaf_hash``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from domain.evidence.merkle import leaf_hash

ENTRY = "audit_entry"
PHOTO = "photo"
ENTRY_FIELDS = ("seq", "kind", "bot_id", "update_id", "chat_id", "actor_id", "message_id", "version", "entity",
                "telegram_time", "recorded_at", "text", "payload", "prev_hash", "hash")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def canonical(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode("ascii")


def entry_leaf(fields: Mapping[str, Any]) -> bytes:
    """The leaf bytes of one audit entry, from its columns (times already ISO text)."""
    return canonical({"leaf": ENTRY, **{name: fields[name] for name in ENTRY_FIELDS}})


def photo_leaf(seq: int, sha256: str) -> bytes:
    return canonical({"leaf": PHOTO, "seq": seq, "sha256": sha256.lower()})


def photo_sha256(kind: str, payload: str | None) -> str | None:
    """The photo hash a ``file`` entry's payload records, if it kept one."""
    if kind != "file" or not payload:
        return None
    try:
        value = json.loads(payload)
    except ValueError:
        return None
    sha = value.get("sha256") if isinstance(value, dict) else None
    return sha.lower() if isinstance(sha, str) and _SHA256.match(sha.lower()) else None


def leaves_of(fields: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    """The leaves one entry adds, in order: (kind, bytes)."""
    leaves = [(ENTRY, entry_leaf(fields))]
    sha = photo_sha256(fields["kind"], fields["payload"])
    if sha is not None:
        leaves.append((PHOTO, photo_leaf(fields["seq"], sha)))
    return leaves


def leaf_hashes_of(fields: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    return [(kind, leaf_hash(data)) for kind, data in leaves_of(fields)]


def decode(data: bytes) -> dict[str, Any]:
    """A leaf's fields back from its bytes; ValueError when they are not a leaf."""
    value = json.loads(data.decode("ascii"))
    if not isinstance(value, dict) or value.get("leaf") not in (ENTRY, PHOTO):
        raise ValueError("not an audit leaf")
    if canonical(value) != data:
        raise ValueError("leaf bytes are not canonical")
    return value
