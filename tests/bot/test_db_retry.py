"""Which database failures the bot retries: a lost connection is retried (storing is
idempotent on the activity id), bad data is not (it would fail again for ~8 s and hold the
turn). The real app on loopback with a real SQLite database; only the storage call that
records an answer is replaced, to raise the driver error the database would inside a real
transaction, where storage turns it into its own error (the bot knows no driver)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from dialogs.texts import text
from storage import answers as answers_repo
from tests.support import teams_message
from tests.support.workshop_bot import ANNA, BO, GROUP, Bot, launch, mention_message, running_bot


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(tmp_path) as running:
        yield running


def _failing(monkeypatch: pytest.MonkeyPatch, error: Exception, *, times: int) -> list[str]:
    """Make the first ``times`` calls of ``record_answer`` raise ``error``; returns the log
    of calls (then the real function runs)."""
    real = answers_repo.record_answer
    calls: list[str] = []

    async def record_answer(db: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["text"])
        if len(calls) <= times:
            async with db.transaction():
                raise error
        return await real(db, **kwargs)

    monkeypatch.setattr(answers_repo, "record_answer", record_answer)
    return calls


async def test_an_integrity_error_is_not_retried(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    url = bot.connector.url
    wid = await launch(bot)
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.settle()
    error = IntegrityError("INSERT INTO answer ...", {}, Exception("UNIQUE constraint failed"))
    calls = _failing(monkeypatch, error, times=100)
    status, _ = await bot.post(teams_message(url, "Et svar", conversation_id=GROUP, **BO))
    await bot.settle()
    assert status == 200
    assert calls == ["Et svar"], "a data error was tried again as if the database were down"
    assert text("error", "da") in [a.get("text") for a in bot.group()]
    assert not await answers_repo.answers_for_workshop(bot.db, wid)


async def test_a_lost_connection_is_retried_until_it_is_back(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = bot.connector.url
    wid = await launch(bot)
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.settle()
    lost = OperationalError(
        "SELECT 1",
        {},
        ConnectionResetError("connection reset by peer"),
        connection_invalidated=True,
    )
    calls = _failing(monkeypatch, lost, times=2)
    status, _ = await bot.post(teams_message(url, "Stadig her", conversation_id=GROUP, **BO))
    await bot.settle()
    assert status == 200
    assert calls == ["Stadig her"] * 3
    stored = await answers_repo.answers_for_workshop(bot.db, wid)
    assert [a.text for a in stored] == ["Stadig her"]
    assert text("error", "da") not in [a.get("text") for a in bot.group()]
