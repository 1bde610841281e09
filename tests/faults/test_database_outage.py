"""PostgreSQL goes away under load and comes back (a TCP proxy between the bot process and
the server is cut and restored, so the shared server itself is never restarted): answers
acknowledged before are kept, nobody gets a stack trace, and answers after the database is
back are stored."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlparse

import aiohttp
import pytest

from bench.workload import LocalConnector, WorkshopDriver, answer_all, start_bot, stored_answers
from dialogs.texts import text
from tests.faults.tcp_proxy import TcpProxy
from tests.support.connector import ConnectorStandIn

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]


@pytest.fixture
async def fresh_database(postgres_url: str) -> AsyncIterator[str]:
    """A new PostgreSQL database at the newest schema, dropped afterwards."""
    from storage.migrate import upgrade

    parsed = urlparse(postgres_url)
    name = f"wsb_fault_{os.getpid()}"
    where = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    where += ["-U", parsed.username or "postgres"]
    subprocess.run(["dropdb", *where, "--if-exists", name], capture_output=True, timeout=60)
    subprocess.run(["createdb", *where, name], check=True, capture_output=True, timeout=60)
    url = parsed._replace(path=f"/{name}").geturl()
    upgrade(url)
    yield url
    subprocess.run(["dropdb", *where, "--force", name], capture_output=True, timeout=60)


async def test_database_outage_keeps_acknowledged_answers_and_recovers(
    fresh_database: str, connector: ConnectorStandIn, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    parsed = urlparse(fresh_database)
    proxy = await TcpProxy(parsed.hostname or "127.0.0.1", parsed.port or 5432).start()
    through_proxy = parsed._replace(netloc=f"{parsed.username}@127.0.0.1:{proxy.port}").geturl()
    log = tmp_path / "bot.log"
    bot = await start_bot(through_proxy, log_path=log)
    try:
        driver = WorkshopDriver(http, bot.url, LocalConnector(connector))
        await driver.start_workshop()
        card = await driver.next_question()
        before = await answer_all(driver, card, 10, concurrency=5)
        assert all(a.ok for a in before)

        proxy.cut()
        during = await answer_all(driver, card, 5, concurrency=5, start_index=10)
        assert all(a.status != 500 for a in during), [a.status for a in during]
        health = await http.get(bot.url + "/healthz")
        assert health.status == 503

        proxy.restore()
        await asyncio.sleep(0.5)
        after = await answer_all(driver, card, 10, concurrency=5, start_index=20)
        assert [a.status for a in after] == [200] * 10

        stored = {a.activity_id for a in await stored_answers(fresh_database, card.workshop_id)}
        assert {a.activity_id for a in before} <= stored, "an acknowledged answer was lost"
        assert {a.activity_id for a in after} <= stored, "answers after the outage were lost"
        # Nobody was shown a stack trace: every message the bot sent is one of its texts.
        for sent in connector.sent_activities(driver.conversation_id):
            assert "Traceback" not in (sent.get("text") or "")
        unstored = [a for a in during if a.activity_id not in stored]
        if unstored:  # each one was told, politely, that it is not saved
            sorry = {text("error", "da"), text("answer_not_saved", "da")}
            told = [s.get("text") for s in connector.sent_activities(driver.conversation_id)]
            assert sum(1 for t in told if t in sorry) >= 1
    finally:
        bot.process.stop()
        await proxy.stop()


async def test_answers_sent_during_a_short_outage_are_stored_once_it_is_back(
    fresh_database: str, connector: ConnectorStandIn, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """The bot retries an answer for a few seconds while the database restarts."""
    parsed = urlparse(fresh_database)
    proxy = await TcpProxy(parsed.hostname or "127.0.0.1", parsed.port or 5432).start()
    through_proxy = parsed._replace(netloc=f"{parsed.username}@127.0.0.1:{proxy.port}").geturl()
    bot = await start_bot(through_proxy, log_path=tmp_path / "bot.log")
    try:
        driver = WorkshopDriver(http, bot.url, LocalConnector(connector))
        await driver.start_workshop()
        card = await driver.next_question()
        assert all(a.ok for a in await answer_all(driver, card, 3, concurrency=3))
        proxy.cut()
        during = asyncio.create_task(answer_all(driver, card, 3, concurrency=3, start_index=3))
        await asyncio.sleep(1.5)  # a restart of the database takes about this long
        proxy.restore()
        acks = await during
        assert [a.status for a in acks] == [200] * 3
        stored = {a.activity_id for a in await stored_answers(fresh_database, card.workshop_id)}
        acknowledged = {a.activity_id for a in acks if a.ok}
        assert acknowledged <= stored, "answers acknowledged during the outage were dropped"
        assert len(acknowledged) == 3
    finally:
        bot.process.stop()
        await proxy.stop()


async def test_an_answer_the_database_cannot_take_gets_503_and_is_stored_when_redelivered(
    fresh_database: str, connector: ConnectorStandIn, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """Longer than the bot's ~8 s of retries: HTTP 503 with Retry-After (so the Bot
    Framework service delivers it again), the person is told plainly it is not saved, and
    the redelivered activity is stored exactly once when the database is back."""
    parsed = urlparse(fresh_database)
    proxy = await TcpProxy(parsed.hostname or "127.0.0.1", parsed.port or 5432).start()
    through_proxy = parsed._replace(netloc=f"{parsed.username}@127.0.0.1:{proxy.port}").geturl()
    bot = await start_bot(through_proxy, log_path=tmp_path / "bot.log")
    try:
        driver = WorkshopDriver(http, bot.url, LocalConnector(connector))
        await driver.start_workshop()
        card = await driver.next_question()
        # Known participants first (the fast path), then a new one (the state read).
        activities = [driver.answer_activity(card, i, via="chat") for i in range(2)]
        assert all(a.ok for a in [await driver.post(a) for a in activities])
        late = [
            driver.answer_activity(card, 0, via="card", text="Svar under udfaldet"),
            driver.answer_activity(card, 1, via="chat", text="Også under udfaldet"),
            driver.answer_activity(card, 2, via="chat", text="Ny deltager under udfaldet"),
        ]
        proxy.cut()

        async def post(activity: dict[str, object]) -> tuple[int, str | None]:
            async with http.post(bot.url + "/api/messages", json=activity) as response:
                await response.read()
                return response.status, response.headers.get("Retry-After")

        refused = await asyncio.gather(*(post(a) for a in late))
        assert refused == [(503, "10")] * 3, refused
        not_saved = text("answer_not_saved", "da")
        for _ in range(100):  # the outbox sends the replies right after the HTTP answers
            told = [s.get("text") for s in connector.sent_activities(driver.conversation_id)]
            if told.count(not_saved) >= 3:
                break
            await asyncio.sleep(0.1)
        assert told.count(not_saved) == 3
        assert all("Traceback" not in (t or "") for t in told)

        proxy.restore()
        await asyncio.sleep(0.5)
        redelivered = await asyncio.gather(*(post(a) for a in late))
        again = await asyncio.gather(*(post(a) for a in late))  # a second redelivery
        assert [status for status, _ in redelivered + again] == [200] * 6
        stored = await stored_answers(fresh_database, card.workshop_id)
        ids = [a.activity_id for a in stored]
        assert sorted(ids) == sorted([str(a["id"]) for a in activities + late])
        assert "Ny deltager under udfaldet" in {a.text for a in stored}
    finally:
        bot.process.stop()
        await proxy.stop()
