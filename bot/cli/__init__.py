"""The ``workshopbot`` command line.

Each subcommand group lives in its own module with a ``register(subparsers)`` function that
adds its parsers and sets ``func`` (a callable taking the parsed ``argparse.Namespace`` and
returning an exit code). Modules are imported only to register; heavy imports happen inside
the command functions so that ``workshopbot --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

__all__ = ["CommandError", "build_parser", "main"]

log = logging.getLogger(__name__)

#: Subcommand modules, in the order their commands appear in ``--help``.
COMMAND_MODULES = (
    "bot.cli.analyze",
    "bot.cli.maps",
    "bot.cli.plan",
    "bot.cli.series",
    "bot.cli.serve",
    "bot.cli.workshops",
    "bot.cli.summary",
    "bot.cli.transcript",
    "bot.cli.db",
    "bot.cli.data",
    "bot.cli.transfer",
    "bot.cli.package",
)


class CommandError(Exception):
    """A mistake the user can fix: printed as one line, exit code 2."""


def _user_error_types() -> tuple[type[BaseException], ...]:
    """Exception bases whose message is written for people, gathered from every package."""
    types: list[type[BaseException]] = [CommandError]
    for module_name, attr in (
        ("analysis.errors", "AnalysisError"),
        ("storage.errors", "StorageError"),
        ("dialogs.errors", "DialogError"),
        ("bot.errors", "BotError"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found = getattr(module, attr, None)
        if isinstance(found, type) and issubclass(found, BaseException):
            types.append(found)
    return tuple(types)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workshopbot",
        description="Run data workshops in Microsoft Teams: analyse assignments, serve the bot, "
        "summarise what was said.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0 if args.command is None else 2
    user_errors = _user_error_types()
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        print("workshopbot: interrupted", file=sys.stderr)
        return 130
    except user_errors as exc:
        print(f"workshopbot {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
