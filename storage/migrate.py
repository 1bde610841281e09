"""Schema migrations (Alembic), configured in code so they work from any directory.

``workshopbot db upgrade`` calls :func:`upgrade`; the bot calls :func:`check_schema` at start
and refuses to run on an out-of-date schema.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.db import Database, database_unavailable, is_driver_error
from storage.errors import SchemaOutOfDate

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "check_schema",
    "current_revision",
    "head_revision",
    "upgrade",
    "upgrade_async",
]

log = logging.getLogger(__name__)

#: The Alembic script folder inside the installed package.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` pointing at ``storage/migrations`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation would choke on "%" in passwords.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@functools.cache
def head_revision() -> str:
    """The newest migration this version of workshopbot ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(db: Database) -> str | None:
    """The migration the database is at (None for an empty database).

    Raises:
        DatabaseUnavailable: The database cannot be reached.
    """
    async with db.transaction(write=False) as conn:
        return await conn.run_sync(_current)


async def check_schema(db: Database) -> None:
    """Raise unless the database schema is at the newest migration.

    Raises:
        SchemaOutOfDate: With the command that fixes it.
    """
    current = await current_revision(db)
    head = head_revision()
    if current == head:
        return
    if current is None:
        message = (
            f"the database has no workshopbot tables yet (this version needs schema {head}); "
            "run: workshopbot db upgrade"
        )
    elif current not in {rev.revision for rev in _all_revisions()}:
        message = (
            f"the database schema is at {current}, which this version of workshopbot does not "
            f"know (it needs {head}); the database was upgraded by a newer workshopbot: "
            "upgrade workshopbot"
        )
    else:
        message = (
            f"the database schema is at {current} but this version needs {head}; "
            "run: workshopbot db upgrade"
        )
    raise SchemaOutOfDate(message, current=current, head=head)


def _all_revisions() -> list[Any]:
    return list(ScriptDirectory.from_config(alembic_config()).walk_revisions())


def _run_upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade_async(db: Database, revision: str = "head") -> str | None:
    """Migrate the database to ``revision`` (default: the newest) and return where it is.

    Runs in one transaction on PostgreSQL; SQLite applies each migration in its own.
    """
    async with db.write_engine.connect() as conn:
        before = await conn.run_sync(_current)
        await conn.run_sync(_run_upgrade, revision)
        await conn.commit()
        after = await conn.run_sync(_current)
    if before != after:
        log.info("database schema upgraded from %s to %s", before or "(empty)", after)
    return after


def upgrade(url: str | None = None, revision: str = "head") -> str | None:
    """Synchronous wrapper of :func:`upgrade_async` for the command line (also callable while
    an event loop runs: it then migrates from a worker thread).

    Args:
        url: A SQLAlchemy URL (default: ``DATABASE_URL`` or the SQLite file).
        revision: Target migration.

    Returns:
        The revision the database is at afterwards.

    Raises:
        DatabaseUnavailable: The database cannot be reached (one line, no password).
    """

    async def _go() -> str | None:
        db = Database.from_url(url)
        try:
            return await upgrade_async(db, revision)
        finally:
            await db.dispose()

    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(_go())
        # Called from async code (e.g. a fixture): run the migration on its own loop in a
        # thread.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, _go()).result()
    except Exception as exc:
        if not is_driver_error(exc):
            raise
        raise database_unavailable(
            exc, url=url, doing="upgrade", hint="check DATABASE_URL"
        ) from None
