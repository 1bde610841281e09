"""Issue 14's chat rules, one test each, on the conversation's use cases (real SQLite, the
FakeChannel): a command is never an answer, a closed question's note reaches its sender
alone, and the facilitator learns privately how to open the first question."""

from __future__ import annotations

import pytest

from dialogs.conversation.channel import Sender
from dialogs.conversation.routing import Conversation
from dialogs.texts import text
from dialogs.workshop import WorkshopStateError
from storage import answers as answers_repo
from storage import questions as questions_repo
from storage.db import Database
from tests.conversation.test_workshop_flow import question_card, say, started
from tests.support.fake_channel import FakeChannel
from tests.support.people import ANNA, BO, GROUP


@pytest.mark.parametrize(
    ("who", "words"),
    [
        (ANNA, "tilføj Hvad mangler vi?"),
        (ANNA, "omorden q2 q1"),
        (ANNA, "vend tilbage"),
        (ANNA, "opsummering"),
        (BO, "hjælp"),
        (BO, "indhent"),
        (BO, "privat"),
        (BO, "opsummering"),
        (BO, "næste"),
        (BO, "træk tilbage"),
    ],
    ids=[
        "facilitator-add",
        "facilitator-reorder",
        "facilitator-return",
        "facilitator-summary",
        "help",
        "catch-up",
        "private",
        "participant-summary",
        "participant-next",
        "withdraw",
    ],
)
async def test_a_command_without_a_mention_is_never_an_answer(
    conversation: Conversation, channel: FakeChannel, db: Database, who: Sender, words: str
) -> None:
    wid = await started(conversation, channel, db)
    await say(conversation, channel, ANNA, "næste", mention=True)
    await say(conversation, channel, who, words)
    stored = [a.text for a in await answers_repo.answers_for_workshop(db, wid)]
    assert stored == [], f"{words!r} was stored as an answer"


async def test_a_facilitators_add_without_a_mention_adds_the_question(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    wid = await started(conversation, channel, db)
    await say(conversation, channel, ANNA, "næste", mention=True)
    await say(conversation, channel, ANNA, "tilføj Hvad mangler vi?")
    await say(conversation, channel, ANNA, "næste")
    run = await questions_repo.current_question_run(db, wid)
    assert run is not None and run.question_text == "Hvad mangler vi?"


@pytest.mark.parametrize(
    "words", ["Tilføj mere tid til læsning", "Kort"], ids=["starts-like-add", "short-not-map"]
)
async def test_a_participants_answer_that_looks_like_a_command_stays_an_answer(
    conversation: Conversation, channel: FakeChannel, db: Database, words: str
) -> None:
    wid = await started(conversation, channel, db)
    await say(conversation, channel, ANNA, "næste", mention=True)
    await say(conversation, channel, BO, words)
    stored = [a.text for a in await answers_repo.answers_for_workshop(db, wid)]
    assert stored == [words]


async def test_a_closed_questions_note_reaches_its_sender_alone(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    wid = await started(conversation, channel, db)
    await say(conversation, channel, ANNA, "næste", mention=True)
    card = question_card(channel).card
    assert card is not None
    data = card["actions"][0]["data"]
    await say(conversation, channel, ANNA, "næste", mention=True)
    group_before = [m.text for m in channel.to(GROUP)]
    refused = await say(conversation, channel, BO, value={**data, "answer": "For sent"})
    assert isinstance(refused, WorkshopStateError) and refused.key == "stale_question"
    assert text("stale_question", "da") in channel.texts_to(BO.id)
    assert [m.text for m in channel.to(GROUP)] == group_before
    assert await answers_repo.answers_for_workshop(db, wid) == ()


async def test_after_the_setup_the_facilitator_is_told_privately_to_write_next(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    wid = await started(conversation, channel, db)
    assert text("setup_next", "da") in channel.texts_to(ANNA.id)
    assert text("setup_next", "da") not in [m.text for m in channel.to(GROUP)]
    assert await questions_repo.current_question_run(db, wid) is None, "the map is parked first"
