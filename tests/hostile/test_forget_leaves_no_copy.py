"""`glem mig` and `workshopbot data forget` leave no copy of the person's words in any file of
the SQLite database while the server runs (its engine open): not in free space of the
database file, not in the write-ahead log, not in the shared-memory index. And the person's
1:1 chat leaves no bot-state row behind.

The raw bytes of ``bot.sqlite3``, ``-wal`` and ``-shm`` are searched for strings only this
person wrote. Before secure_delete and the log checkpoint, deleted rows stayed readable in
free pages and in the log.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from bot.cli import main
from tests.support import teams_message
from tests.support.workshop_bot import (
    ANNA,
    BO,
    CARL,
    GROUP,
    Bot,
    launch,
    mention_message,
    running_bot,
)

PERSONAL_BO = {"conversation_id": "a:1on1-29:bo", "conversation_type": "personal"}


def raw_hits(path: Path, needles: list[str]) -> dict[str, list[str]]:
    """For each of the database's files that exists: the needles found in its bytes."""
    found: dict[str, list[str]] = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        file = Path(f"{path}{suffix}")
        if not file.exists():
            continue
        data = file.read_bytes()
        hits = [n for n in needles if n.encode("utf-8") in data]
        if hits:
            found[file.name] = hits
    return found


async def bo_takes_part(bot: Bot, secret: str) -> list[str]:
    """Bo answers in the group, privately, edits nothing, starts and leaves a dialog in his
    1:1 chat; Carl answers too. Bo's unique strings."""
    url = bot.connector.url
    await launch(bot)
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.settle()
    in_group = f"Gruppesvar {secret} om lønnen"
    in_private = f"Privat svar {secret} om chefen"
    await bot.post(teams_message(url, in_group, conversation_id=GROUP, **BO))
    await bot.post(teams_message(url, "Carls eget svar om kantinen", conversation_id=GROUP, **CARL))
    await bot.settle()
    for message in (in_private, "plan omformuler", "annuller"):
        await bot.post(teams_message(url, message, **PERSONAL_BO, **BO))
        await bot.settle()
    return [in_group, in_private]


def state_rows_of(path: Path, user_id: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [
            key
            for key, data in conn.execute("SELECT key, data FROM bot_state")
            if user_id in key or user_id in data or "a:1on1-29:bo" in key
        ]


@pytest.mark.parametrize("how", ["glem mig", "data forget"])
async def test_forgetting_leaves_no_copy_in_any_file(
    tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = f"Zq{uuid.uuid4().hex[:12]}"
    path = tmp_path / "bot.sqlite3"
    async with running_bot(tmp_path) as bot:
        needles = await bo_takes_part(bot, secret)
        assert raw_hits(path, needles), "precondition: the words are in the files"
        assert state_rows_of(path, BO["user_id"]), "precondition: Bo's 1:1 chat has state"
        if how == "glem mig":
            await bot.post(teams_message(bot.connector.url, "glem mig", **PERSONAL_BO, **BO))
            await bot.settle()
        else:  # the operator's command, while the server runs with its engine open
            monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
            assert await _cli(["data", "forget", "--user", BO["user_id"]]) == 0
        # The server's connections are still open here.
        assert raw_hits(path, [*needles, "Bo Deltager"]) == {}
        assert state_rows_of(path, BO["user_id"]) == []
        # Carl's answer is still there, and the server still works.
        assert raw_hits(path, ["Carls eget svar om kantinen"])
        await bot.post(
            teams_message(bot.connector.url, "Et nyt svar efter", conversation_id=GROUP, **CARL)
        )
        await bot.settle()
        assert raw_hits(path, ["Et nyt svar efter"])


async def _cli(argv: list[str]) -> int:
    import asyncio

    return await asyncio.to_thread(main, argv)
