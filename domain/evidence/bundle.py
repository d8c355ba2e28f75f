"""The proof block of an evidence document, and checking a document without the database.

The block (JSON in ``<script type="application/json" id="orderbot-evidence">``)
carries the public key, the signed checkpoint the entries are proved against,
each entry's leaf bytes with its inclusion proof, and — when the log had
published an earlier checkpoint — that checkpoint and the consistency proof
from it. The human-readable cells that show an entry carry ``data-leaf`` and
``data-field``; the check compares each with the proved leaf, so neither the
proofs nor what a reader sees can be changed unnoticed.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from domain.evidence import leaves
from domain.evidence.merkle import leaf_hash, verify_consistency, verify_inclusion
from domain.evidence.note import Checkpoint, NoteError, Verifier, open_checkpoint

FORMAT = "orderbot-evidence/1"
BLOCK_ID = "orderbot-evidence"
_BLOCK = re.compile(r'<script type="application/json" id="orderbot-evidence">(.*?)</script>', re.S)


class EvidenceError(ValueError):
    """The document does not prove what it shows; the message says where and why."""


def display_text(value: object) -> str:
    """How a stored value is shown: control characters as their visible symbols (NUL → ␀),
    lone surrogates as U+FFFD, so every text can be shown and compared in UTF-8 HTML."""
    if value is None:
        return ""
    out = []
    for ch in str(value):
        code = ord(ch)
        if ch in "\n\t":
            out.append(ch)
        elif code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def make_bundle(*, number: str, public_key: str | None, checkpoint: str,
                proved: Sequence[tuple[int, bytes, Sequence[bytes]]], published: str | None = None,
                consistency: Sequence[bytes] = ()) -> dict[str, Any]:
    """``proved``: (leaf index, leaf bytes, inclusion proof) for every leaf the document shows."""
    return {
        "format": FORMAT,
        "number": number,
        "public_key": public_key,
        "checkpoint": checkpoint,
        "published_checkpoint": published,
        "consistency_proof": [_b64(h) for h in consistency],
        "leaves": [{"index": index, "data": data.decode("ascii"), "proof": [_b64(h) for h in proof]}
                   for index, data, proof in proved],
    }


@dataclass
class VerifiedEvidence:
    checkpoint: Checkpoint
    key: Verifier
    published: Checkpoint | None
    leaves: dict[int, dict[str, Any]] = field(default_factory=dict)  # leaf index → decoded fields
    shown: int = 0  # how many visible cells were compared with their leaf


def _hashes(values: Any, what: str) -> list[bytes]:
    try:
        out = [base64.b64decode(v, validate=True) for v in values]
    except (TypeError, ValueError):
        raise EvidenceError(f"{what}: not a list of base64 hashes") from None
    if any(len(h) != 32 for h in out):
        raise EvidenceError(f"{what}: a hash is not 32 bytes")
    return out


def verify_bundle(bundle: Mapping[str, Any], trusted: Verifier | None = None) -> VerifiedEvidence:
    """Check signature, inclusion and consistency proofs; EvidenceError naming the first failure.

    Without ``trusted`` the key embedded in the document is used — a forger could
    embed their own, so callers say so and show the key to compare.
    """
    if bundle.get("format") != FORMAT:
        raise EvidenceError(f"not an orderbot evidence block (format {bundle.get('format')!r})")
    if trusted is None and not bundle.get("public_key"):
        raise EvidenceError("this document is not signed (the bot had no signing key): it can only be checked "
                            "against the database, with orderbot audit verify --entity")
    try:
        key = trusted or Verifier.parse(str(bundle.get("public_key") or ""))
    except NoteError as error:
        raise EvidenceError(f"the document's public key is unusable: {error}") from None
    try:
        checkpoint = open_checkpoint(str(bundle.get("checkpoint") or ""), key)
    except NoteError as error:
        raise EvidenceError(f"the checkpoint does not verify: {error}") from None
    published = None
    if bundle.get("published_checkpoint"):
        try:
            published = open_checkpoint(str(bundle["published_checkpoint"]), key)
        except NoteError as error:
            raise EvidenceError(f"the published checkpoint does not verify: {error}") from None
        proof = _hashes(bundle.get("consistency_proof") or [], "consistency proof")
        if not verify_consistency(published.size, checkpoint.size, published.root, checkpoint.root, proof):
            raise EvidenceError(f"the log of {checkpoint.size} leaves does not extend the published checkpoint "
                                f"of {published.size} leaves: history was rewritten")
    result = VerifiedEvidence(checkpoint, key, published)
    for item in bundle.get("leaves") or []:
        index = item.get("index")
        if not isinstance(index, int):
            raise EvidenceError("a leaf without an index")
        data = str(item.get("data", "")).encode("ascii", "replace")
        try:
            fields = leaves.decode(data)
        except ValueError as error:
            raise EvidenceError(f"leaf {index}: {error}") from None
        proof = _hashes(item.get("proof") or [], f"leaf {index}")
        if not verify_inclusion(leaf_hash(data), index, checkpoint.size, proof, checkpoint.root):
            what = f"entry seq {fields.get('seq')}" if fields.get("leaf") == leaves.ENTRY else \
                f"photo of entry seq {fields.get('seq')}"
            raise EvidenceError(f"leaf {index} ({what}) is not in the signed log: its content or proof was altered")
        result.leaves[index] = fields
    return result


class _Cells(HTMLParser):
    """Collects the text of every element carrying data-leaf and data-field."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[tuple[int, str, str]] = []
        self._open: list[tuple[str, int, str, list[str]] | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "meta", "img", "hr", "link", "input"):
            return
        found = dict(attrs)
        if found.get("data-leaf") is not None and found.get("data-field"):
            try:
                self._open.append((tag, int(found["data-leaf"] or ""), found["data-field"] or "", []))
                return
            except ValueError:
                pass
        self._open.append(None)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "meta", "img", "hr", "link", "input") or not self._open:
            return
        top = self._open.pop()
        if top is not None:
            _tag, index, name, parts = top
            self.cells.append((index, name, "".join(parts)))

    def handle_data(self, data: str) -> None:
        for item in self._open:
            if item is not None:
                item[3].append(data)


def read_document(html: str) -> tuple[dict[str, Any], list[tuple[int, str, str]]]:
    """The proof block and the shown cells (leaf index, field, text) of an evidence document."""
    match = _BLOCK.search(html)
    if match is None:
        raise EvidenceError("no proof block: this is not an orderbot evidence document (or it was cut)")
    try:
        bundle = json.loads(match.group(1))
    except ValueError:
        raise EvidenceError("the proof block is not valid JSON: the document was altered") from None
    parser = _Cells()
    parser.feed(html[:match.start()] + html[match.end():])
    parser.close()
    return bundle, parser.cells


def shown_value(fields: Mapping[str, Any], name: str) -> str:
    return display_text(fields.get(name))


def check_document(html: str, trusted: Verifier | None = None) -> VerifiedEvidence:
    """Everything a document proves, checked offline; EvidenceError at the first thing that does not hold."""
    bundle, cells = read_document(html)
    result = verify_bundle(bundle, trusted)
    for index, name, text in cells:
        fields = result.leaves.get(index)
        if fields is None:
            raise EvidenceError(f"the document shows leaf {index}, which has no proof")
        if name not in fields:
            raise EvidenceError(f"leaf {index} has no field {name!r}")
        if text != shown_value(fields, name):
            raise EvidenceError(f"what the document shows as {name} of entry seq {fields.get('seq')} (leaf {index}) "
                                f"is not what the log holds: the document was altered")
    result.shown = len(cells)
    return result
