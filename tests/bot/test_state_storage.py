"""SqlStorage passes the Bot Framework's own storage tests and honours eTags under races."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from botbuilder.core import ConversationState, StoreItem, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.testing import StorageBaseTests

from bot.state_storage import SqlStorage
from storage.db import Database
from storage.errors import EtagConflict
from storage.migrate import upgrade_async
from tests.storage.dbutil import create_postgres_database, drop_postgres_database, truncate_all

SDK_TESTS = [
    "return_empty_object_when_reading_unknown_key",
    "handle_null_keys_when_reading",
    "handle_null_keys_when_writing",
    "does_not_raise_when_writing_no_items",
    "create_object",
    "handle_crazy_keys",
    "update_object",
    "delete_object",
    "delete_unknown_object",
    "perform_batch_operations",
    "proceeds_through_waterfall",
]


def test_the_list_covers_every_sdk_test() -> None:
    defined = {name for name in vars(StorageBaseTests) if not name.startswith("_")}
    assert defined == set(SDK_TESTS)


@pytest.fixture(scope="module")
def pg_state_url(postgres_url: str) -> Iterator[str]:
    url = create_postgres_database(postgres_url, prefix="wsb_state")
    yield url
    drop_postgres_database(postgres_url, url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = Database.from_url(f"sqlite:///{tmp_path / 'state.sqlite3'}")
        await upgrade_async(database)
    else:
        database = Database.from_url(request.getfixturevalue("pg_state_url"))
        await truncate_all(database)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def storage(db: Database) -> SqlStorage:
    return SqlStorage(db)


@pytest.mark.parametrize("name", SDK_TESTS)
async def test_passes_sdk_storage_test(storage: SqlStorage, name: str) -> None:
    assert await getattr(StorageBaseTests, name)(storage) is True


async def test_stale_etag_is_refused_and_keeps_the_newer_value(storage: SqlStorage) -> None:
    await storage.write({"k": {"count": 1}})
    first = (await storage.read(["k"]))["k"]
    second = (await storage.read(["k"]))["k"]
    second["count"] = 2
    await storage.write({"k": second})
    first["count"] = 99
    with pytest.raises(EtagConflict, match="stale"):
        await storage.write({"k": first})
    assert (await storage.read(["k"]))["k"]["count"] == 2


async def test_every_write_gets_a_new_etag_and_star_overwrites(storage: SqlStorage) -> None:
    await storage.write({"k": {"n": 1}})
    etag1 = (await storage.read(["k"]))["k"]["e_tag"]
    await storage.write({"k": {"n": 2, "e_tag": "*"}})
    etag2 = (await storage.read(["k"]))["k"]["e_tag"]
    await storage.write({"k": {"n": 3}})
    etag3 = (await storage.read(["k"]))["k"]["e_tag"]
    assert len({etag1, etag2, etag3}) == 3
    assert (await storage.read(["k"]))["k"]["n"] == 3


async def test_conditional_write_to_a_deleted_key_is_a_conflict(storage: SqlStorage) -> None:
    await storage.write({"k": {"n": 1}})
    item = (await storage.read(["k"]))["k"]
    await storage.delete(["k"])
    with pytest.raises(EtagConflict):
        await storage.write({"k": item})
    assert await storage.read(["k"]) == {}


async def test_a_batch_with_one_conflict_writes_nothing(storage: SqlStorage) -> None:
    await storage.write({"a": {"n": 1}, "b": {"n": 1}})
    items = await storage.read(["a", "b"])
    await storage.write({"b": {"n": 5}})
    items["a"]["n"] = 2
    items["b"]["n"] = 2
    with pytest.raises(EtagConflict):
        await storage.write(items)
    after = await storage.read(["a", "b"])
    assert after["a"]["n"] == 1
    assert after["b"]["n"] == 5


async def test_reads_return_fresh_objects(storage: SqlStorage) -> None:
    await storage.write({"k": {"nested": {"list": [1, 2]}}})
    one = (await storage.read(["k"]))["k"]
    one["nested"]["list"].append(3)
    two = (await storage.read(["k"]))["k"]
    assert two["nested"]["list"] == [1, 2]
    assert one is not two


class Counter(StoreItem):
    def __init__(self, count: int = 0) -> None:
        super().__init__(count=count, e_tag="*")


async def test_store_items_keep_their_class_and_etag(storage: SqlStorage) -> None:
    await storage.write({"c": Counter(4)})
    loaded = (await storage.read(["c"]))["c"]
    assert isinstance(loaded, Counter)
    assert loaded.count == 4
    assert loaded.e_tag not in (None, "*", "")
    loaded.count = 5
    await storage.write({"c": loaded})  # the eTag it carries is current
    assert (await storage.read(["c"]))["c"].count == 5


async def test_two_saves_in_one_turn_do_not_conflict(storage: SqlStorage) -> None:
    await storage.write({"k": {"n": 0}})
    item = (await storage.read(["k"]))["k"]
    item["n"] = 1
    await storage.write({"k": item})
    item["n"] = 2
    await storage.write({"k": item})  # carries the eTag of its own first save
    assert (await storage.read(["k"]))["k"]["n"] == 2


async def test_concurrent_writes_with_the_same_etag_have_exactly_one_winner(db: Database) -> None:
    first = SqlStorage(db)
    await first.write({"race": {"winner": None}})
    etag = (await first.read(["race"]))["race"]["e_tag"]
    other_db = Database.from_url(db.url)  # a second "instance" with its own connections
    try:
        storages = [first, SqlStorage(other_db)] * 5

        async def attempt(i: int) -> str:
            try:
                await storages[i].write({"race": {"winner": i, "e_tag": etag}})
            except EtagConflict:
                return "conflict"
            return "won"

        outcomes = await asyncio.gather(*(attempt(i) for i in range(10)))
    finally:
        await other_db.dispose()
    assert outcomes.count("won") == 1
    assert outcomes.count("conflict") == 9
    stored = (await first.read(["race"]))["race"]
    assert stored["winner"] == outcomes.index("won")


async def test_conversation_state_round_trips_through_the_database(db: Database) -> None:
    """A state change that is never saved must not persist (unlike MemoryStorage)."""
    storage = SqlStorage(db)
    state = ConversationState(storage)
    counter = state.create_property("counter")
    saves = {"on": True}

    async def logic(turn_context: TurnContext) -> None:
        value = await counter.get(turn_context, lambda: {"n": 0})
        value["n"] += 1
        await turn_context.send_activity(str(value["n"]))
        if saves["on"]:
            await state.save_changes(turn_context)

    adapter = TestAdapter(logic)
    await (await adapter.send("a")).assert_reply("1")
    await (await adapter.send("b")).assert_reply("2")
    saves["on"] = False
    await (await adapter.send("c")).assert_reply("3")
    await (await adapter.send("d")).assert_reply("3")


async def test_a_dialog_continues_on_another_instance(db: Database) -> None:
    """Turn 1 on one bot instance, turn 2 on another (own engine, own SqlStorage): the
    waterfall resumes where it stopped, as behind a load balancer or after a restart."""
    from botbuilder.core import MessageFactory
    from botbuilder.dialogs import (
        DialogSet,
        DialogTurnStatus,
        TextPrompt,
        WaterfallDialog,
        WaterfallStepContext,
    )
    from botbuilder.dialogs.prompts import PromptOptions

    second_db = Database.from_url(db.url)
    instances = [SqlStorage(db), SqlStorage(second_db)]
    turn = {"n": 0}

    def make_logic(storage: SqlStorage):  # type: ignore[no-untyped-def]
        state = ConversationState(storage)
        dialogs = DialogSet(state.create_property("dialogState"))

        async def ask(step: WaterfallStepContext) -> DialogTurnStatus:
            return await step.prompt("name", PromptOptions(prompt=MessageFactory.text("Navn?")))

        async def greet(step: WaterfallStepContext) -> DialogTurnStatus:
            await step.context.send_activity(f"Hej {step.result}")
            return await step.end_dialog()

        dialogs.add(TextPrompt("name"))
        dialogs.add(WaterfallDialog("flow", [ask, greet]))

        async def logic(context: TurnContext) -> None:
            dc = await dialogs.create_context(context)
            result = await dc.continue_dialog()
            if result.status == DialogTurnStatus.Empty:
                await dc.begin_dialog("flow")
            await state.save_changes(context)

        return logic

    logics = [make_logic(storage) for storage in instances]

    async def routed(context: TurnContext) -> None:
        await logics[turn["n"] % 2](context)  # alternate instances turn by turn
        turn["n"] += 1

    try:
        adapter = TestAdapter(routed)
        step = await (await adapter.send("hej")).assert_reply("Navn?")
        await (await step.send("Ada")).assert_reply("Hej Ada")
    finally:
        await second_db.dispose()
