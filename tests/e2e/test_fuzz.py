"""A seeded fuzz through the real transport: whatever people send is recorded and answered.

Random CJK, emoji, bidi and control characters (NUL included), lone surrogates,
texts up to Telegram's 4,096 UTF-16 code units, SQL and HTML strings, order-like
messages with absurd fields, random commands, stale and forged button data, and
edits of old messages — from the demo team and from strangers with odd names.
Afterwards: every update is in the audit log exactly once, every message and
button press got an answer, nothing was logged at ERROR, no answer is the
"internal error" text, and the chain verifies. On SQLite and PostgreSQL.

``ORDERBOT_FUZZ_N`` sets the actions per run (default 200 per database and
transport library, so CI stays quick); ``ORDERBOT_FUZZ_SEED`` replays a run.
"""

from __future__ import annotations

import logging
import os
import random
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from bot.utf16 import utf16_len, utf16_prefix
from domain.texts import t
from handlers.routes import BUTTONS, COMMANDS
from storage.audit import Kind, verify_chain
from storage.models import AuditEntry
from tests.e2e.harness import Harness

ACTIONS = int(os.environ.get("ORDERBOT_FUZZ_N", "200"))
SEED = int(os.environ.get("ORDERBOT_FUZZ_SEED", "20261201"))
TEAM = ("sales1", "sales2", "clerk", "manager", "storemanager1", "admin")
INTERNAL_ERROR = t("zh-CN", "error.internal", ref="").split("（")[0]

ALPHABETS: list[list[str]] = [
    [chr(c) for c in range(0x4E00, 0x9FA5, 97)],  # CJK
    [chr(c) for c in range(0x1F300, 0x1FAFF, 13)],  # emoji (two UTF-16 units each)
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069", "\u200e", "\u200f"],
    [chr(c) for c in range(0x00, 0x20)] + ["\x7f", "\x85"],  # control characters, NUL included
    [chr(c) for c in range(0xD800, 0xE000, 211)],  # lone surrogates
    ["\u200b", "\ufeff", "\u0301", "\u20e3", "\ufe0f", "\u00a0", "\u3000"],  # zero-width, combining, spaces
    list("abcXYZ019 .,;:!?-_*`[]()~>#+=|{}\\/\"'\n"),
    ["１２３", "١٢٣", "²", "½", "Ⅻ", "〇", "十二"],  # digits that are not ASCII digits
]
SNIPPETS = ["'; DROP TABLE orders; --", "<b>粗</b><script>alert(1)</script>", "%s%n%x", "${jndi:x}", "NULL",
            "\\u0000", "\\x00", "{{7*7}}", "实木床1.8米1张", "12月20日送", "全款", "13812345678", "天河区天河路1号",
            "售后", "改单", "取消", "到货", "欠货"]


def _chars(rng: random.Random, units: int) -> str:
    out: list[str] = []
    while utf16_len("".join(out)) < units:
        if rng.random() < 0.08:
            out.append(rng.choice(SNIPPETS))
        else:
            out.append(rng.choice(rng.choice(ALPHABETS)))
    return utf16_prefix("".join(out), units)


def odd_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        units = rng.choice((4096, 4095, rng.randint(1000, 4096)))
    elif roll < 0.2:
        units = rng.randint(60, 600)
    else:
        units = rng.randint(1, 40)
    text = _chars(rng, units)
    return text if text.strip() else text + "字"


def order_text(rng: random.Random) -> str:
    name = rng.choice(["张三", "欧阳" * 60, _chars(rng, rng.randint(1, 150)), "李\x00四", "王\ud83d五"])
    phone = rng.choice(["13812345678", "1" * 40, "１３８１２３４５６７８", _chars(rng, 12)])
    product = rng.choice(["实木床1.8米1张", "沙发" + "9" * 25 + "张", "床垫" * 80 + "1张", _chars(rng, 20) + "1张"])
    when = rng.choice(["12月20日送", "9999年99月99日送", "明天送", "12月" + "9" * 30 + "日送"])
    address = rng.choice(["天河区天河路1号", "地址" * 300, _chars(rng, 80)])
    return utf16_prefix(" ".join([name, phone, product, when, address, rng.choice(["全款", "订金", ""])]), 4096)


def command_text(rng: random.Random, codes: list[str]) -> str:
    name = rng.choice(sorted(COMMANDS) + ["start", "start", "xyz", "啊", ""])
    suffix = rng.choice(["", "@orderbot_bot", "@其他"])
    arg = rng.choice(["", str(rng.randint(0, 2**70)), "-1", "²", rng.choice(codes) if codes else "",
                      _chars(rng, rng.randint(1, 30)), "DD202612001", "1000000000000 30 R8 打错单"])
    return utf16_prefix(f"/{name}{suffix} {arg}".rstrip(), 4096)


def forged_data(rng: random.Random) -> str:
    prefix = rng.choice(sorted(BUTTONS) + ["zz", ""])
    body = rng.choice([str(rng.randint(0, 2**80)), "1000000000000:ok", "-5:x", "²:ok", "1:2:3:4:5",
                       _chars(rng, 10), "", "1", "0", f"{2**31}:ok", f"1:{10**20}:ack"])
    data = f"{prefix}:{body}"
    while len(data.encode("utf-8", "surrogatepass")) > 64:
        data = data[:-1]
    return data


@dataclass
class Person:
    user_id: int
    first_name: str
    sent: list[int] = field(default_factory=list)  # their text message ids (to edit)
    bot_messages: list[dict[str, Any]] = field(default_factory=list)  # bot messages in their chat


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def e2e_db_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'e2e.sqlite3'}"
    return request.getfixturevalue("pg_url")


async def _invite_codes(h: Harness, n: int) -> list[str]:
    codes = []
    for _ in range(n):
        [answer] = await h.say("admin", "/invite sales S1")
        codes += re.findall(r"start=([\w-]+)", answer["text"])
    return codes


class Fuzzer:
    def __init__(self, h: Harness, rng: random.Random, codes: list[str]) -> None:
        self.h = h
        self.rng = rng
        self.codes = codes
        self.people = [Person(Harness.uid(handle), handle) for handle in TEAM]
        self.unanswered: list[str] = []
        self.answers: list[str] = []

    def _stranger(self) -> Person:
        rng = self.rng
        name = rng.choice(["路人", "欧阳" * 60, "名\x00字", "\ud800坏", _chars(rng, rng.randint(1, 70)), "‮RTL"])
        person = Person(5_000_000 + rng.randint(0, 10**6), name)
        self.people.append(person)
        return person

    def _absorb(self, person: Person, events: list[dict[str, Any]]) -> None:
        for event in events:
            if event["kind"] in ("send", "edit"):
                self.answers.append(event.get("text") or "")
                if (event.get("reply_markup") or {}).get("inline_keyboard"):
                    person.bot_messages.append(event)

    async def act(self) -> None:
        rng = self.rng
        person = self._stranger() if rng.random() < 0.1 else rng.choice(self.people)
        client = self.h.client
        after = await client.last_seq()
        roll = rng.random()
        if roll < 0.12 and person.sent:
            await client.edit_text(person.user_id, rng.choice(person.sent), odd_text(rng))
            return  # an edit need not be answered
        if roll < 0.3 and person.bot_messages:
            message = rng.choice(person.bot_messages)
            buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row if "callback_data" in b]
            if rng.random() < 0.5 and buttons:
                data = rng.choice(buttons)["callback_data"]
                what = f"press {data!r}"
                # The message may have been edited since: a slow client still shows, and sends, the old button.
                await client.press_button(person.user_id, message["message_id"], data, forged=True)
            else:
                data = forged_data(rng)
                what = f"forged press {data!r}"
                await client.press_button(person.user_id, message["message_id"], data, forged=True)
        else:
            text = rng.choice([odd_text, odd_text, order_text, lambda r: command_text(r, self.codes)])(rng)
            what = f"text {text[:60]!r}"
            sent = await client.send_text(person.user_id, text, first_name=person.first_name)
            person.sent.append(sent["message_id"])
        try:
            events = await client.wait_for_bot(person.user_id, after, timeout=15.0)
        except TimeoutError:
            self.unanswered.append(what)
            return
        self._absorb(person, events)


async def test_whatever_people_send_is_recorded_and_answered(harness: Harness,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    h = harness
    rng = random.Random(SEED)
    codes = await _invite_codes(h, 3)
    assert codes, "no invite codes: strangers could not try to register"
    fuzzer = Fuzzer(h, rng, codes)
    with caplog.at_level(logging.WARNING):
        for _ in range(ACTIONS):
            await fuzzer.act()
            if len(fuzzer.unanswered) >= 3:
                break  # each costs a 15 s wait; three say enough
        # Let the last update's processing finish before reading the log.
        await h.say("admin", "/whoami")

    assert fuzzer.unanswered == [], f"seed {SEED}: no answer to {fuzzer.unanswered[:5]}"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, f"seed {SEED}:\n" + "\n".join(r.getMessage() + "\n" + (r.exc_text or "") for r in errors[:3])
    assert not [a for a in fuzzer.answers if INTERNAL_ERROR in a], f"seed {SEED}: an internal error was answered"

    history = (await h.client.updates())["history"]
    sent_ids = sorted(u["update_id"] for u in history)
    async with h.runtime.app.sessions() as session:
        recorded = [row.update_id for row in (await session.execute(
            select(AuditEntry.update_id, AuditEntry.kind).where(AuditEntry.update_id.is_not(None)))).all()]
        kinds = set((await session.execute(select(AuditEntry.kind).distinct())).scalars())
        report = await verify_chain(session)
    assert sorted(recorded) == sent_ids, f"seed {SEED}: updates missing or recorded twice"
    assert Kind.UNREADABLE not in kinds  # the sandbox sends well-formed updates: each was understood
    assert report.ok, report.problem and report.problem.describe()
