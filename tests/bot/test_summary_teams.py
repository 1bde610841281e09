"""The "what now" summary in Teams: through the real app, the facilitator gets the summary
card at the end, and accepting its adjustments stores the next plan version."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import BOT_KEY
from bot.handler import WorkshopBot
from dialogs.conversation.outputs import post_summary
from storage import plans as plans_repo
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


async def test_end_sends_what_now_card_and_accept_makes_next_plan(bot: Bot) -> None:
    url = bot.connector.url
    wid = await launch(bot)
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.settle()
    await bot.post(
        teams_message(url, "Vi skal samle opgaverne i en database.", conversation_id=GROUP, **BO)
    )
    await bot.post(
        teams_message(
            url, "Enig, en database med opgaverne vil hjælpe.", conversation_id=GROUP, **CARL
        )
    )
    await bot.post(
        teams_message(
            url,
            "Et privat svar om tillid",
            conversation_id="a:1on1-29:bo",
            conversation_type="personal",
            **BO,
        )
    )
    await bot.settle()
    await bot.post(mention_message(url, "afslut", who=ANNA))
    await bot.settle()

    cards = [card_of(a) for a in bot.private("29:anna") if card_of(a)]
    summary = cards[-1]
    assert summary is not None
    text = json.dumps(summary, ensure_ascii=False)
    assert "Hvad så?" in text and "database" in text
    accept = [a for a in summary["actions"] if a["data"].get("wb") == "summary-accept"]
    assert accept and accept[0]["data"]["workshop"] == wid

    # The group version: no private content, no accept button.
    await bot.post(mention_message(url, "opsummering", who=ANNA))
    await bot.settle()
    group_card = card_of(bot.group()[-1])
    assert group_card is not None
    assert "Hvad så?" in json.dumps(group_card, ensure_ascii=False)
    assert "Et privat svar" not in json.dumps(group_card, ensure_ascii=False)
    assert group_card["actions"] == []

    # A participant cannot accept; the facilitator can, and a new plan version appears.
    workshop = await workshops_repo.get_workshop(bot.db, wid)
    assert workshop.plan_version_id is not None
    before = await plans_repo.get_plan_version(bot.db, workshop.plan_version_id)
    await bot.post(teams_activity(url, conversation_id=GROUP, value=accept[0]["data"], **CARL))
    await bot.settle()
    assert "Kun en facilitator" in json.dumps(bot.private("29:carl"), ensure_ascii=False)
    await bot.post(teams_activity(url, conversation_id=GROUP, value=accept[0]["data"], **ANNA))
    await bot.settle()
    latest = await plans_repo.latest_plan_version(bot.db, before.plan_key)
    assert latest is not None and latest.version == before.version + 1
    assert f"version {latest.version}" in json.dumps(bot.group(), ensure_ascii=False)

    # post_summary: the same card, proactively, to the group or to the facilitators.
    before_group, before_anna = len(bot.group()), len(bot.private("29:anna"))
    handler: WorkshopBot = bot.app[BOT_KEY]  # type: ignore[assignment]
    session = handler.conversation.session
    await post_summary(session, handler.channel(), wid, to_group=True)
    await post_summary(session, handler.channel(), wid, to_group=False)
    await bot.settle()
    posted = card_of(bot.group()[-1])
    assert len(bot.group()) == before_group + 1 and posted is not None
    assert "Hvad så?" in json.dumps(posted, ensure_ascii=False) and posted["actions"] == []
    assert "Et privat svar" not in json.dumps(posted, ensure_ascii=False)
    assert len(bot.private("29:anna")) == before_anna + 1
