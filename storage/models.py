"""Typed SQLAlchemy models: the tables of the bot.

Times are :class:`UTCDateTime` (aware UTC on every backend). Telegram ids are
BIGINT: user ids passed 2**31 long ago.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from domain.aftersales.case import CaseState, Category, Resolution, Severity
from domain.orders.lifecycle import LineState, OrderState
from domain.policy.fines import FineState
from domain.roles import Role
from storage.types import FreeText, LookupString, State, UTCDateTime

# Stable constraint names so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # What a column's Python type means unless the column says otherwise (SQLAlchemy's defaults
    # for int, bool, date): times are aware UTC on every backend, text is free text (storage.types).
    type_annotation_map = {datetime: UTCDateTime, str: FreeText}


# -- states only storage knows: how far a delivery, an inbound update, a change request got ---------


class OutboxState(StrEnum):
    """Where a notification in the outbox is (发送状态)."""

    PENDING = "pending"  # waiting for its time
    SENDING = "sending"  # claimed by a sender (a lease: claimed again when it runs out)
    SENT = "sent"
    FAILED = "failed"  # refused, or out of attempts
    UNREACHABLE = "unreachable"  # the person blocked the bot
    SKIPPED = "skipped"  # the slot was evaluated and had nothing to say; never sent
    DROPPED = "dropped"  # no longer applied when due


class InboxState(StrEnum):
    """How far an inbound update got (收件箱状态)."""

    RECEIVED = "received"  # recorded as evidence; the use case has not run
    APPLIED = "applied"  # the use case ran; its replies are in ``outcome``


class ChangeState(StrEnum):
    """An 改单 request awaiting the sender's confirmation."""

    PENDING = "pending"
    APPLIED = "applied"
    DROPPED = "dropped"  # replaced by a newer request, or declined


class ChangeOrigin(StrEnum):
    """What an 改单 request came from: the card's words, an edit of the original message, or 销单."""

    MESSAGE = "message"
    EDIT = "edit"
    CANCEL = "cancel"


class GroupRole(StrEnum):
    """What a Telegram group is to the bot (群的用途)."""

    STORE = "store"  # a store's group (门店群)
    DESK = "desk"  # the clerks' desk (跟单台), a forum with topics
    UNLINKED = "unlinked"  # added, nobody linked it yet (or /unlink); the bot stays silent there


class Store(Base):
    """门店."""

    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(LookupString(32), unique=True)
    name: Mapped[str]
    created_at: Mapped[datetime]


class User(Base):
    """A registered person: sales (导购), clerk (跟单员), store manager (店长), manager (主管), admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str]
    username: Mapped[str | None]
    role: Mapped[Role] = mapped_column(State(Role, 20))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    store: Mapped[Store | None] = relationship(lazy="joined")


class Invite(Base):
    """A one-time registration code an admin hands out (/invite → /start CODE)."""

    __tablename__ = "invites"

    code: Mapped[str] = mapped_column(LookupString(32), primary_key=True)
    role: Mapped[Role] = mapped_column(State(Role, 20))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    used_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One link of the append-only, hash-chained evidence log (一切以证据说话).

    ``seq`` is gap-free (assigned under the chain lock), so a deleted row shows
    as a hole; ``hash`` covers every column and the previous entry's hash, so a
    changed or inserted row breaks the chain from that point on.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        UniqueConstraint("bot_id", "update_id", name="uq_audit_log_bot_update"),
        Index("ix_audit_log_chat_message", "chat_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    bot_id: Mapped[int | None] = mapped_column(BigInteger)
    update_id: Mapped[int | None] = mapped_column(BigInteger)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # Telegram id of the sender / acting user
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(default=1)
    entity: Mapped[str | None] = mapped_column(LookupString(40), index=True)
    telegram_time: Mapped[datetime | None]
    recorded_at: Mapped[datetime]
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditLeaf(Base):
    """One leaf of the Merkle tree over the audit log (默克尔树叶子): an entry, or a photo it kept.

    ``hash`` is the RFC 6962 leaf hash of ``domain.evidence.leaves`` bytes,
    written when the entry is appended; checks recompute it from the entry.
    """

    __tablename__ = "audit_leaves"

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # 0-based
    seq: Mapped[int] = mapped_column(BigInteger, index=True)  # the audit entry it comes from
    kind: Mapped[str] = mapped_column(String(16))  # "audit_entry" | "photo"
    hash: Mapped[str] = mapped_column(String(64))  # hex


class AuditCheckpoint(Base):
    """A signed tree head (签名检查点) the bot made: the C2SP checkpoint note, and where it went."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))  # hex
    note: Mapped[str] = mapped_column(Text)  # the checkpoint text, signature lines included
    signed: Mapped[bool] = mapped_column(default=False)
    purpose: Mapped[str] = mapped_column(String(40))  # "daily:2026-12-03", "cli", "evidence", "startup"
    published: Mapped[bool] = mapped_column(default=False)  # sent to the managers
    created_at: Mapped[datetime] = mapped_column(index=True)


class DocumentCounter(Base):
    """The last number handed out per document kind and month (DD/SH/FK + YYYYMM)."""

    __tablename__ = "document_counters"

    kind: Mapped[str] = mapped_column(String(4), primary_key=True)
    year_month: Mapped[str] = mapped_column(String(6), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class Order(Base):
    """订单: from the first message (draft) to closed or cancelled."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_state_order_date", "state", "order_date"),
        Index("ix_orders_source", "source_chat_id", "source_message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(LookupString(20), unique=True)
    state: Mapped[OrderState] = mapped_column(State(OrderState, 20), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), index=True)
    sales_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    customer_name: Mapped[str | None]
    customer_phone: Mapped[str | None]
    address: Mapped[str | None]
    delivery_date: Mapped[date | None]
    payment: Mapped[str | None]
    order_date: Mapped[date | None]  # R4: delivery date − lead time
    flags: Mapped[str] = mapped_column(String(200), default="")  # comma-separated: rush_insertion, short_lead_time
    parser_version: Mapped[str | None] = mapped_column(String(40))
    source_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    source_message_id: Mapped[int | None] = mapped_column(BigInteger)
    evidence_id: Mapped[int | None] = mapped_column(BigInteger)  # audit entry of the order message
    sent_at: Mapped[datetime]  # Telegram time of the order message
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    held_until: Mapped[date | None] = mapped_column(index=True)  # R12: paused on the return day
    received_at: Mapped[datetime | None]
    reconfirmed_at: Mapped[datetime | None]
    placed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    printed_at: Mapped[datetime | None]
    pickup_deadline: Mapped[date | None] = mapped_column(index=True)  # R10
    picked_up_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None]
    cancel_requested_at: Mapped[datetime | None]
    sales_told_clerk_at: Mapped[datetime | None]  # R6
    reached_store_warehouse: Mapped[bool] = mapped_column(default=False)  # R8's higher rate
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who received it

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.position",
                                                  cascade="all, delete-orphan", lazy="selectin")
    store: Mapped[Store | None] = relationship(lazy="joined")
    sales: Mapped[User] = relationship(foreign_keys=[sales_id], lazy="joined")

    @property
    def flag_set(self) -> frozenset[str]:
        return frozenset(f for f in self.flags.split(",") if f)


class OrderLine(Base):
    """One product line (货品) with its arrival status (到货 / 欠货 with ETA)."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    product: Mapped[str]
    material: Mapped[str | None]
    quantity: Mapped[int] = mapped_column(default=1)
    unit: Mapped[str | None]
    spec: Mapped[str | None]
    state: Mapped[LineState] = mapped_column(State(LineState, 12), default=LineState.pending)
    eta: Mapped[date | None]
    arrived_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="lines")


class EventRow:
    """One line of a tracked entity's history (履历): who did what, when, from which state to
    which, on the evidence of which message. Orders and after-sales cases keep the same kind."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))  # an order's or a case's state
    to_state: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[str | None]  # canonical JSON
    evidence_id: Mapped[int | None] = mapped_column(BigInteger)

    @declared_attr
    def actor(cls) -> Mapped[User | None]:
        return relationship(User, lazy="joined")


class OrderEvent(EventRow, Base):
    """An order's history."""

    __tablename__ = "order_events"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)


class PendingChange(Base):
    """改单 awaiting the sender's confirmation: the field-by-field diff is shown first."""

    __tablename__ = "pending_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    changes: Mapped[str]  # JSON: {field: new value}
    state: Mapped[ChangeState] = mapped_column(State(ChangeState, 12), default=ChangeState.PENDING)
    origin: Mapped[ChangeOrigin] = mapped_column(State(ChangeOrigin, 12), default=ChangeOrigin.MESSAGE)
    evidence_id: Mapped[int | None] = mapped_column(BigInteger)


class AwaitingInput(Base):
    """The one question the bot is waiting for a person to answer (a missing field, a reason, an ETA)."""

    __tablename__ = "awaiting_input"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # e.g. draft_field, draft_edit, cancel_reason, backorder_eta
    ref_id: Mapped[int]
    field: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime]


class Fine(Base):
    """罚款: proposed by a rule or by hand, then confirmed or waived by a manager (R16)."""

    __tablename__ = "fines"
    __table_args__ = (UniqueConstraint("rule_key", name="uq_fines_rule_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(LookupString(20), unique=True)
    rule: Mapped[str] = mapped_column(String(8))  # R2, R6, R7, R8, R10 …
    rule_key: Mapped[str | None] = mapped_column(String(120))  # rule+entity+slot: the same fine is never proposed twice
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount_yuan: Mapped[int]
    reason: Mapped[str]  # as recorded (a rule's reason in zh-CN, a manual fine's as typed)
    # A rule's reason as catalogue key and arguments (JSON), so each reader gets it in their language.
    reason_parts: Mapped[str | None] = mapped_column(Text)
    state: Mapped[FineState] = mapped_column(State(FineState, 12), default=FineState.proposed, index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime]
    evidence: Mapped[str | None] = mapped_column(Text)  # JSON list of audit entry ids
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
    appeal_deadline: Mapped[date | None]
    appeal_reason: Mapped[str | None]
    appealed_at: Mapped[datetime | None]

    person: Mapped[User] = relationship(foreign_keys=[person_id], lazy="joined")
    decider: Mapped[User | None] = relationship(foreign_keys=[decided_by], lazy="joined")
    order: Mapped["Order | None"] = relationship(foreign_keys=[order_id], lazy="joined")


class ReturnDay(Base):
    """R12 售后退货日: one day a month, set by the clerk; order intake pauses on it."""

    __tablename__ = "return_days"

    year_month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-12"
    day: Mapped[date] = mapped_column(unique=True)
    set_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime]


class CompanyDayOff(Base):
    """公司休息日: a day off a manager added by chat (/calendar off), on top of config and public holidays."""

    __tablename__ = "company_days_off"

    day: Mapped[date] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime]


class OutboxMessage(Base):
    """A notification to someone other than the sender, written in the same transaction
    as the change that caused it and delivered by the outbox sender. ``key`` makes
    every notification unique (rule, entity, due slot): the database decides whether
    it was already sent, not memory."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "not_before"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str]
    buttons: Mapped[str | None]  # JSON [[{"text","data"}]]
    entity: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    not_before: Mapped[datetime]
    state: Mapped[OutboxState] = mapped_column(State(OutboxState, 12), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # A photo or document to send with the text: JSON {"kind": "photo"|"document", "path", "file_name"}.
    attachment: Mapped[str | None] = mapped_column(Text)
    # May go out outside working hours (R14 escalations, when config allows it).
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())
    # An answer to the person's own request (a reply Telegram refused at first, a finished
    # export): not a ping, so working hours (R18) do not hold it back.
    answer: Mapped[bool] = mapped_column(default=False, server_default=false())

    # How to render the row again when it is sent (JSON {"kind": …, …}, see handlers.live): a queued
    # card shows the entity as it is then, or is dropped when it no longer applies. ``text`` and
    # ``buttons`` are the rendering at queue time, replaced by what was actually sent.
    render: Mapped[str | None] = mapped_column(Text)
    # The forum topic to post in: ``thread_id`` when known; ``topic`` names a desk-group topic
    # ("S1", "日报", an order number) whose thread id the sender looks up or opens when it sends.
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    topic: Mapped[str | None] = mapped_column(String(40))


class InboxUpdate(Base):
    """An update that is recorded as evidence but not yet fully answered (收件箱).

    Written in the same transaction as the inbound audit entry, so acknowledging
    the update to Telegram after that commit loses nothing: a crash before the
    use case ran leaves the row ``received``; a crash after it ran but before the
    replies went out leaves it ``applied`` with the replies in ``outcome``. Either
    way the next process finishes the job. The row is deleted once answered.
    """

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_chat", "chat_id", "update_id"),)

    entry_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # audit_log.id
    chat_id: Mapped[int] = mapped_column(BigInteger)
    update_id: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime]
    state: Mapped[InboxState] = mapped_column(State(InboxState, 12), default=InboxState.RECEIVED)
    outcome: Mapped[str | None] = mapped_column(Text)  # JSON: the replies still to deliver


# -- After-sales (售后, R11–R14) ------------------------------------------------------


class AfterSalesCase(Base):
    """售后单: one customer problem from the sales person's message to the satisfaction answer.

    ``respond_by`` / ``resolve_by`` are the R14 deadlines in working time (None while a
    customer wait stops the clock); ``next_due_at`` is the deadline still to be met and
    ``warn_at`` the moment to warn before it — both None once nothing is pending — so
    the reminder sweep finds due cases with one indexed range query.
    """

    __tablename__ = "aftersales_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(LookupString(20), unique=True)
    state: Mapped[CaseState] = mapped_column(State(CaseState, 20), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), index=True)
    sales_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    category: Mapped[Category] = mapped_column(State(Category, 20))
    severity: Mapped[Severity] = mapped_column(State(Severity, 10))
    description: Mapped[str]
    whole_order: Mapped[bool] = mapped_column(default=False)  # R13: one product can return the order
    customer_hint: Mapped[str | None]  # name/phone typed when no number was given
    source_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    source_message_id: Mapped[int | None] = mapped_column(BigInteger)
    evidence_id: Mapped[int | None] = mapped_column(BigInteger)  # audit entry of the request message
    sent_at: Mapped[datetime]  # Telegram time of the request
    created_at: Mapped[datetime]
    queued: Mapped[bool] = mapped_column(default=False)  # R11 queue mode: sent outside the window
    opened_at: Mapped[datetime]  # when the desk takes it (window start if queued)
    sla_started_at: Mapped[datetime]  # opened_at, or the last re-opening
    accepted_at: Mapped[datetime | None]  # first response
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    resolution: Mapped[Resolution | None] = mapped_column(State(Resolution, 12))
    resolution_note: Mapped[str | None]
    satisfaction: Mapped[int | None]  # the latest score
    reopen_count: Mapped[int] = mapped_column(default=0)
    fine_id: Mapped[int | None] = mapped_column(ForeignKey("fines.id"))  # R7/R8 for a registration error
    respond_by: Mapped[datetime | None] = mapped_column(index=True)
    resolve_by: Mapped[datetime | None] = mapped_column(index=True)
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    warn_at: Mapped[datetime | None] = mapped_column(index=True)

    order: Mapped[Order | None] = relationship(lazy="joined")
    store: Mapped[Store | None] = relationship(lazy="joined")
    sales: Mapped[User] = relationship(foreign_keys=[sales_id], lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")


class CaseEvent(EventRow, Base):
    """A case's history."""

    __tablename__ = "aftersales_case_events"

    case_id: Mapped[int] = mapped_column(ForeignKey("aftersales_cases.id", ondelete="CASCADE"), index=True)


class CasePhoto(Base):
    """A photo sent as evidence: Telegram's ids, and the stored bytes' SHA-256 and size
    (the same facts are in the audit chain as a ``file`` entry, ``audit_id``)."""

    __tablename__ = "aftersales_case_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("aftersales_cases.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[str]
    file_unique_id: Mapped[str]
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None]
    path: Mapped[str | None]
    error: Mapped[str | None]  # the download failed: the file_id is kept
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime]
    evidence_id: Mapped[int | None] = mapped_column(BigInteger)  # the message that carried it
    audit_id: Mapped[int | None] = mapped_column(BigInteger)  # its ``file`` entry in the audit log


class CasePause(Base):
    """等客户: the SLA clock stops while the desk waits on the customer (reason, who, when)."""

    __tablename__ = "aftersales_case_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("aftersales_cases.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime]
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReturnDayNotice(Base):
    """R12 advance notices of a month's return day: when each is due; the schedules send them."""

    __tablename__ = "return_day_notices"
    __table_args__ = (UniqueConstraint("year_month", "notice_date", name="uq_return_day_notices_month_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year_month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-12"
    return_day: Mapped[date]
    notice_date: Mapped[date]  # the slot key
    due_at: Mapped[datetime] = mapped_column(index=True)  # first working moment of that date
    sent_at: Mapped[datetime | None]


class DeskNonce(Base):
    """A one-time ticket for one action in the managers' desk (Mini App): issued to one person,
    used at most once, so a replayed request (same initData, same ticket) changes nothing."""

    __tablename__ = "desk_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class GroupLink(Base):
    """A Telegram group the bot works in (群): a store's group (``GroupRole.STORE``, with the
    store) or the clerks' desk (跟单台, ``GroupRole.DESK``, a forum whose topics are kept in
    ``topics``: topic key → message_thread_id). ``GroupRole.UNLINKED``: a group the bot was
    added to but nobody linked yet; it has had its one answer (``told_at``)."""

    __tablename__ = "group_links"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[GroupRole] = mapped_column(State(GroupRole, 12))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    title: Mapped[str | None]
    topics: Mapped[str | None] = mapped_column(Text)  # JSON {"S1": 12, "日报": 14}
    linked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime | None]
    told_at: Mapped[datetime | None]
    # The old chat id when the group was upgraded to a supergroup (links follow the new id).
    migrated_from: Mapped[int | None] = mapped_column(BigInteger)


class GroupDeparture(Base):
    """A member who left or was removed from a group (退群): keeps everything in the log,
    but can no longer act there. Removed again when they rejoin."""

    __tablename__ = "group_departures"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    left_at: Mapped[datetime]
