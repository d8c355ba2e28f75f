#!/usr/bin/env python3
"""Check an orderbot evidence document without the bot, its database or its code.

    pip install cryptography
    python3 verify_evidence.py evidence-DD202612001.html --key 'shop.example/orderbot+1a2b3c4d+AbC…='

The key is the public key the deployment published (its README). Checks, in order:
the checkpoint's Ed25519 signature (C2SP signed note), each shown entry's RFC 6962
inclusion proof into that checkpoint, the consistency proof from the checkpoint the
managers received (when included), and that every value the page shows for an entry
is the value that was proved. Exit 0 when everything holds, 1 naming what does not.
Standard library and one Ed25519 library, deliberately: read it before you trust it.
"""

import argparse
import base64
import hashlib
import json
import re
import sys
from html.parser import HTMLParser

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def sha256(data):
    return hashlib.sha256(data).digest()


def node(left, right):
    return sha256(b"\x01" + left + right)


def verify_inclusion(leaf, index, size, proof, root):  # RFC 9162 §2.1.3.2
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(m, n, old, new, proof):  # RFC 9162 §2.1.4.2
    if m == n:
        return not proof and old == new
    if m == 0 or m > n or not proof:
        return m == 0 and not proof
    path = ([old] if m & (m - 1) == 0 else []) + list(proof)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old and sr == new


def open_checkpoint(note, vkey):
    """(size, root) of a C2SP checkpoint signed by vkey 'name+hexid+base64(0x01||key)'."""
    name, key_id, key = vkey.strip().split("+", 2)
    raw = base64.b64decode(key)
    assert raw[0] == 1 and len(raw) == 33, "not an Ed25519 public key"
    if sha256(name.encode() + b"\n" + raw).hex()[:8] != key_id.lower():
        raise ValueError("the public key's id does not match the key")
    body, _, signatures = note.rpartition("\n\n")
    body += "\n"
    for line in signatures.splitlines():
        if line.startswith("\u2014 " + name + " "):
            blob = base64.b64decode(line.split(" ")[2])
            if blob[:4].hex() != key_id.lower():
                continue
            try:
                Ed25519PublicKey.from_public_bytes(raw[1:]).verify(blob[4:], body.encode())
            except InvalidSignature:
                raise ValueError("the checkpoint's signature does not match: it was altered") from None
            origin, size, root = body.splitlines()[:3]
            if origin != name:
                raise ValueError(f"the checkpoint is for log {origin!r}, not {name!r}")
            return int(size), base64.b64decode(root)
    raise ValueError(f"the checkpoint is not signed by {name} ({key_id})")


def shown(value):
    """How the page shows a value: control characters as symbols, lone surrogates as U+FFFD."""
    out = []
    for ch in "" if value is None else str(value):
        code = ord(ch)
        out.append(ch if ch in "\n\t" else chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F
                   else "\ufffd" if 0xD800 <= code <= 0xDFFF else ch)
    return "".join(out)


class Cells(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "meta", "img", "hr", "link", "input"):
            return
        a = dict(attrs)
        self.stack.append([int(a["data-leaf"]), a["data-field"], []]
                          if a.get("data-leaf") not in (None, "") and a.get("data-field") else None)

    def handle_endtag(self, tag):
        if tag in ("br", "meta", "img", "hr", "link", "input") or not self.stack:
            return
        top = self.stack.pop()
        if top is not None:
            self.cells.append((top[0], top[1], "".join(top[2])))

    def handle_data(self, data):
        for item in self.stack:
            if item is not None:
                item[2].append(data)


def check(html, vkey):
    match = re.search(r'<script type="application/json" id="orderbot-evidence">(.*?)</script>', html, re.S)
    if not match:
        raise ValueError("no proof block in this file")
    bundle = json.loads(match.group(1))
    size, root = open_checkpoint(bundle["checkpoint"], vkey)
    if bundle.get("published_checkpoint"):
        old_size, old_root = open_checkpoint(bundle["published_checkpoint"], vkey)
        proof = [base64.b64decode(h) for h in bundle["consistency_proof"]]
        if not verify_consistency(old_size, size, old_root, root, proof):
            raise ValueError("the log does not extend the checkpoint the managers received")
    leaves = {}
    for item in bundle["leaves"]:
        data = item["data"].encode("ascii")
        fields = json.loads(data)
        if json.dumps(fields, sort_keys=True, separators=(",", ":")).encode() != data:
            raise ValueError(f"leaf {item['index']} is not canonical")
        proof = [base64.b64decode(h) for h in item["proof"]]
        if not verify_inclusion(sha256(b"\x00" + data), item["index"], size, proof, root):
            raise ValueError(f"leaf {item['index']} (entry seq {fields.get('seq')}) is not in the signed log")
        leaves[item["index"]] = fields
    parser = Cells()
    parser.feed(html[:match.start()] + html[match.end():])
    for index, name, text in parser.cells:
        if index not in leaves or text != shown(leaves[index].get(name)):
            raise ValueError(f"the page shows a {name} for leaf {index} that is not what the log holds")
    return size, leaves, len(parser.cells)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file")
    parser.add_argument("--key", required=True, help="the deployment's published public key")
    args = parser.parse_args()
    with open(args.file, encoding="utf-8") as f:
        html = f.read()
    try:
        size, leaves, cells = check(html, args.key)
    except (ValueError, KeyError, TypeError) as error:
        print(f"REFUSED: {error}")
        return 1
    print(f"OK: {len(leaves)} leaves proved in the signed log of {size} leaves; {cells} shown values match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
