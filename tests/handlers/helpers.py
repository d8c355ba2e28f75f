"""Driving use cases directly: transport-neutral Incoming in, Outcome out (no Telegram needed)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from handlers.app import App
from handlers.dispatch import dispatch
from handlers.types import Incoming, Outcome, Reply

_updates = itertools.count(1)
_messages = itertools.count(1)


async def send(app: App, user_id: int, text: str, *, at: datetime | None = None,
               reply_to: int | None = None) -> Outcome:
    incoming = Incoming(kind="message", update_id=next(_updates), user_id=user_id, chat_id=user_id,
                        sent_at=at or app.clock.now(), text=text, message_id=next(_messages),
                        reply_to_message_id=reply_to, first_name=str(user_id))
    return await dispatch(app, incoming)


async def press(app: App, user_id: int, data: str, *, message_id: int | None = None) -> Outcome:
    incoming = Incoming(kind="callback", update_id=next(_updates), user_id=user_id, chat_id=user_id,
                        sent_at=app.clock.now(), message_id=message_id or next(_messages), callback_id="cb",
                        callback_data=data)
    return await dispatch(app, incoming)


def button_data(outcome: Outcome, label: str) -> str:
    for reply in outcome.replies:
        for row in reply.buttons:
            for button in row:
                if button.text == label:
                    return button.data
    raise AssertionError(f"no button {label!r} in {[r.text for r in outcome.replies]}")


@dataclass
class RecordingBotApi:
    """A fake Bot API that records what would reach each phone, and can fail on demand."""

    clock: object
    sent: list[tuple[datetime, int, str]] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)

    async def send(self, reply: Reply) -> int:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((self.clock.now(), reply.chat_id, reply.text))  # type: ignore[attr-defined]
        return len(self.sent)

    async def answer_callback(self, callback_id: str, text: str) -> None:
        return None

    async def set_commands(self, commands, chat_id=None) -> None:  # type: ignore[no-untyped-def]
        return None

    async def download(self, file_id: str) -> bytes:
        return b""
