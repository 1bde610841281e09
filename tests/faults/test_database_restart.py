"""PostgreSQL restarted in the middle of a workshop (issue 19): on a private server of the
test's own (the machine's shared server is never restarted), the real ``workshopbot serve``
process, the Bot Connector stand-in. The turns right after the restart meet pooled
connections the restart killed; storage finds and replaces them, so no turn is answered
with the apology, and no command and no answer is lost or stored twice."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bench.workload import (
    LocalConnector,
    WorkshopDriver,
    answer_all,
    find_submit_data,
    start_bot,
    stored_answers,
)
from dialogs.texts import text
from tests.support.connector import ConnectorStandIn
from tests.support.private_postgres import PrivatePostgres, private_postgres

pytestmark = [pytest.mark.e2e]

APOLOGY = text("error", "da")
HELP_TITLE = text("help_title_facilitator", "da")


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    try:
        with private_postgres() as server:
            yield server
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


async def _sent_anywhere(
    driver: WorkshopDriver, predicate: Any, *, what: str, timeout: float = 20.0
) -> dict[str, Any]:
    """The first successful send or reply, in any conversation (a group or a 1:1 chat),
    whose body matches ``predicate``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for call in await driver.connector.calls(0):
            ok = call["operation"] in ("send", "reply") and call["status"] < 300
            if ok and predicate(call["body"]):
                return call
        if loop.time() > deadline:
            raise AssertionError(f"the bot never sent {what}")
        await asyncio.sleep(0.05)


def _says(words: str) -> Any:
    return lambda body: words in json.dumps(body, ensure_ascii=False)


async def test_a_database_restart_mid_workshop_loses_no_turn(
    private_pg: PrivatePostgres,
    connector: ConnectorStandIn,
    http: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    from storage.migrate import upgrade

    upgrade(private_pg.url)
    bot = await start_bot(private_pg.url, log_path=tmp_path / "bot.log")
    try:
        driver = WorkshopDriver(http, bot.url, LocalConnector(connector))
        await driver.start_workshop()
        card = await driver.next_question()
        # Six people answer at once: the bot's pools now hold several open connections.
        before = await answer_all(driver, card, 6, concurrency=6)
        assert [a.status for a in before] == [200] * 6

        away = await asyncio.to_thread(private_pg.restart)  # fast mode, as an operator does
        assert away < 30

        # The next turns, one by one, each on a pool full of connections the restart killed.
        helped = await driver.post(driver.mention("hjælp"), kind="command")
        added_text = "Hvad tager I med jer fra i dag?"
        added = await driver.post(driver.mention(f"tilføj {added_text}"), kind="command")
        assert (helped.status, added.status) == (200, 200)
        await _sent_anywhere(driver, _says(HELP_TITLE), what="the facilitator's help card")
        await _sent_anywhere(
            driver, _says(text("added", "da", text=added_text)), what="the note on tilføj"
        )
        after = [
            await driver.post(driver.answer_activity(card, i, via="chat" if i % 2 else "card"))
            for i in range(6, 9)
        ]
        assert [a.status for a in after] == [200] * 3

        # A second restart with answers in flight: they wait for the database, none is lost.
        during_task = asyncio.create_task(answer_all(driver, card, 6, concurrency=6, start_index=9))
        await asyncio.sleep(0.05)
        await asyncio.to_thread(private_pg.restart)
        during = await during_task
        assert [a.status for a in during] == [200] * 6

        # The command was not lost: the added question is the next one opened.
        assert (await driver.command("næste")).ok
        opened = await _sent_anywhere(
            driver,
            lambda body: (
                find_submit_data(body, "answer") is not None
                and added_text in json.dumps(body, ensure_ascii=False)
            ),
            what="the added question's card",
        )
        assert opened["conversation_id"] == driver.conversation_id

        stored = [a.activity_id for a in await stored_answers(private_pg.url, card.workshop_id)]
        acknowledged = [a.activity_id for a in before + after + during]
        assert sorted(stored) == sorted(acknowledged), "an answer was lost or stored twice"

        sent = [c["body"] for c in await driver.connector.calls(0) if c["status"] < 300]
        apologies = [b for b in sent if APOLOGY in json.dumps(b, ensure_ascii=False)]
        assert not apologies, f"{len(apologies)} turn(s) answered with the apology"
        assert "Traceback" not in json.dumps(sent)
    finally:
        bot.process.stop()
