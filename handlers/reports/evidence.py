"""/evidence DD…|SH…: an order's or case's whole story as a self-contained HTML document that proves itself.

Every message (original text and each edit as a version, photos with their
SHA-256), every state change with who and when, the fines, and each audit
entry with its seq, previous hash and hash. The document also carries each
entry's (and photo's) inclusion proof into a checkpoint signed now, with the
consistency proof from the last checkpoint published to the managers, and the
public key — so ``orderbot audit check-evidence FILE`` (or the standalone
``docs/verify_evidence.py``) verifies it without the database.

The HTML comes from a Jinja2 template with autoescaping on: every value is
escaped once, by the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.evidence.bundle import display_text, make_bundle
from domain.evidence.leaves import ENTRY, PHOTO
from domain.evidence.merkle import MerkleTree, leaf_hash
from domain.evidence.note import Checkpoint, Signer
from domain.roles import Role
from domain.texts import t
from handlers.app import App, AppConfig
from handlers.context import Context
from handlers.orders.cards import line_text
from handlers.reports.common import answer
from handlers.reports.readable import (detail_lines, event_label, flag_labels, kind_label, moment_text,
                                      state_label)
from handlers.types import EvidenceJob, OutgoingDocument, Reply
from storage import checkpoints, reports
from storage.audit import GENESIS, entry_digest
from storage.merkle_tree import entry_leaf_bytes, leaf_indexes, stored_leaves
from storage.models import AuditCheckpoint, AuditEntry, User

if TYPE_CHECKING:  # jinja2 is imported when a document is rendered, in the worker: not by the bot's loop
    from jinja2 import Environment

READERS = frozenset({Role.MANAGER, Role.CLERK, Role.SALES})
HTML = "text/html"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("handlers.reports", "templates"),
                       autoescape=select_autoescape(["html"]), keep_trailing_newline=True)


@dataclass
class Proof:
    """The Merkle side of a document: where each shown leaf sits and the checkpoint it is proved against."""

    tree: MerkleTree
    indexes: dict[tuple[int, str], int]  # (seq, leaf kind) → leaf index
    checkpoint: Checkpoint  # the tree as it stands, which the document proves against
    note: str  # that checkpoint's note (signed when there is a key)
    signed: bool
    public_key: str | None
    published: AuditCheckpoint | None
    consistency: list[bytes]
    published_ok: bool


async def build_proof(session: AsyncSession, signer: Signer | None, found: reports.Evidence) -> Proof:
    """Sign the stored tree now, and prove it extends the last checkpoint the managers received.

    Only reads: the checkpoint is not stored here; whoever sends the document keeps it
    (:func:`keep_checkpoint`) — the worker that builds documents never writes."""
    verifier = signer.verifier if signer else None
    tree = MerkleTree(await stored_leaves(session))
    head = Checkpoint(checkpoints.origin_for(signer), tree.size, tree.root())
    last = await checkpoints.last_published(session, verifier)
    published, consistency, published_ok = None, [], True
    if last is not None:
        published, earlier = last
        published_ok = earlier.size <= tree.size and tree.root(earlier.size) == earlier.root
        consistency = tree.consistency_proof(earlier.size) if published_ok else []
    indexes = await leaf_indexes(session, [e.seq for e in found.entries])
    return Proof(tree, indexes, head, checkpoints.note_for(head, signer), signer is not None,
                 verifier.text() if verifier else None, published if published_ok else None, consistency, published_ok)


def _record(lang: str, found: reports.Evidence) -> list[tuple[str, str]]:
    """The order's or case's own fields, labelled as the export's columns."""
    fields: tuple[tuple[str, Any], ...] = ()
    if found.order is not None:
        o = found.order
        items = t(lang, "punct.list").join(line_text(lang, line) for line in o.lines)
        fields = (("number", o.number), ("store", o.store.name if o.store else None),
                  ("sales", o.sales.name if o.sales else None), ("customer", o.customer_name),
                  ("phone", o.customer_phone), ("address", o.address), ("items", items),
                  ("delivery_date", o.delivery_date), ("order_date", o.order_date),
                  ("state", t(lang, f"state.{o.state}")), ("flags", flag_labels(lang, o.flags)))
    if found.case is not None:
        c = found.case
        fields = (("case_number", c.number), ("store", c.store.name if c.store else None),
                  ("sales", c.sales.name if c.sales else None), ("order", c.order.number if c.order else None),
                  ("category", t(lang, f"case.category.{c.category}")),
                  ("severity", t(lang, f"case.severity.{c.severity}")), ("description", c.description),
                  ("case_state", t(lang, f"case.state.{c.state}")))
    return [(t(lang, f"export.col.{key}"), str(value or "—")) for key, value in fields]


def render(lang: str, found: reports.Evidence, *, tz: ZoneInfo, people: dict[int, User], generated_at: datetime,
           generated_by: str, proof: Proof) -> tuple[str, bool]:
    """The HTML document and whether every entry verified (chain and tree).

    The checks are made here; the template lays out the record, messages, history, photos,
    fines and entries with the helpers it is given."""
    by_telegram = {u.telegram_id: u.name for u in people.values()}
    is_case = found.case is not None

    def person(user_id: int | None) -> str:
        return people[user_id].name if user_id in people else "—"

    def actor(telegram_id: int | None) -> str:
        if telegram_id is None:
            return t(lang, "order.system")
        return f"{by_telegram.get(telegram_id, '?')} ({telegram_id})"

    def what(entry: AuditEntry) -> list[str]:
        # Raw Telegram updates stay in the proof block; the reader gets what happened, in words.
        if entry.kind == "state_change":
            return [event_label(lang, entry.text or "", case=is_case)] + detail_lines(lang, entry.payload, tz=tz)
        return detail_lines(lang, entry.payload, skip=("case",), tz=tz) if entry.kind == "file" else []

    proved: list[tuple[int, bytes, list[bytes]]] = []
    failed: dict[int, str] = {}  # seq → the check it failed ("" when it verified)
    tree_ok = True
    for entry in found.entries:
        # The content matches its hash, and prev_hash the entry before it.
        content_ok = entry_digest(entry) == entry.hash
        link_ok = entry.prev_hash == (GENESIS if entry.seq == 1 else found.predecessors.get(entry.seq - 1))
        in_tree = False
        for kind, data in entry_leaf_bytes(entry):
            at = proof.indexes.get((entry.seq, kind))
            if at is None or at >= proof.tree.size:
                continue
            proved.append((at, data, proof.tree.inclusion_proof(at)))
            if kind == ENTRY:
                in_tree = proof.tree.leaf(at) == leaf_hash(data)
        tree_ok &= in_tree
        failed[entry.seq] = ("hash" if not content_ok else "prev_hash" if not link_ok
                             else "" if in_tree else "Merkle")
    verified = not any(failed.values()) and proof.published_ok
    bundle = make_bundle(number=found.number, public_key=proof.public_key, checkpoint=proof.note,
                         proved=sorted(proved), published=proof.published.note if proof.published else None,
                         consistency=proof.consistency)
    entry_leaf = {seq: at for (seq, kind), at in proof.indexes.items() if kind == ENTRY}
    photo_leaf = {seq: at for (seq, kind), at in proof.indexes.items() if kind == PHOTO}
    html = _environment().get_template("evidence.html").render(
        lang=lang, t=partial(t, lang), when=partial(moment_text, tz=tz), person=person, actor=actor, what=what,
        kind_label=partial(kind_label, lang), event_label=partial(event_label, lang, case=is_case),
        state_label=partial(state_label, lang, case=is_case), detail_lines=partial(detail_lines, lang, tz=tz),
        display_text=display_text, found=found, number=found.number, record=_record(lang, found),
        generated_at=moment_text(generated_at, tz), generated_by=generated_by, verified=verified, failed=failed,
        tree_ok=tree_ok, proof=proof, entry_leaf=entry_leaf, photo_leaf=photo_leaf,
        seq_of_id={e.id: e.seq for e in found.entries}, bundle=bundle)
    return html, verified


def may_read(user: User, found: reports.Evidence) -> bool:
    role, record = Role(user.role), found.order or found.case
    return role in (Role.MANAGER, Role.CLERK) or (role is Role.SALES and record is not None
                                                  and record.sales_id == user.id)


@dataclass(frozen=True)
class EvidenceDocument:
    """A built /evidence document and the checkpoint it proves against (to be kept when it is sent)."""

    number: str
    html: str
    verified: bool
    entries: int
    checkpoint: Checkpoint
    note: str
    signed: bool


async def build_document(session: AsyncSession, config: AppConfig, job: EvidenceJob) -> EvidenceDocument | None:
    """The document of ``job.number`` as it stands (None when it no longer exists); reads only —
    what the worker runs, and the desk and the use-case tests in the update's own task."""
    found = await reports.evidence(session, job.number)
    if found is None:
        return None
    _stores, people = await reports.names(session)
    proof = await build_proof(session, config.audit_signer, found)
    html, verified = render(job.language, found, tz=config.tz, people=people, generated_at=job.now,
                            generated_by=job.reader, proof=proof)
    return EvidenceDocument(job.number, html, verified, len(found.entries), proof.checkpoint, proof.note,
                            proof.signed)


async def keep_checkpoint(session: AsyncSession, document: EvidenceDocument, now: datetime) -> None:
    """The checkpoint a document proves against is kept, as every checkpoint the bot signed."""
    await checkpoints.store(session, document.checkpoint, document.note, signed=document.signed,
                            purpose=f"evidence:{document.number}", published=False, now=now)


def caption(language: str, document: EvidenceDocument) -> str:
    return t(language, "evidence.caption" if document.verified else "evidence.caption_broken",
             number=document.number, count=document.entries)


def file_name(number: str) -> str:
    return f"evidence-{number}.html"


async def evidence(ctx: Context, args: str) -> None:
    """/evidence DD202612005 | SH202612001 — the whole story as an HTML document.

    Who may have it is decided here; the document (the whole tree and its proofs) is built by
    the worker and arrives as a document after a "⏳ preparing…" answer."""
    number = args.strip().split()[0].upper() if args.strip() else ""
    if not number:
        ctx.say("evidence.usage")
        return
    found = await reports.evidence(ctx.session, number)
    if found is None or not may_read(ctx.person, found):
        ctx.say("evidence.not_found", number=number)
        return
    job = EvidenceJob(number, ctx.language, ctx.person.name, ctx.now, ctx.incoming.chat_id,
                      key=f"evidence:{ctx.evidence_id}")
    if ctx.app.jobs is None:  # no worker (use-case tests): build it in this transaction
        document = await build_document(ctx.session, ctx.app.config, job)
        assert document is not None
        await keep_checkpoint(ctx.session, document, ctx.now)
        ctx.replies.append(Reply(chat_id=ctx.incoming.chat_id, text=caption(ctx.language, document), entity=number,
                                 document=OutgoingDocument(file_name(number), document.html.encode("utf-8"), HTML)))
        return
    ctx.say("evidence.preparing", number=number)
    ctx.jobs.append(job)


async def send_document(session: AsyncSession, app: App, job: EvidenceJob, document: EvidenceDocument | None) -> None:
    """Keep the checkpoint and queue the document to the reader."""
    if document is None:  # gone between the request and the build (a restored backup): say so
        await answer(session, app, job, t(job.language, "evidence.not_found", number=job.number))
        return
    await keep_checkpoint(session, document, job.now)
    folder = Path(app.config.files_dir) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job.key.replace(':', '-')}-{file_name(job.number)}"
    path.write_text(document.html, encoding="utf-8")
    await answer(session, app, job, caption(job.language, document), entity=job.number,
                 attachment={"kind": "document", "path": str(path), "mime_type": HTML,
                             "file_name": file_name(job.number)})


async def evidence_failed(session: AsyncSession, app: App, job: EvidenceJob) -> None:
    await answer(session, app, job, t(job.language, "evidence.failed", number=job.number), entity=job.number)
