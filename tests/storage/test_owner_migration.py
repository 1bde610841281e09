"""Migration 0002 (owners of plans and series) on SQLite and PostgreSQL: plans and series
stored before it keep their rows and get no owner, which leaves them to the operators."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from dialogs import permissions
from storage import plans as plans_repo
from storage import series as series_repo
from storage.db import Database
from storage.migrate import alembic_config, current_revision, head_revision, upgrade_async


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def test_rows_from_before_owners_are_the_operators(db: Database) -> None:
    async with db.write_engine.connect() as conn:
        await conn.run_sync(_downgrade, "0001")
        await conn.commit()
    assert await current_revision(db) == "0001"
    async with db.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO plan (key, name, created_at) "
                "VALUES ('hk-old', 'HK gammel', CURRENT_TIMESTAMP)"
            )
        )
        plan_id = (await session.execute(text("SELECT id FROM plan"))).scalar_one()
        await session.execute(
            text(
                "INSERT INTO plan_version (plan_id, version, text, author, note, created_at) "
                "VALUES (:p, 1, 'id: hk-old', 'Fie', '', CURRENT_TIMESTAMP)"
            ),
            {"p": plan_id},
        )
        await session.execute(
            text(
                "INSERT INTO series (name, description, created_at) "
                "VALUES ('HK før', '', CURRENT_TIMESTAMP)"
            )
        )
    assert await upgrade_async(db) == head_revision()
    assert await plans_repo.plan_owners(db, "hk-old") == (None, ())
    (listed,) = await plans_repo.list_plans(db)
    assert listed.owner_id is None and listed.co_owner_ids == ()
    old_series = await series_repo.get_series_by_name(db, "HK før")
    assert old_series is not None and old_series.owner_id is None
    fie = permissions.Person("29:fie")
    refused = permissions.may_edit_plan(fie, operators=frozenset(), owners=(None,), builtin=False)
    assert refused.reason == "plan_no_owner"
    assert permissions.may_edit_plan(
        fie, operators=frozenset({"29:fie"}), owners=(None,), builtin=False
    )
    # New rows get their owner; an operator can give the old plan one.
    await plans_repo.set_plan_owners(db, "hk-old", owner_id="29:fie", co_owner_ids=["29:bo"])
    assert await plans_repo.plan_owners(db, "hk-old") == ("29:fie", ("29:bo",))
    made = await series_repo.create_series(db, "HK ny", owner_id="29:anna")
    assert (await series_repo.get_series(db, made.id)).owner_id == "29:anna"
