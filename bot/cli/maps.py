"""`workshopbot maps add NAME DIR` and `maps list`: store the outputs of `workshopbot analyze`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["FILES", "register"]

#: What ``maps add`` reads from the folder ``workshopbot analyze`` wrote (png is required).
FILES = {
    "png": "network.png",
    "card_png": "network-card.png",
    "svg": "network.svg",
    "gexf": "network.gexf",
    "terms_csv": "terms.csv",
    "data": "network.json",
}


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``maps add`` and ``maps list``."""
    parser = subparsers.add_parser(
        "maps",
        help="store and list network maps made by workshopbot analyze",
        description="Network maps the bot can show in a workshop.",
    )
    commands = parser.add_subparsers(dest="maps_command", metavar="ACTION", required=True)
    add = commands.add_parser(
        "add",
        help="store the map in DIR (the output folder of workshopbot analyze) under NAME",
    )
    add.add_argument("name", metavar="NAME", help="a name to find the map by")
    add.add_argument("directory", metavar="DIR", type=Path, help="folder with network.png, …")
    add.add_argument("--replace", action="store_true", help="replace a map with the same name")
    add.set_defaults(func=_add)
    listing = commands.add_parser("list", help="list stored maps")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=_list)


def _read_outputs(directory: Path) -> dict[str, Any]:
    from bot.cli import CommandError

    if not directory.is_dir():
        raise CommandError(
            f"{directory} is not a folder; give the output folder of workshopbot analyze"
        )
    png = directory / FILES["png"]
    if not png.is_file():
        raise CommandError(
            f"{png} is missing; run: workshopbot analyze <assignments> --out {directory}"
        )
    found: dict[str, Any] = {"png": png.read_bytes()}
    card = directory / FILES["card_png"]
    if card.is_file():
        found["card_png"] = card.read_bytes()
    for key in ("svg", "gexf", "terms_csv"):
        path = directory / FILES[key]
        if path.is_file():
            found[key] = path.read_text(encoding="utf-8")
    data_path = directory / FILES["data"]
    if data_path.is_file():
        try:
            data = json.loads(data_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{data_path} is not valid JSON ({exc.msg} at line {exc.lineno})"
            ) from None
        found["data"] = data if isinstance(data, dict) else {"value": data}
    return found


def _add(args: argparse.Namespace) -> int:
    from storage.maps import save_map
    from storage.open import run_with_database

    outputs = _read_outputs(args.directory)
    record = run_with_database(
        lambda db: save_map(db, name=args.name, replace=args.replace, **outputs)
    )
    stored = [name for key, name in FILES.items() if key in outputs]
    print(f"stored map {record.name!r} (id {record.id}) from {', '.join(stored)}")
    print(f"token: {record.token}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from storage.maps import list_maps
    from storage.open import run_with_database

    maps = run_with_database(list_maps)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": m.id,
                        "name": m.name,
                        "token": m.token,
                        "created_at": m.created_at.isoformat(),
                        "files": {
                            "card_png": m.has_card_png,
                            "svg": m.has_svg,
                            "gexf": m.has_gexf,
                            "terms_csv": m.has_terms_csv,
                        },
                    }
                    for m in maps
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not maps:
        print("no maps yet; add one with: workshopbot maps add NAME DIR")
        return 0
    for m in maps:
        print(f"{m.id}\t{m.name}\t{m.created_at:%Y-%m-%d %H:%M}\t{m.token}")
    return 0
