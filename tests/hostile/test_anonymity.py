"""An anonymous answer cannot be traced to its author from the database alone, through the
real app on SQLite and PostgreSQL. The attacker has a full copy of the database (a backup,
a curious administrator) and a list of colleagues' Teams ids, but not the server secret.

Before, the workshop's salt sat beside the hashes: HMAC(salt, "29:bo") found Bo's row, the
activity-id hashes could be recomputed from Teams' message ids, and a private answer left a
timestamped bot-state row for the 1:1 chat.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from sqlalchemy import text

from tests.support import teams_message
from tests.support.backends import bot_database_url
from tests.support.workshop_bot import (
    ANNA,
    BO,
    CARL,
    GROUP,
    launch,
    mention_message,
    running_bot,
    texts,
)

__all__ = ["bot_database_url"]


def guess_user(salt: str, user_id: str) -> str:
    return hmac.new(salt.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def guess_activity(salt: str, activity_id: str) -> str:
    return (
        "h:"
        + hmac.new(salt.encode(), f"activity:{activity_id}".encode(), hashlib.sha256).hexdigest()
    )


async def test_the_database_alone_does_not_say_who_answered(
    tmp_path: Path, bot_database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=bot_database_url) as bot:
        wid = await launch(bot, mode="anonymous")
        url = bot.connector.url
        await bot.post(mention_message(url, "næste", who=ANNA))
        await bot.settle()
        in_group = teams_message(url, "Ledelsen lytter ikke", conversation_id=GROUP, **BO)
        private = teams_message(
            url,
            "Min chef presser os",
            conversation_id="a:1on1-29:bo",
            conversation_type="personal",
            **BO,
        )
        other = teams_message(url, "Kantinen er fin", conversation_id=GROUP, **CARL)
        for activity in (in_group, private, other):
            await bot.post(activity)
            await bot.settle()
        assert "Tak" in texts(bot.private(BO["user_id"]))
        # The attacker's view: every row, the salt included.
        async with bot.db.transaction(write=False) as session:
            salt = (
                await session.execute(text("SELECT salt FROM workshop WHERE id = :w"), {"w": wid})
            ).scalar_one()
            hashes = {
                r[0] for r in await session.execute(text("SELECT user_hash FROM participant"))
            }
            activities = {
                r[0] for r in await session.execute(text("SELECT activity_id FROM answer"))
            }
            answers = {r[0] for r in await session.execute(text("SELECT text FROM answer"))}
            state = [
                tuple(r) for r in await session.execute(text("SELECT key, data FROM bot_state"))
            ]
        assert {"Ledelsen lytter ikke", "Min chef presser os", "Kantinen er fin"} <= answers
        assert len(hashes) == 2
        for user in (BO, CARL, ANNA):
            assert guess_user(salt, user["user_id"]) not in hashes, user["user_name"]
        for activity in (in_group, private, other):
            assert guess_activity(salt, activity["id"]) not in activities
            assert activity["id"] not in activities
        # No bot-state row of Bo's 1:1 chat or of Bo says when he answered privately.
        mentions = [k for k, d in state if "29:bo" in k or "29:bo" in d or "aad-bo" in d]
        assert mentions == []
