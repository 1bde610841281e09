"""`workshopbot transfer …`: the knowledge bank from the command line.

- ``transfer report --org ORG [--team T]``: the transfer report (Markdown with a chart,
  Word, CSV): distributions only, never one person's answer unless they agreed.
- ``transfer people FILE.csv``: the directory (team, manager, organisation, time zone,
  quiet hours) that decides who sees a takeaway; only an operator sets it.
- ``transfer person USER [--team …]``: one person's entry.
- ``transfer export --user ID``: everything the knowledge bank holds about one person.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.db import Database

__all__ = ["register"]

FORMATS = ("md", "docx", "csv", "all")
_SAFE = re.compile(r"[^\w.-]+")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``transfer report|people|person|export``."""
    parser = subparsers.add_parser(
        "transfer",
        help="the knowledge bank: transfer report, people directory, personal export",
        description="After the workshop: course takeaways, check-ins and their report.",
    )
    commands = parser.add_subparsers(dest="transfer_command", metavar="ACTION", required=True)
    report = commands.add_parser("report", help="write the transfer report of an organisation")
    report.add_argument(
        "--org", required=True, help="the organisation (directory name or tenant id)"
    )
    report.add_argument("--team", help="only this team")
    report.add_argument("--format", choices=FORMATS, default="all", help="output (default: all)")
    report.add_argument("--lang", choices=("da", "en"), default="da", help="language (default da)")
    report.add_argument("--out", type=Path, default=Path("."), metavar="DIR", help="output folder")
    report.set_defaults(func=_report)
    people = commands.add_parser(
        "people",
        help="load the directory from a CSV (user_id, display_name, org, team, manager_id, "
        "tenant_id, time_zone, quiet_hours)",
    )
    people.add_argument("csv", type=Path, metavar="FILE", help="a CSV file with a header row")
    people.set_defaults(func=_people)
    person = commands.add_parser("person", help="set one person's directory entry")
    person.add_argument("user", metavar="USER", help="the Teams user id (29:…)")
    person.add_argument("--name", help="display name")
    person.add_argument("--org", help="organisation ('' clears)")
    person.add_argument("--team", help="team ('' clears)")
    person.add_argument("--manager", help="the manager's Teams user id ('' clears)")
    person.add_argument("--tenant", help="the tenant id")
    person.add_argument(
        "--time-zone", dest="time_zone", help="IANA time zone, e.g. Europe/Copenhagen"
    )
    person.add_argument("--quiet", metavar="FROM-TO", help="quiet hours, e.g. 20-8")
    person.set_defaults(func=_person)
    export = commands.add_parser("export", help="write one person's knowledge-bank data as JSON")
    export.add_argument("--user", required=True, metavar="ID", help="the Teams user id (29:…)")
    export.add_argument("--out", type=Path, default=Path("."), metavar="DIR", help="output folder")
    export.set_defaults(func=_export)


def _quiet(value: str | None) -> tuple[int, int] | None:
    from bot.cli import CommandError

    if value is None or not value.strip():
        return None
    match = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", value)
    if match is None:
        raise CommandError(f"quiet hours {value!r} are not FROM-TO; write e.g. 20-8")
    return int(match[1]), int(match[2])


def _report(args: argparse.Namespace) -> int:
    from analysis.transfer import render_csv, render_docx, render_markdown, transfer_chart
    from storage.knowledge.stats import transfer_data
    from storage.open import run_with_database

    data = run_with_database(lambda db: transfer_data(db, org=args.org, team=args.team))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    stem = (
        "transfer-"
        + _SAFE.sub("_", args.org)
        + (f"-{_SAFE.sub('_', args.team)}" if args.team else "")
    )
    written = []
    chart = transfer_chart(data, lang=args.lang)
    if args.format in ("md", "all"):
        (out / f"{stem}.png").write_bytes(chart)
        (out / f"{stem}.md").write_text(
            render_markdown(data, lang=args.lang, chart_name=f"{stem}.png"), encoding="utf-8"
        )
        written += [f"{stem}.md", f"{stem}.png"]
    if args.format in ("docx", "all"):
        (out / f"{stem}.docx").write_bytes(render_docx(data, lang=args.lang, chart=chart))
        written.append(f"{stem}.docx")
    if args.format in ("csv", "all"):
        (out / f"{stem}.csv").write_text(render_csv(data, lang=args.lang), encoding="utf-8-sig")
        written.append(f"{stem}.csv")
    print(
        f"wrote {', '.join(str(out / w) for w in written)} "
        f"({len(data.courses)} course groups, {data.takeaways_shared} takeaways shared)"
    )
    return 0


_COLUMNS = (
    "user_id",
    "display_name",
    "org",
    "team",
    "manager_id",
    "tenant_id",
    "time_zone",
    "quiet_hours",
)


def _people(args: argparse.Namespace) -> int:
    from bot.cli import CommandError
    from storage.knowledge.people import set_directory
    from storage.open import run_with_database

    try:
        with args.csv.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise CommandError(f"cannot read {args.csv}: {exc.strerror}") from None
    if rows and "user_id" not in rows[0]:
        raise CommandError(
            f"{args.csv} has no user_id column; the header must name some of: {', '.join(_COLUMNS)}"
        )
    entries = []
    for number, row in enumerate(rows, 2):
        user = (row.get("user_id") or "").strip()
        if not user:
            raise CommandError(
                f"{args.csv} line {number}: user_id is empty; give the Teams user id"
            )
        entries.append((user, row, _quiet(row.get("quiet_hours"))))

    async def load(db: Database) -> int:
        for user, row, quiet in entries:
            await set_directory(
                db,
                user,
                display_name=row.get("display_name"),
                org=row.get("org"),
                team=row.get("team"),
                manager_id=row.get("manager_id"),
                tenant_id=row.get("tenant_id") or None,
                time_zone=row.get("time_zone") or None,
                quiet_hours=quiet,
            )
        return len(entries)

    count = run_with_database(load)
    print(f"directory: {count} people set from {args.csv}")
    return 0


def _person(args: argparse.Namespace) -> int:
    from storage.knowledge.people import set_directory
    from storage.open import run_with_database

    quiet = _quiet(args.quiet)
    found = run_with_database(
        lambda db: set_directory(
            db,
            args.user,
            display_name=args.name,
            org=args.org,
            team=args.team,
            manager_id=args.manager,
            tenant_id=args.tenant,
            time_zone=args.time_zone,
            quiet_hours=quiet,
        )
    )
    print(
        f"{found.user_id}: org={found.org or '-'} team={found.team or '-'} "
        f"manager={found.manager_id or '-'} time zone={found.time_zone} "
        f"quiet={found.quiet_from}-{found.quiet_to}"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from storage.knowledge.privacy import export_person
    from storage.open import run_with_database

    data = run_with_database(lambda db: export_person(db, args.user))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"knowledge-{_SAFE.sub('_', args.user)}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(data['takeaways'])} takeaways, {len(data['checkins'])} check-ins)")
    return 0
