"""Plans and series belong to someone: a participant who starts a throwaway workshop (and so
becomes "a facilitator") cannot reword, drop or overwrite another person's plan, nor change
a built-in plan, nor put a workshop into someone else's series. Through the real app (Teams
activities over HTTP, the Bot Connector stand-in) on SQLite and PostgreSQL.

Before owners existed, any facilitator of any workshop could change every stored plan, so a
phishing link could be put into another facilitator's next workshop.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dialogs.plan_editing import load_named_plan
from storage import plans as plans_repo
from storage import series as series_repo
from storage import workshops as workshops_repo
from tests.support import teams_activity, teams_message
from tests.support.backends import bot_database_url
from tests.support.workshop_bot import (
    ANNA,
    BO,
    CARL,
    Bot,
    card_of,
    launch,
    mention_message,
    running_bot,
    texts,
)

__all__ = ["bot_database_url"]

MALLORY = {"user_id": "29:mallory", "user_name": "Mallory Mellemleder", "aad_object_id": "aad-mal"}
MALLORY_GROUP = "19:mallory-throwaway@thread.v2"
PHISH = "Log ind her først: https://evil.example/login"


def personal(who: dict[str, str]) -> dict[str, Any]:
    return {"conversation_id": f"a:1on1-{who['user_id']}", "conversation_type": "personal", **who}


async def say(bot: Bot, who: dict[str, str], message: str) -> str:
    """``who`` writes ``message`` in their 1:1 chat; everything the bot said there since."""
    before = len(bot.private(who["user_id"]))
    status, _ = await bot.post(teams_message(bot.connector.url, message, **personal(who)))
    assert status == 200
    await bot.settle()
    return texts(bot.private(who["user_id"])[before:])


async def test_only_owners_co_owners_and_operators_change_a_plan(
    tmp_path: Path, bot_database_url: str
) -> None:
    async with running_bot(
        tmp_path, database_url=bot_database_url, operators=frozenset({"aad-carl"})
    ) as bot:
        # Anna makes her own plan for her next workshop.
        assert "version 1" in await say(bot, ANNA, "plan kopiér default hk-plan")
        # Mallory starts a throwaway workshop: now she is "a facilitator" ...
        await launch(bot, conversation_id=MALLORY_GROUP, who=MALLORY, series_name="Mallorys")
        # ... and tries to put a phishing link into Anna's plan, from the group and the 1:1.
        await bot.post(
            mention_message(
                bot.connector.url,
                f"plan omformuler hk-plan q1: {PHISH}",
                who=MALLORY,
                conversation_id=MALLORY_GROUP,
            )
        )
        await bot.settle()
        in_group = texts(bot.connector.sent_activities(MALLORY_GROUP))
        assert "Kun planens ejer" in in_group and "plan kopiér hk-plan" in in_group
        assert "Kun planens ejer" in await say(bot, MALLORY, "plan fjern hk-plan q1")
        assert "Kun planens ejer" in await say(bot, MALLORY, "plan flyt hk-plan q8 1")
        # Copying over Anna's plan would replace it: refused the same way.
        assert "Kun planens ejer" in await say(bot, MALLORY, "plan kopiér default hk-plan")
        # Nor may she make herself co-owner.
        share = teams_message(
            bot.connector.url,
            "plan del hk-plan <at>Mallory</at>",
            entities=[
                {
                    "type": "mention",
                    "text": "<at>Mallory</at>",
                    "mentioned": {"id": MALLORY["user_id"], "name": "Mallory"},
                }
            ],
            **personal(MALLORY),
        )
        await bot.post(share)
        await bot.settle()
        # A built-in plan is the operators': a facilitator is told to make a copy.
        refused = await say(bot, ANNA, f"plan omformuler default q1: {PHISH}")
        assert "indbygget plan" in refused and "plan kopiér default" in refused
        history = await plans_repo.plan_history(bot.db, "hk-plan")
        assert [v.version for v in history] == [1], "nothing was saved"
        assert PHISH not in json.dumps([v.text for v in history], ensure_ascii=False)
        assert await plans_repo.plan_history(bot.db, "default") == () or PHISH not in str(
            await load_named_plan(bot.db, "default")
        )
        assert await plans_repo.plan_owners(bot.db, "hk-plan") == ("29:anna", ())

        # Anna shares the plan with Bo, who may then change it; the change is attributed.
        share = teams_message(
            bot.connector.url,
            "plan del hk-plan <at>Bo Deltager</at>",
            entities=[
                {
                    "type": "mention",
                    "text": "<at>Bo Deltager</at>",
                    "mentioned": {"id": BO["user_id"], "name": "Bo Deltager"},
                }
            ],
            **personal(ANNA),
        )
        await bot.post(share)
        await bot.settle()
        assert "Bo Deltager kan nu også ændre" in texts(bot.private(ANNA["user_id"]))
        assert "version 2" in await say(bot, BO, "plan flyt hk-plan q8 1")
        assert (await load_named_plan(bot.db, "hk-plan")).question_ids[0] == "q8"
        # An operator (named by Entra object id) may change the built-in plan.
        assert "version 2" in await say(bot, CARL, "plan fjern default q1")
        # `plan vis` names the owner, the co-owner and every version with its author.
        shown = await say(bot, MALLORY, "plan vis hk-plan")
        assert "Ejer: 29:anna" in shown and "Medejere: 29:bo" in shown
        assert "Anna Facilitator: copy of default" in shown and "Bo Deltager: move q8 to 1" in shown


async def test_a_workshop_joins_only_a_series_its_starter_may_add_to(
    tmp_path: Path, bot_database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=bot_database_url) as bot:
        await launch(bot, series_name="HK 2026")  # Anna's series
        anna_series = await series_repo.get_series_by_name(bot.db, "HK 2026")
        assert anna_series is not None and anna_series.owner_id == ANNA["user_id"]
        url = bot.connector.url
        for series, name in ((str(anna_series.id), ""), ("new", "HK 2026")):
            await bot.post(
                mention_message(url, "start", who=MALLORY, conversation_id=MALLORY_GROUP)
            )
            await bot.settle()
            setup = card_of(bot.connector.sent_activities(MALLORY_GROUP)[-1])
            assert setup is not None
            choices = json.dumps(setup, ensure_ascii=False)
            assert "HK 2026" not in choices, "someone else's series is not offered"
            data = dict(setup["actions"][0]["data"])
            data.update(plan="default", series=series, series_name=name, org="M", mode="named")
            await bot.post(
                teams_activity(url, conversation_id=MALLORY_GROUP, value=data, **MALLORY)
            )
            await bot.settle()
            said = texts(bot.connector.sent_activities(f"a:1on1-{MALLORY['user_id']}"))
            assert "Kun seriens ejer" in said
            assert await workshops_repo.find_active_workshop(bot.db, MALLORY_GROUP) is None
        assert len(await series_repo.workshops_in_series(bot.db, anna_series.id)) == 1
