"""Chat commands and button prefixes, each declared once with who may use it.

The command menu (setMyCommands per role) and ``/help`` are derived from this
table, so a command cannot be advertised without existing, or exist unlisted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from domain.roles import Role
from handlers.context import Context

Handler = Callable[[Context, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # without the slash
    handler: Handler
    roles: frozenset[Role]
    help_key: str  # catalogue key of the one-line description
    menu: bool = True  # shown in Telegram's command menu
    rank: int = 50  # position in /help and the menu: everyday commands first, account commands last


@dataclass(frozen=True, slots=True)
class ButtonRoute:
    prefix: str
    handler: Handler  # receives the callback data after "prefix:"
    roles: frozenset[Role]


COMMANDS: dict[str, Command] = {}
BUTTONS: dict[str, ButtonRoute] = {}


def command(name: str, *, roles: frozenset[Role] | set[Role], help_key: str, menu: bool = True,  # type: ignore[no-untyped-def]
            rank: int = 50):
    def register(handler: Handler) -> Handler:
        if name in COMMANDS:
            raise RuntimeError(f"command /{name} registered twice")
        COMMANDS[name] = Command(name, handler, frozenset(roles), help_key, menu, rank)
        return handler

    return register


def button(prefix: str, *, roles: frozenset[Role] | set[Role]):  # type: ignore[no-untyped-def]
    def register(handler: Handler) -> Handler:
        if prefix in BUTTONS:
            raise RuntimeError(f"button prefix {prefix!r} registered twice")
        BUTTONS[prefix] = ButtonRoute(prefix, handler, frozenset(roles))
        return handler

    return register


def commands_for(role: Role | str | None) -> list[Command]:
    if role is None:
        return []
    return sorted((c for c in COMMANDS.values() if Role(role) in c.roles), key=lambda c: c.rank)
