"""The ``db`` fixture: every storage test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.db import Database
from storage.migrate import upgrade_async
from tests.storage.dbutil import create_postgres_database, drop_postgres_database, truncate_all


@pytest.fixture(scope="session")
def pg_storage_url(postgres_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database for this session's storage tests."""
    url = create_postgres_database(postgres_url, prefix="wsb_storage")
    yield url
    drop_postgres_database(postgres_url, url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'storage.sqlite3'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty (SQLite) or migrated-and-emptied (PostgreSQL) database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'storage.sqlite3'}"
    return str(request.getfixturevalue("pg_storage_url"))


@pytest.fixture
async def db(backend_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database on each backend."""
    database = Database.from_url(backend_url)
    if database.dialect == "sqlite":
        await upgrade_async(database)
    else:
        await truncate_all(database)
    try:
        yield database
    finally:
        await database.dispose()
