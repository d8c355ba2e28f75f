"""The ``orderbot`` command line.

Each sub-command lives in its own module exposing ``register(subparsers)``; the
module adds its parser and sets ``func`` to a callable taking the parsed
``argparse.Namespace`` and returning the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules that contribute sub-commands, in the order `orderbot --help` lists them.
_COMMAND_MODULES = (
    "bot.ops_cli",
    "bot.parse_cli",
    "bot.export_cli",
    "bot.clock_cli",
    "bot.desk_cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orderbot",
        description="跟单助手 — order follow-up and after-sales bot for furniture stores.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "takes_dashed_words", False):
        args.words = [*args.words, *extra]  # orderbot clock -30m: a step back, not an option
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
