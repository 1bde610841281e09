"""Conversation tests: the use cases on a real, migrated SQLite database and a
:class:`~tests.support.fake_channel.FakeChannel`, without the app or HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dialogs.conversation.question_cards import QuestionCards
from dialogs.conversation.routing import Conversation
from storage.db import Database
from storage.migrate import upgrade_async
from tests.support.fake_channel import FakeChannel


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A freshly migrated SQLite database in ``tmp_path``."""
    database = Database.from_url(f"sqlite:///{tmp_path / 'conversation.sqlite3'}")
    await upgrade_async(database)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def conversation(db: Database) -> Conversation:
    return Conversation(db, language="da")


@pytest.fixture
def channel(db: Database, monkeypatch: pytest.MonkeyPatch) -> FakeChannel:
    # Updates of a card are queued at most once a second in production; a short window
    # keeps these tests quick and still exercises the trailing update.
    monkeypatch.setattr(QuestionCards, "UPDATE_WINDOW", 0.05)
    return FakeChannel(outbox_db=db)
