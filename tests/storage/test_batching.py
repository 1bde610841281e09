"""Group commit: concurrent answers share a transaction but keep their own outcome."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from storage import answers, participants, questions, workshops
from storage._batching import BatchWriter
from storage._failures import storage_error_of
from storage.db import Database
from storage.errors import (
    DatabaseRefused,
    DatabaseUnavailable,
    InvalidInput,
    NotFound,
    StorageError,
)


def _as_storage(exc: Exception) -> StorageError:
    """What ``Database.run_write`` raises for the driver's ``exc``."""
    failure = storage_error_of(exc, where="test")
    assert failure is not None
    return failure


async def test_a_mixed_batch_keeps_each_outcome(db: Database) -> None:
    w1 = await workshops.start_workshop(db, (await workshops.create_workshop(db, org_name="HK")).id)
    w2 = await workshops.start_workshop(db, (await workshops.create_workshop(db, org_name="HK")).id)
    run2 = await questions.open_question(db, w2.id, "q", "Q?")
    calls = [
        answers.record_answer(
            db, workshop_id=w1.id, user_id="29:a", text="first", source="chat", activity_id="x"
        ),
        answers.record_answer(db, workshop_id=999, user_id="29:a", text="nowhere", source="chat"),
        answers.record_answer(
            db, workshop_id=w1.id, user_id="29:b", text="again", source="chat", activity_id="x"
        ),
        answers.record_answer(
            db,
            workshop_id=w1.id,
            user_id="29:c",
            text="wrong run",
            source="chat",
            question_run_id=run2.id,
        ),
        answers.record_answer(
            db,
            workshop_id=w2.id,
            user_id="29:a",
            text="other",
            source="card",
            question_run_id=run2.id,
        ),
        answers.record_answer(
            db, workshop_id=w1.id, user_id="29:d", text="no activity", source="chat"
        ),
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)
    first, nowhere, again, wrong, other, plain = results
    assert isinstance(nowhere, NotFound)
    assert isinstance(wrong, InvalidInput)
    assert not isinstance(first, BaseException) and first.created
    assert not isinstance(again, BaseException) and not again.created
    assert again.answer == first.answer, "a repeat in the same batch returns the first answer"
    assert not isinstance(other, BaseException) and other.answer.question_id == "q"
    assert not isinstance(plain, BaseException) and plain.created
    assert [a.text for a in await answers.answers_for_workshop(db, w1.id)] == [
        "first",
        "no activity",
    ]
    names = [p.pseudonym for p in await participants.list_participants(db, w1.id)]
    assert names == ["Deltager A", "Deltager B"], "refused answers take no pseudonym"
    writer = db.services["answers.writer"]
    assert writer.requests == 6 and writer.batches < 6


async def test_batch_failure_falls_back_to_one_at_a_time() -> None:
    seen: list[list[int]] = []

    async def write_batch(batch: Sequence[int]) -> list[int | StorageError]:
        seen.append(list(batch))
        if len(batch) > 1:
            raise _as_storage(IntegrityError("INSERT", {}, Exception("duplicate key value")))
        return [batch[0] * 10]

    async def write_one(item: int) -> int:
        if item == 3:
            raise NotFound("there is no 3")
        return item * 10

    writer: BatchWriter[int, int] = BatchWriter(write_batch, write_one)
    results = await asyncio.gather(*(writer.submit(i) for i in range(5)), return_exceptions=True)
    await writer.aclose()
    assert results[:3] == [0, 10, 20] and results[4] == 40
    assert isinstance(results[3], NotFound)
    assert len(seen[0]) == 5, "all five were queued into one batch first"


async def test_a_bug_fails_the_batch_instead_of_hanging() -> None:
    async def write_batch(batch: Sequence[int]) -> list[int | StorageError]:
        raise RuntimeError("bug")

    async def write_one(item: int) -> int:  # pragma: no cover - not reached
        return item

    writer: BatchWriter[int, int] = BatchWriter(write_batch, write_one)
    with pytest.raises(RuntimeError, match="bug"):
        await asyncio.wait_for(writer.submit(1), timeout=30)
    # The writer keeps working for the next request.
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(writer.submit(2), timeout=30)
    await writer.aclose()


async def test_dispose_writes_what_is_queued(backend_url: str) -> None:
    from storage.migrate import upgrade_async

    db = Database.from_url(backend_url)
    await upgrade_async(db)
    w = await workshops.create_workshop(db, org_name="HK")
    tasks = [
        asyncio.ensure_future(
            answers.record_answer(
                db,
                workshop_id=w.id,
                user_id=f"29:{i}",
                text="late",
                source="chat",
                activity_id=f"d{w.id}-{i}",
            )
        )
        for i in range(20)
    ]
    await asyncio.sleep(0)
    await db.dispose()
    done = await asyncio.gather(*tasks)
    assert all(r.created for r in done)
    again = Database.from_url(backend_url)
    try:
        assert await answers.count_answers(again, w.id) == 20
    finally:
        await again.dispose()


async def test_an_unreachable_database_fails_the_whole_batch_at_once() -> None:
    calls = {"one": 0}

    async def write_batch(batch: Sequence[int]) -> list[int | StorageError]:
        raise _as_storage(ConnectionRefusedError("connection refused"))

    async def write_one(item: int) -> int:
        calls["one"] += 1
        return item

    writer: BatchWriter[int, int] = BatchWriter(write_batch, write_one)
    results = await asyncio.gather(*(writer.submit(i) for i in range(4)), return_exceptions=True)
    await writer.aclose()
    assert all(isinstance(r, DatabaseUnavailable) for r in results)
    assert calls["one"] == 0, "no one-by-one retries against a database that is down"


def test_which_failures_are_retried_alone() -> None:
    from storage._batching import worth_retrying_alone

    class Deadlock(Exception):
        sqlstate = "40P01"

    dup = _as_storage(IntegrityError("x", {}, Exception("dup")))
    deadlock = _as_storage(OperationalError("x", {}, Deadlock()))
    locked = _as_storage(OperationalError("x", {}, sqlite3.OperationalError("database is locked")))
    reset = _as_storage(OSError("reset"))
    assert isinstance(dup, DatabaseRefused) and worth_retrying_alone(dup)
    assert isinstance(deadlock, DatabaseRefused) and worth_retrying_alone(deadlock)
    assert isinstance(locked, DatabaseUnavailable) and not worth_retrying_alone(locked)
    assert isinstance(reset, DatabaseUnavailable) and not worth_retrying_alone(reset)
    # The driver's own errors are storage's business: the writer only knows storage's.
    assert not worth_retrying_alone(IntegrityError("x", {}, Exception("dup")))
