"""An order's or case's whole story in the desk: the /order or /case view, and for those who may
read it the /evidence document (the same HTML, the same proofs) with its verification result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.roles import Role
from handlers.aftersales.common import visible_case
from handlers.aftersales.views import show_case
from handlers.context import Context
from handlers.orders.common import visible_order
from handlers.orders.views import show_order
from handlers.reports import evidence as evidence_report
from handlers.reports.jobs import computed
from handlers.types import EvidenceJob
from storage import reports


@dataclass
class Detail:
    number: str
    kind: str  # order | case
    text: str  # what /order or /case answers
    evidence_html: str | None = None  # the /evidence document, when the person may read it
    verified: bool | None = None
    entries: int = 0


async def detail(ctx: Context, number: str) -> Detail | None:
    """None when the person may not see it — exactly as when it does not exist."""
    number = number.strip().upper()
    kind = "case" if number.startswith("SH") else "order"
    shown: Any = await (visible_case if kind == "case" else visible_order)(ctx, number)
    if shown is None:
        return None
    await (show_case if kind == "case" else show_order)(ctx, shown)
    text = "\n\n".join(r.text for r in ctx.replies)
    ctx.replies.clear()  # shown in the page, not sent to the chat
    found = Detail(number, kind, text)
    document = await evidence_document(ctx, number)
    if document is not None:
        found.evidence_html, found.verified, found.entries = document
    return found


async def evidence_document(ctx: Context, number: str) -> tuple[str, bool, int] | None:
    """/evidence's document for ``number`` (HTML, all verified, entry count), or None when /evidence
    would answer "not found" to this person."""
    if Role(ctx.person.role) not in evidence_report.READERS:
        return None
    found = await reports.evidence(ctx.session, number.strip().upper())
    if found is None or not evidence_report.may_read(ctx.person, found):
        return None
    # Built by the worker when there is one: the page waits for it, the other chats do not.
    job = EvidenceJob(found.number, ctx.language, ctx.person.name, ctx.now, ctx.incoming.chat_id,
                      key=f"desk-evidence:{ctx.evidence_id}")
    document: evidence_report.EvidenceDocument | None = await computed(ctx.app, ctx.session, job)
    if document is None:
        return None
    await evidence_report.keep_checkpoint(ctx.session, document, ctx.now)
    return document.html, document.verified, document.entries
