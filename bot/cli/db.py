"""`workshopbot db upgrade|current`: migrate the database schema, or show where it is."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``db upgrade`` and ``db current``."""
    parser = subparsers.add_parser(
        "db",
        help="create or upgrade the database schema",
        description="Manage the database schema (DATABASE_URL, default: the SQLite file "
        "var/workshopbot.sqlite3).",
    )
    commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = commands.add_parser("upgrade", help="migrate the schema to the newest version")
    upgrade.set_defaults(func=_upgrade)
    current = commands.add_parser(
        "current", help="show the schema version (exit code 1 when an upgrade is needed)"
    )
    current.set_defaults(func=_current)


def _upgrade(args: argparse.Namespace) -> int:
    from storage.db import redacted_url
    from storage.migrate import head_revision, upgrade

    revision = upgrade()  # a database it cannot reach: DatabaseUnavailable, one line
    print(f"database {redacted_url()}: schema at {revision} (newest: {head_revision()})")
    return 0


def _current(args: argparse.Namespace) -> int:
    from storage.db import redacted_url
    from storage.migrate import current_revision, head_revision
    from storage.open import run_with_database

    current = run_with_database(current_revision, check_schema=False)
    head = head_revision()
    if current == head:
        print(f"database {redacted_url()}: schema at {current}, up to date")
        return 0
    print(
        f"database {redacted_url()}: schema at {current or '(empty)'}, newest is {head}; "
        "run: workshopbot db upgrade"
    )
    return 1
