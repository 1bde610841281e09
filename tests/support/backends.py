"""A database URL on each backend for tests that run the real bot: a fresh SQLite file, and
(marked ``postgres``) a fresh migrated PostgreSQL database dropped afterwards.

Import :func:`bot_database_url` into a test module to use it as a fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["bot_database_url"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def bot_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database URL: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        return
    from tests.storage.dbutil import create_postgres_database, drop_postgres_database

    base = str(request.getfixturevalue("postgres_url"))
    url = create_postgres_database(base, prefix="wsb_bot")
    try:
        yield url
    finally:
        drop_postgres_database(base, url)
