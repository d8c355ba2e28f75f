"""What flows in and out of a use case, with no transport library in sight.

The adapters in ``bot/`` build an :class:`Incoming` from a Telegram update and
turn each :class:`Reply` back into Bot API calls; python-telegram-bot and
aiogram produce and consume exactly the same objects.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, get_args

if TYPE_CHECKING:  # only the type: importing the parser package loads its lexicon (seconds)
    from domain.parsing import ParsedMessage


class Parser(Protocol):
    """What use cases need of ``domain.parsing.Parser`` (built by the composition root, not at import)."""

    def parse(self, text: str, sent_at: datetime, *, expect: str | None = None) -> ParsedMessage:
        """The structured reading of one message; never raises on odd input."""

    def simplify(self, text: str) -> str:
        """Traditional to simplified characters, as the parser reads text."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""


class FileFetcher(Protocol):
    async def download(self, file_id: str) -> bytes:
        """The bytes of a file a user sent (Telegram's getFile + download)."""


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """A photo or document a user sent: Telegram's ids, kept as evidence."""

    kind: Literal["photo", "document"]
    file_id: str
    file_unique_id: str
    size: int | None = None
    file_name: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True, slots=True)
class ChatEvent:
    """A service message in a group: members joined or left, or the group moved to a new id
    (a group upgraded to a supergroup). ``user_ids`` are who joined/left; ``chat_id`` the other
    chat of a migration (``migrated_to``: the new supergroup; ``migrated_from``: the old group)."""

    kind: Literal["joined", "left", "migrated_to", "migrated_from", "topic_created", "bot_status"]
    user_ids: tuple[int, ...] = ()
    chat_id: int | None = None
    status: str | None = None  # bot_status: the bot's new ChatMember status there


@dataclass(frozen=True, slots=True)
class Incoming:
    kind: Literal["message", "edited_message", "callback"]
    update_id: int | None
    user_id: int
    chat_id: int
    sent_at: datetime  # Telegram's time of the message (edit_date for edits)
    text: str | None = None  # message text or photo caption
    message_id: int | None = None  # for callbacks: the message that carried the button
    reply_to_message_id: int | None = None
    first_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    callback_id: str | None = None
    callback_data: str | None = None
    files: tuple[IncomingFile, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False)
    chat_type: Literal["private", "group", "supergroup", "channel"] = "private"
    chat_title: str | None = None
    is_forum: bool = False
    thread_id: int | None = None  # the forum topic (message_thread_id) the message is in
    mentions: tuple[str, ...] = ()  # @usernames in the text, lower case, without the @
    event: ChatEvent | None = None

    @property
    def in_group(self) -> bool:
        return self.chat_type in ("group", "supergroup")

    @property
    def command(self) -> tuple[str, str] | None:
        """``("/start", "CODE")`` for a command message, else None; ``/cmd@botname`` is accepted."""
        if self.kind != "message" or not self.text or not self.text.startswith("/"):
            return None
        head, _, rest = self.text.strip().partition(" ")
        name = head.split("@", 1)[0].lower()
        return name, rest.strip()


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str  # callback data, ≤ 64 bytes (Telegram's limit); "" for a web_app button
    web_app: str = ""  # the URL of a Mini App this button opens instead of calling back

    def __post_init__(self) -> None:
        if not self.web_app and len(self.data.encode("utf-8")) > 64:
            raise ValueError(f"callback data over Telegram's 64-byte limit: {self.data!r}")


Keyboard = tuple[tuple[Button, ...], ...]

# Row ids are INTEGER columns (32-bit on PostgreSQL), Telegram ids BIGINT.
ROW_IDS = range(1, 2**31)
TELEGRAM_IDS = range(1, 2**63)
UNIX_TIMES = range(1, 253402300800)  # up to the year 9999, what ``datetime`` can hold


def id_from(text: str, allowed: range = ROW_IDS) -> int | None:
    """The number in button data or a command argument, or None when it is not one the
    database can hold: ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` fails)
    and within ``allowed``, so ``d:1000000000000:ok`` is an expired button, not an error."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if value in allowed else None


def keyboard_to_json(rows: Keyboard) -> list[list[dict[str, str]]]:
    """Buttons as stored in the outbox and the audit log."""
    return [[{"text": b.text, "data": b.data, **({"web_app": b.web_app} if b.web_app else {})} for b in row]
            for row in rows]


def keyboard_from_json(rows: list[list[dict[str, str]]] | None) -> Keyboard:
    return tuple(tuple(Button(b["text"], b["data"], b.get("web_app", "")) for b in row) for row in rows or ())


@dataclass(frozen=True, slots=True)
class OutgoingDocument:
    file_name: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Reply:
    chat_id: int
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    reply_to_message_id: int | None = None
    edit_message_id: int | None = None  # edit that bot message in place instead of sending
    document: OutgoingDocument | None = None
    photo: OutgoingDocument | None = None
    entity: str | None = None  # what the message is about ("DD202612005", "draft:7"), for the audit log
    thread_id: int | None = None  # the forum topic to post in (message_thread_id)


@dataclass(frozen=True, slots=True)
class ExportJob:
    """An /export to build off the update path; the workbook arrives later as a document."""

    kind: str  # orders | aftersales | fines
    start: date
    end: date  # inclusive
    language: str
    contacts: bool  # phone and address columns (only for entitled roles)
    chat_id: int
    key: str  # the outbox key of the document message: one document per request


@dataclass(frozen=True, slots=True)
class EvidenceJob:
    """An /evidence document (证据文件) to build off the update path; it arrives later as a document.
    Whether the reader may have it was decided when they asked."""

    number: str  # DD… or SH…
    language: str
    reader: str  # who asked: the document names them
    now: datetime  # when they asked: the document's time and its checkpoint's
    chat_id: int
    key: str


@dataclass(frozen=True, slots=True)
class KpiJob:
    """A /kpi (考核指标) over a long period, counted off the update path; the answer arrives later.
    The period and the scope were read (and the role's limits applied) when it was asked."""

    start: date
    end: date  # inclusive
    store_id: int | None
    clerk_id: int | None
    scope_name: str
    breakdown: bool  # by store and by clerk
    today: date
    now: datetime
    language: str
    chat_id: int
    key: str
    trend: bool = False  # also the 8-week trend (the desk's chart)


@dataclass(frozen=True, slots=True)
class ChartJob:
    """The weekly summary's KPI trend picture (R17), drawn off the event loop."""

    week: date  # the week starting that Monday; the 8 whole weeks before it
    now: datetime
    language: str
    key: str


Job = ExportJob | EvidenceJob | KpiJob | ChartJob


class JobRunner(Protocol):
    def submit(self, job: Job) -> None:
        """Start the job; its result reaches the chat through the outbox."""

    async def run(self, job: Job) -> Any:
        """Build the job off the event loop and return what it built (the desk shows it itself)."""


_JOB_KINDS: dict[str, type[Job]] = {kind.__name__: kind for kind in get_args(Job)}
# How a field stored as ISO text is read back, by the field's declared type.
_FROM_ISO: dict[str, Callable[[str], Any]] = {"date": date.fromisoformat, "datetime": datetime.fromisoformat}


def job_to_json(job: Job) -> dict[str, Any]:
    values = {f.name: getattr(job, f.name) for f in fields(job)}
    return {"task": type(job).__name__,
            **{name: v.isoformat() if isinstance(v, date | datetime) else v for name, v in values.items()}}


def job_from_json(data: dict[str, Any]) -> Job:
    kind = _JOB_KINDS[data.get("task", "ExportJob")]  # inbox rows from before there were other jobs: exports
    return kind(**{f.name: read(data[f.name]) if (read := _FROM_ISO.get(str(f.type))) else data[f.name]
                   for f in fields(kind) if f.name in data})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one incoming update produced: replies to send and the answer to a button press."""

    replies: tuple[Reply, ...] = ()
    callback_answer: str | None = None
    duplicate: bool = False
    # (chat id, role, language) whose command menu must be set again: after
    # registration or a language switch.
    menus: tuple[tuple[int, str, str], ...] = ()
    jobs: tuple[Job, ...] = ()  # heavy work to start once the replies are out
    notified: bool = False  # notifications for others were queued: the outbox has work now


def _document_to_json(document: OutgoingDocument | None) -> dict[str, str] | None:
    if document is None:
        return None
    return {"file_name": document.file_name, "mime_type": document.mime_type,
            "content": base64.b64encode(document.content).decode("ascii")}


def _document_from_json(data: dict[str, str] | None) -> OutgoingDocument | None:
    if not data:
        return None
    return OutgoingDocument(data["file_name"], base64.b64decode(data["content"]), data["mime_type"])


def outcome_to_json(outcome: Outcome) -> str:
    """An outcome as kept in the inbox until it is delivered (so a crash cannot lose the answer)."""
    return json.dumps({
        "replies": [{**{f.name: getattr(r, f.name) for f in fields(r)}, "buttons": keyboard_to_json(r.buttons),
                     "document": _document_to_json(r.document), "photo": _document_to_json(r.photo)}
                    for r in outcome.replies],
        "callback_answer": outcome.callback_answer,
        "menus": [list(menu) for menu in outcome.menus],
        "jobs": [job_to_json(j) for j in outcome.jobs],
        "notified": outcome.notified,
    })  # ASCII: a reply quoting a lone surrogate or a NUL is escaped, storable on both databases


def outcome_from_json(raw: str) -> Outcome:
    data = json.loads(raw)
    replies = tuple(Reply(**{**r, "buttons": keyboard_from_json(r["buttons"]),  # thread_id: not in older rows
                             "document": _document_from_json(r["document"]), "photo": _document_from_json(r["photo"])})
                    for r in data["replies"])
    jobs = tuple(job_from_json(j) for j in data.get("jobs", ()))
    return Outcome(replies, data["callback_answer"], menus=tuple((m[0], m[1], m[2]) for m in data["menus"]),
                   jobs=jobs, notified=data.get("notified", True))
