"""Private (1:1) answers through the real app on SQLite and PostgreSQL: two chats' activities
are two answers even when Teams gives them the same id, a redelivery is stored once, and
nobody is thanked for an answer that was not stored as theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import answers as answers_repo
from tests.support import teams_message
from tests.support.backends import bot_database_url
from tests.support.workshop_bot import (
    ANNA,
    BO,
    CARL,
    GROUP,
    Bot,
    launch,
    mention_message,
    running_bot,
    texts,
)

__all__ = ["bot_database_url"]


async def stored_texts(bot: Bot, wid: int) -> list[str]:
    return [a.text for a in await answers_repo.answers_for_workshop(bot.db, wid)]


def personal(who: dict[str, str]) -> dict[str, str]:
    return {"conversation_id": f"a:1on1-{who['user_id']}", "conversation_type": "personal", **who}


async def open_question(bot: Bot, **launch_options: str) -> int:
    wid = await launch(bot, **launch_options)
    await bot.post(mention_message(bot.connector.url, "næste", who=ANNA))
    await bot.settle()
    return wid


async def test_the_same_activity_id_from_two_chats_is_two_answers(
    tmp_path: Path, bot_database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=bot_database_url) as bot:
        wid = await open_question(bot)
        url = bot.connector.url
        for who, words in (
            (BO, "Bos private svar om ledelsen"),
            (CARL, "Carls private svar om løn"),
        ):
            # Teams numbers activities per conversation: both chats send "…999".
            await bot.post(teams_message(url, words, id="1700000000999", **personal(who)))
        await bot.settle()
        stored = sorted(a.text for a in await answers_repo.answers_for_workshop(bot.db, wid))
        assert stored == ["Bos private svar om ledelsen", "Carls private svar om løn"]
        for who in (BO, CARL):
            assert "Tak" in texts(bot.private(who["user_id"]))
        # Bo's redelivery is stored once (and he hears it is stored, which it is).
        await bot.post(
            teams_message(url, "Bos private svar om ledelsen", id="1700000000999", **personal(BO))
        )
        await bot.settle()
        assert await answers_repo.count_answers(bot.db, wid) == 2
        assert texts(bot.private(BO["user_id"])).count("Tak") == 2


async def test_the_same_activity_id_in_an_anonymous_workshop_is_two_answers(
    tmp_path: Path, bot_database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=bot_database_url) as bot:
        wid = await open_question(bot, mode="anonymous")
        url = bot.connector.url
        await bot.post(
            teams_message(url, "Et svar i gruppen", id="1700000000777", conversation_id=GROUP, **BO)
        )
        for who in (BO, CARL):
            await bot.post(
                teams_message(
                    url, f"Privat fra {who['user_name']}", id="1700000000777", **personal(who)
                )
            )
        await bot.settle()
        assert await answers_repo.count_answers(bot.db, wid) == 3


async def test_nobody_is_thanked_for_an_answer_stored_as_someone_elses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard behind the key: should two private answers ever meet under one id (as they
    did when the key was the bare activity id), the second person hears that theirs was not
    stored instead of a thank-you."""
    from dialogs.conversation import answers

    monkeypatch.setattr(answers, "answer_key", lambda incoming, private: incoming.activity_id)
    async with running_bot(tmp_path) as running:
        wid = await open_question(running)
        url = running.connector.url
        await running.post(teams_message(url, "Bos svar", id="1700000000555", **personal(BO)))
        await running.settle()
        await running.post(teams_message(url, "Carls svar", id="1700000000555", **personal(CARL)))
        await running.settle()
        assert await stored_texts(running, wid) == ["Bos svar"]
        said = texts(running.private(CARL["user_id"]))
        assert "Tak" not in said and "ikke gemt" in said
        # Bo's own redelivery is his, and he is thanked again.
        await running.post(teams_message(url, "Bos svar", id="1700000000555", **personal(BO)))
        await running.settle()
        assert texts(running.private(BO["user_id"])).count("Tak") == 2
