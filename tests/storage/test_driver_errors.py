"""Storage speaks its own errors: what the drivers raise (a locked SQLite file, a refused
statement, a server that is down, a connection the server killed) leaves storage as
``DatabaseUnavailable`` or ``DatabaseRefused``, on real databases; and a pooled connection
the server killed is replaced, not handed to the next transaction."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text

import storage.db
from storage import series
from storage.botstate import read_state
from storage.db import Database
from storage.errors import DatabaseRefused, DatabaseUnavailable, StorageError
from storage.migrate import upgrade_async
from tests.storage.dbutil import truncate_all


async def test_a_sqlite_file_another_writer_holds_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "locked.sqlite3"
    db = Database.from_url(f"sqlite:///{path}")
    await upgrade_async(db)
    other = sqlite3.connect(path, isolation_level=None)  # another process's writer
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseUnavailable, match="locked") as info:
            await series.create_series(db, "Låst")
        assert isinstance(info.value.__cause__, Exception)
        other.execute("ROLLBACK")
        created = await series.create_series(db, "Låst")  # free again: it works
        assert created.name == "Låst"
    finally:
        other.close()
        await db.dispose()


async def test_a_duplicate_is_refused_as_a_lost_race_and_a_bad_statement_is_not(
    db: Database,
) -> None:
    await series.create_series(db, "HK Kommunal")
    with pytest.raises(DatabaseRefused) as dup:
        async with db.transaction() as conn:
            await conn.execute(
                text("INSERT INTO series (name, description, created_at) VALUES (:n, '', :t)"),
                {"n": "HK Kommunal", "t": datetime(2026, 1, 1, tzinfo=UTC)},
            )
    assert dup.value.lost_race
    assert "HK Kommunal" not in str(dup.value), "no stored value in the message"
    with pytest.raises(DatabaseRefused) as bad:
        async with db.transaction(write=False) as conn:
            await conn.execute(text("SELECT nothing FROM no_such_table"))
    assert not bad.value.lost_race
    assert not isinstance(bad.value, DatabaseUnavailable)
    # A refusal spoils nothing: the same database goes on working.
    assert [s.name for s in await series.list_series(db)] == ["HK Kommunal"]


async def test_a_storage_error_raised_on_purpose_passes_unchanged(db: Database) -> None:
    class Mine(StorageError):
        pass

    with pytest.raises(Mine):
        async with db.transaction():
            raise Mine("on purpose")


@pytest.mark.postgres
async def test_a_server_that_is_down_is_unavailable_with_its_name_and_no_password() -> None:
    down = Database.from_url("postgresql://postgres:hemmelig@127.0.0.1:1/none")
    try:
        with pytest.raises(DatabaseUnavailable) as info:
            async with down.transaction(write=False) as conn:
                await conn.execute(text("SELECT 1"))
        assert "127.0.0.1:1" in str(info.value)
        assert "hemmelig" not in str(info.value)
        with pytest.raises(DatabaseUnavailable):
            await read_state(down, ["a/b"])
    finally:
        await down.dispose()


async def _pooled_pids(db: Database, count: int) -> set[int]:
    """Hold ``count`` connections at once so the pool keeps that many; their backend pids."""
    gate = asyncio.Event()
    pids: list[int] = []

    async def hold() -> None:
        async with db.transaction(write=False) as conn:
            pids.append((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())
            if len(pids) == count:
                gate.set()
            await gate.wait()

    await asyncio.gather(*(hold() for _ in range(count)))
    return set(pids)


@pytest.mark.postgres
async def test_pooled_connections_the_server_killed_are_replaced(pg_storage_url: str) -> None:
    """What a server restart does to a pool, done to this test's connections only (the
    shared server is not restarted): every pooled connection is terminated server-side. The
    next transactions and reads all succeed, on fresh connections."""
    db = Database.from_url(pg_storage_url, pool_size=3)
    await truncate_all(db)
    admin = await asyncpg.connect(pg_storage_url)
    try:
        before = await _pooled_pids(db, 3)
        assert await read_state(db, ["x/y"]) == {}  # the autocommit pool has one too
        autocommit_pids = {
            r["pid"]
            for r in await admin.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND NOT (pid = ANY($1::int[]))",
                list(before),
            )
        }
        killed = await admin.fetch(
            "SELECT pg_terminate_backend(pid) AS ok FROM unnest($1::int[]) AS pid",
            list(before | autocommit_pids),
        )
        assert killed and all(r["ok"] for r in killed)
        await asyncio.sleep(0.2)
        for i in range(5):  # more than the pool holds: every stale one is met
            created = await series.create_series(db, f"Efter genstart {i}")
            assert created.id is not None
            assert await read_state(db, [f"x/{i}"]) == {}
        after = await _pooled_pids(db, 3)
        assert not after & before, "a connection the server killed was handed out again"
        assert len(await series.list_series(db)) >= 5
    finally:
        await admin.close()
        await db.dispose()
