"""Delivering the durable outbox (bot/delivery.py) against the Bot Connector stand-in, on
SQLite and PostgreSQL: a queued message goes out once, card updates show the newest
state, an instance that dies with messages queued loses none, two instances together keep
Teams' limits per conversation, and a stop hands claims back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.adapter import create_adapter
from bot.delivery import DatabaseBudget, DurableDelivery, register_builder
from bot.outbox import TEAMS_LIMITS, Outbox
from bot.settings import Settings
from dialogs import outgoing
from storage import outbox_store
from storage.db import Database
from storage.errors import DatabaseUnavailable
from storage.migrate import upgrade_async
from tests.support import BOT_ID, TENANT_ID
from tests.support.connector import ConnectorStandIn


def destination(connector: ConnectorStandIn, conversation_id: str = "conv-1") -> dict[str, Any]:
    reference = ConversationReference(
        activity_id="incoming-1",
        user=ChannelAccount(id="29:fie", name="Fie"),
        bot=ChannelAccount(id=BOT_ID, name="workshopbot"),
        conversation=ConversationAccount(
            id=conversation_id, conversation_type="groupChat", tenant_id=TENANT_ID, is_group=True
        ),
        channel_id="msteams",
        service_url=connector.url,
    )
    return dict(reference.serialize())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'delivery.sqlite3'}"
        return
    from tests.storage.dbutil import create_postgres_database, drop_postgres_database

    base = str(request.getfixturevalue("postgres_url"))
    made = create_postgres_database(base, prefix="wsb_delivery")
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


@pytest.fixture
async def connector() -> AsyncIterator[ConnectorStandIn]:
    async with ConnectorStandIn(retry_after=0.2) as stand_in:
        yield stand_in


class Instance:
    """One bot instance's sending side: its own engines, outbox and delivery."""

    def __init__(self, url: str, *, shared: bool, lease: float = 10.0) -> None:
        self.db = Database.from_url(url)
        self.adapter, self.auth = create_adapter(Settings(local=True))
        options: dict[str, Any] = {"base_delay": 0.05, "max_delay": 0.5, "give_up_after": 10.0}
        if shared:
            options["shared_budget"] = DatabaseBudget(self.db, TEAMS_LIMITS)
        self.outbox = Outbox(self.adapter, **options)
        from datetime import timedelta

        self.delivery = DurableDelivery(
            self.db, self.outbox, lease=timedelta(seconds=lease), poll_interval=0.5
        )

    async def start(self) -> Instance:
        await self.delivery.start()
        return self

    async def close(self) -> None:
        await self.delivery.stop(timeout=1)
        await self.outbox.close(timeout=2)
        await self.auth.close()
        await self.db.dispose()

    async def die(self) -> None:
        """As SIGKILL would: stop everything without handing anything back."""
        loop_task = self.delivery.claims.task
        assert loop_task is not None
        loop_task.cancel()
        for task in list(self.delivery.claims.running.values()):
            task.cancel()
        if self.delivery.listener is not None:
            await self.delivery.listener.aclose()
        await asyncio.gather(loop_task, return_exceptions=True)
        await self.outbox.close(timeout=0.01)
        await self.auth.close()
        await self.db.dispose()


async def wait_until(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_a_queued_message_goes_out_once(
    db: Database, url: str, connector: ConnectorStandIn
) -> None:
    where = destination(connector)
    instance = await Instance(url, shared=False).start()
    try:
        assert await outgoing.post(db, where, "Spørgsmål 1", key="card:1")
        assert not await outgoing.post(db, where, "Spørgsmål 1", key="card:1")
        await wait_until(lambda: len(connector.sent_activities("conv-1")) == 1, 10)
        await asyncio.sleep(0.5)
        assert [a["text"] for a in connector.sent_activities("conv-1")] == ["Spørgsmål 1"]
        message = await outbox_store.get_message(db, "card:1")
        assert message is not None and message.state == "sent" and message.sent_activity_id
    finally:
        await instance.close()


async def test_a_private_note_reaches_the_1_1_chat(
    db: Database, url: str, connector: ConnectorStandIn
) -> None:
    instance = await Instance(url, shared=False).start()
    try:
        await outgoing.post_private(db, destination(connector), "29:fie", "Tiden er gået", key="r")
        await wait_until(lambda: bool(connector.calls_of("create")), 10)
        await wait_until(
            lambda: any(a.get("text") == "Tiden er gået" for a in connector.sent_activities()), 10
        )
    finally:
        await instance.close()


async def test_card_updates_send_the_newest_state(
    db: Database, url: str, connector: ConnectorStandIn
) -> None:
    counts = {"n": 0}

    async def counter(_db: Database, args: dict[str, Any]) -> dict[str, Any]:
        return {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": str(counts["n"])}]}

    register_builder("tests.counter", counter, replace=True)
    where = destination(connector)
    await outgoing.post(db, where, {"type": "AdaptiveCard", "body": []}, key="card")
    for n in range(1, 6):
        counts["n"] = n
        await outgoing.update_card(
            db, where, key="update:card", target_key="card", builder="tests.counter", args={}
        )
    instance = await Instance(url, shared=False).start()
    try:
        await wait_until(lambda: bool(connector.calls_of("update")), 10)
        await asyncio.sleep(0.5)
        updates = connector.calls_of("update")
        assert len(updates) == 1, "five updates queued before delivery collapse to one"
        body = updates[-1].body or {}
        assert body["attachments"][0]["content"]["body"][0]["text"] == "5"
        card = await outbox_store.get_message(db, "card")
        assert card is not None and updates[-1].activity_id == card.sent_activity_id
    finally:
        await instance.close()


async def test_a_card_whose_builder_meets_a_lost_database_is_sent_when_it_is_back(
    db: Database, url: str, connector: ConnectorStandIn
) -> None:
    attempts = {"n": 0}

    async def summary(_db: Database, args: dict[str, Any]) -> dict[str, Any]:
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise DatabaseUnavailable("the database restarts (raised by the test's builder)")
        return {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": args["what"]}]}

    register_builder("tests.summary", summary, replace=True)
    await outgoing.post_private(
        db,
        destination(connector),
        "29:facilitator",
        builder="tests.summary",
        args={"what": "Hvad så?"},
        key="summary:1:29:facilitator",
    )
    instance = await Instance(url, shared=False).start()
    try:
        await wait_until(lambda: bool(connector.calls_of("send")), 15)
        sent = connector.calls_of("send")
        assert len(sent) == 1 and attempts["n"] == 2, "not lost for good: built again, once"
        body = sent[0].body or {}
        assert body["attachments"][0]["content"]["body"][0]["text"] == "Hvad så?"
        for _ in range(100):  # the send reached the stand-in; its record follows
            message = await outbox_store.get_message(db, "summary:1:29:facilitator")
            if message is not None and message.state == "sent":
                break
            await asyncio.sleep(0.05)
        assert message is not None and message.state == "sent"
    finally:
        await instance.close()


async def test_messages_queued_on_a_dead_instance_are_delivered_by_the_other(
    db: Database, url: str, connector: ConnectorStandIn
) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("two instances need PostgreSQL")
    connector.inject(
        500, delay=3.0, operations={"send"}
    )  # the first send hangs: the instance dies in it
    dying = await Instance(url, shared=True, lease=2.0).start()
    where = destination(connector)
    for n in range(5):
        await outgoing.post(db, where, f"besked {n}", key=f"m{n}")
    await wait_until(lambda: connector.in_flight > 0, 10)  # the first send hangs now
    await dying.die()
    start = time.monotonic()
    survivor = await Instance(url, shared=True, lease=2.0).start()
    try:
        await wait_until(
            lambda: (
                {f"besked {n}" for n in range(5)}
                <= {a.get("text") for a in connector.sent_activities("conv-1")}
            ),
            20,
        )
        took = time.monotonic() - start
        texts = [a.get("text") for a in connector.sent_activities("conv-1")]
        # In order; the one under way when the instance died may arrive twice (at least once).
        firsts = sorted(set(texts), key=texts.index)
        assert firsts == [f"besked {n}" for n in range(5)]
        assert len(texts) <= 6
        assert took < 10, f"taken over in {took:.1f} s"
        # The last send is recorded just after the stand-in got it: allow it a moment.
        for _ in range(100):
            counts = await outbox_store.counts(db)
            if counts == {"sent": 5}:
                break
            await asyncio.sleep(0.05)
        assert counts == {"sent": 5}
    finally:
        await survivor.close()


async def test_two_instances_keep_teams_limits_together(
    db: Database, url: str, connector: ConnectorStandIn
) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("two instances need PostgreSQL")
    instances = [await Instance(url, shared=True).start() for _ in range(2)]
    where = destination(connector)
    try:
        # Direct sends from both instances at once, plus durable ones: one budget.
        for n in range(12):
            await outgoing.post(db, where, f"d{n}", key=f"d{n}")
        direct = [
            instances[n % 2].outbox.send(ConversationReference().deserialize(where), f"x{n}")
            for n in range(12)
        ]
        await asyncio.wait_for(asyncio.gather(*direct), 30)
        await wait_until(lambda: len(connector.sent_activities("conv-1")) == 24, 30)
        assert connector.violations == [], "the stand-in answered 429: a limit was broken"
    finally:
        for instance in instances:
            await instance.close()


async def test_stop_hands_back_what_it_had_claimed(
    db: Database, url: str, connector: ConnectorStandIn
) -> None:
    connector.inject(500, delay=5.0, operations={"send"})
    instance = await Instance(url, shared=False).start()
    await outgoing.post(db, destination(connector), "langsom", key="slow")
    await wait_until(lambda: connector.in_flight > 0, 10)
    handed = await instance.delivery.stop(timeout=0.2)
    await instance.outbox.close(timeout=0.1)
    await instance.auth.close()
    await instance.db.dispose()
    assert handed == 1
    message = await outbox_store.get_message(db, "slow")
    assert message is not None and message.state == "queued" and message.locked_by is None
