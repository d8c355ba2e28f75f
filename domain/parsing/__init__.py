"""消息解析 (domain.parsing): staff chat messages -> structured order records.

Pure: ``parse(text, sent_at)`` reads no clock and no file; ``sent_at`` is the only time.
"""

from __future__ import annotations

from datetime import datetime

from .model import LineEdit, ParsedItem, ParsedMessage
from .parser import PARSER_VERSION, Parser

__all__ = ["PARSER_VERSION", "LineEdit", "ParsedItem", "ParsedMessage", "Parser", "parse"]

_default: Parser | None = None


def default_parser() -> Parser:
    """The shared Parser, built on first use (the dictionary load is the costly part)."""
    global _default
    if _default is None:
        _default = Parser()
    return _default


def parse(text: str, sent_at: datetime) -> ParsedMessage:
    return default_parser().parse(text, sent_at)
