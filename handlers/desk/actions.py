"""What the desk lets a person do: the chat's own buttons, pressed from the Mini App.

确认/免除罚款 and 已处理 (an escalation) become the callback data of the chat's
buttons and go through ``handlers.dispatch``: recorded in the audit log first
(as a callback, with ``via: desk``), then routed with the button's role check to
the same use case. Nothing here decides a fine or acknowledges a case itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from handlers.app import App
from handlers.buttons import EscalationAnswer, FineDecision
from handlers.dispatch import dispatch
from handlers.routes import BUTTONS
from handlers.types import UNIX_TIMES, Incoming, id_from

ACTIONS = ("fine_confirm", "fine_waive", "escalation_ack")
_FINE_DECISIONS: dict[str, Literal["confirm", "waive"]] = {"fine_confirm": "confirm", "fine_waive": "waive"}


@dataclass(frozen=True, slots=True)
class ActionResult:
    text: str  # the use case's answer (it may say why nothing changed)


def callback_data(action: str, target: str, breach: str = "") -> str | None:
    """The chat button's data for a desk action, or None when the request names nothing real."""
    row_id = id_from(target)
    if row_id is None:
        return None
    if action in _FINE_DECISIONS:
        return FineDecision(row_id, _FINE_DECISIONS[action]).pack()
    breach_at = id_from(breach, UNIX_TIMES)
    if action == "escalation_ack" and breach_at is not None:
        return EscalationAnswer(row_id, breach_at, "ack").pack()
    return None


async def act(app: App, *, telegram_id: int, action: str, target: str, breach: str = "",
              now: datetime) -> ActionResult | None:
    """Press the chat's button for ``action`` as ``telegram_id``; None for a request naming no button."""
    data = callback_data(action, target, breach)
    if data is None:
        return None
    incoming = Incoming(kind="callback", update_id=None, user_id=telegram_id, chat_id=telegram_id, sent_at=now,
                        callback_data=data, raw={"via": "desk", "action": action, "callback_data": data})
    outcome = await dispatch(app, incoming)
    return ActionResult(outcome.callback_answer or (outcome.replies[0].text if outcome.replies else ""))


def allowed(role: str, action: str) -> bool:
    """Whether the role may press that button in chat (the button table's own roles)."""
    prefix = FineDecision.prefix if action.startswith("fine_") else EscalationAnswer.prefix
    route = BUTTONS.get(prefix)
    return route is not None and role in route.roles
