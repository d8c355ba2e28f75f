"""One sweep run's working state: the planned notifications, the people it reads once, the fines it proposes.

Every sweep part (``handlers.reminders.sweep``, ``.digests``, ``.escalation``, the audit checkpoint)
receives a :class:`Sweep` and plans notifications on it; :meth:`Sweep.flush` queues the ones not
queued before, under their unique keys, in the part's own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.policy.calendar import WorkingCalendar
from domain.policy.reminders import deliver_at
from domain.roles import Role
from handlers.app import App
from handlers.fines import RuleReason, propose_fine
from handlers.notify import notify_user
from handlers.types import Button
from storage import outbox
from storage.models import Order, User
from storage.users import users_with_role


@dataclass
class Planned:
    key: str
    user: User
    text_for: Callable[[str], str]
    due_at: datetime
    entity: str | None = None
    buttons_for: Callable[[str], tuple[tuple[Button, ...], ...]] | None = None
    urgent: bool = False
    attachment: dict[str, str] | None = None  # a chart sent with the text (outbox)
    live: dict[str, object] | None = None  # rendered again when sent (handlers.live)


class Sweep:
    def __init__(self, app: App, session: AsyncSession, now: datetime) -> None:
        self.app, self.session, self.now = app, session, now
        self.policy = app.config.policy
        self.calendar: WorkingCalendar = app.calendar
        self.today = self.calendar.local(now).date()
        self.planned: list[Planned] = []
        self.fines = 0
        self.released = 0  # drafts held on the return day and handed in now (R12)
        self._people: dict[tuple[str, int | None], list[User]] = {}

    async def people(self, role: Role, store_id: int | None = None) -> list[User]:
        key = (role.value, store_id)
        if key not in self._people:
            self._people[key] = list(await users_with_role(self.session, role, store_id=store_id))
        return self._people[key]

    def plan(self, users: list[User] | User, key: str, text_for: Callable[[str], str], due_at: datetime,
             *, entity: str | None = None,
             buttons_for: Callable[[str], tuple[tuple[Button, ...], ...]] | None = None,
             urgent: bool = False, attachment: dict[str, str] | None = None,
             live: dict[str, object] | None = None) -> None:
        for user in users if isinstance(users, list) else [users]:
            self.planned.append(Planned(f"{key}:u{user.id}", user, text_for, due_at, entity, buttons_for,
                                        urgent, attachment, live))

    async def all_queued(self, key: str, users: list[User]) -> bool:
        """Whether ``key`` went to every one of ``users`` already — digests check this before
        reading the whole order book, so a sweep after the digest hour stays cheap (nobody: True)."""
        keys = [f"{key}:u{user.id}" for user in users]
        return len(await outbox.existing_keys(self.session, keys)) == len(keys)

    async def flush(self) -> int:
        """Queue what is planned and not queued before; returns how many were new."""
        seen = await outbox.existing_keys(self.session, [p.key for p in self.planned])
        queued = 0
        for p in self.planned:
            if p.key in seen:
                continue
            seen.add(p.key)
            urgent = p.urgent and self.policy.working.urgent_escalations_ignore_hours
            # The same path as any notification: a clerk's reminder or sheet may go to the desk group.
            queued += await notify_user(
                self.session, p.user, key=p.key.rsplit(":u", 1)[0], text=p.text_for(p.user.language), now=self.now,
                buttons=p.buttons_for(p.user.language) if p.buttons_for else (), entity=p.entity, live=p.live,
                app=self.app, urgent=urgent, attachment=p.attachment,
                not_before=deliver_at(p.due_at, self.calendar, urgent=urgent))
        self.planned.clear()
        return queued

    async def clerks_of(self, order: Order) -> list[User]:
        """The clerk who received the order; before anyone did, every clerk is responsible."""
        return await self.held_by(await self.session.get(User, order.clerk_id) if order.clerk_id is not None else None)

    async def held_by(self, holder: User | None) -> list[User]:
        """The clerk holding an order or a case (its assignee) while active; otherwise every clerk."""
        return [holder] if holder is not None and holder.active else await self.people(Role.CLERK)

    async def fine(self, people: list[User], *, rule: str, amount: int, reason: RuleReason, rule_key: str,
                   order: Order | None) -> None:
        """Propose the fine to each of ``people``, each under ``rule_key:<their id>``."""
        evidence = [order.evidence_id] if order is not None and order.evidence_id else []
        for person in people:
            if await propose_fine(self.session, self.app, rule=rule, person=person, amount=amount, reason=reason,
                                  now=self.now, rule_key=f"{rule_key}:{person.id}", order=order, evidence=evidence):
                self.fines += 1

    def midnight(self, day: date) -> datetime:
        """The start of ``day`` in the business time zone."""
        return self.calendar.at(day, self.calendar.working.day_start.replace(hour=0, minute=0))
