"""The routing table and the button codec: every kind of button is routed, data round-trips, forged data is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handlers import buttons
from handlers.buttons import ButtonData, ChangeAnswer, DeskAction, EscalationAnswer, KindChoice, ToldClerk
from handlers.routes import ANSWERS, BUTTONS, COMMANDS, NOTICES
from handlers.questions import Question


def _kinds() -> list[type[ButtonData]]:
    return [k for k in vars(buttons).values() if isinstance(k, type) and issubclass(k, ButtonData) and k is not ButtonData]


def test_every_kind_of_button_and_every_question_is_routed() -> None:
    # Before the table, the escalation buttons were only routed once the sweep had imported their module.
    assert sorted(k.prefix for k in _kinds()) == sorted(BUTTONS)
    assert all(BUTTONS[k.prefix].kind is k for k in _kinds())
    assert sorted(ANSWERS) == sorted(q.value for q in Question)
    assert "help" in COMMANDS and "start" in COMMANDS


@pytest.mark.parametrize("value", [
    ToldClerk(7), DeskAction(3, "accept"), DeskAction(3, "cat", "wrong_order"), ChangeAnswer(5, "L2", 4),
    ChangeAnswer(5, "no"), KindChoice(99, 12, "order"), EscalationAnswer(1, 1796290800, "snooze"),
])
def test_data_round_trips_in_the_format_buttons_in_chats_already_carry(value: ButtonData) -> None:
    assert type(value).unpack(value.pack()) == value


def test_the_wire_format_is_unchanged() -> None:
    assert DeskAction(3, "sev", "h").pack() == "sh:3:sev:h"
    assert ChangeAnswer(5, "L2", 4).pack() == "c:5:L2:4"
    assert EscalationAnswer(1, 1796290800, "ack").pack() == "esc:1:1796290800:ack"


@pytest.mark.parametrize("data", [
    "sh:1:zz", "sh:x:accept", "sh:1", "sh:2147483648:accept", "sh:²:accept", "shs:1:accept", "c:3:L2:4:5",
    "esc:1:1796290800", f"esc:1:{10**20}:ack", "k:²:1:order", "k:1:1:maybe", "p:7:8", "p:", "p", "d:0:ok",
])
def test_forged_or_outdated_data_is_refused(data: str) -> None:
    route = BUTTONS.get(buttons.prefix_of(data))
    assert route is None or route.kind.unpack(data) is None


def test_data_over_telegrams_limit_is_refused_when_built() -> None:
    with pytest.raises(ValueError):
        DeskAction(1, "cat", "x" * 64).pack()


def test_every_notification_kind_queued_is_rendered_by_the_table() -> None:
    """A kind the use cases queue (``"kind": "order.card"`` in a render spec) but the table lacks
    would make the outbox drop that notification as unknown."""
    root = Path(__file__).resolve().parents[2] / "handlers"
    queued = {kind for path in root.rglob("*.py")
              for kind in re.findall(r'"kind": "((?:order|case|fine)\.[a-z_]+)"', path.read_text(encoding="utf-8"))}
    assert queued == set(NOTICES), (queued, set(NOTICES))
