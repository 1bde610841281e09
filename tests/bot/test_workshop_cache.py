"""Answer turns reuse this process's read of the conversation's workshop for a moment; a
change made by another bot instance in that moment (simulated here by changing the database
directly, as the other instance would) must still refuse answers to a closed question or an
ended workshop, politely and without storing them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dialogs.texts import text
from dialogs.workshop import WorkshopStateError
from storage import answers as answers_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from tests.support import teams_activity, teams_message
from tests.support.workshop_bot import (
    ANNA,
    BO,
    CARL,
    GROUP,
    Bot,
    card_of,
    launch,
    mention_message,
    running_bot,
)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(tmp_path) as running:
        yield running


def _stale(bot: Bot, user_id: str = "29:carl") -> bool:
    """The sender alone was told the question is closed (privately, not in the group)."""
    note = WorkshopStateError("stale_question").message("da")
    return note in [a.get("text") for a in bot.private(user_id)] and note not in [
        a.get("text") for a in bot.group()
    ]


async def test_a_question_closed_elsewhere_refuses_card_answers_at_once(bot: Bot) -> None:
    url = bot.connector.url
    wid = await launch(bot)
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.settle()
    question = card_of(bot.group()[-1])
    assert question is not None
    run_data = question["actions"][0]["data"]
    await bot.post(teams_message(url, "Første svar", conversation_id=GROUP, **BO))
    # Another instance closes the question; this one read the workshop a moment ago.
    await questions_repo.close_question(bot.db, int(run_data["run"]))
    card_answer = {**run_data, "answer": "For sent"}
    await bot.post(teams_activity(url, conversation_id=GROUP, value=card_answer, **CARL))
    await bot.settle()
    stored = [a.text for a in await answers_repo.answers_for_workshop(bot.db, wid)]
    assert stored == ["Første svar"]
    assert _stale(bot)


async def test_a_workshop_ended_elsewhere_takes_no_more_answers(bot: Bot) -> None:
    url = bot.connector.url
    wid = await launch(bot)
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.settle()
    await bot.post(teams_message(url, "Første svar", conversation_id=GROUP, **BO))
    await workshops_repo.end_workshop(bot.db, wid)
    await bot.post(teams_message(url, "Efter slut", conversation_id=GROUP, **CARL))
    await bot.settle()
    stored = [a.text for a in await answers_repo.answers_for_workshop(bot.db, wid)]
    assert stored == ["Første svar"]
    # Refused (told it is too late when this instance still had the workshop as running),
    # never met with an apology for an error.
    assert text("error", "da") not in [a.get("text") for a in bot.group()]
