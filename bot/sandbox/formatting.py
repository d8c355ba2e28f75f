"""What the user sees for a parse_mode'd text, and Telegram's refusals.

Telegram rejects malformed markup with 400 "can't parse entities"; emulating
that catches the classic production bug of unescaped user input (a customer
name with "<" or a price with ".") before it reaches a real chat.
"""

from __future__ import annotations

import html
import re

from .errors import ApiError

_HTML_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
        "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
    }
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def _fail(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def visible_text(text: str, parse_mode: str | None) -> str:
    if not parse_mode:
        return text
    mode = parse_mode.lower()
    if mode == "html":
        return _strip_html(text)
    if mode == "markdownv2":
        return _strip_markdown_v2(text)
    if mode == "markdown":
        return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("*", "").replace("_", "").replace("`", "")
    raise ApiError(400, f"Bad Request: unsupported parse_mode \"{parse_mode}\"")


def _strip_html(text: str) -> str:
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in _TAG.finditer(text):
        out.append(_plain_html_chunk(text[pos : match.start()], pos))
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in _HTML_TAGS:
            raise _fail(f'Unsupported start tag "{name}" at byte offset {match.start()}')
        if closing:
            if not stack or stack[-1] != name:
                raise _fail(f'Unexpected end tag at byte offset {match.start()}')
            stack.pop()
        else:
            stack.append(name)
        pos = match.end()
    out.append(_plain_html_chunk(text[pos:], pos))
    if stack:
        raise _fail(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _plain_html_chunk(chunk: str, offset: int) -> str:
    if "<" in chunk or ">" in chunk:
        at = offset + min(i for i in (chunk.find("<"), chunk.find(">")) if i >= 0)
        raise _fail(f"Unsupported start tag at byte offset {at}")
    return html.unescape(chunk)


def _strip_markdown_v2(text: str) -> str:
    out: list[str] = []
    open_marks: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == "`":
            # Inside code only ` and \ need escaping, so take the span verbatim.
            fence = "```" if text.startswith("```", i) else "`"
            end = text.find(fence, i + len(fence))
            if end < 0:
                raise _fail(f"Can't find end of the entity starting at byte offset {i}")
            body = text[i + len(fence) : end]
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                body = rest if first.strip().isidentifier() or not first.strip() else body
            out.append(re.sub(r"\\([`\\])", r"\1", body))
            i = end + len(fence)
            continue
        if ch in "*_~":
            mark = "__" if text.startswith("__", i) else ch
            if open_marks and open_marks[-1] == mark:
                open_marks.pop()
            else:
                open_marks.append(mark)
            i += len(mark)
            continue
        if ch == "|" and text.startswith("||", i):
            if open_marks and open_marks[-1] == "||":
                open_marks.pop()
            else:
                open_marks.append("||")
            i += 2
            continue
        if ch == "[":
            link = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(((?:\\.|[^)\\])*)\)").match(text, i)
            if link:
                out.append(_strip_markdown_v2(link.group(1)))
                i = link.end()
                continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # a block quote marker at line start
            continue
        if ch in _MDV2_RESERVED:
            raise _fail(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")
        out.append(ch)
        i += 1
    if open_marks:
        raise _fail(f"Can't find end of the entity starting at byte offset {len(text)}")
    return "".join(out)
