"""``orderbot audit keygen | checkpoint | verify --checkpoint | check-evidence``: evidence anyone can verify.

The signing key lives in a file named by ``ORDERBOT_AUDIT_SIGNING_KEY_FILE``,
never in the database; its public half (the verifier key text) goes into the
deployment's README, so that arbitrators check documents against it.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings, load_audit_signer, load_settings
from bot.database import run_on_database
from domain.evidence.bundle import EvidenceError, check_document
from domain.evidence.merkle import root_of
from domain.evidence.note import (NoteError, Signer, Verifier, extract_note, open_checkpoint,
                                  unsigned_checkpoint)
from storage import checkpoints
from storage.db import session_factory
from storage.merkle_tree import recomputed_tree, stored_leaves

DEFAULT_KEY_NAME = "orderbot/audit"


def register(audit_sub: Any, add_config: Any) -> None:
    keygen = audit_sub.add_parser("keygen", help="make a new Ed25519 signing key for checkpoints; prints the public key")
    keygen.add_argument("--out", required=True, metavar="FILE", help="where to write the private key (mode 0600)")
    keygen.add_argument("--name", default=DEFAULT_KEY_NAME,
                        help=f"the log's name, e.g. your-company.example/orderbot (default {DEFAULT_KEY_NAME})")
    keygen.set_defaults(func=_keygen)

    checkpoint = audit_sub.add_parser("checkpoint", help="sign a checkpoint of the log as it is now, print it "
                                                         "and send it to the managers")
    add_config(checkpoint)
    checkpoint.add_argument("--no-send", action="store_true", help="print it only; do not send it to the managers")
    checkpoint.set_defaults(func=_checkpoint)

    check = audit_sub.add_parser("check-evidence", help="verify an /evidence document offline (no database)")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--key", metavar="PUBLIC_KEY",
                       help="the published public key (name+id+key) or a file holding it; default: the key of "
                            "$ORDERBOT_AUDIT_SIGNING_KEY_FILE, else the one inside the document (with a warning)")
    check.set_defaults(func=_check_evidence)


def add_verify_options(verify: argparse.ArgumentParser) -> None:
    verify.add_argument("--checkpoint", metavar="FILE_OR_TEXT",
                        help="a checkpoint published earlier (a file, the pasted text, or - for stdin): exit 1 "
                             "naming the first entry that differs when the log does not extend it")
    verify.add_argument("--key", metavar="PUBLIC_KEY", help="public key to check the checkpoint's signature with "
                                                            "(default: the key of $ORDERBOT_AUDIT_SIGNING_KEY_FILE)")


def _fail(message: str, code: int = 2) -> int:
    print(f"orderbot: {message}", file=sys.stderr)
    return code


def _read_text(value: str) -> str:
    if value == "-":
        return sys.stdin.read()
    path = Path(value)
    try:
        if "\n" not in value and path.is_file():
            return path.read_text(encoding="utf-8")
    except OSError:
        pass
    return value.replace("\\n", "\n") if "\n" not in value else value


def _verifier(settings: Settings | None, key: str | None) -> Verifier | None:
    if key:
        return Verifier.parse(_read_text(key).strip().splitlines()[-1])
    if settings is not None:
        signer = load_audit_signer(settings)
        return signer.verifier if signer else None
    return None


def _keygen(args: argparse.Namespace) -> int:
    try:
        signer = Signer.generate(args.name)
    except NoteError as error:
        return _fail(str(error))
    try:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _fail(f"{args.out} exists already; a new key would orphan every checkpoint signed with the old one")
    except OSError as error:
        return _fail(f"cannot write {args.out}: {error.strerror}")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(signer.private_text() + "\n")
    print(signer.verifier.text())
    print(f"# private key written to {args.out} (mode 0600). Start the bot with "
          f"ORDERBOT_AUDIT_SIGNING_KEY_FILE={args.out}; put the public key above in the README of this deployment.",
          file=sys.stderr)
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    try:
        return load_settings(getattr(args, "config", None))
    except ConfigError as error:
        print(f"orderbot: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _checkpoint(args: argparse.Namespace) -> int:
    # The handlers pull in the whole bot; only this command needs them.
    from handlers.reports.checkpoints import send_checkpoint

    settings = _settings(args)
    try:
        signer = load_audit_signer(settings)
    except ConfigError as error:
        return _fail(str(error))
    now = datetime.now(timezone.utc)

    async def work(engine):  # type: ignore[no-untyped-def]
        async with session_factory(engine)() as session, session.begin():
            last = await checkpoints.last_published(session, signer.verifier if signer else None)
            if last is not None:
                # Cheap, from the stored leaves; `orderbot audit verify` rebuilds them from the entries.
                size = last[1].size
                if root_of(await stored_leaves(session, size)) != last[1].root:
                    return None, last[1]
            row = await checkpoints.make(session, signer=signer, purpose="cli", now=now, published=not args.no_send)
            sent = 0 if args.no_send else await send_checkpoint(session, row, now)
            return (row.note, sent), None

    result, refused = run_on_database(settings, work)
    if result is None:
        return _fail(f"the stored tree no longer extends the checkpoint published at {refused.size} leaves; "
                     "not signing. Run: orderbot audit verify", 1)
    note, sent = result
    sys.stdout.write(note)
    if signer is None:
        print("# NOT signed: set ORDERBOT_AUDIT_SIGNING_KEY_FILE (orderbot audit keygen --out FILE)", file=sys.stderr)
    if not args.no_send:
        print(f"# queued for {sent} manager(s); the running bot sends it", file=sys.stderr)
    return 0


def verify_checkpoint(args: argparse.Namespace) -> int:
    """``orderbot audit verify --checkpoint``: does the log extend the pasted checkpoint?"""
    settings = _settings(args)
    try:
        verifier = _verifier(settings, args.key)
        text = extract_note(_read_text(args.checkpoint))
        if verifier is not None:
            checkpoint = open_checkpoint(text, verifier)
        else:
            checkpoint = unsigned_checkpoint(text)
            print("WARNING: no public key given (--key or ORDERBOT_AUDIT_SIGNING_KEY_FILE): the checkpoint's "
                  "signature was NOT checked")
    except (NoteError, ConfigError) as error:
        print(f"checkpoint REFUSED: {error}")
        return 1

    async def work(engine):  # type: ignore[no-untyped-def]
        async with session_factory(engine)() as session:
            return await checkpoints.check_against(session, checkpoint, verifier)

    report = run_on_database(settings, work)
    prefix = f"checkpoint {checkpoint.origin} @ {checkpoint.size}"
    if report.ok:
        print(f"{prefix}: OK — {report.describe()}")
        return 0
    print(f"{prefix}: NOT CONSISTENT — {report.describe()}")
    return 1


def _check_evidence(args: argparse.Namespace) -> int:
    try:
        html = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return _fail(f"cannot read {args.file}: {error}")
    embedded_only = False
    try:
        settings = None
        if not args.key and os.environ.get("ORDERBOT_AUDIT_SIGNING_KEY_FILE"):
            settings = load_settings(None)
        verifier = _verifier(settings, args.key)
        embedded_only = verifier is None
        result = check_document(html, verifier)
    except (NoteError, ConfigError) as error:
        print(f"evidence REFUSED: the public key is unusable: {error}")
        return 1
    except EvidenceError as error:
        print(f"evidence REFUSED: {error}")
        return 1
    cp = result.checkpoint
    entries = sum(1 for f in result.leaves.values() if f.get("leaf") == "audit_entry")
    photos = len(result.leaves) - entries
    print(f"evidence OK: {entries} entries and {photos} photo hashes are in the log {cp.origin} "
          f"at {cp.size} leaves (root {cp.root.hex()[:16]}…), signed by {result.key.text()}")
    print(f"  {result.shown} shown values match the proved entries")
    if result.published is not None:
        print(f"  the checkpoint extends the published one at {result.published.size} leaves")
    if embedded_only:
        print("WARNING: checked against the key inside the document. Compare it with the public key published "
              "for this deployment, or pass --key.")
    return 0



def tree_status(settings: Settings) -> tuple[list[str], bool]:
    """``orderbot audit verify``'s Merkle lines: stored leaves against the entries, and the last published checkpoint."""
    try:
        signer = load_audit_signer(settings)
    except ConfigError as error:
        return [f"merkle tree: {error}"], False
    verifier = signer.verifier if signer else None

    async def work(engine):  # type: ignore[no-untyped-def]
        async with session_factory(engine)() as session:
            tree, seqs = await recomputed_tree(session)
            stored = await stored_leaves(session)
            lines, ok = [], True
            first = next((i for i in range(min(tree.size, len(stored))) if tree.leaf(i) != stored[i]), None)
            if first is not None:
                lines.append(f"merkle tree BROKEN: leaf {first} no longer matches entry seq {seqs[first]} "
                             "(the entry was changed after it was logged)")
                ok = False
            elif tree.size > len(stored):
                lines.append(f"merkle tree BROKEN: entry seq {seqs[len(stored)]} and later have no leaf: "
                             "they were written to the database outside the bot")
                ok = False
            elif tree.size < len(stored):
                lines.append(f"merkle tree BROKEN: the log ends at leaf {tree.size - 1}, but {len(stored)} leaves "
                             "were written: entries were removed")
                ok = False
            else:
                lines.append(f"merkle tree OK: {tree.size} leaves, each matches its entry")
            last = await checkpoints.last_published(session, verifier)
            if last is None and verifier is None and await checkpoints.last_published_row(session) is not None:
                lines.append("the published checkpoints are signed: set ORDERBOT_AUDIT_SIGNING_KEY_FILE "
                             "(or use verify --checkpoint --key) to check the log against them")
            elif last is None:
                lines.append("no checkpoint published yet")
            else:
                report = await checkpoints.check_against(session, last[1], verifier, rebuilt=(tree, seqs))
                when = last[0].created_at.isoformat(timespec="minutes")
                lines.append(f"last published checkpoint ({when}, {last[1].size} leaves): "
                             + ("OK — " if report.ok else "NOT CONSISTENT — ") + report.describe())
                ok &= report.ok
            return lines, ok

    return run_on_database(settings, work)
