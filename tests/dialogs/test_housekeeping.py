"""The housekeeping job on a real SQLite database: it deletes finished jobs and delivered
messages older than a day (not newer ones, not queued ones), applies the retention when it
is set, and schedules its next run once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dialogs import housekeeping
from dialogs.jobs import JobRunner, ManualClock
from storage import jobs, outbox_store
from storage.db import Database
from tests.dialogs.test_jobs_runner import SilentChannel

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


async def test_housekeeping_purges_old_bookkeeping_and_reschedules(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKSHOPBOT_RETENTION_DAYS", raising=False)
    clock = ManualClock(T0)
    await jobs.schedule(db, "old", T0 - timedelta(days=3), {}, key="old")
    (old,) = await jobs.claim(db, "w", now=T0 - timedelta(days=3))
    await jobs.complete(db, old, "w", now=T0 - timedelta(days=3))
    await jobs.schedule(db, "later", T0 + timedelta(days=3), {}, key="later")
    where = {"serviceUrl": "http://c", "conversation": {"id": "19:x"}}
    await outbox_store.enqueue(
        db, key="q", lane="l", kind="send", destination=where, content={"text": "vent"}
    )
    assert await housekeeping.ensure_housekeeping(db, now=T0)
    assert not await housekeeping.ensure_housekeeping(db, now=T0), "scheduled once"
    runner = JobRunner(
        db, SilentChannel(), clock=clock, handlers={"housekeeping": housekeeping.housekeeping}
    )
    clock.advance(5 * 60)
    assert await runner.run_due_now() == 1
    assert await jobs.get_job(db, "old") is None
    assert await jobs.get_job(db, "later") is not None
    assert await outbox_store.get_message(db, "q") is not None, "a queued message stays"
    nxt = await jobs.get_job(db, "housekeeping")
    assert nxt is not None and nxt.state == "queued"
    assert nxt.due_at == clock.now() + timedelta(hours=1)
    assert runner.stats["lost"] == 0
