"""`workshopbot workshops`: list the stored workshops with their answer counts."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``workshops [--json] [--status S]``."""
    parser = subparsers.add_parser(
        "workshops",
        help="list workshops: id, series, status, answers",
        description="List the stored workshops, newest first.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--status",
        choices=("draft", "running", "paused", "ended"),
        help="only workshops with this status",
    )
    parser.set_defaults(func=_list)


def _list(args: argparse.Namespace) -> int:
    from storage.open import run_with_database
    from storage.workshops import list_workshops

    listings = run_with_database(lambda db: list_workshops(db, status=args.status))
    if args.json:
        rows = [
            {
                "id": item.workshop.id,
                "title": item.workshop.title,
                "series": item.workshop.series_name,
                "number_in_series": item.workshop.number_in_series,
                "status": item.workshop.status,
                "language": item.workshop.language,
                "answer_mode": item.workshop.answer_mode,
                "org_name": item.workshop.org_name,
                "answers": item.answer_count,
                "participants": item.participant_count,
                "created_at": item.workshop.created_at.isoformat(),
                "started_at": _iso(item.workshop.started_at),
                "ended_at": _iso(item.workshop.ended_at),
            }
            for item in listings
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not listings:
        print("no workshops yet")
        return 0
    header = ("id", "series", "status", "answers", "people", "created", "title")
    table = [header]
    for item in listings:
        w = item.workshop
        series = "" if w.series_name is None else f"{w.series_name} #{w.number_in_series}"
        table.append(
            (
                str(w.id),
                series,
                w.status,
                str(item.answer_count),
                str(item.participant_count),
                w.created_at.strftime("%Y-%m-%d %H:%M"),
                w.title,
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())
