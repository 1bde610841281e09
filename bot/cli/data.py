"""`workshopbot data forget|export|purge`: personal data on request and by retention."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``data forget``, ``data export`` and ``data purge``."""
    parser = subparsers.add_parser(
        "data",
        help="forget a person, export a workshop, purge old workshops",
        description="Personal data: participants' answers are personal data.",
    )
    commands = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    forget = commands.add_parser(
        "forget",
        help="delete one person's answers and identity everywhere (quotes in summaries too)",
    )
    forget.add_argument("--user", required=True, metavar="ID", help="the Teams user id (29:…)")
    forget.set_defaults(func=_forget)
    export = commands.add_parser("export", help="write one workshop as JSON and CSV")
    export.add_argument(
        "workshop", metavar="WORKSHOP", help="the workshop id (see: workshopbot workshops)"
    )
    export.add_argument(
        "--out", type=Path, default=Path("."), metavar="DIR", help="output folder (default: .)"
    )
    export.set_defaults(func=_export)
    purge = commands.add_parser(
        "purge",
        help="delete workshops older than N days (default: WORKSHOPBOT_RETENTION_DAYS)",
    )
    purge.add_argument(
        "--older-than", type=int, metavar="DAYS", dest="days", help="age limit in days"
    )
    purge.set_defaults(func=_purge)


def _forget(args: argparse.Namespace) -> int:
    from storage.open import run_with_database
    from storage.privacy import forget_user

    report = run_with_database(lambda db: forget_user(db, args.user))
    print(
        f"forgot user {args.user}: {report.answers} answers and {report.participants} participant "
        f"records deleted, {report.summaries_scrubbed} summaries scrubbed, "
        f"{report.facilitator_rows} facilitator roles removed, {report.events_anonymised} events "
        f"anonymised, {report.bot_state_keys} bot-state records deleted, "
        f"{report.knowledge_rows} knowledge-bank records deleted"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from bot.cli._common import workshop_id_argument
    from storage.open import run_with_database
    from storage.privacy import export_workshop, write_export

    workshop_id = workshop_id_argument(args.workshop)
    export = run_with_database(lambda db: export_workshop(db, workshop_id))
    json_path, csv_path = write_export(export, args.out)
    print(f"wrote {json_path} and {csv_path} ({len(export.answers)} answers)")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from bot.cli import CommandError
    from storage.open import run_with_database
    from storage.privacy import purge_older_than, retention_days_from_env

    days = args.days if args.days is not None else retention_days_from_env()
    if days is None:
        raise CommandError("no age limit: give --older-than DAYS or set WORKSHOPBOT_RETENTION_DAYS")
    report = run_with_database(lambda db: purge_older_than(db, days))
    print(
        f"purged {report.workshops} workshops older than {days} days "
        f"({report.answers} answers, {report.participants} participants, "
        f"{report.summary_maps} summary maps); "
        f"{report.bot_state_keys} bot-state records unused as long deleted"
    )
    return 0
