"""Durable jobs (storage/jobs.py) on SQLite and PostgreSQL: schedule, replace by key,
cancel, claim exactly once, lease take-over, retry, hand back, same-transaction scheduling,
and (PostgreSQL) NOTIFY waking a listener."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage import jobs
from storage.db import Database
from storage.errors import InvalidInput

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def test_a_job_is_claimed_only_when_due(db: Database) -> None:
    job_id = await jobs.schedule(db, "time_box", at(20), {"run_id": 7}, key="time_box:7")
    assert await jobs.claim(db, "a", now=at(19.9)) == []
    claimed = await jobs.claim(db, "a", now=at(20))
    assert [(j.id, j.kind, j.payload, j.attempts) for j in claimed] == [
        (job_id, "time_box", {"run_id": 7}, 1)
    ]
    # Claimed: nobody else gets it while the lease holds.
    assert await jobs.claim(db, "b", now=at(21)) == []
    assert await jobs.complete(db, claimed[0], "a", now=at(21))
    record = await jobs.get_job(db, "time_box:7")
    assert record is not None and record.state == "done" and record.finished_at == at(21)
    assert await jobs.claim(db, "b", now=at(999)) == []


async def test_a_key_scheduled_again_replaces_time_and_payload(db: Database) -> None:
    first = await jobs.schedule(db, "checkin", at(60), {"n": 1}, key="checkin:1")
    again = await jobs.schedule(db, "checkin", at(30), {"n": 2}, key="checkin:1")
    assert first == again
    listed = await jobs.list_jobs(db, kind="checkin")
    assert [(j.due_at, j.payload) for j in listed] == [(at(30), {"n": 2})]
    claimed = await jobs.claim(db, "a", now=at(30))
    assert [j.payload for j in claimed] == [{"n": 2}]


async def test_rescheduling_a_running_job_takes_it_from_the_old_run(db: Database) -> None:
    await jobs.schedule(db, "checkin", at(0), {"n": 1}, key="k")
    (old,) = await jobs.claim(db, "a", now=at(0))
    await jobs.schedule(db, "checkin", at(50), {"n": 2}, key="k")
    # The old run finishing does not mark the new schedule done.
    assert not await jobs.complete(db, old, "a", now=at(1))
    assert await jobs.claim(db, "b", now=at(49)) == []
    (new,) = await jobs.claim(db, "b", now=at(50))
    assert new.payload == {"n": 2} and new.attempts == 1


async def test_cancel_drops_a_job_not_yet_run(db: Database) -> None:
    await jobs.schedule(db, "time_box", at(20), {}, key="time_box:1")
    await jobs.schedule(db, "time_box", at(20), {}, key="time_box:2")
    assert await jobs.cancel(db, "time_box:1")
    assert not await jobs.cancel(db, "time_box:1")
    assert not await jobs.cancel(db, "no such key")
    assert [j.key for j in await jobs.claim(db, "a", now=at(20))] == ["time_box:2"]


async def test_cancel_prefix_matches_literally(db: Database) -> None:
    for key in ("p:1:a", "p:1:b", "p:10:a", "p_1:a"):
        await jobs.schedule(db, "checkin", at(5), {}, key=key)
    assert await jobs.cancel_prefix(db, "p:1:") == 2
    assert sorted(j.key or "" for j in await jobs.list_jobs(db)) == ["p:10:a", "p_1:a"]


async def test_a_dead_instances_claim_is_taken_over_after_its_lease(db: Database) -> None:
    await jobs.schedule(db, "time_box", at(0), {}, key="k")
    lease = timedelta(seconds=15)
    (mine,) = await jobs.claim(db, "dead", now=at(0), lease=lease)
    assert await jobs.claim(db, "alive", now=at(14.9), lease=lease) == []
    (taken,) = await jobs.claim(db, "alive", now=at(15.1), lease=lease)
    assert taken.id == mine.id and taken.attempts == 2
    # The dead one, if it was only slow, can no longer complete it.
    assert not await jobs.complete(db, mine, "dead", now=at(16))
    assert await jobs.complete(db, taken, "alive", now=at(16))


async def test_a_heartbeat_keeps_the_claim(db: Database) -> None:
    await jobs.schedule(db, "slow", at(0), {})
    lease = timedelta(seconds=10)
    (mine,) = await jobs.claim(db, "a", now=at(0), lease=lease)
    assert await jobs.extend_lease(db, [mine.id], "a", lease=lease, now=at(8)) == 1
    assert await jobs.claim(db, "b", now=at(12), lease=lease) == []
    assert await jobs.extend_lease(db, [mine.id], "b", lease=lease, now=at(12)) == 0


async def test_failure_retries_then_gives_up(db: Database) -> None:
    await jobs.schedule(db, "flaky", at(0), {}, key="f", max_attempts=2)
    (first,) = await jobs.claim(db, "a", now=at(0))
    assert await jobs.fail(db, first, "a", "boom", retry_at=at(10), now=at(1))
    record = await jobs.get_job(db, "f")
    assert record is not None and record.state == "queued" and record.last_error == "boom"
    assert await jobs.claim(db, "a", now=at(9)) == []
    (second,) = await jobs.claim(db, "a", now=at(10))
    assert second.attempts == 2
    assert await jobs.fail(db, second, "a", "boom again", retry_at=at(20), now=at(11))
    record = await jobs.get_job(db, "f")
    assert record is not None and record.state == "failed" and record.finished_at == at(11)
    assert await jobs.claim(db, "a", now=at(100)) == []


async def test_a_job_whose_instances_keep_dying_is_given_up(db: Database) -> None:
    await jobs.schedule(db, "poison", at(0), {}, key="p", max_attempts=2)
    lease = timedelta(seconds=1)
    assert len(await jobs.claim(db, "a", now=at(0), lease=lease)) == 1
    assert len(await jobs.claim(db, "b", now=at(2), lease=lease)) == 1
    assert await jobs.claim(db, "c", now=at(4), lease=lease) == []
    record = await jobs.get_job(db, "p")
    assert record is not None and record.state == "failed"


async def test_release_hands_jobs_back_without_counting_the_attempt(db: Database) -> None:
    await jobs.schedule(db, "x", at(0), {}, key="x")
    await jobs.claim(db, "stopping", now=at(0))
    assert await jobs.release(db, "stopping") == 1
    (again,) = await jobs.claim(db, "other", now=at(0.1))
    assert again.attempts == 1


async def test_claim_only_takes_the_kinds_asked_for(db: Database) -> None:
    await jobs.schedule(db, "known", at(0), {})
    await jobs.schedule(db, "unknown", at(0), {})
    assert [j.kind for j in await jobs.claim(db, "a", kinds={"known"}, now=at(1))] == ["known"]
    assert await jobs.claim(db, "a", kinds=set(), now=at(1)) == []


async def test_next_due_is_the_earliest_due_or_lease_end(db: Database) -> None:
    assert await jobs.next_due(db) is None
    await jobs.schedule(db, "a", at(30), {})
    await jobs.schedule(db, "b", at(5), {})
    assert await jobs.next_due(db) == at(5)
    await jobs.claim(db, "w", now=at(5), lease=timedelta(seconds=60))
    assert await jobs.next_due(db) == at(30)
    assert await jobs.next_due(db, kinds={"b"}) == at(65)


async def test_a_job_scheduled_in_a_rolled_back_transaction_does_not_exist(db: Database) -> None:
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon):
        async with db.transaction() as tx:
            await jobs.schedule(db, "time_box", at(0), {}, key="rolled back", tx=tx)
            raise Abandon
    assert await jobs.get_job(db, "rolled back") is None
    async with db.transaction() as tx:
        await jobs.schedule(db, "time_box", at(0), {}, key="committed", tx=tx)
    assert await jobs.get_job(db, "committed") is not None


async def test_two_claimers_at_once_never_share_a_job(db: Database) -> None:
    for n in range(40):
        await jobs.schedule(db, "bulk", at(0), {"n": n})

    async def claimer(name: str) -> list[int]:
        got: list[int] = []
        while batch := await jobs.claim(db, name, limit=3, now=at(1)):
            got += [j.id for j in batch]
        return got

    results = await asyncio.gather(*(claimer(f"w{i}") for i in range(4)))
    ids = [job_id for result in results for job_id in result]
    assert len(ids) == 40 and len(set(ids)) == 40


async def test_purge_keeps_jobs_not_yet_run(db: Database) -> None:
    await jobs.schedule(db, "x", at(0), {}, key="done")
    await jobs.schedule(db, "x", at(500), {}, key="later")
    (claimed,) = await jobs.claim(db, "a", now=at(0))
    await jobs.complete(db, claimed, "a", now=at(1))
    assert await jobs.purge_finished(db, before=at(2)) == 1
    assert [j.key for j in await jobs.list_jobs(db)] == ["later"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"due_at": datetime(2026, 1, 1)}, "no time zone"),
        ({"payload": {"when": T0}}, "must be JSON"),
        ({"payload": ["not", "a", "dict"]}, "must be a dict"),
        ({"kind": "  "}, "job kind is empty"),
        ({"key": ""}, "job key is empty"),
        ({"payload": {"text": "x" * 30_000}}, "store ids, not content"),
    ],
    ids=["naive-time", "datetime-payload", "list-payload", "empty-kind", "empty-key", "huge"],
)
async def test_bad_input_is_refused_with_a_reason(
    db: Database, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {"kind": "x", "due_at": T0, "payload": {}, "key": None}
    args.update(kwargs)
    with pytest.raises(InvalidInput, match=message):
        await jobs.schedule(
            db,
            args["kind"],  # type: ignore[arg-type]
            args["due_at"],  # type: ignore[arg-type]
            args["payload"],  # type: ignore[arg-type]
            key=args["key"],  # type: ignore[arg-type]
        )
    assert await jobs.list_jobs(db) == []


@pytest.mark.postgres
async def test_notify_wakes_a_listener_at_commit(pg_storage_url: str) -> None:
    from tests.storage.dbutil import truncate_all

    listening_db = Database.from_url(pg_storage_url)
    scheduling_db = Database.from_url(pg_storage_url)
    await truncate_all(scheduling_db)
    heard = asyncio.Event()
    listener = jobs.listen(listening_db, heard.set)
    assert listener is not None
    try:
        await asyncio.wait_for(listener.listening.wait(), 10)
        heard.clear()  # the listener calls once on connecting
        async with scheduling_db.transaction() as tx:
            await jobs.schedule(scheduling_db, "x", at(0), {}, tx=tx)
            await asyncio.sleep(0.3)
            assert not heard.is_set(), "NOTIFY must wait for the commit"
        await asyncio.wait_for(heard.wait(), 5)
    finally:
        await listener.aclose()
        await listening_db.dispose()
        await scheduling_db.dispose()
