"""Opening the database: URL handling, engines, transactions.

Why one module of ~600 lines: the transaction is where every driver failure is turned into
storage's own errors and where a connection lost to a PostgreSQL restart is replaced; the
engine settings that make that work (WAL, BEGIN IMMEDIATE, pool checks) belong beside it.

``DATABASE_URL`` selects the database (a SQLAlchemy URL). Synchronous URLs are translated to
the async drivers: ``sqlite:///path`` → ``sqlite+aiosqlite:///path`` and ``postgresql://…``
→ ``postgresql+asyncpg://…``. Without it, workshopbot uses one SQLite file,
``var/workshopbot.sqlite3`` below the current directory.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Writers take the write lock
at ``BEGIN IMMEDIATE`` (so two writers never deadlock on a lock upgrade) and, inside one
process, queue on an ``asyncio.Lock`` instead of spinning in SQLite's busy handler.

Storage speaks its own errors: whatever the driver raises in a transaction (or while one is
opened) leaves :class:`Database` as :class:`~storage.errors.DatabaseUnavailable` (lost or
refused connection, server restarting, SQLite file locked: worth trying again) or
:class:`~storage.errors.DatabaseRefused` (a refused statement: not), with the driver's error
as ``__cause__``. A server restart is survived: a PostgreSQL pool never hands out a
connection the server has closed (checked at checkout, without a round trip), every
transaction begins with ``SELECT 1`` (one round trip) so that a connection the restart
killed is replaced before the caller's statements run, and while the server comes back a
transaction waits for it (up to ``PG_RECONNECT_S``) instead of failing; a read that still
meets a dead connection is run once more.

Open the database with :func:`storage.open.open_database` (it also checks the schema).

Example:
    >>> to_async_url("sqlite:///var/x.sqlite3")
    'sqlite+aiosqlite:///var/x.sqlite3'
    >>> to_async_url("postgres://u@h/db")
    'postgresql+asyncpg://u@h/db'
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage._failures import (
    is_connection_failure,
    is_driver_error,
    is_server_restarting,
    is_stale_connection,
    storage_error_of,
)
from storage.errors import DatabaseUnavailable, InvalidInput
from storage.secret import load_secret, use_secret

T = TypeVar("T")

__all__ = [
    "DEFAULT_SQLITE_PATH",
    "Database",
    "database_exists",
    "database_unavailable",
    "database_url_from_env",
    "is_driver_error",
    "redacted_url",
    "to_async_url",
]

log = logging.getLogger(__name__)

# Alembic logs every plugin it sets up at INFO (when it is imported); keep command output
# readable unless the application configured the "alembic" logger itself.
if logging.getLogger("alembic").level == logging.NOTSET:
    logging.getLogger("alembic").setLevel(logging.WARNING)
# aiosqlite logs every call with its arguments (statement parameters, answer texts among
# them) at DEBUG; PRIVACY.md promises that answer texts never reach the logs.
if logging.getLogger("aiosqlite").level == logging.NOTSET:
    logging.getLogger("aiosqlite").setLevel(logging.INFO)

#: Where the embedded database lives when DATABASE_URL is not set (relative to the cwd).
DEFAULT_SQLITE_PATH = Path("var/workshopbot.sqlite3")
SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 10
#: How long a transaction waits for a restarting PostgreSQL server before it fails (a
#: network fault is not waited for: the callers have retries of their own for that).
PG_RECONNECT_S = 5.0

Dialect = Literal["sqlite", "postgresql"]


def database_url_from_env(env: Mapping[str, str] | None = None) -> str:
    """The configured database URL: ``DATABASE_URL`` or the default SQLite file.

    Args:
        env: The environment to read (default ``os.environ``).

    Returns:
        A SQLAlchemy URL (sync or async form; :func:`to_async_url` normalises it).
    """
    env = os.environ if env is None else env
    url = env.get("DATABASE_URL", "").strip()
    return url or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def to_async_url(url: str | URL) -> str:
    """Translate a SQLAlchemy URL to its async driver (aiosqlite or asyncpg).

    Raises:
        InvalidInput: The URL cannot be parsed or names a database other than SQLite or
            PostgreSQL.
    """
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError as exc:
        raise InvalidInput(
            f"DATABASE_URL {str(url)!r} is not a database URL; use sqlite:///path/to/file.sqlite3 "
            "or postgresql://user@host:5432/dbname"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise InvalidInput(
            f"the database {backend!r} in DATABASE_URL is not supported; use sqlite:///path "
            "or postgresql://user@host/dbname"
        )
    return parsed.render_as_string(hide_password=False)


def database_exists(url: str) -> bool:
    """True unless ``url`` names a SQLite file that does not exist (so that a caller that
    only reads need not create it). A server database is assumed to exist.

    Raises:
        InvalidInput: The URL cannot be parsed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidInput(
            f"DATABASE_URL {url!r} is not a database URL; use sqlite:///path/to/file.sqlite3 "
            "or postgresql://user@host:5432/dbname"
        ) from exc
    if parsed.get_backend_name() != "sqlite":
        return True
    path = _sqlite_path(parsed)
    return path is not None and path.is_file()


def _sqlite_path(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


@dataclass(eq=False)
class _Outer:
    """The write transaction a task is inside (:meth:`Database.transaction` joins it)."""

    db: Database
    connection: AsyncConnection
    task: asyncio.Task[Any] | None
    open: bool = True
    #: What :meth:`Database.after_commit` deferred to the commit.
    after: list[Callable[[], None]] = field(default_factory=list)

    def joins(self, db: Database) -> bool:
        """A transaction begun on ``db`` now becomes part of this one: same database, same
        task, still open. (Only write transactions are outer ones: a write inside a
        read-only transaction begins its own, as before.)"""
        return (
            self.open
            and self.db is db
            and self.task is not None
            and self.task is asyncio.current_task()
        )


_OUTER: contextvars.ContextVar[_Outer | None] = contextvars.ContextVar(
    "workshopbot_outer_transaction", default=None
)


@dataclass(eq=False)
class Database:
    """An open database: the async engines plus how to start a transaction.

    Use :meth:`transaction` for every repository call (one transaction per call, so nothing
    is half-written) and :meth:`dispose` when done.

    Attributes:
        url: The async SQLAlchemy URL (password included; never log it).
        dialect: ``"sqlite"`` or ``"postgresql"``.
        engine: The engine for reads (and for writes on PostgreSQL).
        write_engine: The engine whose transactions begin with ``BEGIN IMMEDIATE`` on SQLite
            (the same object as ``engine`` on PostgreSQL).
    """

    url: str
    dialect: Dialect
    engine: AsyncEngine
    write_engine: AsyncEngine
    _write_lock: asyncio.Lock | None = field(default=None, repr=False)
    _sync_write_engine: Engine | None = field(default=None, repr=False)
    _sync_read_engine: Engine | None = field(default=None, repr=False)
    #: Background helpers bound to this database (e.g. the answer writer), closed by dispose.
    services: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_url(
        cls, url: str | None = None, *, echo: bool = False, pool_size: int = 10
    ) -> Database:
        """Create the engines for ``url`` (default: :func:`database_url_from_env`).

        Creates the parent folder of a SQLite file. Does not connect yet.

        Args:
            url: A SQLAlchemy URL, sync or async form.
            echo: Log every SQL statement (debugging).
            pool_size: Connections kept open per engine (PostgreSQL).

        Raises:
            InvalidInput: The URL is not a SQLite or PostgreSQL URL.
        """
        async_url = to_async_url(url if url is not None else database_url_from_env())
        _adopt_secret(async_url)
        parsed = make_url(async_url)
        if parsed.get_backend_name() == "sqlite":
            path = _sqlite_path(parsed)
            if path is None:
                raise InvalidInput(
                    f"the SQLite URL {async_url!r} names no file; every connection of an "
                    "in-memory database sees a different one: use sqlite:///path/to/file.sqlite3"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            read_engine = create_async_engine(async_url, echo=echo, hide_parameters=True)
            # One write connection is enough: the asyncio.Lock lets one writer in at a time.
            write_engine = create_async_engine(
                async_url, echo=echo, hide_parameters=True, pool_size=1, max_overflow=0
            )
            _configure_sqlite(read_engine.sync_engine, immediate=False)
            _configure_sqlite(write_engine.sync_engine, immediate=True)
            return cls(async_url, "sqlite", read_engine, write_engine, asyncio.Lock())
        engine = create_async_engine(
            async_url,
            echo=echo,
            # Errors (which the bot logs) and echo never show parameters: answer texts.
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=pool_size,
            # Give up connecting after 10 s (asyncpg waits 60 s): a caller should hear that
            # the database is down while the person is still there.
            connect_args={"timeout": PG_CONNECT_TIMEOUT_S},
        )
        _drop_closed_connections(engine)
        return cls(async_url, "postgresql", engine, engine, None)

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncConnection]:
        """One transaction on an ``AsyncConnection``: committed on success, rolled back on error.

        The repositories run Core statements on it (no ORM unit of work: half the cost per
        statement, and records are built from rows anyway).

        Args:
            write: The transaction writes. On SQLite it then takes the write lock up front;
                read-only transactions (``write=False``) run beside writers in WAL mode.

        Called inside a *write* transaction of the same database, by the same asyncio task,
        it joins that transaction instead of beginning another: a change and what it causes
        (a question opened, its card in the outbox, its time box's job) commit together
        when the caller wraps them in one ``async with db.transaction():``. A task spawned
        inside it begins its own (it outlives the block).
        """
        outer = _OUTER.get()
        if outer is not None and outer.joins(self):
            # Inside a write transaction of this task: the call becomes part of it (a
            # SAVEPOINT, so an error the caller catches undoes only its own statements).
            try:
                async with outer.connection.begin_nested():
                    yield outer.connection
            except Exception as exc:
                self._raise_storage_error(exc)
            return
        after: list[Callable[[], None]] = []
        try:
            if self._write_lock is not None and write:
                async with (
                    self._write_lock,
                    self._session(self.write_engine) as session,
                    self._outer(session, write=True, after=after),
                ):
                    yield session
            else:
                async with (
                    self._session(self.engine) as session,
                    self._outer(session, write=write, after=after),
                ):
                    yield session
        except Exception as exc:
            self._raise_storage_error(exc)
        for callback in after:
            try:
                callback()
            except Exception:
                log.exception("a callback after a commit failed")

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when the write transaction this task is inside commits (never,
        when it rolls back), or now when there is none: what another task would read from
        the database (a card built by a sending task) waits for the change to be visible."""
        outer = _OUTER.get()
        if outer is not None and outer.joins(self):
            outer.after.append(callback)
        else:
            callback()

    @asynccontextmanager
    async def _outer(
        self, session: AsyncConnection, *, write: bool, after: list[Callable[[], None]]
    ) -> AsyncIterator[None]:
        if not write:
            yield
            return
        scope = _Outer(self, session, asyncio.current_task(), after=after)
        token = _OUTER.set(scope)
        try:
            yield
        finally:
            scope.open = False
            _OUTER.reset(token)

    def _raise_storage_error(self, exc: Exception) -> NoReturn:
        """Raise the storage error for a driver's ``exc`` (chained), else ``exc`` itself."""
        failure = storage_error_of(exc, where=redacted_url(self.url))
        if failure is None:
            raise exc
        raise failure from exc

    @asynccontextmanager
    async def _session(self, engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
        if self.dialect != "postgresql":
            async with engine.begin() as connection:
                yield connection
            return
        connection, transaction = await self._begin_checked(engine)
        try:
            yield connection
        except BaseException:
            with contextlib.suppress(Exception):
                await transaction.rollback()
            raise
        else:
            await transaction.commit()
        finally:
            with contextlib.suppress(Exception):
                await connection.close()

    async def _begin_checked(self, engine: AsyncEngine) -> tuple[AsyncConnection, Any]:
        """A PostgreSQL transaction begun on a connection that answered (``SELECT 1``, one
        round trip). A connection a server restart killed fails here, before the caller's
        statements ran, so it is replaced and the transaction begun again (while the server
        comes back: up to :data:`PG_RECONNECT_S` seconds), instead of failing the caller's
        work with "connection is closed"."""
        deadline = time.monotonic() + PG_RECONNECT_S
        delay = 0.05
        while True:
            connection = await self._connect(engine)
            transaction = await connection.begin()
            try:
                await connection.exec_driver_sql("SELECT 1")
            except Exception as exc:
                with contextlib.suppress(Exception):
                    await connection.invalidate()
                with contextlib.suppress(Exception):
                    await connection.close()
                if not is_connection_failure(exc) or time.monotonic() + delay > deadline:
                    raise
                log.info("a pooled connection was dead (%s); beginning again", type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            return connection, transaction

    async def _connect(self, engine: AsyncEngine) -> AsyncConnection:
        """A connection from the pool; on PostgreSQL, while the server restarts (refused,
        "starting up", "shutting down"), tried again for up to :data:`PG_RECONNECT_S`
        seconds, so that a turn during a restart waits a moment instead of failing. A cut
        or reset connection fails at once."""
        if self.dialect != "postgresql":
            return await engine.connect()
        deadline = time.monotonic() + PG_RECONNECT_S
        delay = 0.1
        while True:
            try:
                return await engine.connect()
            except Exception as exc:
                if not is_server_restarting(exc) or time.monotonic() + delay > deadline:
                    raise
                log.info(
                    "the database cannot be reached (%s); trying again in %.1f s",
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    async def run_write(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work(connection, *args)`` — synchronous Core code — in one write transaction.

        For batches of many statements. On SQLite the whole transaction runs in one worker
        thread on a plain ``sqlite3`` connection (one thread hop instead of four per
        statement through aiosqlite), under the same write lock as :meth:`transaction`. On
        PostgreSQL it runs through ``AsyncConnection.run_sync``.
        """
        if self._write_lock is None:
            async with self.transaction() as connection:
                return await connection.run_sync(work, *args)
        async with self._write_lock:
            engine = self._sync_engine()

            def in_thread() -> T:
                with engine.begin() as connection:
                    return work(connection, *args)

            try:
                return await asyncio.get_running_loop().run_in_executor(self._threads(), in_thread)
            except Exception as exc:
                self._raise_storage_error(exc)

    async def erase_deleted(self) -> bool:
        """Make deleted rows unrecoverable from the database's files (SQLite), at once.

        Every SQLite connection runs with ``secure_delete=ON``, so a delete zeroes the row in
        the page it is written to; the write-ahead log still holds the earlier page images
        until it is checkpointed. This copies the log into the database and truncates it to
        zero bytes (``PRAGMA wal_checkpoint(TRUNCATE)``), retrying while a reader holds an
        old snapshot. PostgreSQL: nothing to do here; see docs/security-data.md on VACUUM.

        Returns:
            True when the log was truncated (always True on PostgreSQL); False when readers
            kept it busy for ~5 s (logged; the next checkpoint finishes the job).
        """
        if self._write_lock is None:
            return True
        async with self._write_lock:
            engine = self._sync_engine()

            def in_thread() -> bool:
                with engine.connect() as connection:
                    raw = connection.connection.dbapi_connection
                    assert raw is not None
                    for attempt in range(50):
                        busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                        if not busy:
                            return True
                        time.sleep(0.1 if attempt else 0.01)
                return False

            done = await asyncio.get_running_loop().run_in_executor(self._threads(), in_thread)
        if not done:
            log.warning("the write-ahead log could not be truncated: readers kept it busy")
        return done

    async def ping(self) -> None:
        """Check that the database answers (``SELECT 1``).

        Raises:
            DatabaseUnavailable: It does not.
        """
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:
            self._raise_storage_error(exc)

    async def run_read(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work(connection, *args)`` — synchronous Core code that only reads — at once.

        For hot single-statement reads (bot state on every turn). On SQLite it runs in a
        worker thread on a plain ``sqlite3`` connection (one thread hop); on PostgreSQL on
        an autocommit connection (no BEGIN/COMMIT round trips). It only reads, so a read
        that met a connection the pool had not yet found dead runs once more on a fresh one.
        """
        try:
            try:
                return await self._read_once(work, *args)
            except Exception as exc:
                if not is_stale_connection(exc):
                    raise
                log.warning("a pooled connection was dead (%s); reading again", type(exc).__name__)
                return await self._read_once(work, *args)
        except Exception as exc:
            self._raise_storage_error(exc)

    async def _read_once(self, work: Callable[..., T], *args: Any) -> T:
        if self.dialect == "postgresql":
            async with self._autocommit().connect() as connection:
                return await connection.run_sync(work, *args)
        engine = self._sync_reader()

        def in_thread() -> T:
            with engine.connect() as connection:
                return work(connection, *args)

        return await asyncio.get_running_loop().run_in_executor(self._threads(), in_thread)

    def _threads(self) -> concurrent.futures.ThreadPoolExecutor:
        # Our own threads: the default executor may be busy with analysis work (spaCy,
        # layouts), and an answer must not wait behind a network map.
        pool = self.services.get("_threads")
        if pool is None:
            pool = _ThreadsCloser(
                concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="storage")
            )
            self.services["_threads"] = pool
        assert isinstance(pool, _ThreadsCloser)
        return pool.executor

    def _autocommit(self) -> AsyncEngine:
        # A pool of its own whose connections stay in autocommit (switching a pooled
        # connection per call costs round trips of its own).
        closer = self.services.get("_autocommit_engine")
        if closer is None:
            engine = create_async_engine(
                self.url,
                isolation_level="AUTOCOMMIT",
                connect_args={"timeout": PG_CONNECT_TIMEOUT_S},
                pool_size=self.engine.pool.size(),  # type: ignore[attr-defined]
                max_overflow=self.engine.pool.size(),  # type: ignore[attr-defined]
            )
            _drop_closed_connections(engine)
            self.services["_autocommit_engine"] = _EngineCloser(engine)
            return engine
        assert isinstance(closer, _EngineCloser)
        return closer.engine

    def _sync_reader(self) -> Engine:
        if self._sync_read_engine is None:
            sync_url = make_url(self.url).set(drivername="sqlite+pysqlite")
            engine = create_engine(sync_url, connect_args={"check_same_thread": False})
            _configure_sqlite(engine, immediate=False)
            self._sync_read_engine = engine
        return self._sync_read_engine

    def _sync_engine(self) -> Engine:
        if self._sync_write_engine is None:
            sync_url = make_url(self.url).set(drivername="sqlite+pysqlite")
            engine = create_engine(
                sync_url,
                pool_size=1,
                max_overflow=0,
                hide_parameters=True,
                connect_args={"check_same_thread": False},
            )
            _configure_sqlite(engine, immediate=True)
            self._sync_write_engine = engine
        return self._sync_write_engine

    async def dispose(self) -> None:
        """Stop the background helpers (finishing queued work) and close every connection."""
        # Writers first (they still need the threads and engines), "_"-named plumbing last.
        names = sorted(self.services, key=lambda name: name.startswith("_"))
        services = [self.services[name] for name in names]
        self.services.clear()
        for service in services:
            await service.aclose()
        for sync_engine in (self._sync_write_engine, self._sync_read_engine):
            if sync_engine is not None:
                sync_engine.dispose()
        self._sync_write_engine = self._sync_read_engine = None
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()


@dataclass
class _EngineCloser:
    """An extra engine kept in ``Database.services`` so that dispose closes it."""

    engine: AsyncEngine

    async def aclose(self) -> None:
        await self.engine.dispose()


@dataclass
class _ThreadsCloser:
    """The storage thread pool, kept in ``Database.services`` so that dispose stops it."""

    executor: concurrent.futures.ThreadPoolExecutor

    async def aclose(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=False)


def _drop_closed_connections(engine: AsyncEngine) -> None:
    """Never hand out a pooled PostgreSQL connection the server has closed.

    A restarting server (or one that ended the session) closes every connection; asyncpg
    notices the closed socket as soon as the event loop runs, so the check at checkout costs
    no round trip (SQLAlchemy's ``pool_pre_ping`` costs three per transaction on asyncpg:
    BEGIN, a ping, ROLLBACK). A closed one is discarded and the pool hands out another, or
    a fresh one (SQLAlchemy retries the checkout), instead of failing the next transaction
    with "connection is closed". A connection that dies between checkout and its first
    statement still fails that transaction: :class:`~storage.errors.DatabaseUnavailable`.
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        is_closed = getattr(driver, "is_closed", None)
        if callable(is_closed) and is_closed():
            log.info("a pooled database connection was closed by the server; replacing it")
            raise DisconnectionError("the server closed this pooled connection")


def _configure_sqlite(sync_engine: Engine, *, immediate: bool) -> None:

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would defer BEGIN; we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten with zeros, not left in free space: "forget me"
        # must leave no copy of a person's words in the file (docs/security-data.md).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _adopt_secret(url: str) -> None:
    """Use the server secret of this database when one is configured or can be made (the
    embedded SQLite setup); :func:`storage.open.open_database` insists, this does not, so that tools
    which never hash a Teams id (``db upgrade`` of an empty database …) run without it."""
    try:
        use_secret(load_secret(url))
    except InvalidInput as exc:
        log.debug("no server secret yet: %s", exc)


def redacted_url(url: str | None = None) -> str:
    """The URL without its password, for messages and logs."""
    raw = url if url is not None else database_url_from_env()
    try:
        return make_url(raw).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable DATABASE_URL)"


def database_unavailable(
    exc: BaseException,
    *,
    url: str | None = None,
    doing: str = "use",
    hint: str = "check DATABASE_URL and that the server is running",
) -> DatabaseUnavailable:
    """The one-line error for a database that cannot be used: its URL without the password
    and the first line of the driver's reason.

    Args:
        exc: What the driver raised.
        url: The database URL (default: ``DATABASE_URL`` or the SQLite file).
        doing: The verb for the message ("cannot {doing} the database ...").
        hint: What to check, at the end of the message.
    """
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return DatabaseUnavailable(f"cannot {doing} the database {redacted_url(url)}: {reason}; {hint}")
