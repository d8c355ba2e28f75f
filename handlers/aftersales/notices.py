"""After-sales notifications that may wait in the outbox, rendered from the case as it is when sent.

``case.card``: the desk's case card (new, assigned, re-opened) with the buttons of the case's
current state — dropped once the case is closed or rejected.
``case.score``: the satisfaction question to the sales person, only while the case is resolved.
``case.deadline``: an R14 warning or escalation, only while that deadline is still the running
one and nobody acknowledged it.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.aftersales import CaseState
from domain.aftersales.case import FINISHED
from domain.texts import t
from handlers.aftersales import cards
from handlers.live import Rendered, Target
from handlers.buttons import EscalationAnswer
from handlers.types import Button, Keyboard
from storage import aftersales as case_store
from storage import reminders
from storage.models import AfterSalesCase, CaseEvent


def card_spec(headline_key: str = "case.card", *, note_key: str | None = None,
              **note_params: object) -> dict[str, object]:
    return {"kind": "case.card", "headline": headline_key, "note": note_key, "params": note_params}


def deadline_spec(text_key: str, due: datetime, *, buttons: bool) -> dict[str, object]:
    return {"kind": "case.deadline", "text": text_key, "due": due.isoformat(), "buttons": buttons}


async def case_card(session: AsyncSession, language: str, case: AfterSalesCase, tz: ZoneInfo, *,
                    headline_key: str = "case.card", note: str | None = None, desk: bool = True) -> Rendered:
    """The desk's card of the case, with the customer wait's reason, or the sales person's (``desk=False``);
    ``note`` is put above it."""
    count = len(await case_store.photos(session, case.id))
    pause = await case_store.open_pause(session, case.id) if desk else None
    text = cards.card(language, case, tz, photos=count, headline_key=headline_key,
                      waiting_reason=pause.reason if pause else None)
    buttons = cards.desk_buttons(language, case) if desk else cards.sales_buttons(language, case)
    return Rendered(note + "\n" + text if note else text, buttons)


def deadline_text(language: str, key: str, case: AfterSalesCase, due: datetime, tz: ZoneInfo) -> str:
    """A warning or escalation text; the deadline written as the case card writes it."""
    deadline = "respond" if case.accepted_at is None else "resolve"
    return t(language, key, number=case.number, due=cards.fmt_time(language, due, tz),
             deadline=t(language, f"sla.{deadline}"), category=t(language, f"case.category.{case.category}"),
             store=case.store.name if case.store else "—")


def ack_buttons(language: str, case: AfterSalesCase, due: datetime) -> Keyboard:
    stamp = int(due.timestamp())
    return ((Button(t(language, "button.esc_ack"), EscalationAnswer(case.id, stamp, "ack").pack()),
             Button(t(language, "button.esc_snooze"), EscalationAnswer(case.id, stamp, "snooze").pack())),)


async def answers(session: AsyncSession, case: AfterSalesCase, due: datetime,
                  events: tuple[str, ...] = ("escalation_ack",)) -> list[CaseEvent]:
    """The 已处理 (and, when asked, 稍后) presses on the escalation of this breach, oldest first."""
    rows = await reminders.case_events(session, case.id, events)
    return [row for row in rows if json.loads(row.detail or "{}").get("breach") == due.isoformat()]


async def acknowledgement(session: AsyncSession, case: AfterSalesCase, due: datetime) -> CaseEvent | None:
    """The 已处理 press that stopped the escalation of this breach, if any."""
    return next(iter(await answers(session, case, due)), None)


async def card_now(target: Target) -> Rendered | None:
    case = await case_store.case_by_number(target.session, target.entity)
    if case is None or case.state in FINISHED:
        return None
    language, spec = target.language, target.spec
    params = dict(spec.get("params") or {})
    note = t(language, str(spec["note"]), number=case.number, **params) if spec.get("note") else None
    return await case_card(target.session, language, case, target.app.config.tz,
                           headline_key=str(spec.get("headline") or "case.card"), note=note)


async def score_now(target: Target) -> Rendered | None:
    case = await case_store.case_by_number(target.session, target.entity)
    if case is None or case.state != CaseState.resolved.value:
        return None
    language = target.language
    rules = target.app.config.policy.after_sales
    text = t(language, "case.resolved_for_sales", number=case.number,
             resolution=t(language, f"case.resolution.{case.resolution}"), note=case.resolution_note or "—",
             low=rules.satisfaction_min, high=rules.satisfaction_max)
    return Rendered(text, cards.score_buttons(language, case, rules.satisfaction_min, rules.satisfaction_max))


async def deadline_now(target: Target) -> Rendered | None:
    case = await case_store.case_by_number(target.session, target.entity)
    if case is None:
        return None
    due = datetime.fromisoformat(str(target.spec["due"]))
    # A case resolved, paused or re-timed meanwhile has another (or no) running deadline.
    if case.next_due_at is None or abs((case.next_due_at - due).total_seconds()) >= 1:
        return None
    if await acknowledgement(target.session, case, due) is not None:
        return None
    language, tz = target.language, target.app.config.tz
    buttons = ack_buttons(language, case, due) if target.spec.get("buttons") else ()
    return Rendered(deadline_text(language, str(target.spec["text"]), case, due, tz), buttons)
