"""订单流程: the order life cycle as a table, and who may take each step.

``draft → submitted → received (接单) → confirmed (与客户确认, R5) → placed (下单)
→ complete (单齐) → printed (打单) → picked_up (提货) → delivered (送达) → closed``,
with ``cancelled (销单)`` as the side exit. Lines (货品行) carry their own
arrival state, so an order in any state can have backorder lines (欠货).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import Iterable

from domain.errors import DomainError


class OrderState(StrEnum):
    draft = "draft"  # 草稿
    submitted = "submitted"  # 已交单
    received = "received"  # 已接单
    confirmed = "confirmed"  # 已与客户确认 (R5)
    placed = "placed"  # 已下单
    complete = "complete"  # 单齐
    printed = "printed"  # 已打单
    picked_up = "picked_up"  # 已提货 (left the finished-goods warehouse)
    delivered = "delivered"  # 已送达
    closed = "closed"  # 已结单
    cancelled = "cancelled"  # 已销单


class LineState(StrEnum):
    pending = "pending"  # 待到货
    arrived = "arrived"  # 到货 / 入库
    backorder = "backorder"  # 欠货, always with an ETA (欠货交期)


class Action(StrEnum):
    submit = "submit"  # 交单
    change = "change"  # 改单 (state unchanged; R8 prices it)
    receive = "receive"  # 接单
    confirm_with_customer = "confirm_with_customer"  # 下单前与客户确认
    place = "place"  # 下单
    mark_complete = "mark_complete"  # 单齐
    print = "print"  # 打单
    pick_up = "pick_up"  # 提货
    deliver = "deliver"  # 送达
    close = "close"  # 结单
    cancel = "cancel"  # 销单


FINISHED = frozenset({OrderState.closed, OrderState.cancelled})
# Submitted but not yet placed with the factory (未下单): what the order-date reminders chase.
NOT_PLACED = (OrderState.submitted, OrderState.received, OrderState.confirmed)

_FORWARD: dict[OrderState, dict[Action, OrderState]] = {
    OrderState.draft: {Action.submit: OrderState.submitted},
    OrderState.submitted: {Action.receive: OrderState.received},
    OrderState.received: {Action.confirm_with_customer: OrderState.confirmed},
    OrderState.confirmed: {Action.place: OrderState.placed},
    OrderState.placed: {Action.mark_complete: OrderState.complete},
    OrderState.complete: {Action.print: OrderState.printed},
    OrderState.printed: {Action.pick_up: OrderState.picked_up},
    OrderState.picked_up: {Action.deliver: OrderState.delivered},
    OrderState.delivered: {Action.close: OrderState.closed},
    OrderState.closed: {},
    OrderState.cancelled: {},
}

# Once goods have left the warehouse, undoing the order is an after-sales
# return (R13), not a cancellation or a change.
_CANCELLABLE = frozenset(
    {
        OrderState.draft, OrderState.submitted, OrderState.received, OrderState.confirmed,
        OrderState.placed, OrderState.complete, OrderState.printed,
    }
)
_CHANGEABLE = _CANCELLABLE | {OrderState.picked_up}

# R5 exists so placed orders are not cancelled behind the clerk's back: from
# placing on, the factory has work in hand and the clerk must acknowledge.
_CANCEL_NEEDS_ACK = frozenset({OrderState.placed, OrderState.complete, OrderState.printed})

_ORDER = list(OrderState)


def allowed_actions(state: OrderState) -> frozenset[Action]:
    actions = set(_FORWARD[state])
    if state in _CANCELLABLE:
        actions.add(Action.cancel)
    if state in _CHANGEABLE:
        actions.add(Action.change)
    return frozenset(actions)


def cancel_requires_ack(state: OrderState) -> bool:
    """销单需跟单员确认: cancelling from ``placed`` on needs the clerk's acknowledgement."""
    return state in _CANCEL_NEEDS_ACK


def is_at_or_after(state: OrderState, milestone: OrderState) -> bool:
    """Whether ``state`` has reached ``milestone`` on the main path (cancelled never has)."""
    if state is OrderState.cancelled or milestone is OrderState.cancelled:
        return state is milestone
    return _ORDER.index(state) >= _ORDER.index(milestone)


def transition(
    state: OrderState,
    action: Action,
    *,
    lines: Iterable[LineState] = (),
    acknowledged: bool = False,
) -> OrderState:
    """The state after ``action``, or a ``DomainError`` saying why not.

    Codes: ``order.finished`` (closed or cancelled), ``order.lines_outstanding``
    (marking complete with pending/backorder lines; params ``pending``,
    ``backorder``), ``order.no_lines`` (marking complete with no lines at all),
    ``order.not_complete`` (printing before 单齐), ``order.cancel_needs_ack``
    (cancelling after placing without the clerk's acknowledgement),
    ``order.cancel_too_late`` / ``order.change_too_late`` (goods already left;
    handle as after-sales), ``order.step_not_allowed`` (anything else; params
    ``state``, ``action``, ``allowed``).
    """
    if state in FINISHED:
        raise DomainError("order.finished", state=state.value, action=action.value)

    if action is Action.cancel:
        if state not in _CANCELLABLE:
            raise DomainError("order.cancel_too_late", state=state.value)
        if cancel_requires_ack(state) and not acknowledged:
            raise DomainError("order.cancel_needs_ack", state=state.value)
        return OrderState.cancelled

    if action is Action.change:
        if state not in _CHANGEABLE:
            raise DomainError("order.change_too_late", state=state.value)
        return state

    if action is Action.mark_complete and state is OrderState.placed:
        _require_all_arrived(list(lines))

    if action is Action.print and not is_at_or_after(state, OrderState.complete):
        raise DomainError("order.not_complete", state=state.value)

    target = _FORWARD[state].get(action)
    if target is None:
        raise DomainError(
            "order.step_not_allowed",
            state=state.value,
            action=action.value,
            allowed=tuple(sorted(a.value for a in allowed_actions(state))),
        )
    return target


def next_step(state: OrderState) -> Action | None:
    """The one forward step from ``state`` (下一步), None at the end or when cancelled."""
    return next(iter(_FORWARD[state]), None)


def already_done(state: OrderState, action: Action) -> bool:
    """Whether the order has already passed the step ``action`` leads to (a stale button, pressed again)."""
    targets = [after for steps in _FORWARD.values() for step, after in steps.items() if step is action]
    return bool(targets) and state is not OrderState.cancelled and is_at_or_after(state, targets[0])


def _require_all_arrived(lines: list[LineState]) -> None:
    if not lines:
        raise DomainError("order.no_lines")
    pending = sum(1 for s in lines if s is LineState.pending)
    backorder = sum(1 for s in lines if s is LineState.backorder)
    if pending or backorder:
        raise DomainError("order.lines_outstanding", pending=pending, backorder=backorder)


@dataclass(frozen=True, slots=True)
class Line:
    """One product line's arrival (到货) status; a backorder always has an ETA."""

    state: LineState = LineState.pending
    eta: date | None = None

    def __post_init__(self) -> None:
        if self.state is LineState.backorder and self.eta is None:
            raise DomainError("line.backorder_needs_eta")

    def record_arrival(self) -> Line:
        """入库: arrival is final; recording it twice is harmless."""
        return Line(LineState.arrived)

    def record_backorder(self, eta: date | None) -> Line:
        """欠货: a new or revised ETA (R9 keeps the newest)."""
        if self.state is LineState.arrived:
            raise DomainError("line.already_arrived")
        if eta is None:
            raise DomainError("line.backorder_needs_eta")
        return Line(LineState.backorder, eta)


# -- who may do what (the roles in domain.roles) -------------------------------------
# Keyed by the role's identifier so ``domain.roles.Role`` (a StrEnum) and plain
# strings both work without this module owning a second Role type.

_SALES_ACTIONS = frozenset({Action.submit, Action.change, Action.cancel})
# The clerk runs the order; changing or cancelling is also theirs to do when
# correcting their own mistake (R7) or carrying out a cancellation request.
_CLERK_ACTIONS = frozenset(Action) - {Action.submit}

_MAY: dict[str, frozenset[Action]] = {
    "sales": _SALES_ACTIONS,
    "clerk": _CLERK_ACTIONS,
    "manager": frozenset(Action),
    # Store managers hear about stock and hand envelopes to drivers, but the
    # order record is the clerk's; admins manage people, not orders.
    "store_manager": frozenset(),
    "admin": frozenset(),
}


def may(role: str, action: Action) -> bool:
    """权限表: whether ``role`` may take ``action`` at all (state rules come on top).

    A sales ``cancel`` after placing is a cancellation *request*: ``transition``
    refuses it with ``order.cancel_needs_ack`` until a clerk or manager repeats
    it (see ``acknowledges_cancel``). Unknown roles may do nothing.
    """
    return action in _MAY.get(_role_key(role), frozenset())


def acknowledges_cancel(role: str) -> bool:
    """Whether a cancel by ``role`` counts as the clerk's acknowledgement."""
    return _role_key(role) in ("clerk", "manager")


def _role_key(role: str) -> str:
    # ``str()`` of a (str, Enum) member is "Role.x" in 3.11; the value is the key.
    return role.value if isinstance(role, Enum) else str(role)
