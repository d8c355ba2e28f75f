"""Telegram refuses texts over 4096 characters and captions over 1024: replies are split to fit."""

from __future__ import annotations

import pytest

from bot.transport.outgoing import CAPTION_LIMIT, TEXT_LIMIT, split_text, within_limits
from handlers.types import Button, OutgoingDocument, Reply


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("短", 10, ["短"]),
        ("一行\n二行\n三行", 5, ["一行\n二行", "三行"]),
        ("x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),
        ("a\n" + "y" * 12 + "\nb", 10, ["a", "y" * 10, "yy\nb"]),
    ],
)
def test_split_text(text: str, limit: int, expected: list[str]) -> None:
    assert split_text(text, limit) == expected


def test_a_long_listing_becomes_several_messages_with_the_buttons_on_the_last() -> None:
    lines = [f"DD2026120{i:02d} · 客户{i} · 已下单" for i in range(400)]
    reply = Reply(chat_id=1, text="\n".join(lines), buttons=((Button("确认", "d:1:ok"),),), reply_to_message_id=9)
    pieces = within_limits(reply)
    assert len(pieces) > 1 and all(len(p.text) <= TEXT_LIMIT for p in pieces)
    assert "\n".join(p.text for p in pieces) == reply.text  # nothing lost, nothing cut mid-line
    assert [bool(p.buttons) for p in pieces] == [False] * (len(pieces) - 1) + [True]


def test_a_long_caption_keeps_its_start_on_the_document_and_sends_the_rest() -> None:
    reply = Reply(chat_id=1, text="证据\n" + "记录一行\n" * 400, document=OutgoingDocument("e.html", b"x"))
    pieces = within_limits(reply)
    assert pieces[0].document is not None and len(pieces[0].text) <= CAPTION_LIMIT
    assert all(p.document is None for p in pieces[1:])


def test_an_edit_is_shortened_not_split() -> None:
    pieces = within_limits(Reply(chat_id=1, text="字" * 5000, edit_message_id=3))
    assert len(pieces) == 1 and len(pieces[0].text) == TEXT_LIMIT and pieces[0].text.endswith("…")
