"""The command menu each person sees in Telegram, derived from the routing table (``handlers.routes``)."""

from __future__ import annotations

from domain.texts import t
from handlers.routes import commands_for


def menu_for(role: str | None, language: str) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands; strangers see only /start."""
    if role is None:
        return [("start", t(language, "help.start"))]
    return [(c.name, t(language, c.help_key)) for c in commands_for(role) if c.menu]
