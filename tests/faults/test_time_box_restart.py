"""Time-box reminders survive a restart: ``kill -9`` while a time-boxed question is open,
the box runs out while the bot is down, and after the restart the facilitator is reminded
once; a later restart does not remind again."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from bench.workload import LocalConnector, WorkshopDriver, start_bot
from tests.support.connector import ConnectorStandIn

pytestmark = pytest.mark.e2e


def _reminders(connector: ConnectorStandIn, user_id: str) -> list[str]:
    sent = connector.sent_activities(f"a:1on1-{user_id}")
    return [str(a.get("text")) for a in sent if "Tiden" in str(a.get("text") or "")]


async def _wait_for(connector: ConnectorStandIn, user_id: str, count: int) -> list[str]:
    for _ in range(150):
        found = _reminders(connector, user_id)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    return _reminders(connector, user_id)


async def test_a_time_box_that_ran_out_during_a_restart_reminds_once(
    sqlite_url: str, connector: ConnectorStandIn, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    bot = await start_bot(sqlite_url, log_path=log)
    try:
        driver = WorkshopDriver(http, bot.url, LocalConnector(connector))
        await driver.start_workshop()
        card = await driver.next_question()  # the default plan time-boxes every question
    finally:
        bot.process.kill(signal.SIGKILL)
        bot.process.stop(timeout=5)
    assert _reminders(connector, driver.facilitator_id) == []

    # The box runs out while the bot is down (as if it had been opened an hour ago).
    # (the reminder is a job: its due time moves back with the question's opening.)
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as conn:
        changed = conn.execute(
            "UPDATE question_run SET opened_at = datetime('now', '-1 hour') WHERE id = ?",
            (card.run_id,),
        ).rowcount
        moved = conn.execute(
            "UPDATE job SET due_at = datetime('now', '-55 minutes') WHERE key = ?",
            (f"time_box:{card.run_id}",),
        ).rowcount
    assert (changed, moved) == (1, 1)

    bot = await start_bot(sqlite_url, log_path=log)
    try:
        reminders = await _wait_for(connector, driver.facilitator_id, 1)
        assert len(reminders) == 1 and card.question_id in reminders[0]
    finally:
        bot.process.stop(timeout=10)

    bot = await start_bot(sqlite_url, log_path=log)
    try:
        await asyncio.sleep(2.0)  # time for a (wrong) second reminder to go out
        assert len(_reminders(connector, driver.facilitator_id)) == 1, "reminded twice"
        assert "scheduled" not in bot.process.log_text()
    finally:
        bot.process.stop(timeout=10)
