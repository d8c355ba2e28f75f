"""A plain terminal chat with the bot, as one sandbox user.

Type a line to send it; `#2` presses button 2 of the latest message with
buttons (`#2@15` on message 15); `>15 text` replies to message 15;
`~15 text` edits your message 15 (Telegram's "edit", an ``edited_message``);
`/clock 15:30` (or `+1d`, `reset`, `show`) moves the sandbox clock without
sending anything to the bot; `/quit` or end of input leaves. A paste of several lines is one message, as
is a block between two lines of three double quotes (see :mod:`bot.sandbox.chat_input`).
A message over Telegram's 4,096 UTF-16 code units goes out in several, cut
between characters, as Telegram's own apps do. Plain text in and out, so it
works in any terminal and a test can drive it with string streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.utf16 import sendable, utf16_len, utf16_prefix

from .chat_input import MessageReader
from .client import JSON, SandboxClient, SandboxError
from .clock_words import ClockWordsError, describe, read_clock_words

_PRESS = re.compile(r"^#(\d+)(?:@(\d+))?$")
_REPLY = re.compile(r"^>(\d+)\s+(.+)$", re.S)
_EDIT = re.compile(r"^~(\d+)\s+(.+)$", re.S)

HELP = ('Type to send (a paste, or lines between two """ lines, is one message). '
        "#N presses button N (#N@MSG on message MSG), >MSG text replies, ~MSG text edits your message, "
        "/clock 15:30 | +1d | reset moves the sandbox clock, /quit leaves.")
MESSAGE_LIMIT = 4096  # Telegram's, in UTF-16 code units


def message_pieces(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` as the messages a Telegram app would send: at most ``limit`` UTF-16 code
    units each, cut between characters (never inside an emoji)."""
    pieces: list[str] = []
    while utf16_len(text) > limit:
        head = utf16_prefix(text, limit)
        pieces.append(head)
        text = text[len(head):]
    return [*pieces, text]


def render_event(event: JSON) -> list[str]:
    """How one bot event looks on the terminal; empty when there is nothing to show."""
    mid = event.get("message_id")
    kind = event["kind"]
    if kind == "callback_answer":
        if not event.get("text"):
            return []
        return [f"[bot] ({'alert' if event.get('show_alert') else 'answer'}) {event['text']}"]
    if kind == "delete":
        return [f"[bot #{mid}] (deleted)"]
    topic = f" in {event['topic_name']}" if event.get("topic_name") else ""
    replied = event.get("reply_to_message_id")
    # In a forum topic every message "replies" to the topic's opening: not worth showing.
    answer = f" ↩ {replied}" if replied and replied != event.get("message_thread_id") else ""
    prefix = f"[bot #{mid}{answer}{topic}] " + ("(edited) " if kind == "edit" else "")
    lines: list[str] = []
    for key, icon in (("document", "📎"), ("photo", "🖼")):
        media = event.get(key)
        if media:
            lines.append(f"{prefix}{icon} {media.get('file_name')} ({media.get('size')} bytes) {media.get('url')}")
            prefix = "    "
    text = event.get("text")
    if text:
        first, *rest = text.split("\n")
        lines.append(prefix + first)
        lines.extend("    " + line for line in rest)
    elif not lines:
        lines.append(prefix.rstrip())
    lines.extend(_keyboard_lines(event.get("reply_markup")))
    return lines


def _keyboard_lines(markup: JSON | None) -> list[str]:
    if not markup:
        return []
    if "inline_keyboard" in markup:
        labels = [b.get("text", "") for row in markup["inline_keyboard"] for b in row]
        return ["    " + "  ".join(f"[{i}] {label}" for i, label in enumerate(labels, 1))] if labels else []
    if "keyboard" in markup:
        rows = [" | ".join(b.get("text", "") for b in row) for row in markup["keyboard"]]
        return ["    keyboard: " + " / ".join(rows)]
    if markup.get("remove_keyboard"):
        return ["    (keyboard removed)"]
    return []


class ChatSession:
    def __init__(self, client: SandboxClient, user_id: int, stdout: TextIO,
                 tz: ZoneInfo = ZoneInfo("Asia/Shanghai"), group: JSON | None = None) -> None:
        self.client = client
        self.tz = tz  # the business time zone: /clock 15:30 means 15:30 there
        self.user_id = user_id
        # In a group the chat is the group's; button answers (toasts) still come to the person.
        self.group = group
        self.chat_id = int(group["id"]) if group else user_id
        self.topics: dict[int, str] = {int(k): v for k, v in (group or {}).get("topics", {}).items()}
        self.thread_id: int | None = None  # the topic the next message goes to (`/topic NAME`)
        self.stdout = stdout
        self.last_seq = 0
        self.buttons: dict[int, list[JSON]] = {}  # message_id -> its inline buttons, in order
        self.latest_with_buttons: int | None = None
        self._seen = asyncio.Event()

    def say(self, line: str) -> None:
        # sendable: a lone surrogate (undecodable terminal input) would make the write raise.
        self.stdout.write(sendable(line) + "\n")
        self.stdout.flush()

    def absorb(self, event: JSON, *, show: bool = True) -> None:
        self.last_seq = max(self.last_seq, event["seq"])
        thread = event.get("message_thread_id")
        if thread is not None:
            event = {**event, "topic_name": self.topics.get(int(thread), f"topic {thread}")}
        if event["kind"] == "topic":
            self.topics[int(event["message_id"])] = event.get("name") or str(event["message_id"])
            if show:
                self.say(f"(the bot opened topic {event.get('name')!r})")
            self._seen.set()
            return
        mid = event.get("message_id")
        markup = event.get("reply_markup") or {}
        if event["kind"] in ("send", "edit") and mid is not None:
            buttons = [b for row in markup.get("inline_keyboard") or [] for b in row]
            if buttons:
                self.buttons[mid] = buttons
                self.latest_with_buttons = mid
            elif "inline_keyboard" not in markup and event["kind"] == "edit":
                self.buttons.pop(mid, None)
        elif event["kind"] == "delete":
            self.buttons.pop(mid, None)
        if self.latest_with_buttons not in self.buttons:
            self.latest_with_buttons = max(self.buttons) if self.buttons else None
        if show:
            for line in render_event(event):
                self.say(line)
        self._seen.set()

    async def catch_up(self, shown: int = 3) -> None:
        """What a phone shows on opening the chat: the latest few messages, their buttons live,
        so a card that arrived while nobody was looking (a queued new-order card at 09:00) can be
        pressed; older ones stay pressable by number (``#1@15``)."""
        events = await self.client.bot_events(self.chat_id, 0)
        if not events:
            return
        self.say(f"(earlier in this chat: the last {min(shown, len(events))} of {len(events)} messages)")
        for position, event in enumerate(events):
            self.absorb(event, show=position >= len(events) - shown)
        self.say("(now)")

    async def follow(self) -> None:
        """Print bot events as they arrive, until cancelled."""
        cursor = self.last_seq  # its own: a toast (follow_answers) moves last_seq past this chat's events
        while True:
            try:
                events = await self.client.bot_events(self.chat_id, cursor, timeout=20.0)
            except (SandboxError, OSError) as exc:
                self.say(f"(sandbox unreachable: {exc})")
                await asyncio.sleep(1.0)
                continue
            for event in events:
                cursor = max(cursor, event["seq"])
                self.absorb(event)

    async def follow_answers(self, after: int) -> None:
        """In a group: the answers to this person's button presses, which only they see."""
        cursor = after
        while True:
            try:
                events = await self.client.bot_events(self.user_id, cursor, timeout=20.0)
            except (SandboxError, OSError):
                await asyncio.sleep(1.0)
                continue
            for event in events:
                cursor = max(cursor, event["seq"])
                if event["kind"] == "callback_answer":
                    for line in render_event(event):
                        self.say(line)
                    self.last_seq = max(self.last_seq, event["seq"])
                    self._seen.set()

    async def wait_for_answer(self, after_seq: int, timeout: float, settle: float) -> None:
        """Wait for the bot's first event after after_seq, then until it has been quiet for settle seconds.

        Bots often answer with several events (answer a press, then edit); the
        next scripted line should see all of them.
        """
        if not await self._next_event(after_seq, timeout):
            return
        while await self._next_event(self.last_seq, settle):
            pass

    async def _next_event(self, after_seq: int, timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.last_seq <= after_seq:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._seen.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._seen.wait(), remaining)
        return True

    async def handle(self, line: str) -> bool:
        """Act on one input line; False when it was refused locally and nothing was sent."""
        press = _PRESS.match(line)
        reply = _REPLY.match(line)
        edit = _EDIT.match(line)
        if line.split()[0] == "/clock":
            await self._clock(line.split()[1:])
            return False
        if line.split()[0] == "/topic" and self.group is not None:
            self._topic(" ".join(line.split()[1:]))
            return False
        if press:
            return await self._press(int(press.group(1)), int(press.group(2)) if press.group(2) else None)
        if reply:
            await self._send(reply.group(2), int(reply.group(1)))
            return True
        if edit:
            return await self._edit(int(edit.group(1)), edit.group(2))
        await self._send(line, None)
        return True

    async def _clock(self, words: list[str]) -> None:
        """/clock …: move the sandbox clock from the chat; the bot never sees this line."""
        try:
            change = read_clock_words(words, datetime.fromisoformat((await self.client.clock())["now"]), self.tz)
        except ClockWordsError as error:
            self.say(f"(clock: {error})")
            return
        after = await self.client.change_clock(change)
        self.say(f"(clock: {describe(datetime.fromisoformat(after['now']), after['offset_seconds'], self.tz)})")

    def _topic(self, name: str) -> None:
        """/topic NAME: write in that forum topic from now on (``/topic`` alone: General)."""
        if not name:
            self.thread_id = None
            self.say("(writing in General)")
            return
        found = [tid for tid, title in self.topics.items() if name in (title, str(tid))]
        if not found:
            self.say(f"(no topic {name!r}; topics: {', '.join(self.topics.values()) or 'none yet'})")
            return
        self.thread_id = found[0]
        self.say(f"(writing in topic {self.topics[found[0]]!r})")

    async def _send(self, text: str, reply_to: int | None) -> None:
        pieces = message_pieces(text)
        if len(pieces) > 1:
            self.say(f"(over {MESSAGE_LIMIT} UTF-16 code units: sent as {len(pieces)} messages)")
        for piece in pieces:
            sent = await self.client.send_text(self.user_id, piece, reply_to_message_id=reply_to,
                                               chat_id=self.chat_id if self.group else None,
                                               thread_id=self.thread_id if reply_to is None else None)
            arrow = f" ↩ {reply_to}" if reply_to is not None else ""
            shown = piece.replace("\n", "\n    ")  # continuation lines indented, as the bot's are
            self.say(f"[you #{sent['message_id']}{arrow}] {shown}")

    async def _edit(self, message_id: int, text: str) -> bool:
        try:
            await self.client.edit_text(self.user_id, message_id, text, chat_id=self.chat_id if self.group else None)
        except SandboxError as error:  # not a message of this person's, or no such message
            self.say(f"(cannot edit #{message_id}: {error})")
            return False
        shown = text.replace("\n", "\n    ")
        self.say(f"[you #{message_id}] (edited) {shown}")
        return True

    async def _press(self, number: int, message_id: int | None) -> bool:
        target = message_id if message_id is not None else self.latest_with_buttons
        buttons = self.buttons.get(target) if target is not None else None
        if not buttons:
            self.say("(no message with buttons" + (f" #{message_id})" if message_id else ")"))
            return False
        if not 1 <= number <= len(buttons):
            self.say(f"(message #{target} has buttons 1..{len(buttons)})")
            return False
        button = buttons[number - 1]
        if "web_app" in button:  # a Mini App: a browser opens it, with initData the terminal cannot sign for it
            self.say(f"(button [{number}] opens the Mini App {button['web_app'].get('url')}; in a browser: "
                     f"orderbot desk --as {self.user_id})")
            return False
        if "callback_data" not in button:
            self.say(f"(button [{number}] opens {button.get('url') or 'something'}; nothing to press here)")
            return False
        await self.client.press_button(self.user_id, target, button["callback_data"],
                                       chat_id=self.chat_id if self.group else None)
        self.say(f"[you pressed [{number}] {button.get('text')} on #{target}]")
        return True


async def run_chat(
    root_url: str,
    user_id: int,
    first_name: str,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    username: str | None = None,
    tz: ZoneInfo = ZoneInfo("Asia/Shanghai"),
    answer_wait: float = 3.0,
    settle: float = 0.2,
    linger: float = 1.0,
    paste: bool | None = None,
    group: str | None = None,
) -> None:
    """Chat as user_id until /quit or end of input.

    After each line it waits up to answer_wait seconds for the bot to start
    answering and then until it is quiet for settle seconds, so a piped
    script sees the buttons it presses; on leaving it lingers up to linger
    seconds to print answers still on their way. ``paste`` joins lines that
    arrive together into one message (default: when stdin is a terminal).
    """
    async with SandboxClient(root_url) as client:
        await client.register_user(user_id, first_name, username)
        where = await client.group(group) if group else None
        session = ChatSession(client, user_id, stdout, tz, group=where)
        place = f" in group {where['title']} ({where['id']})" if where else ""
        session.say(f"Chatting as {first_name} ({user_id}){place}. {HELP}"
                    + (" /topic NAME writes in a forum topic." if where and where.get("is_forum") else ""))
        await session.catch_up()
        # Then follow from what the sandbox has now (events of other chats move the sequence too).
        session.last_seq = max(session.last_seq, await client.last_seq(user_id))
        follower = asyncio.create_task(session.follow(), name="sandbox-chat-follow")
        answers = asyncio.create_task(session.follow_answers(session.last_seq), name="sandbox-chat-answers") \
            if where else None
        loop = asyncio.get_running_loop()
        if stdin is sys.stdin and hasattr(stdin, "reconfigure"):
            # Bytes that are not UTF-8 (a line cut inside a character) become lone
            # surrogates and are sent and recorded, instead of ending the chat.
            stdin.reconfigure(errors="surrogateescape")
        reader = MessageReader(stdin, paste=paste)
        try:
            while True:
                line = await loop.run_in_executor(None, reader.read)
                if line is None or line.strip() == "/quit":
                    await session.wait_for_answer(session.last_seq, linger, settle)
                    break
                if not line.strip():
                    continue
                before = session.last_seq
                try:
                    sent = await session.handle(line)
                except SandboxError as exc:
                    session.say(f"(refused: {exc.description})")
                    continue
                if sent:
                    await session.wait_for_answer(before, answer_wait, settle)
        finally:
            for task in (follower, answers):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            session.say("(bye)")


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Chat with the bot through the sandbox as one user.")
    parser.add_argument("--url", default="http://127.0.0.1:8081")
    parser.add_argument("--user-id", type=int, required=True)
    parser.add_argument("--name", required=True)
    args = parser.parse_args(argv)
    asyncio.run(run_chat(args.url, args.user_id, args.name))


if __name__ == "__main__":
    main()
