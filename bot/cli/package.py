"""`workshopbot package`: write the Teams app package (manifest, icons, Danish strings)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from bot.cli import CommandError

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``workshopbot package --out FILE.zip``."""
    parser = subparsers.add_parser(
        "package",
        help="write the Teams app package (zip) for sideloading or the admin center",
        description=(
            "Fill the manifest template from the environment (MICROSOFT_APP_ID, "
            "WORKSHOPBOT_PUBLIC_URL, WORKSHOPBOT_DEVELOPER_NAME, WORKSHOPBOT_PRIVACY_URL, "
            "WORKSHOPBOT_TERMS_URL; see docs/deploy.md), validate it against Microsoft's "
            "schema and write manifest.json, color.png, outline.png and da.json into a zip."
        ),
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE.zip", help="the zip to write"
    )
    parser.add_argument(
        "--validate",
        choices=("auto", "require", "skip"),
        default="auto",
        help="validate against the schema from node_modules: auto (when installed, the "
        "default), require (fail without it) or skip",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the package named by ``args.out`` and print what went into it."""
    from bot.teams_package import PackageSettings, write_package

    out: Path = args.out
    if out.suffix.lower() != ".zip":
        raise CommandError(f"--out {out} is not a .zip file; give a name such as workshopbot.zip")
    settings = PackageSettings.from_env(os.environ)
    manifest = write_package(out, settings, validate=args.validate)
    print(
        f"wrote {out}: Teams app {manifest['id']} version {manifest['version']} "
        f"(manifest {manifest['manifestVersion']}) for https://{settings.public_host}"
    )
    return 0
