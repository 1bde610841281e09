"""SIGTERM while a time-boxed question is open: the bot stops at once and cleanly. Time
boxes are timer handles, not sleeping tasks, so shutdown has nothing to wait for; a task
it had to cancel after its 10 s grace would be logged ("cancelled … background tasks")."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bench.workload import LocalConnector, WorkshopDriver, answer_all, start_bot, stored_answers
from tests.support.connector import ConnectorStandIn

pytestmark = pytest.mark.e2e


async def test_sigterm_with_a_time_boxed_question_open_stops_cleanly(
    sqlite_url: str, connector: ConnectorStandIn, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    bot = await start_bot(sqlite_url, log_path=log)
    try:
        driver = WorkshopDriver(http, bot.url, LocalConnector(connector))
        await driver.start_workshop()
        card = await driver.next_question()  # the default plan time-boxes every question
        acks = await answer_all(driver, card, 10, concurrency=5)
        assert all(a.ok for a in acks)
    finally:
        code = bot.process.stop(timeout=30)
    text = bot.process.log_text()
    assert code == 0, text[-2000:]
    assert "cancelled" not in text, "shutdown had to cancel a background task"
    assert "Traceback" not in text
    stored = await stored_answers(sqlite_url, card.workshop_id)
    assert {a.activity_id for a in acks} <= {a.activity_id for a in stored}
