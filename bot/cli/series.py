"""`workshopbot series`: list series and show or set who may add workshops to one.

- ``series list``: every series with its owner and co-owners.
- ``series owner NAME|ID [--owner ID] [--co-owner ID ...] [--no-owner]``: show or set a
  series' owners. Only they and the operators (``WORKSHOPBOT_OPERATORS``) add a workshop to
  an existing series from Teams (``dialogs.permissions.may_join_series``); a series from
  before owners existed has none and is the operators'.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.cli import CommandError

if TYPE_CHECKING:
    from storage.db import Database

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``series list`` and ``series owner``."""
    parser = subparsers.add_parser(
        "series",
        help="list series, show or set who may add workshops to one",
        description="Series of workshops (workshop 3 is compared with 1-2). Only a series' "
        "owner, its co-owners and the operators add workshops to it from Teams.",
    )
    sub = parser.add_subparsers(dest="series_command", metavar="ACTION", required=True)
    p = sub.add_parser("list", help="every series with its owners")
    p.set_defaults(func=_list)
    p = sub.add_parser("owner", help="show or set a series' owner and co-owners")
    p.add_argument("series", metavar="NAME|ID", help="the series' name or id")
    p.add_argument("--owner", default=None, help="the new owner (a Teams user id)")
    p.add_argument("--no-owner", action="store_true", help="remove the owner (operators only)")
    p.add_argument("--co-owner", action="append", default=None, help="a co-owner (repeat)")
    p.set_defaults(func=_owner)


def _line(series: Any) -> str:
    owner = series.owner_id or "(none: operators only)"
    co_owners = ", ".join(series.co_owner_ids) or "(none)"
    return f"{series.id}\t{series.name}\towner: {owner}\tco-owners: {co_owners}"


def _list(args: argparse.Namespace) -> int:
    from storage.open import run_with_database
    from storage.series import list_series

    found = run_with_database(list_series)
    if not found:
        print("no series yet")
    for series in found:
        print(_line(series))
    return 0


def _owner(args: argparse.Namespace) -> int:
    from storage.errors import NotFound
    from storage.open import run_with_database
    from storage.series import get_series, get_series_by_name, set_series_owners

    if args.owner is not None and args.no_owner:
        raise CommandError("give either --owner ID or --no-owner, not both")

    async def work(db: Database) -> Any:
        series = await get_series_by_name(db, args.series)
        if series is None and args.series.isdigit():
            series = await get_series(db, int(args.series))
        if series is None:
            raise NotFound(
                f"there is no series {args.series!r}; list them with: workshopbot series list"
            )
        if args.owner is not None or args.no_owner or args.co_owner is not None:
            series = await set_series_owners(
                db,
                series.id,
                owner_id=None if args.no_owner else (args.owner or series.owner_id),
                co_owner_ids=[
                    c
                    for c in (args.co_owner if args.co_owner is not None else series.co_owner_ids)
                    if c
                ],
            )
        return series

    print(_line(run_with_database(work)))
    return 0
