"""The durable outbox (storage/outbox_store.py) on SQLite and PostgreSQL: once per key,
newest content for updates, lane order with one delivery at a time, lease take-over,
hand-back, forgetting, and the shared send budget."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage import outbox_store as outbox
from storage import privacy
from storage.db import Database
from storage.errors import InvalidInput

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
REF = {"conversation": {"id": "19:group"}, "serviceUrl": "http://connector"}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def put(db: Database, key: str, lane: str = "L", **kwargs: object) -> bool:
    args: dict[str, object] = {
        "key": key,
        "lane": lane,
        "kind": "send",
        "destination": REF,
        "content": {"text": key},
        "due_at": T0,
    }
    args.update(kwargs)
    return await outbox.enqueue(db, **args)  # type: ignore[arg-type]


async def test_a_key_is_enqueued_once(db: Database) -> None:
    assert await put(db, "reminder:7")
    assert not await put(db, "reminder:7", content={"text": "again"})
    (message,) = await outbox.claim(db, "a", now=at(0))
    assert message.content == {"text": "reminder:7"}
    assert await outbox.mark_sent(db, message, "a", activity_id="act-1", now=at(1))
    # Sent: the same key stays sent, its content forgotten.
    assert not await put(db, "reminder:7")
    stored = await outbox.get_message(db, "reminder:7")
    assert stored is not None and stored.state == "sent" and stored.content == {}
    assert stored.sent_activity_id == "act-1"
    assert await outbox.claim(db, "a", now=at(2)) == []


async def test_a_lane_delivers_in_order_one_at_a_time(db: Database) -> None:
    for n in range(3):
        await put(db, f"m{n}", lane="group")
    await put(db, "p0", lane="1:1:anna")
    first = await outbox.claim(db, "a", now=at(0))
    assert sorted(m.key for m in first) == ["m0", "p0"]
    # The lane is busy while m0 is under way: nobody gets m1.
    assert await outbox.claim(db, "b", now=at(0.5)) == []
    m0 = next(m for m in first if m.key == "m0")
    await outbox.mark_sent(db, m0, "a", activity_id="x", now=at(1))
    (m1,) = await outbox.claim(db, "b", now=at(1))
    assert m1.key == "m1"


async def test_an_update_takes_the_newest_content_even_after_it_was_sent(db: Database) -> None:
    await put(db, "card", lane="group")
    (card,) = await outbox.claim(db, "a", now=at(0))
    await outbox.mark_sent(db, card, "a", activity_id="card-activity", now=at(0.1))
    for count in (1, 2, 3):
        await put(
            db,
            "update:card",
            lane="group",
            kind="update",
            target_key="card",
            content={"card": {"count": count}},
        )
    (update,) = await outbox.claim(db, "a", now=at(1))
    assert update.content == {"card": {"count": 3}} and update.target_key == "card"
    # A newer state while the update is under way: that one goes out once more.
    await put(
        db,
        "update:card",
        lane="group",
        kind="update",
        target_key="card",
        content={"card": {"count": 4}},
    )
    assert not await outbox.mark_sent(db, update, "a", activity_id=None, now=at(2))
    (again,) = await outbox.claim(db, "a", now=at(2))
    assert again.content == {"card": {"count": 4}}
    assert await outbox.mark_sent(db, again, "a", activity_id=None, now=at(3))


async def test_a_dead_instances_delivery_is_taken_over_after_the_lease(db: Database) -> None:
    await put(db, "m", lane="group")
    lease = timedelta(seconds=10)
    (dying,) = await outbox.claim(db, "dead", now=at(0), lease=lease)
    assert await outbox.claim(db, "alive", now=at(9), lease=lease) == []
    (taken,) = await outbox.claim(db, "alive", now=at(10.5), lease=lease)
    assert taken.id == dying.id and taken.attempts == 2
    assert not await outbox.mark_sent(db, dying, "dead", activity_id="x", now=at(11))
    assert await outbox.mark_sent(db, taken, "alive", activity_id="y", now=at(11))


async def test_release_hands_deliveries_back(db: Database) -> None:
    await put(db, "m", lane="group")
    await outbox.claim(db, "stopping", now=at(0))
    assert await outbox.release(db, "stopping") == 1
    (message,) = await outbox.claim(db, "other", now=at(0.1))
    assert message.key == "m"


async def test_a_retry_keeps_the_lane_waiting(db: Database) -> None:
    await put(db, "m0", lane="group")
    await put(db, "m1", lane="group")
    (m0,) = await outbox.claim(db, "a", now=at(0))
    await outbox.mark_failed(db, m0, "a", "503", retry_at=at(5), now=at(1))
    assert await outbox.claim(db, "a", now=at(2)) == []
    (again,) = await outbox.claim(db, "a", now=at(5))
    assert again.key == "m0"
    await outbox.mark_failed(db, again, "a", "403 forbidden", retry_at=None, now=at(6))
    (m1,) = await outbox.claim(db, "a", now=at(6))
    assert m1.key == "m1"
    failed = await outbox.get_message(db, "m0")
    assert failed is not None and failed.state == "failed" and failed.content == {}


async def test_a_message_enqueued_in_a_rolled_back_transaction_is_not_sent(
    db: Database,
) -> None:
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon):
        async with db.transaction() as tx:
            await put(db, "never", tx=tx)
            raise Abandon
    assert await outbox.get_message(db, "never") is None


async def test_two_instances_claiming_at_once_never_share_a_lane(db: Database) -> None:
    for lane in range(10):
        for n in range(3):
            await put(db, f"{lane}:{n}", lane=f"lane{lane}")

    keys: list[str] = []  # in the order claimed, by either worker

    async def worker(name: str) -> None:
        for step in range(20):
            for message in await outbox.claim(db, name, limit=4, now=at(step)):
                keys.append(message.key)
                await asyncio.sleep(0)
                await outbox.mark_sent(db, message, name, activity_id=None, now=at(step))

    await asyncio.gather(worker("a"), worker("b"))
    assert sorted(keys) == sorted(f"{lane}:{n}" for lane in range(10) for n in range(3))
    for lane in range(10):
        order = [k for k in keys if k.startswith(f"{lane}:")]
        assert order == [f"{lane}:{n}" for n in range(3)], "each lane in order"


async def test_forget_user_deletes_their_queued_private_messages(db: Database) -> None:
    await put(db, "note", lane="s|1:1:29:anna", kind="send_private", user_id="29:anna")
    await put(db, "group", lane="group")
    assert await outbox.take_send_slot(db, "s|1:1:29:anna", ((1.0, 7),)) == 0.0
    assert await outbox.take_send_slot(db, "s|1:1:29:anna_b", ((1.0, 7),)) == 0.0
    report = await privacy.forget_user(db, "29:anna")
    assert report.outbox_messages == 1
    assert await outbox.get_message(db, "note") is None
    assert await outbox.get_message(db, "group") is not None
    async with db.transaction(write=False) as tx:
        lanes = [row[0] for row in await tx.execute(outbox.budget_t.select())]
    assert lanes == ["s|1:1:29:anna_b"], "their chat's budget is gone, no one else's"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "send_private"}, "needs user_id"),
        ({"kind": "update"}, "needs target_activity_id or target_key"),
        ({"kind": "shout"}, "unknown"),
        ({"content": {"html": "<b>"}}, "needs 'text', 'card' or 'builder'"),
        ({"content": {"text": T0}}, "must be JSON"),
        ({"lane": " "}, "message lane is empty"),
    ],
    ids=["private-without-user", "update-without-target", "kind", "content", "json", "lane"],
)
async def test_bad_messages_are_refused(
    db: Database, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await put(db, "k", **kwargs)
    assert await outbox.counts(db) == {}


async def test_the_send_budget_holds_every_window(db: Database) -> None:
    limits = ((1.0, 3), (2.0, 4))
    granted = [await outbox.take_send_slot(db, "group", limits) for _ in range(3)]
    assert granted == [0.0, 0.0, 0.0]
    wait = await outbox.take_send_slot(db, "group", limits)
    assert 0.5 < wait <= 1.0
    # Another lane has its own budget.
    assert await outbox.take_send_slot(db, "other", limits) == 0.0
    await asyncio.sleep(wait + 0.02)
    assert await outbox.take_send_slot(db, "group", limits) == 0.0  # 4th within 2 s
    wait = await outbox.take_send_slot(db, "group", limits)
    assert wait > 0, "the 2-second window allows 4"


@pytest.mark.postgres
async def test_the_budget_is_shared_by_two_instances(pg_storage_url: str) -> None:
    from tests.storage.dbutil import truncate_all

    dbs = [Database.from_url(pg_storage_url) for _ in range(2)]
    await truncate_all(dbs[0])
    try:
        limits = ((1.0, 7), (2.0, 8))
        results = await asyncio.gather(
            *(outbox.take_send_slot(dbs[i % 2], "group", limits) for i in range(12))
        )
        assert sum(1 for wait in results if wait == 0.0) == 7
    finally:
        for database in dbs:
            await database.dispose()


async def test_an_operation_under_way_counts_until_it_was_answered(db: Database) -> None:
    limits = ((1.0, 2),)
    assert await outbox.take_send_slot(db, "lane", limits, token="a") == 0.0
    assert await outbox.take_send_slot(db, "lane", limits, token="b") == 0.0
    # Both still under way: they count as made now, however long ago they were granted.
    await asyncio.sleep(1.1)
    wait = await outbox.take_send_slot(db, "lane", limits, token="c")
    assert 0 < wait <= 0.05, "look again soon, not a whole window later"
    await outbox.finish_send_slot(db, "lane", "a")
    await outbox.finish_send_slot(db, "lane", "b")
    # Answered just now: the service may have counted them just now, so a full window.
    wait = await outbox.take_send_slot(db, "lane", limits, token="c")
    assert 0.9 < wait <= 1.0
