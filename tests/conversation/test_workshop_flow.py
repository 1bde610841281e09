"""A whole workshop through the conversation's use cases, on a real SQLite database and the
FakeChannel (no app, no HTTP): start, the setup card, questions, answers in the group and in
private, refusals that reach one person, help by role and phase, pause, end and summary."""

from __future__ import annotations

import json
from typing import Any

from dialogs.conversation.channel import Sender
from dialogs.conversation.routing import Conversation
from dialogs.texts import text
from dialogs.workshop import WorkshopStateError
from storage import answers as answers_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from storage.db import Database
from tests.support.fake_channel import FakeChannel, Sent
from tests.support.people import ANNA, BO, CARL, GROUP, Chat, MemoryState

GROUP_CHAT = Chat()


async def say(
    conversation: Conversation,
    channel: FakeChannel,
    who: Sender,
    words: str = "",
    *,
    chat: Chat = GROUP_CHAT,
    state: MemoryState | None = None,
    **kw: Any,
) -> Exception | None:
    """One message through the conversation; a refusal is told as the platform would tell
    it, and returned."""
    incoming = chat.message(who, words, **kw)
    try:
        await conversation.on_message(incoming, channel, state or MemoryState())
    except WorkshopStateError as exc:
        conversation.tell(incoming, channel, exc, conversation.language)
        await channel.settle()
        return exc
    await channel.settle()
    return None


async def started(conversation: Conversation, channel: FakeChannel, db: Database) -> int:
    """Anna starts a workshop through the setup card; its id. Anna, Bo and Carl are the
    members of the group chat."""
    channel.members[GROUP] = {ANNA.id, BO.id, CARL.id}
    await say(conversation, channel, ANNA, "start", mention=True)
    setup = channel.cards_in(GROUP)[-1]
    data = {
        **setup["actions"][0]["data"],
        "plan": "default",
        "series": "new",
        "series_name": "HK 2026",
        "map": "",
        "org": "HK",
        "language": "da",
        "mode": "pseudonymous",
    }
    setup_id = channel.to(GROUP)[-1].id
    await say(conversation, channel, ANNA, value=data, reply_to_id=setup_id)
    assert "Input." not in channel.to(GROUP)[0].text, "the setup card became a notice"
    workshop = await workshops_repo.find_active_workshop(db, GROUP)
    assert workshop is not None and workshop.status == "running"
    return workshop.id


def question_card(channel: FakeChannel) -> Sent:
    """The newest question card posted in the group (as it reads now)."""
    return next(m for m in reversed(channel.to(GROUP)) if '"wb": "answer"' in m.text)


async def test_start_questions_answers_next_end_and_summary(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    wid = await started(conversation, channel, db)
    assert "næste" in channel.texts_to(ANNA.id), "told privately how to open the first question"
    await say(conversation, channel, ANNA, "næste", mention=True)
    first = await questions_repo.current_question_run(db, wid)
    assert first is not None
    await say(conversation, channel, BO, "Vi skal samle opgaverne i en fælles database.")
    await say(conversation, channel, CARL, "Enig, en database med opgaverne vil hjælpe os.")
    stored = await answers_repo.answers_for_workshop(db, wid)
    assert [a.question_run_id for a in stored] == [first.id, first.id]
    first_card = question_card(channel)
    assert "2 svar" in first_card.text, "the counter follows the answers"

    await say(conversation, channel, ANNA, "næste", mention=True)
    second = await questions_repo.current_question_run(db, wid)
    assert second is not None and second.id != first.id
    assert '"wb": "answer"' not in first_card.text, "the first question's card is closed"

    await say(conversation, channel, ANNA, "afslut", mention=True)
    ended = await workshops_repo.get_workshop(db, wid)
    assert ended.status == "ended"
    assert text("ended", "da") in [m.text for m in channel.to(GROUP)]
    summary = [m.card for m in channel.private_to(ANNA.id) if m.card]
    assert summary and "Hvad så?" in json.dumps(summary[-1], ensure_ascii=False)
    assert "database" in json.dumps(summary[-1], ensure_ascii=False)


async def test_a_private_answer_is_stored_privately_and_its_card_closes_with_the_question(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    wid = await started(conversation, channel, db)
    await say(conversation, channel, ANNA, "næste", mention=True)
    run = await questions_repo.current_question_run(db, wid)
    assert run is not None
    bo = MemoryState()
    before_group = len(channel.to(GROUP))
    await say(conversation, channel, BO, "privat", state=bo)
    assert len(channel.to(GROUP)) == before_group, "nothing of it in the group"
    copies = [m for m in channel.private_to(BO.id) if m.card]
    assert copies and bo.progress.pending_private is not None
    await say(conversation, channel, BO, "Min private tanke", chat=Chat.personal(BO), state=bo)
    stored = await answers_repo.answers_for_workshop(db, wid)
    assert [(a.text, a.private, a.question_run_id) for a in stored] == [
        ("Min private tanke", True, run.id)
    ]
    assert "Min private tanke" not in "".join(m.text for m in channel.to(GROUP))
    assert text("private_thanks", "da") in channel.texts_to(BO.id)

    # The question closes: the private copy says so too.
    assert '"Action.Submit"' in copies[0].text
    await say(conversation, channel, ANNA, "næste", mention=True)
    assert copies[0].updates == 1
    assert '"Action.Submit"' not in copies[0].text, "the private copy is closed"


async def test_a_participants_command_is_refused_to_them_alone(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    wid = await started(conversation, channel, db)
    await say(conversation, channel, ANNA, "næste", mention=True)
    run = await questions_repo.current_question_run(db, wid)
    before = len(channel.to(GROUP))
    await say(conversation, channel, CARL, "næste")  # no mention: still a command, not an answer
    assert len(channel.to(GROUP)) == before
    assert "kun facilitatoren" in channel.texts_to(CARL.id).lower()
    assert await questions_repo.current_question_run(db, wid) == run
    assert await answers_repo.answers_for_workshop(db, wid) == ()


async def test_a_refusal_without_a_private_chat_names_the_person_in_the_group(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    await started(conversation, channel, db)
    await say(conversation, channel, ANNA, "næste", mention=True)
    channel.no_private.add(CARL.id)
    refused = await say(conversation, channel, CARL, "x" * 4001)
    assert isinstance(refused, WorkshopStateError) and refused.key == "too_long"
    assert channel.to(GROUP)[-1].text.startswith("Carl Deltager: ")


async def test_help_fits_role_and_phase_and_reaches_only_the_asker(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    await say(conversation, channel, BO, "hjælp", mention=True)
    before_start = channel.texts_to(BO.id)
    assert "start" in before_start
    await started(conversation, channel, db)
    group_before = len(channel.to(GROUP))
    await say(conversation, channel, BO, "hjælp")
    await say(conversation, channel, ANNA, "hjælp")
    assert len(channel.to(GROUP)) == group_before, "help is private"
    participant_help = channel.private_to(BO.id)[-1].text
    facilitator_help = [m for m in channel.private_to(ANNA.id) if m.card][-1].text
    assert "næste" not in participant_help and "start workshop" not in participant_help
    assert "næste" in facilitator_help


async def test_pause_refuses_answers_until_resume(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    wid = await started(conversation, channel, db)
    await say(conversation, channel, ANNA, "næste", mention=True)
    await say(conversation, channel, ANNA, "pause", mention=True)
    refused = await say(conversation, channel, BO, "Et svar i pausen")
    assert isinstance(refused, WorkshopStateError) and refused.key == "answer_paused"
    assert text("answer_paused", "da") in channel.texts_to(BO.id)
    assert await answers_repo.answers_for_workshop(db, wid) == ()
    await say(conversation, channel, ANNA, "fortsæt", mention=True)
    assert await say(conversation, channel, BO, "Et svar efter pausen") is None
    assert [a.text for a in await answers_repo.answers_for_workshop(db, wid)] == [
        "Et svar efter pausen"
    ]


async def test_a_late_card_after_the_end_does_not_suggest_catching_up(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    wid = await started(conversation, channel, db)
    await say(conversation, channel, ANNA, "næste", mention=True)
    card = question_card(channel).card
    assert card is not None
    data = card["actions"][0]["data"]
    await say(conversation, channel, ANNA, "afslut", mention=True)
    refused = await say(conversation, channel, BO, value={**data, "answer": "For sent"})
    assert isinstance(refused, WorkshopStateError) and refused.key == "workshop_ended"
    told = channel.texts_to(BO.id)
    assert text("workshop_ended", "da") in told and "indhent" not in told
    assert await answers_repo.answers_for_workshop(db, wid) == ()
