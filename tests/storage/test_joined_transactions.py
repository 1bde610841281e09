"""One transaction for a change and what it causes (storage/db.py): a repository call inside
``async with db.transaction():`` of the same task joins it, on SQLite and PostgreSQL.

The rules: everything commits together or not at all; an error that the caller catches undoes
only that call (a SAVEPOINT); a task spawned inside begins its own transaction; a callback
given to ``after_commit`` runs after the commit and never after a rollback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage import jobs
from storage import workshops as workshops_repo
from storage.db import Database
from storage.errors import StorageError

DUE = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)


class Boom(Exception):
    pass


async def test_a_change_and_its_job_roll_back_together(db: Database) -> None:
    with pytest.raises(Boom):
        async with db.transaction():
            await workshops_repo.create_workshop(
                db, org_name="Org", conversation_id="19:a@thread.v2", title="Eins"
            )
            await jobs.schedule(db, "workshop.summary", DUE, {"workshop": 1}, key="summary:1")
            raise Boom
    assert await workshops_repo.list_workshops(db, conversation_id="19:a@thread.v2") == ()
    assert await jobs.get_job(db, "summary:1") is None


async def test_a_change_and_its_job_commit_together(db: Database) -> None:
    async with db.transaction():
        created = await workshops_repo.create_workshop(
            db, org_name="Org", conversation_id="19:b@thread.v2", title="Zwei"
        )
        await jobs.schedule(
            db, "workshop.summary", DUE, {"workshop": created.id}, key=f"summary:{created.id}"
        )
        # Read inside: the uncommitted workshop is seen by a joined read.
        seen = await workshops_repo.get_workshop(db, created.id)
        assert seen.title == "Zwei"
    listing = await workshops_repo.list_workshops(db, conversation_id="19:b@thread.v2")
    assert [item.workshop.title for item in listing] == ["Zwei"]
    job = await jobs.get_job(db, f"summary:{created.id}")
    assert job is not None and job.payload == {"workshop": created.id}


async def test_an_error_caught_inside_undoes_only_that_call(db: Database) -> None:
    async with db.transaction():
        created = await workshops_repo.create_workshop(
            db, org_name="Org", conversation_id="19:c@thread.v2", title="Drei"
        )
        with pytest.raises(StorageError):
            # A refused statement (no such workshop's foreign key) inside a SAVEPOINT.
            await workshops_repo.add_facilitator(db, 987_654, "29:nobody")
        # The outer transaction goes on (on PostgreSQL it would be aborted without the
        # savepoint) and commits what it did.
        await jobs.schedule(db, "time_box", DUE, {"run": 1}, key="time_box:drei")
    assert (await workshops_repo.get_workshop(db, created.id)).title == "Drei"
    assert await jobs.get_job(db, "time_box:drei") is not None


async def test_a_task_spawned_inside_begins_its_own_transaction(db: Database) -> None:
    seen: list[int] = []
    started = asyncio.Event()

    async def count_later() -> None:
        started.set()
        # Not joined: it waits for its own transaction and sees only committed rows.
        listing = await workshops_repo.list_workshops(db, conversation_id="19:d@thread.v2")
        seen.append(len(listing))

    async with db.transaction():
        await workshops_repo.create_workshop(
            db, org_name="Org", conversation_id="19:d@thread.v2", title="Vier"
        )
        task = asyncio.create_task(count_later())
        await started.wait()
        await asyncio.sleep(0.05)
    await task
    # On SQLite the read runs beside the writer (WAL) and may see 0 or, after the commit,
    # 1; what it never does is read through the writer's closed connection.
    assert seen in ([0], [1])
    # After the block, the same task begins its own again: a write works.
    async with db.transaction():
        await jobs.schedule(db, "time_box", DUE + timedelta(seconds=1), {}, key="after")
    assert await jobs.get_job(db, "after") is not None


async def test_after_commit_waits_for_the_commit_and_never_runs_after_a_rollback(
    db: Database,
) -> None:
    calls: list[str] = []
    db.after_commit(lambda: calls.append("no transaction: now"))
    assert calls == ["no transaction: now"]

    async with db.transaction():
        await workshops_repo.create_workshop(
            db, org_name="Org", conversation_id="19:e@thread.v2", title="Fünf"
        )
        db.after_commit(lambda: calls.append("committed"))
        assert calls == ["no transaction: now"], "not before the commit"
    assert calls == ["no transaction: now", "committed"]

    with pytest.raises(Boom):
        async with db.transaction():
            db.after_commit(lambda: calls.append("rolled back"))
            raise Boom
    assert "rolled back" not in calls
