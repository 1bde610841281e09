"""`workshopbot summary`: the "what now" summary of a workshop, or a series report.

- ``workshopbot summary WORKSHOP --format md|docx|json|csv [--out FILE]
  [--audience facilitator|group]``
- ``workshopbot summary --series NAME [--format md|json] [--out FILE]``

The database is ``DATABASE_URL`` (default: the SQLite file). Each workshop summary is also
stored (``storage.summaries``), so the bot and ``data forget`` know about it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import CommandError
from bot.cli._common import workshop_id_argument

__all__ = ["register"]

FORMATS = ("md", "docx", "json", "csv")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``workshopbot summary``."""
    p = subparsers.add_parser(
        "summary",
        help="write the 'what now' summary of a workshop, or a series report",
        description="Summarise a workshop: proposals, silences, new perspectives, "
        "participation, the map revisited and suggested adjustments for the next plan. "
        "With --series, compare every workshop of a series.",
    )
    p.add_argument("workshop", nargs="?", metavar="WORKSHOP", help="the workshop's id")
    p.add_argument("--series", metavar="NAME", help="write the report of this series instead")
    p.add_argument("--format", choices=FORMATS, default="md", help="output format (default md)")
    p.add_argument(
        "--out",
        metavar="FILE",
        type=Path,
        help="write here (default: standard output; docx needs a file)",
    )
    p.add_argument(
        "--audience",
        choices=("facilitator", "group"),
        default="facilitator",
        help="group hides private answers and anonymous authors (default facilitator)",
    )
    p.add_argument("--lang", choices=("da", "en"), help="language (default: the workshop's)")
    p.add_argument(
        "--no-store", action="store_true", help="do not store the summary in the database"
    )
    p.set_defaults(func=run)


def _workshop_id(value: str | None) -> int:
    if value is None:
        raise CommandError("give a WORKSHOP id (see `workshopbot workshops`) or --series NAME")
    return workshop_id_argument(value)


def _write(args: argparse.Namespace, payload: str | bytes) -> None:
    out: Path | None = args.out
    if out is None:
        if isinstance(payload, bytes):
            raise CommandError("--format docx writes a file: add --out FILE.docx")
        sys.stdout.write(payload if payload.endswith("\n") else payload + "\n")
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(payload, bytes):
            out.write_bytes(payload)
        else:
            out.write_text(payload, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out}", file=sys.stderr)


def _workshop(args: argparse.Namespace) -> str | bytes:
    from analysis.summary.charts import summary_charts
    from analysis.summary.export import to_csv, to_dict, to_json
    from analysis.summary.render_docx import render_docx
    from dialogs.summaries import SummaryBundle, make_summary, summary_markdown
    from storage import summaries as summaries_repo
    from storage.db import Database
    from storage.open import run_with_database

    workshop_id = _workshop_id(args.workshop)

    async def work(db: Database) -> tuple[SummaryBundle, str]:
        bundle = await make_summary(db, workshop_id, audience=args.audience, lang=args.lang)
        markdown = await summary_markdown(db, workshop_id, bundle)
        if not args.no_store:
            await summaries_repo.save_summary(
                db, workshop_id, data=to_dict(bundle.summary), markdown=markdown
            )
        return bundle, markdown

    bundle, markdown = run_with_database(work)
    summary = bundle.summary
    if args.format == "md":
        return markdown
    if args.format == "json":
        return to_json(summary)
    if args.format == "csv":
        return to_csv(summary)
    charts = summary_charts(summary, bundle.data, corpus_map=bundle.corpus_map)
    return render_docx(summary, charts=charts)


def _series(args: argparse.Namespace) -> str:
    import dataclasses

    from analysis.summary.series import render_series_markdown
    from dialogs.plan_adjustments import load_series_report
    from storage.open import run_with_database

    if args.format not in ("md", "json"):
        raise CommandError(f"--format {args.format} is not available for a series; use md or json")
    report = run_with_database(lambda db: load_series_report(db, args.series, lang=args.lang))
    if args.format == "json":
        return json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=2)
    return render_series_markdown(report)


def run(args: argparse.Namespace) -> int:
    """Write the summary (or series report)."""
    if args.series and args.workshop:
        raise CommandError("give either WORKSHOP or --series NAME, not both")
    payload = _series(args) if args.series else _workshop(args)
    _write(args, payload)
    return 0
