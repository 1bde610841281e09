from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from storage.db import Database, database_url_from_env, to_async_url
from storage.errors import DatabaseUnavailable, InvalidInput, SchemaOutOfDate
from storage.knowledge.tables import include_name
from storage.migrate import check_schema, current_revision, head_revision, upgrade, upgrade_async
from storage.models import metadata
from storage.open import open_database


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///var/a.sqlite3", "sqlite+aiosqlite:///var/a.sqlite3"),
        ("sqlite+aiosqlite:////abs/a.db", "sqlite+aiosqlite:////abs/a.db"),
        ("postgresql://u:p@h:5432/d", "postgresql+asyncpg://u:p@h:5432/d"),
        ("postgres://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+asyncpg://u@h/d"),
    ],
    ids=["sqlite", "aiosqlite", "postgresql", "postgres-alias", "psycopg2"],
)
def test_translates_sync_urls_to_async_drivers(url: str, expected: str) -> None:
    assert to_async_url(url) == expected


@pytest.mark.parametrize("url", ["mysql://u@h/d", "not a url"], ids=["mysql", "garbage"])
def test_refuses_unsupported_urls_with_the_fix(url: str) -> None:
    with pytest.raises(InvalidInput, match="sqlite:///"):
        to_async_url(url)


def test_default_url_is_the_sqlite_file() -> None:
    assert database_url_from_env({}) == "sqlite:///var/workshopbot.sqlite3"
    assert database_url_from_env({"DATABASE_URL": "postgresql://x/y"}) == "postgresql://x/y"


async def test_sqlite_creates_parent_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "db.sqlite3"
    db = Database.from_url(f"sqlite:///{path}")
    try:
        assert path.parent.is_dir()
        async with db.transaction(write=False) as session:
            journal = (await session.execute(text("PRAGMA journal_mode"))).scalar_one()
            fks = (await session.execute(text("PRAGMA foreign_keys"))).scalar_one()
            busy = (await session.execute(text("PRAGMA busy_timeout"))).scalar_one()
        assert journal == "wal"
        assert fks == 1
        assert busy >= 1000
    finally:
        await db.dispose()


async def test_open_database_refuses_an_empty_schema_and_names_the_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with pytest.raises(SchemaOutOfDate, match="run: workshopbot db upgrade") as info:
        await open_database(url)
    assert info.value.current is None
    assert info.value.head == head_revision()


async def test_open_database_refuses_an_old_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    db = Database.from_url(url)
    try:
        await upgrade_async(db)
        async with db.transaction() as session:
            await session.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
        with pytest.raises(SchemaOutOfDate, match="upgrade workshopbot"):
            await check_schema(db)
    finally:
        await db.dispose()


def test_upgrade_is_idempotent_and_reaches_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'u.sqlite3'}"
    assert upgrade(url) == head_revision()
    assert upgrade(url) == head_revision()


async def test_migrations_match_the_models(db: Database) -> None:
    """The schema the migrations build is the schema the models declare."""
    assert await current_revision(db) == head_revision()

    def diff(connection: object) -> list[object]:
        # The full-text objects (fts_…) exist only in the migrations, by design.
        context = MigrationContext.configure(
            connection,  # type: ignore[arg-type]
            opts={"include_name": include_name},
        )
        return list(compare_metadata(context, metadata))

    async with db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []
    opened = await open_database(db.url)
    await opened.dispose()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"], ids=["bare", "memory"])
def test_in_memory_sqlite_is_refused(url: str) -> None:
    with pytest.raises(InvalidInput, match="names no file"):
        Database.from_url(url)


async def test_ping(db: Database) -> None:
    await db.ping()
    down = Database.from_url("postgresql://postgres@127.0.0.1:1/none")
    try:
        with pytest.raises(DatabaseUnavailable, match=r"127\.0\.0\.1:1") as info:
            await down.ping()
        assert isinstance(info.value.__cause__, OSError), "the driver's error stays the cause"
    finally:
        await down.dispose()
