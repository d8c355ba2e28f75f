"""Long polling: an update nobody can read is recorded raw and does not block the queue.

The bot polls raw JSON itself (``bot/transport/polling.py``), so a library's parser never
sees such an update; were it parsed with the batch, one bad update would fail every
``getUpdates`` batch it is in, forever, and the bot would stop answering anyone.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from storage.audit import Kind, verify_chain
from storage.models import AuditEntry
from tests.e2e.harness import Harness

ADMIN = Harness.uid("admin")
SENDER = {"id": ADMIN, "is_bot": False, "first_name": "管理员"}
CHAT = {"id": ADMIN, "type": "private", "first_name": "管理员"}

BROKEN = {
    "date is a string": {"message": {"message_id": 900, "date": "yesterday", "text": "hi", "chat": CHAT,
                                     "from": SENDER}},
    "text is a number": {"message": {"message_id": 901, "date": 1796290800, "text": 5, "chat": CHAT,
                                     "from": SENDER}},
    "from.id is a word": {"message": {"message_id": 902, "date": 1796290800, "text": "hi", "chat": CHAT,
                                      "from": {**SENDER, "id": "abc"}}},
    "chat is a list": {"message": {"message_id": 903, "date": 1796290800, "text": "hi", "chat": [1],
                                   "from": SENDER}},
}


@pytest.mark.parametrize("what", list(BROKEN))
async def test_a_broken_polled_update_is_kept_and_the_next_one_is_answered(harness: Harness, what: str) -> None:
    h = harness
    sent = await h.client.send_raw_update(BROKEN[what])
    [answer] = await h.say("admin", "/whoami")  # behind the broken one in the queue
    assert "管理员" in answer["text"]
    async with h.runtime.app.sessions() as session:
        [entry] = (await session.execute(
            select(AuditEntry).where(AuditEntry.update_id == sent["update_id"]))).scalars()
        report = await verify_chain(session)
    assert entry.kind == Kind.UNREADABLE
    kept = json.loads(json.loads(entry.payload)["body"])
    assert kept["message"] == BROKEN[what]["message"]
    assert report.ok


async def test_a_batch_of_updates_is_recorded_in_order_with_a_broken_one_among_them(harness: Harness) -> None:
    """Several people typing at once reach the bot as one ``getUpdates`` batch, committed in one
    transaction (``UpdatePipeline.accept_batch``): each is answered, a broken one among them is
    kept raw where it came, and the log keeps Telegram's order."""
    h = harness
    await h.settle()
    after = {who: await h.client.last_seq(h.uid(who)) for who in ("sales1", "sales2", "admin")}
    # Queued in one go, before the bot's long poll can return: one batch.
    first = h.sandbox.users.send_text(h.uid("sales1"), "/whoami")
    broken = h.sandbox.state.enqueue_raw(BROKEN["text is a number"])
    second = h.sandbox.users.send_text(h.uid("sales2"), "/whoami")
    third = h.sandbox.users.send_text(h.uid("admin"), "/whoami")
    for who in ("sales1", "sales2", "admin"):
        [answer] = await h.client.wait_for_bot(h.uid(who), after[who])
        assert answer["text"], who
    async with h.runtime.app.sessions() as session:
        def inbound(message: dict) -> object:
            return select(AuditEntry.update_id).where(AuditEntry.chat_id == message["chat"]["id"],
                                                      AuditEntry.message_id == message["message_id"])
        ids = [(await session.execute(inbound(m))).scalar_one() for m in (first, second, third)]
        entries = (await session.execute(select(AuditEntry).where(AuditEntry.update_id.in_(
            [*ids, broken["update_id"]])).order_by(AuditEntry.seq))).scalars().all()
        report = await verify_chain(session)
    assert [e.update_id for e in entries] == sorted([*ids, broken["update_id"]])  # Telegram's order
    assert [e.kind for e in entries] == [Kind.INBOUND, Kind.UNREADABLE, Kind.INBOUND, Kind.INBOUND]
    assert report.ok
