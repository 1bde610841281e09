"""`workshopbot summary`: not built yet (see the open issues)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add nothing until the command exists, so `--help` never lists a command that is not there."""
