"""Who sees which figures (by role, see domain.roles) and the business day."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from domain.reports import Period, PeriodReading, read_period
from domain.roles import Role
from domain.texts import t
from handlers.app import App
from handlers.context import Context
from handlers.types import EvidenceJob, ExportJob, KpiJob
from storage import outbox
from storage.scope import Scope

# Customer phone numbers and addresses: those who work the orders (as handlers.orders.common.may_see).
CONTACT_ROLES = frozenset({Role.CLERK, Role.MANAGER})


def today(ctx: Context) -> date:
    return ctx.app.calendar.local(ctx.now).date()


def scope_for(ctx: Context) -> Scope:
    """Managers: everything; store managers: their store; clerks: their queue; sales: their own."""
    person = ctx.person
    return {Role.MANAGER: Scope(),
            Role.STORE_MANAGER: Scope(store_id=person.store_id if person.store_id is not None else -1),
            Role.CLERK: Scope(clerk_id=person.id, queue=True)}.get(Role(person.role), Scope(sales_id=person.id))


def sees_contacts(ctx: Context) -> bool:
    return ctx.user is not None and Role(ctx.user.role) in CONTACT_ROLES


def read_period_of(ctx: Context, words: list[str], *, export: bool = False) -> PeriodReading | str:
    """The period ``words`` start with (本月 without one), or the answer to a period that cannot be
    counted (unknown, future, backwards, invalid) — for an ``export``, one not begun has nothing to
    export rather than nothing to measure."""
    reading = read_period(words, today(ctx))
    if reading.problem is None:
        return reading
    span = {"start": reading.period.start.isoformat(), "end": reading.period.end.isoformat()} if reading.period else {}
    key = f"report.period.{reading.problem}" + (".export" if export and reading.problem == "future" else "")
    return ctx.t(key, words=reading.words, word=reading.words, forms=ctx.t("report.period.forms"), **span)


def period_label(language: str, period: Period) -> str:
    return t(language, "report.period", start=period.start.isoformat(), end=period.end.isoformat())


async def answer(session: AsyncSession, app: App, job: ExportJob | EvidenceJob | KpiJob, text: str, *,
                 entity: str | None = None, attachment: dict[str, str] | None = None) -> None:
    """Queue ``text`` to the person who asked for ``job`` (an answer: R18 does not hold it back)."""
    await outbox.enqueue(session, key=job.key, chat_id=job.chat_id, text=text, now=app.clock.now(),
                         entity=entity, attachment=attachment, answer=True)
