"""/evidence DD…|SH…: an order's or case's whole story as a self-contained HTML document.

Every message (original text and each edit as a version, photos with their
SHA-256), every state change with who and when, the fines, and each audit entry
with its seq, previous hash and hash — re-verified while the document is made,
so the reader sees at once whether anything was altered. ``orderbot audit
verify --entity NUMBER`` checks the same entries against the whole chain.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from domain.roles import Role
from domain.texts import t
from handlers.context import Context
from handlers.registry import command
from handlers.types import OutgoingDocument, Reply
from storage import reports
from storage.audit import GENESIS, entry_digest
from storage.models import AuditEntry, User

READERS = frozenset({Role.MANAGER, Role.CLERK, Role.SALES})
HTML = "text/html"


def entry_checks(found: reports.Evidence) -> dict[int, tuple[bool, bool]]:
    """seq → (content matches its hash, prev_hash matches the entry before it)."""
    checks = {}
    for entry in found.entries:
        expected_prev = GENESIS if entry.seq == 1 else found.predecessors.get(entry.seq - 1)
        checks[entry.seq] = (entry_digest(entry) == entry.hash, entry.prev_hash == expected_prev)
    return checks


def _when(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def render(lang: str, found: reports.Evidence, *, tz: ZoneInfo, people: dict[int, User], generated_at: datetime,
           generated_by: str) -> tuple[str, bool]:
    """The HTML document and whether every entry verified."""
    by_telegram = {u.telegram_id: u.name for u in people.values()}
    checks = entry_checks(found)
    verified = all(a and b for a, b in checks.values())

    def person(user_id: int | None) -> str:
        return escape(people[user_id].name) if user_id in people else "—"

    def actor(telegram_id: int | None) -> str:
        if telegram_id is None:
            return escape(t(lang, "order.system"))
        return escape(f"{by_telegram.get(telegram_id, '?')} ({telegram_id})")

    parts = [f"<h1>{escape(t(lang, 'evidence.title', number=found.number))}</h1>",
             f"<p>{escape(t(lang, 'evidence.generated', at=_when(generated_at, tz), by=generated_by))}</p>"]
    status = "ok" if verified else "bad"
    parts.append(f'<p class="{status}"><b>{escape(t(lang, "evidence.verified" if verified else "evidence.broken", count=len(found.entries), number=found.number))}</b></p>')
    # The record itself.
    record: list[list[str]] = []
    if found.order is not None:
        o = found.order
        items = "；".join(f"{line.product} {line.spec or ''} ×{line.quantity}{line.unit or ''}" for line in o.lines)
        for key, value in (("number", o.number), ("store", o.store.name if o.store else "—"),
                           ("sales", o.sales.name if o.sales else "—"), ("customer", o.customer_name),
                           ("phone", o.customer_phone), ("address", o.address), ("items", items),
                           ("delivery_date", o.delivery_date), ("order_date", o.order_date),
                           ("state", t(lang, f"state.{o.state}")), ("flags", o.flags)):
            record.append([escape(t(lang, f"export.col.{key}")), escape(str(value or "—"))])
    if found.case is not None:
        c = found.case
        for key, value in (("case_number", c.number), ("store", c.store.name if c.store else "—"),
                           ("sales", c.sales.name if c.sales else "—"),
                           ("order", c.order.number if c.order else "—"),
                           ("category", t(lang, f"case.category.{c.category}")),
                           ("severity", t(lang, f"case.severity.{c.severity}")), ("description", c.description),
                           ("case_state", t(lang, f"case.state.{c.state}"))):
            record.append([escape(t(lang, f"export.col.{key}")), escape(str(value or "—"))])
    parts.append(f"<h2>{escape(t(lang, 'evidence.record'))}</h2>" + _table(["", ""], record))
    # Messages: each version of each message the story rests on.
    messages = [e for e in found.entries if e.kind in ("inbound", "inbound_edit")]
    parts.append(f"<h2>{escape(t(lang, 'evidence.messages'))}</h2>" + _table(
        [t(lang, "evidence.col.seq"), t(lang, "evidence.col.time"), t(lang, "evidence.col.actor"),
         t(lang, "evidence.col.version"), t(lang, "evidence.col.text")],
        [[str(e.seq), _when(e.telegram_time or e.recorded_at, tz), actor(e.actor_id),
          escape(t(lang, "evidence.original") if e.version == 1 else t(lang, "evidence.edit", version=e.version)),
          f"<pre>{escape(e.text or '')}</pre>"] for e in messages]))
    # History: every state change with who and when.
    history = []
    for event in found.events:
        key = f"event.{event.event}" if found.order is not None else f"case.event.{event.event}"
        try:
            label = t(lang, key)
        except KeyError:
            label = event.event
        change = f"{event.from_state or ''} → {event.to_state or ''}" if event.to_state else ""
        history.append([_when(event.at, tz), person(event.actor_id), escape(label), escape(change),
                        f"<code>{escape(event.detail or '')}</code>", escape(str(event.evidence_id or ""))])
    parts.append(f"<h2>{escape(t(lang, 'evidence.history'))}</h2>" + _table(
        [t(lang, "evidence.col.time"), t(lang, "evidence.col.actor"), t(lang, "evidence.col.event"),
         t(lang, "evidence.col.change"), t(lang, "evidence.col.detail"), t(lang, "evidence.col.evidence")],
        history))
    if found.photos:
        parts.append(f"<h2>{escape(t(lang, 'evidence.photos'))}</h2>" + _table(
            [t(lang, "evidence.col.time"), "SHA-256", t(lang, "evidence.col.size"), "file_id"],
            [[_when(p.added_at, tz), f"<code>{escape(p.sha256 or '—')}</code>", escape(str(p.size or "—")),
              escape(p.file_id)] for p in found.photos]))
    parts.append(f"<h2>{escape(t(lang, 'evidence.fines'))}</h2>" + _table(
        [t(lang, "export.col.fine_number"), t(lang, "export.col.rule"), t(lang, "export.col.person"),
         t(lang, "export.col.amount"), t(lang, "export.col.fine_state"), t(lang, "export.col.reason"),
         t(lang, "export.col.proposed_at"), t(lang, "export.col.decided_at")],
        [[escape(f.number), escape(f.rule), person(f.person_id), str(f.amount_yuan),
          escape(t(lang, f"fine.state.{f.state}")), escape(f.reason), _when(f.proposed_at, tz),
          _when(f.decided_at, tz)] for f in found.fines]))
    # The audit chain: the proof.
    rows = []
    for entry in found.entries:
        content_ok, link_ok = checks[entry.seq]
        mark = "✔" if content_ok and link_ok else ("✘ " + ("hash" if not content_ok else "prev_hash"))
        rows.append([str(entry.seq), _when(entry.recorded_at, tz), escape(entry.kind), actor(entry.actor_id),
                     escape(entry.entity or ""), f"<pre>{escape(entry.text or '')}</pre>",
                     f"<code>{escape(_pretty(entry))}</code>", f"<code>{entry.prev_hash}</code>",
                     f"<code>{entry.hash}</code>", mark])
    parts.append(f"<h2>{escape(t(lang, 'evidence.chain'))}</h2><p>{escape(t(lang, 'evidence.chain_note'))}</p>"
                 + _table([t(lang, "evidence.col.seq"), t(lang, "evidence.col.time"), t(lang, "evidence.col.kind"),
                           t(lang, "evidence.col.actor"), t(lang, "evidence.col.entity"), t(lang, "evidence.col.text"),
                           "payload", "prev_hash", "hash", "✔"], rows))
    parts.append(f"<p><code>orderbot audit verify --entity {escape(found.number)}</code></p>")
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
             "td,th{border:1px solid #999;padding:3px 6px;vertical-align:top;font-size:12px}"
             "code{word-break:break-all}pre{white-space:pre-wrap;margin:0}.ok{color:#060}.bad{color:#b00}")
    title = escape(t(lang, "evidence.title", number=found.number))
    html = (f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")
    return html, verified


def _pretty(entry: AuditEntry) -> str:
    """The payload exactly as stored (canonical JSON): it is what the hash covers."""
    return entry.payload or ""


def may_read(user: User, found: reports.Evidence) -> bool:
    role = Role(user.role)
    if role in (Role.MANAGER, Role.CLERK):
        return True
    record = found.order or found.case
    return role is Role.SALES and record is not None and record.sales_id == user.id


@command("evidence", roles=READERS, help_key="help.evidence")
async def evidence(ctx: Context, args: str) -> None:
    """/evidence DD202612005 | SH202612001 — the whole story as an HTML document."""
    assert ctx.user is not None
    number = args.strip().split()[0].upper() if args.strip() else ""
    if not number:
        ctx.say("evidence.usage")
        return
    found = await reports.evidence(ctx.session, number)
    if found is None or not may_read(ctx.user, found):
        ctx.say("evidence.not_found", number=number)
        return
    _stores, people = await reports.names(ctx.session)
    html, verified = render(ctx.language, found, tz=ctx.app.config.tz, people=people, generated_at=ctx.now,
                            generated_by=ctx.user.name)
    caption = ctx.t("evidence.caption" if verified else "evidence.caption_broken", number=number,
                    count=len(found.entries))
    ctx.replies.append(Reply(chat_id=ctx.incoming.chat_id, text=caption, entity=number,
                             document=OutgoingDocument(f"evidence-{number}.html", html.encode("utf-8"), HTML)))
