"""Statement parameters (answer texts among them) never reach a log or an error message.

Errors of a failed statement are logged by the bot (the batch writer, the turn handler);
SQLAlchemy would put the statement's parameters into their text, and aiosqlite logs every
call with its arguments at DEBUG. PRIVACY.md promises that answer texts are not logged."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import Database
from storage.errors import DatabaseRefused

SECRET = "Zebrafinke-parameter-svar"


async def test_a_failed_statement_does_not_show_its_parameters(db: Database) -> None:
    with pytest.raises(DatabaseRefused) as failed:
        async with db.transaction() as session:
            await session.execute(text("SELECT * FROM no_such_table WHERE x = :v"), {"v": SECRET})
    assert "no_such_table" in str(failed.value), "the error still names the statement"
    assert SECRET not in str(failed.value)
    assert SECRET not in str(failed.value.__cause__), "nor does the driver's error under it"

    def work(conn: Connection) -> None:
        conn.execute(text("INSERT INTO no_such_table (x) VALUES (:v)"), {"v": SECRET})

    with pytest.raises(DatabaseRefused) as failed_write:
        await db.run_write(work)
    assert "no_such_table" in str(failed_write.value)
    assert SECRET not in str(failed_write.value)
    assert SECRET not in str(failed_write.value.__cause__)


async def test_statement_parameters_are_not_logged_at_debug(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with db.transaction() as session:
        found = (await session.execute(text("SELECT :v AS v"), {"v": SECRET})).scalar_one()
    assert found == SECRET
    assert SECRET not in caplog.text
    assert all(SECRET not in str(record.args) for record in caplog.records)
