"""What a queued notification says when it is finally sent: rendered from the state then.

A notification about an order, a case or a fine may wait in the outbox for
hours (nothing goes out outside working time). Its row therefore keeps a
*render spec* — the kind of notification and a few parameters — besides the
text rendered at queue time. When the row is due, the outbox sender asks
:func:`render_now` for the current text and buttons, or for None when the
notification no longer applies (the order was cancelled, the fine decided): the
row is then dropped, never sent. Buttons are computed by the same functions that
draw the live cards, so they appear only while their action is possible.

Which function renders which kind is listed in the routing table (``handlers.routes.NOTICES``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.app import App
from handlers.types import Keyboard
from storage.models import User

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    buttons: Keyboard = ()


@dataclass(frozen=True, slots=True)
class Target:
    """One recipient's notification about ``entity`` (an order, case or fine number)."""

    app: App
    session: AsyncSession
    user: User
    entity: str
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def language(self) -> str:
        return self.user.language


Renderer = Callable[[Target], Awaitable[Rendered | None]]


class UnknownKind(LookupError):
    """A row names a kind no module registers (code changed while it waited)."""


async def render_now(app: App, session: AsyncSession, user: User, entity: str,
                     spec: dict[str, Any]) -> Rendered | None:
    """The notification as it should read now; None when it no longer applies."""
    # Here, not at the top: the table imports the modules that queue notifications, and they import this one.
    from handlers.routes import NOTICES

    function = NOTICES.get(str(spec.get("kind")))
    if function is None:
        raise UnknownKind(spec.get("kind"))
    return await function(Target(app, session, user, entity, spec))
