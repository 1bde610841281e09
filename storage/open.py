"""Opening the database for use: engines (:mod:`storage.db`) plus the schema check
(:mod:`storage.migrate`).

This module stands above both, so that :mod:`storage.db` (engines, transactions) never needs
:mod:`storage.migrate` (which needs :class:`storage.db.Database`): the two do not import each
other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from storage.db import Database, database_unavailable, is_driver_error
from storage.errors import DatabaseUnavailable, StorageError
from storage.migrate import check_schema as _check_schema
from storage.secret import load_secret, use_secret

T = TypeVar("T")

__all__ = ["open_database", "run_with_database"]


async def open_database(url: str | None = None, *, check_schema: bool = True) -> Database:
    """Open the database, load the server secret (:func:`storage.secret.load_secret`) and
    (by default) refuse an out-of-date schema.

    Args:
        url: A SQLAlchemy URL (default: ``DATABASE_URL`` or the SQLite file).
        check_schema: Raise :class:`~storage.errors.SchemaOutOfDate` unless the schema is at
            the newest migration.

    Returns:
        The open :class:`~storage.db.Database`; call ``await db.dispose()`` when done.
    """
    db = Database.from_url(url)
    try:
        use_secret(load_secret(db.url))
    except BaseException:
        await db.dispose()
        raise
    if check_schema:
        try:
            await _check_schema(db)
        except BaseException:
            await db.dispose()
            raise
    return db


def run_with_database(
    work: Callable[[Database], Awaitable[T]],
    *,
    url: str | None = None,
    check_schema: bool = True,
) -> T:
    """Run ``await work(db)`` on a freshly opened database from synchronous code (the CLI).

    Args:
        work: The async function to run with the open database.
        url: A SQLAlchemy URL (default: ``DATABASE_URL`` or the SQLite file).
        check_schema: Refuse an out-of-date schema first.

    Raises:
        DatabaseUnavailable: The database cannot be reached (one line, no password).
        StorageError: Whatever ``work`` raises on purpose.
    """

    async def go() -> T:
        db = await open_database(url, check_schema=check_schema)
        try:
            return await work(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except DatabaseUnavailable as exc:
        # One line for the command line, naming the configured URL (no password).
        raise database_unavailable(exc.__cause__ or exc, url=url) from None
    except StorageError:
        raise
    except Exception as exc:
        if is_driver_error(exc):
            raise database_unavailable(exc, url=url) from None
        raise
