"""The hostile bot on either database: SQLite (a file) or a fresh PostgreSQL database.

``bot_on(kind, request, tmp, **settings)`` yields a :class:`BackgroundBot`; for
``"postgres"`` it creates a database of its own (and drops it afterwards) on the server of
the ``postgres_url`` fixture, which skips (or fails in CI) when the server is missing.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.hostile.conftest import BackgroundBot

__all__ = ["DATABASES", "bot_on"]

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@contextmanager
def bot_on(
    kind: str, request: pytest.FixtureRequest, tmp: Path, **settings: Any
) -> Iterator[BackgroundBot]:
    """A BackgroundBot on ``kind`` (``sqlite`` or ``postgres``)."""
    if kind == "sqlite":
        bot = BackgroundBot(tmp, **settings)
        try:
            yield bot
        finally:
            bot.stop()
        return
    parsed = urlparse(request.getfixturevalue("postgres_url"))
    name = f"wsb_secio_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    where = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    where += ["-U", parsed.username or "postgres"]
    subprocess.run(["createdb", *where, name], check=True, capture_output=True, timeout=60)
    try:
        bot = BackgroundBot(tmp, database_url=parsed._replace(path=f"/{name}").geturl(), **settings)
        try:
            yield bot
        finally:
            bot.stop()
    finally:
        subprocess.run(["dropdb", *where, "--force", name], capture_output=True, timeout=60)
