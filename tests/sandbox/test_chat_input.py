"""The terminal chat sends what a phone would: a paste as one message, long text cut between characters."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from bot.sandbox.chat import message_pieces, run_chat
from bot.sandbox.chat_input import MessageReader
from bot.sandbox.server import SandboxServer
from bot.utf16 import utf16_len

ROOT = Path(__file__).resolve().parents[2]
ORDER_PASTE = "张三 13812345678\n实木床1.8米1张\n12月20日送 天河区天河路1号 全款"


def _messages(reader: MessageReader) -> list[str]:
    out = []
    while (message := reader.read()) is not None:
        out.append(message)
    return out


def test_in_a_script_each_line_is_a_message_and_a_triple_quote_block_is_one() -> None:
    script = 'first\n"""\n' + ORDER_PASTE + '\n"""\nlast\n'
    assert _messages(MessageReader(io.StringIO(script))) == ["first", ORDER_PASTE, "last"]


def test_an_unclosed_block_ends_with_the_input() -> None:
    assert _messages(MessageReader(io.StringIO('"""\na\nb\n'))) == ["a\nb"]


def test_long_text_is_cut_at_4096_utf16_units_between_characters() -> None:
    text = "字" + "🙂" * 2048 + "尾"  # 4,098 code units, an emoji straddling the limit
    pieces = message_pieces(text)
    assert "".join(pieces) == text
    assert [utf16_len(p) for p in pieces] == [4095, 3]  # the emoji was not split in half
    assert message_pieces("短") == ["短"]
    assert message_pieces("x" * 8192) == ["x" * 4096, "x" * 4096]


def _run_in_a_terminal(typed: list[bytes]) -> list[str]:
    """Run MessageReader on a real pseudo-terminal, as `orderbot chat` reads the keyboard."""
    program = ("import sys\nfrom bot.sandbox.chat_input import MessageReader\nr = MessageReader(sys.stdin)\n"
               "while (m := r.read()) is not None:\n"
               "    print('MSG', len(m), m.count(chr(10)) + 1, m.encode('utf-8', 'replace')[:8].hex(), flush=True)\n")
    controller, terminal = pty.openpty()
    child = subprocess.Popen([sys.executable, "-c", program], stdin=terminal, stdout=terminal, stderr=terminal,
                             cwd=ROOT, close_fds=True, start_new_session=True)
    os.close(terminal)
    output = b""
    try:
        for chunk in typed:
            time.sleep(0.3)  # a person pauses between messages; a paste arrives at once
            os.write(controller, chunk)
        os.write(controller, b"\x04")  # Ctrl-D: end of input
        deadline = time.monotonic() + 20
        while child.poll() is None and time.monotonic() < deadline:
            if select.select([controller], [], [], 0.2)[0]:
                try:
                    output += os.read(controller, 65536)
                except OSError:
                    break
    finally:
        child.kill()
        child.wait()
        os.close(controller)
    return [line for line in output.decode("utf-8", "replace").splitlines() if line.startswith("MSG")]


def test_on_a_terminal_a_paste_is_one_message_and_a_long_line_is_not_cut() -> None:
    long_line = "长" * 5000  # 15,000 bytes: the kernel's line editor would cut it at 4,095
    messages = _run_in_a_terminal([b"hello\r", ORDER_PASTE.replace("\n", "\r").encode() + b"\r",
                                   long_line.encode() + b"\r"])
    assert [m.split()[1:3] for m in messages] == [["5", "1"], [str(len(ORDER_PASTE)), "3"], ["5000", "1"]]


async def test_the_chat_sends_a_block_as_one_message(server: SandboxServer) -> None:
    out = io.StringIO()
    script = '"""\n' + ORDER_PASTE + '\n"""\n'
    await run_chat(server.root_url, 601, "郑", stdin=io.StringIO(script), stdout=out, answer_wait=0.05, linger=0.05)
    [message] = [e for e in server.state.chats[601].messages.values() if e["from"]["id"] == 601]
    assert message["text"] == ORDER_PASTE
