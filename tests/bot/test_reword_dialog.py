"""The step-by-step reword dialog, driven by botbuilder's DialogTestClient on a
ConversationState kept in the SQL bot-state storage of a real, migrated SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from botbuilder.core import ConversationState
from botbuilder.testing import DialogTestClient

from bot.state_storage import SqlStorage
from bot.teams.reword_dialog import RewordDialog
from dialogs import plan_editing
from storage.db import Database
from storage.migrate import upgrade_async
from storage.plans import plan_history

#: The test adapter's user ("User1") is an operator here: the built-in plan is theirs to change.
OPERATORS = frozenset({"User1"})


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A freshly migrated SQLite database in ``tmp_path``."""
    database = Database.from_url(f"sqlite:///{tmp_path / 'dialogs.sqlite3'}")
    await upgrade_async(database)
    try:
        yield database
    finally:
        await database.dispose()


def client(
    db: Database, state: ConversationState, lang: str = "da", operators: frozenset[str] = OPERATORS
) -> DialogTestClient:
    return DialogTestClient(
        "msteams",
        RewordDialog(db, lang=lang, author="Fie", operators=operators),
        conversation_state=state,
    )


async def test_reword_of_a_builtin_plan_is_refused_to_a_non_operator(db: Database) -> None:
    dialog = client(db, ConversationState(SqlStorage(db)), operators=frozenset())
    await dialog.send_activity("plan omformuler")
    reply = await dialog.send_activity("default")
    assert "indbygget" in reply.text and "plan kopiér default" in reply.text, "said at once"
    assert dialog.dialog_turn_result.status.name == "Complete"
    assert "evil" not in str(await plan_editing.load_named_plan(db, "default"))


async def test_reword_asks_step_by_step_and_saves_a_new_version(db: Database) -> None:
    dialog = client(db, ConversationState(SqlStorage(db)))
    reply = await dialog.send_activity("plan omformuler")
    assert "Hvilken plan" in reply.text and "default" in reply.text
    reply = await dialog.send_activity("findes-ikke")
    assert "kender jeg ikke" in reply.text, "an unknown plan is asked for again"
    reply = await dialog.send_activity("default")
    assert "Hvilket spørgsmål" in reply.text and "q1" in reply.text
    reply = await dialog.send_activity("q99")
    assert "id" in reply.text
    reply = await dialog.send_activity("q1")
    assert "nye formulering" in reply.text
    reply = await dialog.send_activity("x" * 4001)
    assert "højst 4000" in reply.text, "too long is asked for again"
    reply = await dialog.send_activity("Hvilke værdier har vi?")
    assert "version" in reply.text
    plan = await plan_editing.load_named_plan(db, "default")
    assert plan.question("q1").text["da"] == "Hvilke værdier har vi?"
    assert len(await plan_history(db, "default")) == 2, "the built-in first, then the change"


async def test_the_dialog_stack_lives_in_the_sql_storage(db: Database) -> None:
    first = client(db, ConversationState(SqlStorage(db)), lang="en")
    reply = await first.send_activity("plan reword")
    assert "Which plan" in reply.text
    await first.send_activity("default")
    # A new state object on the same database continues where the first left off.
    second = DialogTestClient(
        first.test_adapter,
        RewordDialog(db, lang="en", author="Fie", operators=OPERATORS),
        conversation_state=ConversationState(SqlStorage(db)),
    )
    reply = await second.send_activity("q2")
    assert "new wording" in reply.text
