"""The time-box reminder names the box as it was set: a 20-second box is "20 sek.", not
"1 min" (issue 19). Through the real app: the reminder the timer sends, read at the
facilitator's 1:1 chat of the Bot Connector stand-in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import BOT_KEY
from dialogs.texts import duration
from storage import questions as questions_repo
from tests.support.workshop_bot import ANNA, Bot, launch, mention_message, running_bot


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(tmp_path) as running:
        yield running


async def _reminder(bot: Bot, seconds: int, *, language: str) -> str:
    wid = await launch(bot, language=language)
    await bot.post(mention_message(bot.connector.url, "næste", who=ANNA))
    await bot.settle()
    run = await questions_repo.current_question_run(bot.db, wid)
    assert run is not None
    handler = bot.app[BOT_KEY]
    await handler.conversation.session.timeboxes.remind(
        handler.channel(), wid, run.id, seconds
    )  # what the timer calls when due
    await bot.settle()
    found = [a.get("text") or "" for a in bot.private("29:anna")]
    reminders = [t for t in found if "Tiden" in t or "Time is up" in t]
    assert len(reminders) == 1, found
    return reminders[0]


async def test_a_20_second_box_is_reminded_in_seconds(bot: Bot) -> None:
    reminder = await _reminder(bot, 20, language="da")
    assert "(20 sek.)" in reminder
    assert "min" not in reminder


async def test_a_box_of_minutes_and_seconds_says_both_in_english(bot: Bot) -> None:
    reminder = await _reminder(bot, 90, language="en")
    assert "(1 min 30 s)" in reminder


_PARSE = {
    "da": re.compile(r"^(?:(\d+) min\.)?(?: ?(\d+) sek\.)?$"),
    "en": re.compile(r"^(?:(\d+) min)?(?: ?(\d+) s)?$"),
}


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_duration_reads_back_as_the_same_seconds(language: str) -> None:
    for seconds in [*range(0, 200), 599, 600, 601, 3600, 5400]:
        said = duration(seconds, language)
        match = _PARSE[language].match(said)
        assert match is not None and said, (seconds, said)
        minutes, rest = (int(g) if g else 0 for g in match.groups())
        assert minutes * 60 + rest == seconds, (seconds, said)
        assert rest < 60


@pytest.mark.parametrize("bad", [-1, 2.5, True, "20"])
def test_a_duration_that_is_no_whole_number_of_seconds_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="whole number of seconds"):
        duration(bad, "da")  # type: ignore[arg-type]
