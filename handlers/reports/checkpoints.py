"""Publishing signed checkpoints to the managers, and raising the alarm when history was rewritten.

Every working day with the tracking sheet (and whenever asked) the bot first
proves the log still extends the last checkpoint it published, then signs the
tree as it is and sends the checkpoint text to every manager: copies then live
on their phones and on Telegram's servers, where whoever runs the database
cannot take them back. If the proof fails the bot signs nothing and tells the
admins and managers where the log stopped matching.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.evidence.merkle import MerkleTree
from domain.policy.reminders import daily_slot
from domain.roles import Role
from domain.texts import t
from handlers.app import App
from handlers.notify import notify_users
from handlers.reminders.run import Sweep
from storage import checkpoints, outbox
from storage.checkpoints import ConsistencyReport
from storage.merkle_tree import recomputed_tree
from storage.models import AuditCheckpoint
from storage.users import users_with_role

log = logging.getLogger(__name__)


def checkpoint_text(language: str, row: AuditCheckpoint) -> str:
    key = "audit.checkpoint" if row.signed else "audit.checkpoint_unsigned"
    return t(language, key, size=row.tree_size, note=row.note.rstrip("\n"))


def divergence_text(language: str, report: ConsistencyReport) -> str:
    if report.exact and report.first_bad_seq is not None:
        return t(language, "audit.diff.rewritten", seq=report.first_bad_seq)
    if report.exact:
        return t(language, "audit.diff.cut", now=report.size)
    return t(language, "audit.diff.span", first=report.good_leaves, last=report.checkpoint.size - 1)


async def send_checkpoint(session: AsyncSession, row: AuditCheckpoint, now: datetime,
                          not_before: datetime | None = None) -> int:
    """Queue the checkpoint to every manager; returns how many were queued."""
    return await notify_users(session, await users_with_role(session, Role.MANAGER), key=f"audit:checkpoint:{row.id}",
                              now=now, text_for=lambda language: checkpoint_text(language, row), not_before=not_before)


async def raise_alarm(app: App, session: AsyncSession, now: datetime, row: AuditCheckpoint,
                      report: ConsistencyReport) -> None:
    """Tell admins and managers, at once and once a day, that the log no longer extends ``row``."""
    day = now.astimezone(app.config.tz).date().isoformat()
    at = row.created_at.astimezone(app.config.tz).strftime("%Y-%m-%d %H:%M")
    log.error("audit log does NOT extend the checkpoint published %s: %s", at, report.describe())
    for person in await users_with_role(session, Role.ADMIN, Role.MANAGER):
        await outbox.enqueue(session, key=f"audit:alarm:{day}:{row.id}:u{person.id}", chat_id=person.telegram_id,
                             text=t(person.language, "audit.rewritten", at=at, size=report.checkpoint.size,
                                    what=divergence_text(person.language, report)),
                             now=now, urgent=True)
    await outbox.mark_skipped(session, key=f"audit:alarm:{day}", chat_id=0, now=now)


async def verify_published(app: App, session: AsyncSession, now: datetime,
                           rebuilt: tuple[MerkleTree, list[int]] | None = None) -> ConsistencyReport | None:
    """Prove the log extends the last published checkpoint; alarm if it does not. None: nothing published yet."""
    verifier = app.config.audit_signer.verifier if app.config.audit_signer else None
    last = await checkpoints.last_published(session, verifier)
    if last is None:
        return None
    row, checkpoint = last
    report = await checkpoints.check_against(session, checkpoint, verifier, rebuilt=rebuilt)
    if not report.ok:
        await raise_alarm(app, session, now, row, report)
    return report


async def daily_checkpoint(run: Sweep) -> None:
    """Sweep part: the day's checkpoint, sent with the R15 tracking sheet — proved, signed, stored and
    sent; none when the log was rewritten (the alarm goes instead) or nothing was logged since the last one."""
    if (slot := daily_slot(run.calendar, run.now, run.policy.digests.daily_at)) is None:
        return
    day, due_at = slot
    done = f"audit:daily:{day.isoformat()}"  # once a day, whatever came of it
    if await outbox.for_key(run.session, done) is not None:
        return
    rebuilt = await recomputed_tree(run.session)
    report = await verify_published(run.app, run.session, run.now, rebuilt)
    if report is None or (report.ok and report.size != report.checkpoint.size):
        row = await checkpoints.make(run.session, signer=run.app.config.audit_signer, now=run.now, published=True,
                                     purpose=f"daily:{day.isoformat()}", tree=rebuilt[0])
        await send_checkpoint(run.session, row, run.now, due_at)
    await outbox.mark_skipped(run.session, key=done, chat_id=0, now=run.now)


async def startup_check(app: App) -> ConsistencyReport | None:
    """At start-up: say when checkpoints go out unsigned, and prove the log extends the last one published."""
    if app.config.audit_signer is None:
        log.warning("audit checkpoints are NOT signed: set ORDERBOT_AUDIT_SIGNING_KEY_FILE "
                    "(make a key with: orderbot audit keygen --out FILE)")
    else:
        log.info("audit checkpoints are signed with %s", app.config.audit_signer.verifier.text())
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        report = await verify_published(app, session, now)
    if report is not None and report.ok:
        log.info("audit log extends the last published checkpoint (%d leaves; %d now)",
                 report.checkpoint.size, report.size)
    return report
