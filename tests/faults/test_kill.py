"""``kill -9`` of ``workshopbot serve`` in the middle of a question, then a restart on the
same SQLite file: the workshop goes on at the same question, every acknowledged answer is
there exactly once, and per-user dialog state (a pending private answer) survives."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

import aiohttp
import pytest

from bench.workload import (
    LocalConnector,
    WorkshopDriver,
    answer_all,
    start_bot,
    stored_answers,
)
from tests.support import teams_activity
from tests.support.connector import ConnectorStandIn

pytestmark = pytest.mark.e2e


async def test_kill_9_mid_question_then_restart_keeps_answers_question_and_state(
    sqlite_url: str, connector: ConnectorStandIn, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    bot = await start_bot(sqlite_url, log_path=log)
    try:
        driver = WorkshopDriver(http, bot.url, LocalConnector(connector))
        await driver.start_workshop()
        card = await driver.next_question()

        # Participant 99 asks to answer privately: per-user state the restart must keep.
        private_user = driver.participant(99)
        ack = await driver.post(driver.mention("privat", user=private_user), kind="command")
        assert ack.ok
        acknowledged = await answer_all(driver, card, 20, concurrency=8)
        assert all(a.ok for a in acknowledged)

        # More answers in flight while the process dies (enough that some still are after
        # 50 ms: the bot takes about a thousand a second).
        in_flight = asyncio.create_task(
            answer_all(driver, card, 400, concurrency=8, start_index=20)
        )
        await asyncio.sleep(0.05)
        bot.process.kill(signal.SIGKILL)
        maybe = await in_flight
    finally:
        bot.process.stop(timeout=5)

    # The kill really hit requests in flight (else this test would prove less than it says).
    assert any(not a.ok for a in maybe), "every in-flight answer finished before the kill"
    acked_before = {a.activity_id for a in acknowledged} | {a.activity_id for a in maybe if a.ok}
    sent_before = {a.activity_id for a in acknowledged} | {a.activity_id for a in maybe}

    bot = await start_bot(sqlite_url, log_path=log)
    try:
        driver.bot_url = bot.url
        # A card submit on the same card, and chat answers: the same open question.
        after = await answer_all(driver, card, 20, concurrency=8, start_index=420)
        assert all(a.ok for a in after), [a.status for a in after]
        # The private answer in the 1:1 chat lands on the pending question.
        private = teams_activity(
            connector.url,
            conversation_id="a:1on1-load-user-99",
            conversation_type="personal",
            text="Mit private svar efter genstarten",
            id=driver.new_id(),
            **private_user,
        )
        assert (await driver.post(private)).ok

        stored = await stored_answers(sqlite_url, card.workshop_id)
        ids = Counter(a.activity_id for a in stored)
        assert all(n == 1 for n in ids.values()), "an answer was stored twice"
        assert acked_before <= set(ids), "an acknowledged answer is missing after kill -9"
        group_ids = {a.activity_id for a in stored if not a.private}
        assert group_ids <= sent_before | {a.activity_id for a in after}
        assert {a.question_run_id for a in stored} == {card.run_id}
        # A private answer is stored under its chat and activity id hashed together.
        mine = [a for a in stored if a.private]
        assert len(mine) == 1 and mine[0].text == private["text"]
        assert mine[0].activity_id != private["id"] and mine[0].question_run_id == card.run_id

        # The card the first process posted is still the one whose counter is updated.
        expected = len(stored)
        assert await driver.wait_for_counter(card, expected, timeout=15) is not None

        # The workshop continues: "next" opens the plan's second question.
        second = await driver.next_question()
        assert second.workshop_id == card.workshop_id
        assert second.run_id != card.run_id
        assert second.question_id == "q1"
    finally:
        bot.process.stop()
