"""The knowledge bank through the conversation's front door (dialogs/conversation/routing.py):
the same messages a Teams adapter hands over, the seam's FakeChannel, real SQLite. Three
colleagues: Anna shares a takeaway in her 1:1 chat, Bo finds it and is put in touch,
Carl subscribed and gets the digest; in a workshop's group chat the facilitator makes a
proposal a follow-up; a private answer to a workshop still works beside it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs.conversation.routing import Conversation
from dialogs.knowledge import timed
from storage import answers as answers_repo
from storage.db import Database
from storage.knowledge import checkins
from tests.conversation.test_workshop_flow import say, started
from tests.support.fake_channel import FakeChannel
from tests.support.people import ANNA, BO, CARL, GROUP, Chat, MemoryState


@pytest.fixture
def conversation(db: Database) -> Conversation:
    return Conversation(db, language="da")


@pytest.fixture
def channel() -> FakeChannel:
    return FakeChannel()


def _last(channel: FakeChannel, who: str) -> object:
    return channel.to(f"1:1:{who}")[-1].content


async def test_share_search_contact_digest_and_follow_up(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    anna, bo, carl = Chat.personal(ANNA), Chat.personal(BO), Chat.personal(CARL)
    await say(conversation, channel, CARL, "abonnér pivottabeller", chat=carl)
    assert "abonnerer nu" in str(_last(channel, CARL.id))
    for words in [
        "kursus",
        "Excel for øvede",
        "AMU Syd",
        "1/9/2026 - 2/9/2026",
        "-",
        "Pivottabeller sparer mig en time om ugen",
        "Formler før makroer",
        "Del filer i Teams",
    ]:
        await say(conversation, channel, ANNA, words, chat=anna)
    visibility = _last(channel, ANNA.id)
    assert isinstance(visibility, dict)
    await say(conversation, channel, ANNA, chat=anna, value=visibility["actions"][1]["data"])
    consent = _last(channel, ANNA.id)
    assert isinstance(consent, dict)
    await say(conversation, channel, ANNA, chat=anna, value=consent["actions"][0]["data"])
    assert "delt" in str(_last(channel, ANNA.id))
    # Nothing of it reached the group, and nothing was stored as a workshop answer.
    assert channel.to(GROUP) == []

    await say(conversation, channel, BO, "hvem ved pivottabeller", chat=bo)
    results = _last(channel, BO.id)
    assert isinstance(results, dict) and "Anna" in str(results)
    contact = next(
        a["data"] for b in results["body"] if b["type"] == "ActionSet" for a in b["actions"]
    )
    await say(conversation, channel, BO, chat=bo, value=contact)
    to_anna = _last(channel, ANNA.id)
    assert isinstance(to_anna, dict)
    assert to_anna["msteams"]["entities"][0]["mentioned"]["id"] == BO.id

    class Ctx:
        def __init__(self) -> None:
            self.db, self.channel = db, channel

        def now(self) -> datetime:
            return datetime(2027, 1, 4, 9, 0, tzinfo=UTC)

    assert (await timed.sweep(Ctx())).digests_sent == 1
    assert "Pivottabeller sparer" in str(_last(channel, CARL.id))

    # In a workshop: the facilitator turns a proposal into a follow-up owned by Bo.
    workshop_id = await started(conversation, channel, db)
    await say(
        conversation,
        channel,
        ANNA,
        "opfølgning @Bo 1/2/2027: Videndeling på afdelingsmøder",
        mentions=((BO.id, BO.name),),
    )
    (follow_up,) = await _by_series(db, workshop_id)
    assert follow_up.owner_id == BO.id and follow_up.workshop_id == workshop_id
    # A participant cannot.
    await say(
        conversation,
        channel,
        BO,
        "opfølgning @Carl 1/2/2027: Noget",
        mention=True,
        mentions=((CARL.id, CARL.name),),
    )
    assert len(await _by_series(db, workshop_id)) == 1
    # A private answer to the workshop still works in the 1:1 chat (no dialog is open).
    await say(conversation, channel, ANNA, "næste", mention=True)
    bo_state = MemoryState()
    await say(conversation, channel, BO, "privat", state=bo_state)
    await say(conversation, channel, BO, "Mit private svar", chat=bo, state=bo_state)
    stored = await answers_repo.answers_for_workshop(db, workshop_id)
    assert any(a.text == "Mit private svar" and a.private for a in stored)


async def _by_series(db: Database, workshop_id: int) -> tuple[object, ...]:
    from storage import workshops as workshops_repo

    workshop = await workshops_repo.get_workshop(db, workshop_id)
    return await checkins.follow_ups_of_series(db, workshop.series_id, workshop_id=workshop_id)
