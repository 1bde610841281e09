"""The knowledge sweep as a durable job: scheduled at start, run by the job runner at the
clock's time, the next one a quarter hour later; two runners (two instances, each with its
own engine) on one database send every check-in once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from dialogs.jobs import JobRunner, ManualClock
from dialogs.knowledge import jobs as knowledge_jobs
from dialogs.knowledge import timed
from storage import jobs as jobs_repo
from storage.db import Database
from storage.knowledge import checkins, people, takeaways
from tests.knowledge.fakes import Ctx, FakeChannel

AT = datetime(2027, 3, 16, 9, 0, tzinfo=UTC)  # 10:00 in Copenhagen, two weeks after the course


async def _enrolled(db: Database, n: int) -> None:
    course = await takeaways.add_course(
        db, name="K", provider="P", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 2)
    )
    for i in range(n):
        await people.remember_person(
            db, user_id=f"29:u{i}", destination={"conversation": {"id": f"a:29:u{i}"}}
        )
        await checkins.enrol(
            db, f"29:u{i}", course.id, now=AT - timedelta(days=60), stages=("weeks_after_2",)
        )


async def test_the_sweep_runs_as_a_job_and_schedules_the_next(db: Database) -> None:
    await _enrolled(db, 3)
    clock = ManualClock(AT - timedelta(minutes=20))
    channel = FakeChannel()
    runner = JobRunner(db, channel, clock=clock, worker="a")
    assert await knowledge_jobs.ensure_sweeping(db, now=clock.now())
    assert not await knowledge_jobs.ensure_sweeping(db, now=clock.now())  # once
    assert await runner.run_due_now() == 1
    assert channel.sent == []  # not due yet
    job = await jobs_repo.get_job(db, knowledge_jobs.KEY)
    assert job is not None and job.state == "queued" and job.due_at == AT - timedelta(minutes=15)
    clock.set(AT)
    assert await runner.run_due_now() == 1
    assert len(channel.sent) == 3
    job = await jobs_repo.get_job(db, knowledge_jobs.KEY)
    assert job is not None and job.due_at == AT + timedelta(minutes=15)


async def test_a_clock_moved_during_a_sweep_makes_the_next_sweep_due_at_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _enrolled(db, 3)
    clock = ManualClock(AT - timedelta(hours=8))
    channel = FakeChannel()
    runner = JobRunner(db, channel, clock=clock, worker="a")
    sweep = timed.sweep

    async def sweep_while_the_clock_moves(ctx: Any) -> timed.SweepReport:
        report = await sweep(ctx)
        clock.set(AT)  # the Playground's clock moves while this sweep runs
        return report

    monkeypatch.setattr(timed, "sweep", sweep_while_the_clock_moves)
    await knowledge_jobs.ensure_sweeping(db, now=clock.now())
    await runner.run_due_now()
    assert len(channel.sent) == 3, "the check-ins due after the move went out at once"


async def test_two_runners_on_one_database_send_each_checkin_once(db: Database) -> None:
    await _enrolled(db, 40)
    await knowledge_jobs.ensure_sweeping(db, now=AT)
    other = Database.from_url(db.url)  # a second instance: its own engine and pool
    try:
        channels = (FakeChannel(), FakeChannel())
        runners = (
            JobRunner(db, channels[0], clock=ManualClock(AT), worker="a"),
            JobRunner(other, channels[1], clock=ManualClock(AT), worker="b"),
        )
        await asyncio.gather(*(r.run_due_now() for r in runners))
        # A sweep run again (a retried job) sends nothing more.
        again = FakeChannel()
        await timed.sweep(Ctx(db, again, AT))
        assert again.sent == []
        sent = [s.conversation for c in channels for s in c.sent]
        assert len(sent) == 40 and len(set(sent)) == 40
    finally:
        await other.dispose()
