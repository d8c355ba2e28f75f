"""What the terminal chat reads as one message: a line, a paste, or a ``\"\"\"`` block.

A phone sends a pasted multi-line order as one message; a terminal hands it over
line by line. On a terminal, lines that arrive together (a paste: the next line is
already waiting a few milliseconds later) are joined into one message; anywhere
(also in piped scripts, where every line is its own message), a line holding only
``\"\"\"`` starts a block that runs to the next such line.

On a terminal the lines are read through GNU readline (``input()``), which reads
the keyboard itself: the kernel's line editor would cut a line at 4,095 bytes,
possibly inside a character.
"""

from __future__ import annotations

import select
import sys
from collections.abc import Callable
from typing import TextIO

try:
    # input() then uses readline: line editing, history, and no 4,095-byte line limit
    # (readline puts the terminal in character mode and reads the keys itself).
    import readline  # noqa: F401
except ImportError:  # not on every platform; input() still works without it
    pass

BLOCK = '"""'
# How soon after one line the next must be waiting to count as the same paste:
# far below typing speed, far above the time a terminal takes to deliver a paste.
PASTE_GAP = 0.03


def _waiting(stream: TextIO, seconds: float) -> bool:
    try:
        ready, _, _ = select.select([stream], [], [], seconds)
    except (ValueError, OSError, TypeError):  # no file descriptor (a StringIO)
        return False
    return bool(ready)


class MessageReader:
    """Reads whole messages from ``stream``; :meth:`read` returns None at end of input.

    ``paste`` joins lines that arrive together (default: when ``stream`` is a
    terminal); ``read_line`` is how one line is read (default: ``input()`` on a
    terminal, so readline edits it, else ``stream.readline``).
    """

    def __init__(self, stream: TextIO = sys.stdin, *, paste: bool | None = None,
                 read_line: Callable[[], str | None] | None = None, gap: float = PASTE_GAP) -> None:
        self.stream = stream
        terminal = _isatty(stream)
        self.paste = terminal if paste is None else paste
        self.gap = gap
        self._ended = False  # end of input met while gathering a paste: the next read returns None
        self._read_line = read_line or (_terminal_line if terminal and stream is sys.stdin else self._stream_line)

    def _stream_line(self) -> str | None:
        raw = self.stream.readline()
        return raw.rstrip("\r\n") if raw else None

    def read(self) -> str | None:
        line = None if self._ended else self._read_line()
        if line is None:
            return None
        if line.strip() == BLOCK:
            return self._block()
        lines = [line]
        # A paste: the next line is already there. (readline reads byte by byte, so
        # what it has not read yet is still waiting on the file descriptor.)
        while self.paste and _waiting(self.stream, self.gap):
            more = self._read_line()
            if more is None:
                self._ended = True
                break
            lines.append(more)
        return "\n".join(lines)

    def _block(self) -> str:
        lines: list[str] = []
        while (line := self._read_line()) is not None and line.strip() != BLOCK:
            lines.append(line)
        return "\n".join(lines)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _terminal_line() -> str | None:
    try:
        return input()
    except EOFError:
        return None
