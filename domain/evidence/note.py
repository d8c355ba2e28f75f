"""Checkpoints (C2SP ``tlog-checkpoint``) signed as C2SP ``signed-note`` text with Ed25519.

A checkpoint body is three lines — the log's origin, the tree size in decimal,
the root hash in standard base64 — each ending in a newline. The signed note is
the body, a blank line, and one line per signature: an em dash (U+2014), a
space, the key name, a space, and base64(4-byte key id || 64-byte signature)
over the body bytes. The key id is the first four bytes of
SHA-256(key name || 0x0A || 0x01 || public key), 0x01 naming Ed25519.

Keys use the same text forms as Go's ``golang.org/x/mod/sumdb/note``: the
verifier key ``<name>+<hex key id>+<base64(0x01 || public key)>`` (what the
deployment publishes) and ``PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
DASH = "\u2014 "
_NAME = re.compile(r"^[^\s+]+$")


class NoteError(ValueError):
    """A note, checkpoint or key that is malformed or whose signature does not verify."""


def _b64decode(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"not base64: {value[:40]!r}") from None


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise NoteError(f"a key name is non-empty without spaces or '+': {name!r}")
    return name


@dataclass(frozen=True)
class Checkpoint:
    """One tree head: the log's ``origin``, its ``size`` (number of leaves) and ``root`` hash."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        lines = body.split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
            raise NoteError("a checkpoint is an origin line, a size line and a root hash line")
        origin, size, root = lines[0], lines[1], lines[2]
        if not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError(f"the tree size is not a decimal number: {size!r}")
        digest = _b64decode(root)
        if len(digest) != 32:
            raise NoteError("the root hash is not 32 bytes")
        return cls(origin, int(size), digest)


class Verifier:
    """A public key with its name, read from the verifier key text."""

    def __init__(self, name: str, public_key: bytes) -> None:
        self.name = _check_name(name)
        self.public_bytes = public_key
        self.key_id = key_id(name, public_key)
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    @classmethod
    def parse(cls, text: str) -> Verifier:
        parts = text.strip().split("+", 2)  # the base64 part may itself contain '+'
        if len(parts) != 3:
            raise NoteError("a public key looks like name+1a2b3c4d+AbC…= (three parts joined by '+')")
        name, hex_id, encoded = parts
        raw = _b64decode(encoded)
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("the public key is not an Ed25519 key")
        verifier = cls(name, raw[1:])
        if verifier.key_id.hex() != hex_id.lower():
            raise NoteError("the key id in the public key does not match the key")
        return verifier

    def text(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([ED25519]) + self.public_bytes).decode()}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Signer:
    """The private key the bot signs checkpoints with; never stored in the database."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self.name = _check_name(name)
        self._key = private_key
        public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Verifier(name, public)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> Signer:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("a signing key looks like PRIVATE+KEY+name+1a2b3c4d+AbC…= (orderbot audit keygen)")
        _, _, name, hex_id, encoded = parts
        raw = _b64decode(encoded)
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("the signing key is not an Ed25519 key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.verifier.key_id.hex() != hex_id.lower():
            raise NoteError("the key id in the signing key does not match the key")
        return signer

    def private_text(self) -> str:
        seed = self._key.private_bytes_raw()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{base64.b64encode(bytes([ED25519]) + seed).decode()}"

    def sign(self, body: str) -> str:
        """The signed note: ``body`` (newline-terminated), a blank line, the signature line."""
        if not body.endswith("\n") or "\n\n" in body:
            raise NoteError("a note body ends with one newline and has no blank line")
        signature = self._key.sign(body.encode("utf-8"))
        encoded = base64.b64encode(self.verifier.key_id + signature).decode("ascii")
        return f"{body}\n{DASH}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class OpenedNote:
    body: str
    signatures: tuple[Signature, ...]


def parse_note(text: str) -> OpenedNote:
    """Split a signed note into its body and signature lines (not verified yet)."""
    if not text.endswith("\n"):
        raise NoteError("a signed note ends with a newline")
    split = text.rfind("\n\n")
    if split < 0:
        raise NoteError("no blank line between the checkpoint and its signatures")
    body, rest = text[:split + 1], text[split + 2:]
    signatures = []
    for line in rest.split("\n")[:-1]:
        if not line.startswith(DASH):
            raise NoteError(f"not a signature line: {line[:40]!r}")
        fields = line[len(DASH):].split(" ")
        if len(fields) != 2:
            raise NoteError(f"a signature line is '— name signature': {line[:40]!r}")
        raw = _b64decode(fields[1])
        if len(raw) < 5:
            raise NoteError("a signature is too short")
        signatures.append(Signature(fields[0], raw[:4], raw[4:]))
    if not signatures:
        raise NoteError("the note has no signature")
    return OpenedNote(body, tuple(signatures))


def open_checkpoint(text: str, verifier: Verifier) -> Checkpoint:
    """The checkpoint in ``text`` once ``verifier``'s signature on it checks; NoteError otherwise."""
    note = parse_note(text)
    mine = [s for s in note.signatures if s.name == verifier.name and s.key_id == verifier.key_id]
    if not mine:
        others = ", ".join(sorted({f"{s.name} ({s.key_id.hex()})" for s in note.signatures}))
        raise NoteError(f"not signed by {verifier.name} ({verifier.key_id.hex()}) but by {others}")
    if not verifier.verify(note.body.encode("utf-8"), mine[0].signature):
        raise NoteError(f"the signature of {verifier.name} does not match this checkpoint: it was altered")
    checkpoint = Checkpoint.parse(note.body)
    if checkpoint.origin != verifier.name:
        raise NoteError(f"the checkpoint is for log {checkpoint.origin!r}, not {verifier.name!r}")
    return checkpoint


def unsigned_checkpoint(text: str) -> Checkpoint:
    """The checkpoint in ``text`` without checking any signature (for a log that signs nothing)."""
    text = text if text.endswith("\n") else text + "\n"
    body = parse_note(text).body if "\n\n" in text else text
    return Checkpoint.parse(body)


def extract_note(text: str) -> str:
    """The checkpoint note inside pasted text — a chat message around it, CRLFs, trimmed newlines.

    The note is taken as the three lines before the last blank line, and the
    signature lines after it.
    """
    lines = [line.strip().lstrip("\ufeff") if not line.startswith(DASH) else line.rstrip()
             for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    sig_start = len(lines)
    while sig_start > 0 and lines[sig_start - 1].startswith(DASH):
        sig_start -= 1
    if sig_start == len(lines):  # no signature: a bare checkpoint body
        body = [line for line in lines if line.strip()][-3:]
        return "\n".join(body) + "\n"
    if sig_start < 4 or lines[sig_start - 1].strip():
        raise NoteError("no checkpoint found: expected origin, size and root lines, a blank line, signatures")
    body = [line.strip() for line in lines[sig_start - 4:sig_start - 1]]
    return "\n".join(body) + "\n\n" + "\n".join(lines[sig_start:]) + "\n"
