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
