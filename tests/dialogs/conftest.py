"""The ``db`` fixture of the dialog tests: a migrated SQLite database of the test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from storage.migrate import upgrade_async


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A freshly migrated SQLite database in ``tmp_path``."""
    database = Database.from_url(f"sqlite:///{tmp_path / 'dialogs.sqlite3'}")
    await upgrade_async(database)
    try:
        yield database
    finally:
        await database.dispose()
