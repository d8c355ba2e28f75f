"""Drive the real bot (transport library + sandbox Bot API over HTTP) as its users."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.demo import BY_HANDLE
from bot.runtime import Runtime
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer

JSON = dict[str, Any]
SHOWN = ("send", "edit")  # bot events a person sees as messages


@dataclass
class Harness:
    sandbox: SandboxServer
    client: SandboxClient
    runtime: Runtime
    transcript: list[tuple[str, str]] = field(default_factory=list)

    @staticmethod
    def uid(who: str | int) -> int:
        return who if isinstance(who, int) else BY_HANDLE[who].telegram_id

    async def _await(self, chat_id: int, after: int, expect: int, timeout: float) -> list[JSON]:
        """Wait until ``expect`` messages arrived (callback answers are not messages)."""
        seen: list[JSON] = []
        cursor = after
        while len(seen) < expect:
            events = await self.client.wait_for_bot(chat_id, cursor, timeout=timeout)
            cursor = events[-1]["seq"]
            seen += [e for e in events if e["kind"] in SHOWN]
        for event in seen:
            self.transcript.append((f"bot→{chat_id}", event.get("text") or ""))
        return seen

    async def settle(self, timeout: float = 15.0) -> None:
        """Wait until the bot is quiet: every chat answered and no notification due but unsent.

        A person acts after seeing what came before; without this, a notification still
        on its way (paced at one a second per chat) would be taken for the answer.
        """
        import asyncio

        runtime = self.runtime
        if runtime.pipeline is None or runtime.outbox is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        # An update the bot has not taken yet is a chat not answered yet: without it, settling right
        # after an action the bot answers nothing to (a group upgraded) depended on how long the
        # outbox query took.
        while self.sandbox.state.pending or runtime.pipeline.busy_lanes or await runtime.outbox.busy():
            if loop.time() > deadline:
                raise TimeoutError("the bot did not settle: chats still being answered or notifications due")
            runtime.kick_outbox()
            await asyncio.sleep(0.02)

    async def say(self, who: str | int, text: str, *, expect: int = 1, timeout: float = 10.0,
                  first_name: str | None = None, reply_to: int | None = None, **kwargs: Any) -> list[JSON]:
        await self.settle()
        chat_id = self.uid(who)
        after = await self.client.last_seq()
        name = first_name or (BY_HANDLE[who].name if isinstance(who, str) and who in BY_HANDLE else str(who))
        self.transcript.append((f"{who}", text))
        await self.client.send_text(chat_id, text, first_name=name, reply_to_message_id=reply_to, **kwargs)
        if expect == 0:
            return []
        return await self._await(chat_id, after, expect, timeout)

    async def press(self, who: str | int, message: JSON, label: str, *, expect: int = 1,
                    timeout: float = 10.0) -> list[JSON]:
        await self.settle()
        chat_id = self.uid(who)
        after = await self.client.last_seq()
        self.transcript.append((f"{who}", f"[{label}]"))
        await self.client.press(chat_id, message, label)
        return await self._await(chat_id, after, expect, timeout) if expect else []

    async def wait_for(self, who: str | int, after: int, *, expect: int = 1, timeout: float = 10.0) -> list[JSON]:
        return await self._await(self.uid(who), after, expect, timeout)

    async def answers_to_press(self, who: str | int, after: int, timeout: float = 10.0) -> JSON:
        """The callback answer (toast) the bot gave after ``after``."""
        chat_id = self.uid(who)
        cursor = after
        while True:
            events = await self.client.wait_for_bot(chat_id, cursor, timeout=timeout)
            cursor = events[-1]["seq"]
            for event in events:
                if event["kind"] == "callback_answer":
                    return event

    async def outbound_logged(self, text_part: str, timeout: float = 5.0) -> None:
        """Wait until the bot's message containing ``text_part`` is in the audit log.

        The sandbox shows a message as soon as it is sent; the bot logs it right
        after, so a test reading the log must wait for that write, not race it.
        """
        import asyncio

        from sqlalchemy import select

        from storage.models import AuditEntry

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            async with self.runtime.app.sessions() as session:
                found = (await session.execute(select(AuditEntry.id).where(
                    AuditEntry.kind.in_(("outbound", "outbound_edit")),
                    AuditEntry.text.contains(text_part)).limit(1))).first()
            if found:
                return
            if loop.time() > deadline:
                raise TimeoutError(f"no outbound audit entry containing {text_part!r}")
            await asyncio.sleep(0.02)

    # -- groups ----------------------------------------------------------------

    async def group(self, title: str, members: list[str | int], *, by: str = "admin", forum: bool = False,
                    bot_admin: bool = False) -> int:
        """A group ``by`` made with ``members`` and the bot added; its chat id."""
        group = await self.client.create_group(self.uid(by), title, members=[self.uid(m) for m in members],
                                               forum=forum)
        after = await self.client.last_seq()
        await self.client.add_member(group["id"], by=self.uid(by), admin=bot_admin)
        await self.quiet()
        return int(group["id"])

    async def say_in(self, group: int, who: str | int, text: str, *, expect: int = 1, timeout: float = 10.0,
                     reply_to: int | None = None, thread: int | None = None) -> list[JSON]:
        """``who`` posts ``text`` in ``group``; the bot's next ``expect`` messages there (0: none)."""
        await self.settle()
        after = await self.client.last_seq()
        name = BY_HANDLE[who].name if isinstance(who, str) and who in BY_HANDLE else str(who)
        self.transcript.append((f"{who}@{group}", text))
        await self.client.send_text(self.uid(who), text, first_name=name, chat_id=group, reply_to_message_id=reply_to,
                                    thread_id=thread)
        if expect == 0:
            await self.quiet()
            return []
        return await self._await(group, after, expect, timeout)

    async def press_in(self, group: int, who: str | int, message: JSON, label: str, *, expect: int = 1,
                       timeout: float = 10.0) -> list[JSON]:
        await self.settle()
        after = await self.client.last_seq()
        self.transcript.append((f"{who}@{group}", f"[{label}]"))
        await self.client.press(self.uid(who), message, label, chat_id=group)
        return await self._await(group, after, expect, timeout) if expect else []

    async def quiet(self, timeout: float = 15.0) -> None:
        """Wait until the bot took every update the sandbox queued for it, and settled: where the
        bot answers nothing, no answer is not proof that it heard nothing yet."""
        import asyncio

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.sandbox.state.pending:
            if loop.time() > deadline:
                raise TimeoutError("the bot did not take its updates")
            await asyncio.sleep(0.02)
        await self.settle(timeout)

    async def group_messages(self, group: int, after: int = 0) -> list[JSON]:
        """What the bot posted in ``group`` after ``after`` (sends and edits)."""
        await self.quiet()
        return [e for e in await self.client.bot_events(group, after) if e["kind"] in SHOWN]

    @staticmethod
    def buttons(event: JSON) -> list[str]:
        markup = event.get("reply_markup") or {}
        return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
