"""The Bot Connector stand-in answers 429, 500, 502, 504 or times out: the bot backs off
(never sooner than Retry-After), never loses an answer because an outgoing message failed,
and gives up cleanly after a bounded time. The real bot app runs on loopback with short
outbox timings (give up after 8 s, 2 s per attempt)."""

from __future__ import annotations

import itertools

import aiohttp
import pytest

from bench.workload import LocalConnector, WorkshopDriver, answer_all, stored_answers
from bot.app import DURABLE_KEY
from tests.faults.conftest import RunningApp
from tests.support.connector import ConnectorStandIn


async def _open_question(
    app: RunningApp, connector: ConnectorStandIn, http: aiohttp.ClientSession
) -> tuple[WorkshopDriver, object]:
    driver = WorkshopDriver(http, app.url, LocalConnector(connector))
    app.drivers.append(driver)
    await driver.start_workshop()
    return driver, await driver.next_question()


def _updates(connector: ConnectorStandIn, activity_id: str) -> list:
    return [c for c in connector.calls_of("update") if c.activity_id == activity_id]


async def test_throttling_429_is_retried_no_sooner_than_retry_after(
    local_app: RunningApp,
    connector: ConnectorStandIn,
    http: aiohttp.ClientSession,
    sqlite_url: str,
) -> None:
    driver, card = await _open_question(local_app, connector, http)
    connector.inject(429, times=2, retry_after=2, operations={"update"})
    acks = await answer_all(driver, card, 6, concurrency=3)
    assert all(a.ok for a in acks)
    assert await driver.wait_for_counter(card, 6, timeout=20) is not None

    updates = _updates(connector, card.activity_id)
    statuses = [c.status for c in updates]
    assert statuses[:2] == [429, 429] and statuses[-1] == 200
    for failed, retry in itertools.pairwise(updates):
        if failed.status == 429:
            assert retry.at - failed.at >= 2 - 0.05, "retried sooner than Retry-After"
    assert len(await stored_answers(sqlite_url, card.workshop_id)) == 6
    assert connector.violations == []


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_server_errors_are_retried_and_the_card_ends_right(
    status: int,
    local_app: RunningApp,
    connector: ConnectorStandIn,
    http: aiohttp.ClientSession,
    sqlite_url: str,
) -> None:
    driver, card = await _open_question(local_app, connector, http)
    connector.inject(status, times=3, operations={"update"})
    acks = await answer_all(driver, card, 4, concurrency=2)
    assert all(a.ok for a in acks)
    assert await driver.wait_for_counter(card, 4, timeout=20) is not None
    statuses = [c.status for c in _updates(connector, card.activity_id)]
    assert statuses.count(status) == 3 and statuses[-1] == 200
    assert local_app.services.outbox.stats["retried"] >= 3
    assert len(await stored_answers(sqlite_url, card.workshop_id)) == 4


async def test_a_connector_that_times_out_is_retried(
    local_app: RunningApp,
    connector: ConnectorStandIn,
    http: aiohttp.ClientSession,
    sqlite_url: str,
) -> None:
    driver, card = await _open_question(local_app, connector, http)
    # The answer is held back longer than the bot's 2 s per attempt.
    connector.inject(200, times=1, delay=3.0, operations={"update"})
    acks = await answer_all(driver, card, 3, concurrency=3)
    assert all(a.ok for a in acks)
    assert await driver.wait_for_counter(card, 3, timeout=20) is not None
    assert local_app.services.outbox.stats["retried"] >= 1
    assert len(await stored_answers(sqlite_url, card.workshop_id)) == 3


async def test_a_connector_that_keeps_failing_is_given_up_and_no_answer_is_lost(
    local_app: RunningApp,
    connector: ConnectorStandIn,
    http: aiohttp.ClientSession,
    sqlite_url: str,
) -> None:
    driver, card = await _open_question(local_app, connector, http)
    connector.inject(503, times=10_000)  # every outgoing call fails from now on
    acks = await answer_all(driver, card, 10, concurrency=5)
    assert [a.status for a in acks] == [200] * 10
    assert (await driver.command("næste")).status == 200  # its card cannot be sent

    outbox = local_app.services.outbox
    # The counter update and the next card are durable messages: the delivery hands them
    # to the outbox and records them given up when it gives up.
    delivery = local_app.app[DURABLE_KEY][0]
    assert await delivery.settle(timeout=40), "the durable delivery kept retrying"
    assert await outbox.drain(timeout=40), "the outbox kept retrying past its bound"
    assert outbox.stats["given_up"] >= 2  # the counter update and the next card
    calls_when_idle = len(connector.calls)
    assert len(await stored_answers(sqlite_url, card.workshop_id)) == 10
    # Given up means given up: nothing more is attempted afterwards.
    await driver.post(driver.activity(text="<at>workshopbot</at> ?"), kind="noop")
    assert len([c for c in connector.calls[calls_when_idle:] if c.status == 503]) <= 1
    connector.faults.clear()  # let the shutdown deliver what it still has
