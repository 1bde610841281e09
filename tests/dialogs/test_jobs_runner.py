"""The job runner (dialogs/jobs.py) on a real database, SQLite and PostgreSQL: handlers run
once when due, failures retry with backoff, a stop hands claims back, two runners on one
PostgreSQL database run a job once, and NOTIFY wakes a runner long before its poll."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest

from dialogs.conversation.channel import Card, Content, Destination, Incoming
from dialogs.jobs import JobContext, JobRunner, ManualClock, SystemClock, job, register
from storage import jobs
from storage.db import Database
from storage.migrate import upgrade_async

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class SilentChannel:
    """A Channel for runner tests whose handlers send nothing."""

    def send(self, to: Destination, content: Content) -> Awaitable[str | None]:
        raise AssertionError("these handlers do not send")

    def send_private(
        self, where: Destination, user_id: str, content: Content
    ) -> Awaitable[str | None]:
        raise AssertionError("these handlers do not send")

    def update_card(
        self, where: Destination, activity_id: str, card: Callable[[], Card | Awaitable[Card]]
    ) -> None:
        raise AssertionError("these handlers do not send")

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> None:
        raise AssertionError("these handlers spawn nothing")

    def media_url(self, token: str, variant: Literal["full", "card"] = "full") -> str:
        return ""

    async def is_member(self, where: Destination, user_id: str) -> bool | None:
        return None

    async def is_meeting_organiser(self, incoming: Incoming) -> bool:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
        return
    from tests.storage.dbutil import create_postgres_database, drop_postgres_database

    base = str(request.getfixturevalue("postgres_url"))
    made = create_postgres_database(base, prefix="wsb_jobs")
    try:
        yield made
    finally:
        drop_postgres_database(base, made)


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    database = Database.from_url(url)
    if database.dialect == "sqlite":
        await upgrade_async(database)
    try:
        yield database
    finally:
        await database.dispose()


async def test_a_handler_runs_once_when_due(db: Database) -> None:
    seen: list[tuple[dict[str, Any], datetime]] = []

    async def remind(ctx: JobContext, payload: dict[str, Any]) -> None:
        seen.append((payload, ctx.now()))

    clock = ManualClock(T0)
    runner = JobRunner(db, SilentChannel(), clock=clock, handlers={"remind": remind})
    await jobs.schedule(db, "remind", T0 + timedelta(seconds=20), {"run_id": 3}, key="r:3")
    assert await runner.run_due_now() == 0
    clock.advance(20)
    assert await runner.run_due_now() == 1
    assert await runner.run_due_now() == 0
    assert seen == [({"run_id": 3}, T0 + timedelta(seconds=20))]


async def test_a_failing_handler_is_retried_with_backoff(db: Database) -> None:
    calls: list[datetime] = []

    async def flaky(ctx: JobContext, payload: dict[str, Any]) -> None:
        calls.append(ctx.now())
        if len(calls) < 3:
            raise RuntimeError("connector down")

    clock = ManualClock(T0)
    runner = JobRunner(db, SilentChannel(), clock=clock, handlers={"flaky": flaky})
    await jobs.schedule(db, "flaky", T0, {}, key="f")
    assert await runner.run_due_now() == 1
    record = await jobs.get_job(db, "f")
    assert record is not None and record.state == "queued"
    assert "connector down" in (record.last_error or "")
    assert T0 + timedelta(seconds=1) <= record.due_at <= T0 + timedelta(seconds=2)
    for _ in range(2):
        clock.advance(10)
        assert await runner.run_due_now() == 1
    record = await jobs.get_job(db, "f")
    assert record is not None and record.state == "done" and len(calls) == 3
    assert runner.stats["retried"] == 2 and runner.stats["ran"] == 1


async def test_a_kind_without_a_handler_is_left_for_an_instance_that_has_one(
    db: Database,
) -> None:
    runner = JobRunner(db, SilentChannel(), clock=ManualClock(T0), handlers={"a": _nothing})
    await jobs.schedule(db, "newer_kind", T0, {}, key="n")
    assert await runner.run_due_now() == 0
    record = await jobs.get_job(db, "n")
    assert record is not None and record.state == "queued"


async def _nothing(ctx: JobContext, payload: dict[str, Any]) -> None:
    return None


async def test_completing_in_the_handlers_transaction(db: Database) -> None:
    async def transactional(ctx: JobContext, payload: dict[str, Any]) -> None:
        async with ctx.db.transaction() as tx:
            await jobs.schedule(ctx.db, "follow_up", ctx.now(), {}, key="follow", tx=tx)
            assert await ctx.complete_in(tx)

    runner = JobRunner(
        db,
        SilentChannel(),
        clock=ManualClock(T0),
        handlers={"t": transactional, "follow_up": _nothing},
    )
    await jobs.schedule(db, "t", T0, {}, key="t")
    assert await runner.run_due_now() == 2
    record = await jobs.get_job(db, "t")
    assert record is not None and record.state == "done"
    assert runner.stats == {"ran": 2, "failed": 0, "retried": 0, "lost": 0}


async def test_the_background_loop_runs_a_job_on_time(db: Database) -> None:
    ran = asyncio.Event()
    ran_at: list[float] = []

    async def timed(ctx: JobContext, payload: dict[str, Any]) -> None:
        ran_at.append(time.monotonic())
        ran.set()

    runner = JobRunner(
        db, SilentChannel(), clock=SystemClock(), handlers={"timed": timed}, poll_interval=30
    )
    await runner.start()
    try:
        await asyncio.sleep(0.2)  # the runner is asleep, nothing due
        start = time.monotonic()
        await jobs.schedule(db, "timed", datetime.now(UTC) + timedelta(seconds=0.5), {})
        # No wake() here: the commit wakes this process's runner (and NOTIFY every other).
        await asyncio.wait_for(ran.wait(), 5)
        assert 0.4 <= ran_at[0] - start <= 1.5
    finally:
        await runner.stop()


async def test_stop_hands_a_running_job_back(db: Database) -> None:
    started = asyncio.Event()

    async def slow(ctx: JobContext, payload: dict[str, Any]) -> None:
        started.set()
        await asyncio.sleep(60)

    runner = JobRunner(db, SilentChannel(), handlers={"slow": slow}, poll_interval=0.2)
    await jobs.schedule(db, "slow", datetime.now(UTC), {}, key="slow")
    await runner.start()
    await asyncio.wait_for(started.wait(), 5)
    t = time.monotonic()
    assert await runner.stop(timeout=0.3) == 1
    assert time.monotonic() - t < 3
    record = await jobs.get_job(db, "slow")
    assert record is not None and record.state == "queued" and record.locked_by is None


@pytest.mark.postgres
async def test_two_runners_run_each_job_once_and_notify_wakes_the_idle_one(
    url: str,
) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("two instances need PostgreSQL")
    runs: list[tuple[str, int]] = []

    def recording(name: str) -> Callable[[JobContext, dict[str, Any]], Awaitable[None]]:
        async def handler(ctx: JobContext, payload: dict[str, Any]) -> None:
            runs.append((name, payload["n"]))
            await asyncio.sleep(0.01)

        return handler

    dbs = [Database.from_url(url) for _ in range(3)]
    runners = [
        JobRunner(dbs[i], SilentChannel(), handlers={"n": recording(f"r{i}")}, poll_interval=60)
        for i in range(2)
    ]
    try:
        for runner in runners:
            await runner.start()
        for runner in runners:
            assert runner.listener is not None
            await asyncio.wait_for(runner.listener.listening.wait(), 10)
        await asyncio.sleep(0.3)  # both asleep for 60 s unless NOTIFY wakes them
        start = time.monotonic()
        now = datetime.now(UTC)
        for n in range(60):
            await jobs.schedule(dbs[2], "n", now, {"n": n}, key=f"n:{n}")
        deadline = time.monotonic() + 15
        while len(runs) < 60 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        elapsed = time.monotonic() - start
        assert sorted(n for _, n in runs) == list(range(60)), "each job exactly once"
        assert elapsed < 10, f"NOTIFY should wake the runners, not the 60 s poll ({elapsed:.1f} s)"
    finally:
        for runner in runners:
            await runner.stop()
        for database in dbs:
            await database.dispose()


def test_a_kind_has_one_handler() -> None:
    @job("tests.unique_kind")
    async def first(ctx: JobContext, payload: dict[str, Any]) -> None:
        return None

    async def second(ctx: JobContext, payload: dict[str, Any]) -> None:
        return None

    with pytest.raises(ValueError, match="already has the handler"):
        register("tests.unique_kind", second)
    register("tests.unique_kind", second, replace=True)
    with pytest.raises(ValueError, match="kind is empty"):
        register(" ", second)
