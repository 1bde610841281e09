"""Alembic environment: runs on the connection handed over by :mod:`storage.migrate`."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.knowledge.tables import include_name
from storage.models import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # The full-text objects (fts_…) are made by the migrations alone.
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Called from the alembic command line: open our own engine from sqlalchemy.url.
    from storage.db import Database

    async def _go() -> None:
        db = Database.from_url(context.config.get_main_option("sqlalchemy.url"))
        try:
            async with db.write_engine.connect() as conn:
                await conn.run_sync(_run)
                await conn.commit()
        finally:
            await db.dispose()

    asyncio.run(_go())


if context.is_offline_mode():
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    _run_online()
