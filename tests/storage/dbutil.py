"""Test databases: a fresh, migrated PostgreSQL database per test session, emptied per test.

Every session gets its own uniquely named database (dropped at the end), so parallel runs and
other test packages never see each other's rows.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import uuid
from typing import Any

from sqlalchemy.engine import make_url

__all__ = ["create_postgres_database", "drop_postgres_database", "truncate_all"]


def _run(coro_fn: Any, *args: Any) -> Any:
    """Run a coroutine to completion, also when called from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_fn(*args))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn(*args))).result()


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_postgres_database(base_url: str, *, prefix: str = "wsb_test") -> str:
    """Create an empty database next to ``base_url``'s and migrate it; returns its URL."""
    from storage.migrate import upgrade

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _run(_admin, base_url, f'CREATE DATABASE "{name}"')
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


def drop_postgres_database(base_url: str, url: str) -> None:
    """Drop a database made by :func:`create_postgres_database` (closing its connections)."""
    name = make_url(url).database
    _run(_admin, base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def truncate_all(db: object) -> None:
    """Empty every workshopbot table (keeps the schema and alembic_version)."""
    from sqlalchemy import text

    from storage.db import Database
    from storage.models import metadata

    assert isinstance(db, Database)
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    async with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                await conn.execute(text(f'DELETE FROM "{table.name}"'))
