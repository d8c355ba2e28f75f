"""Order life cycle, line states, cancellation acknowledgement and the role table."""

from datetime import date

import pytest

from domain.errors import DomainError
from domain.orders.lifecycle import (
    Action, Line, LineState, OrderState, acknowledges_cancel, allowed_actions,
    cancel_requires_ack, is_at_or_after, may, transition,
)

S, A, L = OrderState, Action, LineState
ARRIVED = (L.arrived, L.arrived)


@pytest.mark.parametrize(
    "state, action, lines, expected",
    [
        (S.draft, A.submit, (), S.submitted),
        (S.submitted, A.receive, (), S.received),
        (S.received, A.confirm_with_customer, (), S.confirmed),
        (S.confirmed, A.place, (), S.placed),
        (S.placed, A.mark_complete, ARRIVED, S.complete),
        (S.complete, A.print, (), S.printed),
        (S.printed, A.pick_up, (), S.picked_up),
        (S.picked_up, A.deliver, (), S.delivered),
        (S.delivered, A.close, (), S.closed),
        (S.submitted, A.cancel, (), S.cancelled),
        (S.confirmed, A.cancel, (), S.cancelled),  # before placing: no acknowledgement needed
        (S.placed, A.change, (), S.placed),  # a change keeps the state
        (S.picked_up, A.change, (), S.picked_up),
    ],
)
def test_allowed_steps(state, action, lines, expected):
    assert transition(state, action, lines=lines) == expected


@pytest.mark.parametrize(
    "state, action, lines, code",
    [
        (S.placed, A.print, (), "order.not_complete"),
        (S.received, A.print, (), "order.not_complete"),
        (S.placed, A.mark_complete, (L.arrived, L.pending), "order.lines_outstanding"),
        (S.placed, A.mark_complete, (L.backorder,), "order.lines_outstanding"),
        (S.placed, A.mark_complete, (), "order.no_lines"),
        (S.received, A.place, (), "order.step_not_allowed"),  # R5: confirm with the customer first
        (S.printed, A.print, (), "order.step_not_allowed"),
        (S.submitted, A.deliver, (), "order.step_not_allowed"),
        (S.placed, A.cancel, (), "order.cancel_needs_ack"),
        (S.printed, A.cancel, (), "order.cancel_needs_ack"),
        (S.picked_up, A.cancel, (), "order.cancel_too_late"),
        (S.delivered, A.cancel, (), "order.cancel_too_late"),
        (S.delivered, A.change, (), "order.change_too_late"),
        (S.closed, A.change, (), "order.finished"),
        (S.cancelled, A.receive, (), "order.finished"),
    ],
)
def test_refused_steps(state, action, lines, code):
    with pytest.raises(DomainError) as err:
        transition(state, action, lines=lines)
    assert err.value.code == code


def test_outstanding_lines_are_counted():
    with pytest.raises(DomainError) as err:
        transition(S.placed, A.mark_complete, lines=[L.pending, L.backorder, L.backorder, L.arrived])
    assert dict(err.value.params) == {"pending": 1, "backorder": 2}


def test_step_not_allowed_names_what_is_allowed():
    with pytest.raises(DomainError) as err:
        transition(S.received, A.place)
    assert err.value.params["allowed"] == ("cancel", "change", "confirm_with_customer")


@pytest.mark.parametrize("state", [S.placed, S.complete, S.printed])
def test_acknowledged_cancel_after_placing(state):
    assert cancel_requires_ack(state)
    assert transition(state, A.cancel, acknowledged=True) is S.cancelled


@pytest.mark.parametrize("state", [S.draft, S.submitted, S.received, S.confirmed, S.picked_up, S.closed])
def test_no_ack_outside_placed_to_printed(state):
    assert not cancel_requires_ack(state)


@pytest.mark.parametrize(
    "state, expected",
    [
        (S.draft, {S.submitted, S.cancelled}),
        (S.placed, {S.complete, S.cancelled}),
        (S.picked_up, {S.delivered}),
        (S.delivered, {S.closed}),
        (S.closed, set()),
        (S.cancelled, set()),
    ],
)
def test_the_states_one_action_away(state, expected):
    reached = set()
    for action in allowed_actions(state) - {A.change}:  # a change keeps the state
        lines = ARRIVED if action is A.mark_complete else ()
        reached.add(transition(state, action, lines=lines, acknowledged=True))
    assert reached == expected


@pytest.mark.parametrize(
    "state, milestone, expected",
    [(S.printed, S.printed, True), (S.delivered, S.printed, True), (S.complete, S.printed, False), (S.cancelled, S.printed, False)],
)
def test_is_at_or_after(state, milestone, expected):
    assert is_at_or_after(state, milestone) is expected


def test_line_states():
    line = Line()
    assert line.state is L.pending
    late = line.record_backorder(date(2026, 12, 20))
    assert (late.state, late.eta) == (L.backorder, date(2026, 12, 20))
    later = late.record_backorder(date(2026, 12, 28))  # R9: the newest ETA wins
    assert later.eta == date(2026, 12, 28)
    assert later.record_arrival() == Line(L.arrived)


@pytest.mark.parametrize(
    "make, code",
    [
        (lambda: Line(L.backorder), "line.backorder_needs_eta"),
        (lambda: Line().record_backorder(None), "line.backorder_needs_eta"),
        (lambda: Line(L.arrived).record_backorder(date(2026, 12, 20)), "line.already_arrived"),
    ],
)
def test_line_refusals(make, code):
    with pytest.raises(DomainError) as err:
        make()
    assert err.value.code == code


@pytest.mark.parametrize(
    "role, action, expected",
    [
        ("sales", A.submit, True),
        ("sales", A.change, True),
        ("sales", A.cancel, True),
        ("sales", A.place, False),
        ("sales", A.print, False),
        ("clerk", A.receive, True),
        ("clerk", A.print, True),
        ("clerk", A.cancel, True),
        ("clerk", A.submit, False),
        ("manager", A.submit, True),
        ("manager", A.close, True),
        ("store_manager", A.deliver, False),
        ("admin", A.place, False),
    ],
)
def test_may(role, action, expected):
    assert may(role, action) is expected


@pytest.mark.parametrize("role", ["guest", "", "SALES"])
def test_unknown_roles_may_nothing(role):
    assert not any(may(role, a) for a in A)


class _StrRole(str):
    """Stands in for domain.roles.Role, a StrEnum: the table is keyed by value."""


def test_str_subclasses_are_looked_up_by_value():
    assert may(_StrRole("sales"), A.submit) and acknowledges_cancel(_StrRole("clerk"))


def test_enum_roles_are_looked_up_by_value():
    from enum import Enum

    class MixinRole(str, Enum):
        clerk = "clerk"

    assert may(MixinRole.clerk, A.print) and acknowledges_cancel(MixinRole.clerk)


def test_manager_may_everything_and_each_action_has_a_clerk_or_sales():
    assert all(may("manager", a) for a in A)
    assert all(may("clerk", a) or may("sales", a) for a in A)


@pytest.mark.parametrize("role, expected", [("clerk", True), ("manager", True), ("sales", False), ("store_manager", False)])
def test_acknowledges_cancel(role, expected):
    assert acknowledges_cancel(role) is expected
