"""An outsider with a 1:1 chat (in the same tenant, never in the workshop's chat) through the
real app on SQLite and PostgreSQL: their private text is never stored in "the only running
workshop", a card naming a workshop they are not in is refused, and a workshop's summary
map and summary reach only its own chat and its members. Membership is what Teams' roster
says (the connector's member lookup, answered by the stand-in), cached per workshop.

Before, any 1:1 message went to the only running workshop, and a card from a 1:1 chat was
stored in whatever workshop id it named.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storage import answers as answers_repo
from storage import maps as maps_repo
from tests.support import teams_activity, teams_message
from tests.support.backends import bot_database_url
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
    texts,
)

__all__ = ["bot_database_url"]

MALLORY = {"user_id": "29:mallory", "user_name": "Mallory Udefra", "aad_object_id": "aad-mal"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 40


def personal(who: dict[str, str]) -> dict[str, Any]:
    return {"conversation_id": f"a:1on1-{who['user_id']}", "conversation_type": "personal", **who}


def roster(*people: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"id": p["user_id"], "name": p["user_name"], "aadObjectId": p["aad_object_id"]}
        for p in people
    ]


async def running_workshop(bot: Bot, mode: str = "pseudonymous") -> int:
    bot.connector.set_roster(GROUP, roster(ANNA, BO, CARL))
    wid = await launch(bot, mode=mode)
    await bot.post(mention_message(bot.connector.url, "næste", who=ANNA))
    await bot.settle()
    return wid


async def stored_texts(bot: Bot, wid: int) -> list[str]:
    return [a.text for a in await answers_repo.answers_for_workshop(bot.db, wid)]


async def test_an_outsiders_1to1_text_is_never_stored(
    tmp_path: Path, bot_database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=bot_database_url) as bot:
        wid = await running_workshop(bot)
        url = bot.connector.url
        await bot.post(teams_message(url, "Mallorys indspil udefra", **personal(MALLORY)))
        await bot.post(teams_message(url, "Bos private svar", **personal(BO)))
        await bot.settle()
        assert await stored_texts(bot, wid) == ["Bos private svar"]
        assert "Tak" not in texts(bot.private(MALLORY["user_id"]))
        # The lookup asked about the workshop's own chat.
        asked = [c.path for c in bot.connector.calls_of("members", GROUP)]
        assert any(p.endswith("/members/29:mallory") for p in asked)
        # A second private answer within the cache time asks Teams no more.
        before = len(bot.connector.calls_of("members"))
        await bot.post(teams_message(url, "Bos andet private svar", **personal(BO)))
        await bot.settle()
        assert len(bot.connector.calls_of("members")) == before
        assert len(await stored_texts(bot, wid)) == 2


async def test_a_card_naming_a_foreign_workshop_is_refused(
    tmp_path: Path, bot_database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=bot_database_url) as bot:
        wid = await running_workshop(bot, mode="anonymous")
        url = bot.connector.url
        question = card_of(bot.group()[-1])
        assert question is not None
        data = next(a["data"] for a in question["actions"] if a["data"].get("wb") == "answer")
        forged = {**data, "answer": "Mallorys kort-svar"}
        await bot.post(teams_activity(url, value=forged, **personal(MALLORY)))
        await bot.settle()
        assert await stored_texts(bot, wid) == []
        assert "ikke med i den workshops chat" in texts(bot.private(MALLORY["user_id"]))
        # The same card from a member's 1:1 chat counts.
        await bot.post(
            teams_activity(url, value={**data, "answer": "Bos kort-svar"}, **personal(BO))
        )
        await bot.settle()
        assert await stored_texts(bot, wid) == ["Bos kort-svar"]


async def test_when_teams_cannot_say_the_answer_is_refused_not_guessed(
    tmp_path: Path, bot_database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=bot_database_url) as bot:
        wid = await running_workshop(bot)
        url = bot.connector.url
        await bot.post(teams_message(url, "Bos første svar i gruppen", conversation_id=GROUP, **BO))
        await bot.settle()
        bot.connector.inject(500, times=1, operations={"members"})
        await bot.post(teams_message(url, "Bos private svar", **personal(BO)))
        await bot.settle()
        assert "Bos private svar" not in await stored_texts(bot, wid)
        assert "kunne ikke tjekke" in texts(bot.private(BO["user_id"]))
        await bot.post(teams_message(url, "Bos private svar", **personal(BO)))
        await bot.settle()
        assert "Bos private svar" in await stored_texts(bot, wid)


async def test_summary_map_and_summary_only_to_the_workshops_people(
    tmp_path: Path, bot_database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=bot_database_url) as bot:
        wid = await running_workshop(bot, mode="anonymous")
        url = bot.connector.url
        await maps_repo.save_map(
            bot.db,
            name=f"summary-{wid}",
            png=PNG,
            data={"summary_of": wid, "clusters": [{"name": "Løn og ledelse", "labels": ["løn"]}]},
        )
        # An outsider asks for it in their 1:1 chat and in a group chat of their own.
        await bot.post(teams_message(url, f"kort summary-{wid}", **personal(MALLORY)))
        other = "19:mallorys-egen@thread.v2"
        await bot.post(
            mention_message(url, f"kort summary-{wid}", who=MALLORY, conversation_id=other)
        )
        await bot.settle()
        leaked = texts(bot.private(MALLORY["user_id"]) + bot.connector.sent_activities(other))
        assert "Løn og ledelse" not in leaked and "/media/" not in leaked
        assert "kun for dem, der er med i dens chat" in leaked
        # A member gets it in their 1:1 chat; the workshop's chat gets it.
        await bot.post(teams_message(url, f"kort summary-{wid}", **personal(BO)))
        await bot.post(mention_message(url, f"kort summary-{wid}", who=BO))
        await bot.settle()
        assert "Løn og ledelse" in texts(bot.private(BO["user_id"]))
        assert "Løn og ledelse" in json.dumps(bot.group(), ensure_ascii=False)
        # The facilitator cannot post the summary into another group chat either.
        before = len(bot.connector.sent_activities(other))
        await bot.post(mention_message(url, f"opsummering {wid}", who=ANNA, conversation_id=other))
        await bot.settle()
        after = bot.connector.sent_activities(other)[before:]
        assert all(card_of(a) is None for a in after), "no summary card there"
        # The refusal reaches the facilitator alone.
        assert "kun for dem, der er med i dens chat" in texts(bot.private(ANNA["user_id"]))


async def test_someone_removed_from_the_chat_gets_no_question_and_no_answer_in(
    tmp_path: Path, bot_database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=bot_database_url) as bot:
        wid = await running_workshop(bot)
        url = bot.connector.url
        await bot.post(teams_message(url, "Bos svar fra før", conversation_id=GROUP, **BO))
        await bot.settle()
        # Bo leaves (is removed from) the workshop's chat, then writes to the bot 1:1.
        bot.connector.set_roster(GROUP, roster(ANNA, CARL))
        before = len(bot.private(BO["user_id"]))
        await bot.post(teams_message(url, "indhent", **personal(BO)))
        await bot.post(teams_message(url, "Bos svar efter", **personal(BO)))
        await bot.settle()
        said = bot.private(BO["user_id"])[before:]
        assert all(card_of(a) is None for a in said), "no question card"
        assert "ikke med i den workshops chat" in texts(said)
        assert await stored_texts(bot, wid) == ["Bos svar fra før"]
