""" "Hvem ved" is in the command menu (so it is a command even alone), yet "Hvem ved?" from a
participant in a running workshop's chat is an answer, a shrug; through the real app."""

from __future__ import annotations

import json
from pathlib import Path

from storage import answers as answers_repo
from tests.support import teams_message
from tests.support.workshop_bot import ANNA, BO, GROUP, launch, mention_message, running_bot


async def test_a_shrug_in_the_workshop_chat_is_an_answer_and_alone_in_1to1_the_command(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        url = bot.connector.url
        wid = await launch(bot)
        await bot.post(mention_message(url, "næste", who=ANNA))
        await bot.settle()
        await bot.post(teams_message(url, "Hvem ved?", conversation_id=GROUP, **BO))
        await bot.settle()
        stored = [a.text for a in await answers_repo.answers_for_workshop(bot.db, wid)]
        assert stored == ["Hvem ved?"]
        # In the 1:1 chat the menu's "hvem ved" alone says how to search.
        await bot.post(
            teams_message(
                url, "hvem ved", conversation_id="a:1on1-29:bo", conversation_type="personal", **BO
            )
        )
        await bot.settle()
        said = json.dumps(bot.private("29:bo"), ensure_ascii=False)
        assert "hvem ved" in said.lower() and "Excel" in said
