"""What the database drivers raise, said in storage's own words (internal to ``storage``).

SQLAlchemy, aiosqlite and asyncpg each have their own exceptions for a lost connection, a
locked file or a refused statement. :func:`storage_error_of` turns them into
:class:`~storage.errors.DatabaseUnavailable` (worth trying again) or
:class:`~storage.errors.DatabaseRefused` (not), so that nothing outside ``storage/`` needs to
know which driver runs underneath.
"""

from __future__ import annotations

import sqlite3

from asyncpg import exceptions as asyncpg_errors
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    SQLAlchemyError,
)

from storage.errors import DatabaseRefused, DatabaseUnavailable, StorageError

__all__ = [
    "is_connection_failure",
    "is_driver_error",
    "is_server_restarting",
    "is_stale_connection",
    "storage_error_of",
]

#: asyncpg's errors of a lost, refused or shutting-down server connection.
_ASYNCPG_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg_errors.PostgresConnectionError,
    asyncpg_errors.CannotConnectNowError,
    asyncpg_errors.AdminShutdownError,
    asyncpg_errors.CrashShutdownError,
)
#: Errors that are themselves a lost or refused connection (whoever raised them).
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    *_ASYNCPG_CONNECTION_ERRORS,
)
#: SQLite's primary result codes of a file another connection holds (SQLITE_BUSY, _LOCKED).
_SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
#: PostgreSQL SQLSTATEs of a transaction that lost a race: deadlock, serialization failure.
_RACE_SQLSTATES = frozenset({"40P01", "40001"})


def is_driver_error(exc: BaseException) -> bool:
    """Whether ``exc`` comes from the database driver or the connection under it."""
    return isinstance(exc, (SQLAlchemyError, *_CONNECTION_ERRORS))


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the chain of exceptions under it (``orig``, ``__cause__``, ``__context__``)."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        chain.append(cause)
        orig = getattr(cause, "orig", None)
        cause = (
            orig
            if isinstance(orig, BaseException) and id(orig) not in seen
            else cause.__cause__ or cause.__context__
        )
    return chain


def _sqlite_busy(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE_BUSY_CODES:
        return True
    # aiosqlite and older sqlite3 builds do not always carry the code.
    return isinstance(exc, sqlite3.OperationalError) and "database is locked" in str(exc)


def _closed_connection(exc: BaseException) -> bool:
    return isinstance(exc, asyncpg_errors.InterfaceError) and "connection is closed" in str(exc)


def is_connection_failure(exc: BaseException) -> bool:
    """Whether ``exc`` means the database could not be reached or is busy (worth trying
    again), not that the statement or its data was wrong (that fails again at once).

    Connection failures: ``OSError`` (``ConnectionError`` included), ``TimeoutError``,
    asyncpg's connection errors, and SQLAlchemy's ``OperationalError``/``InterfaceError``
    that invalidated the connection or were caused by one of those, or by SQLite's busy or
    locked file (another writer, not bad data).
    """
    if isinstance(exc, (DatabaseUnavailable, *_CONNECTION_ERRORS)):
        return True
    # asyncpg's errors reach SQLAlchemy as a bare DBAPIError too ("connection was closed in
    # the middle of operation", "the database system is shutting down"): look underneath.
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    return any(
        isinstance(cause, _CONNECTION_ERRORS) or _sqlite_busy(cause) or _closed_connection(cause)
        for cause in _causes(exc)
    )


def is_server_restarting(exc: BaseException) -> bool:
    """Whether ``exc`` says the server is restarting (the port refuses, or the server says
    it is shutting down or starting up): worth waiting a few seconds for. A reset or cut
    connection (a network fault) is not: waiting would only hold the caller."""
    for cause in _causes(exc):
        if isinstance(
            cause,
            (
                ConnectionRefusedError,
                asyncpg_errors.CannotConnectNowError,
                asyncpg_errors.AdminShutdownError,
                asyncpg_errors.CrashShutdownError,
            ),
        ):
            return True
        words = str(cause)
        if "shutting down" in words or "starting up" in words:
            return True
    return False


def is_stale_connection(exc: BaseException) -> bool:
    """Whether ``exc`` says a pooled connection was found dead (the server restarted, a
    proxy dropped it): the pool has discarded it, and a fresh one will likely work."""
    for cause in _causes(exc):
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        if _closed_connection(cause) or isinstance(
            cause, asyncpg_errors.ConnectionDoesNotExistError
        ):
            return True
    return False


def _reason(exc: BaseException) -> str:
    """The driver's first line, without the SQL statement or its parameters."""
    orig = getattr(exc, "orig", None)
    source = orig if isinstance(orig, BaseException) else exc
    first = str(source).split("\n", 1)[0].strip()
    return f"{type(source).__name__}: {first}"[:300] if first else type(source).__name__


def storage_error_of(exc: BaseException, *, where: str) -> StorageError | None:
    """The storage error for what a driver raised, or None when ``exc`` is not the driver's
    (a :class:`~storage.errors.StorageError` raised on purpose, a bug: let it through).

    Args:
        exc: What was raised inside a transaction or while opening one.
        where: The database, named without its password (for the message).
    """
    if isinstance(exc, StorageError) or not is_driver_error(exc):
        return None
    if is_connection_failure(exc):
        return DatabaseUnavailable(
            f"the database {where} is unavailable ({_reason(exc)}); try again shortly"
        )
    lost_race = isinstance(exc, IntegrityError)
    if not lost_race and isinstance(exc, DBAPIError):
        orig = exc.orig
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        lost_race = code in _RACE_SQLSTATES
    return DatabaseRefused(
        f"the database {where} refused a statement ({_reason(exc)})", lost_race=lost_race
    )
