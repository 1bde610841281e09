"""Redelivered, reordered and late activities against the real bot app on loopback: at most
one stored answer per activity, a polite reply for a closed question or an ended workshop,
never a crash (every request is answered 2xx)."""

from __future__ import annotations

import asyncio
from collections import Counter

import aiohttp

from bench.workload import LocalConnector, WorkshopDriver, stored_answers
from dialogs.texts import text
from tests.faults.conftest import RunningApp
from tests.support.connector import ConnectorStandIn


async def _driver(
    app: RunningApp, connector: ConnectorStandIn, http: aiohttp.ClientSession
) -> WorkshopDriver:
    driver = WorkshopDriver(http, app.url, LocalConnector(connector))
    app.drivers.append(driver)
    await driver.start_workshop()
    return driver


def _texts(connector: ConnectorStandIn, conversation_id: str) -> list[str]:
    return [a.get("text") or "" for a in connector.sent_activities(conversation_id)]


async def test_the_same_activity_delivered_again_and_concurrently_is_stored_once(
    local_app: RunningApp,
    connector: ConnectorStandIn,
    http: aiohttp.ClientSession,
    sqlite_url: str,
) -> None:
    driver = await _driver(local_app, connector, http)
    card = await driver.next_question()
    by_card = driver.answer_activity(card, 0, via="card")
    by_chat = driver.answer_activity(card, 1, via="chat")
    # Sequential redelivery, then five copies at once (the service retrying a slow turn).
    acks = [await driver.post(by_card), await driver.post(by_card)]
    acks += await asyncio.gather(*(driver.post(by_chat) for _ in range(5)))
    assert [a.status for a in acks] == [200] * 7

    stored = await stored_answers(sqlite_url, card.workshop_id)
    assert Counter(a.activity_id for a in stored) == {by_card["id"]: 1, by_chat["id"]: 1}
    assert await driver.wait_for_counter(card, 2, timeout=10) is not None


async def test_activities_out_of_order_are_each_stored_once_on_the_open_question(
    local_app: RunningApp,
    connector: ConnectorStandIn,
    http: aiohttp.ClientSession,
    sqlite_url: str,
) -> None:
    driver = await _driver(local_app, connector, http)
    card = await driver.next_question()
    first = driver.answer_activity(card, 3, via="chat", text="Første tanke")
    second = driver.answer_activity(card, 3, via="chat", text="Anden tanke")
    # The later activity (newer id and timestamp) arrives first, the earlier one twice.
    first["timestamp"] = "2026-01-01T10:00:00.000Z"
    second["timestamp"] = "2026-01-01T10:00:05.000Z"
    for activity in (second, first, first):
        assert (await driver.post(activity)).status == 200

    stored = await stored_answers(sqlite_url, card.workshop_id)
    assert sorted(a.text for a in stored) == ["Anden tanke", "Første tanke"]
    assert {a.question_run_id for a in stored} == {card.run_id}
    assert len({a.participant_id for a in stored}) == 1


async def test_card_submit_for_a_closed_question_is_refused_politely_and_not_stored(
    local_app: RunningApp,
    connector: ConnectorStandIn,
    http: aiohttp.ClientSession,
    sqlite_url: str,
) -> None:
    driver = await _driver(local_app, connector, http)
    first = await driver.next_question()
    assert (await driver.post(driver.answer_activity(first, 0, via="card"))).ok
    second = await driver.next_question()
    late = driver.answer_activity(first, 1, via="card", text="Kommer for sent")
    ack = await driver.post(late)
    assert ack.status == 200

    # The refusal reaches the sender alone, in the 1:1 chat.
    private = f"a:1on1-{late['from']['id']}"
    await connector.wait_for(
        lambda c: text("stale_question", "da") in _texts(c, private), timeout=10
    )
    assert text("stale_question", "da") not in _texts(connector, driver.conversation_id)
    stored = await stored_answers(sqlite_url, first.workshop_id)
    assert late["id"] not in {a.activity_id for a in stored}
    assert [a.question_run_id for a in stored] == [first.run_id]
    assert second.run_id != first.run_id


async def test_card_submit_after_the_workshop_ended_is_refused_politely(
    local_app: RunningApp,
    connector: ConnectorStandIn,
    http: aiohttp.ClientSession,
    sqlite_url: str,
) -> None:
    driver = await _driver(local_app, connector, http)
    card = await driver.next_question()
    assert (await driver.post(driver.answer_activity(card, 0, via="card"))).ok
    assert (await driver.command("slut")).ok
    late_card = driver.answer_activity(card, 1, via="card", text="Efter slut")
    late_chat = driver.answer_activity(card, 2, via="chat", text="Også efter slut")
    assert (await driver.post(late_card)).status == 200
    assert (await driver.post(late_chat)).status == 200

    private = f"a:1on1-{late_card['from']['id']}"
    await connector.wait_for(
        lambda c: text("workshop_ended", "da") in _texts(c, private), timeout=10
    )
    # Nothing runs any more: the note does not send them to 'indhent'.
    assert not any("indhent" in t for t in _texts(connector, private))
    stored = await stored_answers(sqlite_url, card.workshop_id)
    assert {late_card["id"], late_chat["id"]}.isdisjoint(a.activity_id for a in stored)
    assert len(stored) == 1
