"""Pieces the after-sales use cases share: entitlement, history, SLA due times, photo evidence
(the parts orders and cases have in common are in ``handlers.records``)."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from pathlib import Path

from domain.aftersales import sla_due, warning_at
from domain.numbering import parse_case_number
from domain.roles import Role
from handlers import records
from handlers.aftersales.cards import SETTLED
from handlers.context import Context
from handlers.records import record
from handlers.types import IncomingFile
from storage import aftersales as case_store
from storage import audit
from storage.audit import Kind
from storage.models import AfterSalesCase, CasePhoto

log = logging.getLogger(__name__)

DESK = frozenset({Role.CLERK, Role.MANAGER})  # who handles cases
VIEWERS = frozenset({Role.SALES, Role.CLERK, Role.STORE_MANAGER, Role.MANAGER})


async def visible_case(ctx: Context, number: str) -> AfterSalesCase | None:
    """The case with that number if the sender may see it — else None, exactly as if it did not exist."""
    return await records.visible(ctx, number, parse=parse_case_number, load=case_store.case_by_number)


async def case_for_button(ctx: Context, case_id: int) -> AfterSalesCase | None:
    """The case a button names; None, answered "button expired", when there is none."""
    case = await ctx.session.get(AfterSalesCase, case_id)
    if case is None:
        ctx.callback_answer = ctx.t("button.expired")
    return case


async def refresh_sla(ctx: Context, case: AfterSalesCase) -> None:
    """R14: recompute the stored due times from the start, severity and the customer-wait pauses.

    ``next_due_at`` is the first response deadline until the desk accepted the case, then
    the resolution deadline; ``warn_at`` precedes it. Both are None while a pause stops
    the clock and once the case is resolved (the sweep has nothing to chase).
    """
    rules, calendar = ctx.app.config.policy.after_sales, ctx.app.calendar
    due = sla_due(case.sla_started_at, case.severity, rules, calendar,
                  [(p.started_at, p.ended_at) for p in await case_store.pauses(ctx.session, case.id)])
    case.respond_by, case.resolve_by = due.respond_by, due.resolve_by
    running = due.respond_by if case.accepted_at is None else due.resolve_by
    case.next_due_at = None if case.state in SETTLED else running
    case.warn_at = warning_at(case.next_due_at, rules, calendar)


async def keep_files(ctx: Context, files: tuple[IncomingFile, ...], case: AfterSalesCase | None) -> list[CasePhoto]:
    """Photos are evidence: download each, store it as <sha256>.<ext>, log id, hash and size.

    A failed download still records the ``file_id`` with the error, so nothing is lost
    (the inbound audit entry holds the ids too). Returns the case's new photo rows, recorded on its history.
    """
    kept: list[CasePhoto] = []
    for file in files:
        sha256 = size = path = None
        error: str | None = "no file transport"
        if (fetcher := ctx.app.files) is not None:
            try:
                data = await fetcher.download(file.file_id)
                sha256, size, error = hashlib.sha256(data).hexdigest(), len(data), None
                path = str(_save(ctx.app.config.files_dir, sha256, file, data))
            except Exception as exc:  # the transport's errors vary by library, a disk's too; the id is kept either way
                log.warning("keeping %s failed: %s", file.file_id, exc)
                error = f"{type(exc).__name__}: {exc}"[:300]
        entry = await audit.append(
            ctx.session, kind=Kind.FILE, recorded_at=ctx.now, chat_id=ctx.incoming.chat_id,
            actor_id=ctx.incoming.user_id, message_id=ctx.incoming.message_id,
            entity=case.number if case else None,
            payload={"file_id": file.file_id, "file_unique_id": file.file_unique_id, "kind": file.kind,
                     "sha256": sha256, "size": size, "path": path, "case": case.number if case else None,
                     "error": error, "evidence": ctx.evidence_id})
        if case is not None:
            photo = CasePhoto(case_id=case.id, file_id=file.file_id, file_unique_id=file.file_unique_id,
                              sha256=sha256, size=size, path=path, error=error,
                              added_by=ctx.user.id if ctx.user else None, added_at=ctx.now,
                              evidence_id=ctx.evidence_id, audit_id=entry.id)
            ctx.session.add(photo)
            kept.append(photo)
    await ctx.session.flush()
    if case is not None and kept:
        await record(ctx, case, "photos_added", detail={"sha256": [p.sha256 for p in kept]})
    return kept


def _save(directory: str, sha256: str, file: IncomingFile, data: bytes) -> Path:
    ext = ".jpg" if file.kind == "photo" else (
        Path(file.file_name or "").suffix or mimetypes.guess_extension(file.mime_type or "") or ".bin")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{sha256}{ext}"
    if not target.exists():  # same bytes, same name: a resent photo is stored once
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    return target
