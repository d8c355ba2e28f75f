"""An outcome says whether the update queued notifications for others, so the outbox sender is
woken only when it has work (``Outcome.notified``)."""

from __future__ import annotations

from bot.demo import seed_demo_team
from handlers.app import App
from handlers.types import outcome_from_json, outcome_to_json
from tests.conftest import local
from tests.handlers.helpers import button_data, press, send

SALES = 2001
ORDER = "张三 13800138000 天河路1号 床1张 板木 全款 12月20日送货"


async def test_a_draft_card_notifies_nobody_and_a_submitted_order_tells_the_clerk(app: App) -> None:
    async with app.sessions() as session, session.begin():
        await seed_demo_team(session, app.clock.now())
    app.clock.set(local(2026, 12, 3, 17, 20))  # type: ignore[attr-defined]
    card = await send(app, SALES, ORDER)
    assert card.replies and not card.notified
    submitted = await press(app, SALES, button_data(card, "确认"))
    assert "DD" in submitted.replies[0].text
    assert submitted.notified  # the clerk's new-order card is in the outbox
    assert outcome_from_json(outcome_to_json(submitted)).notified
    assert not outcome_from_json(outcome_to_json(card)).notified
