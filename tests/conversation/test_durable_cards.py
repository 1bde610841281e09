"""A question's group card is a durable message (issue 19): queued when the question opens,
sent by whichever instance delivers the outbox, and its counter updated from the database
by whichever instance sends the update; a burst of answers queues few updates."""

from __future__ import annotations

import asyncio
import json

import pytest

from dialogs.conversation.channel import Sender
from dialogs.conversation.outputs import summary_key
from dialogs.conversation.question_cards import QuestionCards, card_key, update_key
from dialogs.conversation.routing import Conversation
from dialogs.jobs import JobRunner
from dialogs.texts import text
from storage import jobs as jobs_repo
from storage import outbox_store
from storage import privacy as privacy_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from storage.db import Database
from storage.errors import StorageError
from tests.conversation.test_workshop_flow import GROUP_CHAT, question_card, say, started
from tests.support.fake_channel import FakeChannel
from tests.support.people import ANNA, BO, CARL, GROUP, MemoryState


async def test_a_card_queued_by_an_instance_that_never_sends_is_sent_by_another(
    db: Database,
) -> None:
    # Instance A opens the question and "dies" before sending anything of the outbox: its
    # channel delivers nothing durable.
    first = Conversation(db, language="da")
    dying = FakeChannel()
    wid = await started(first, dying, db)
    await say(first, dying, ANNA, "næste", mention=True)
    run = await questions_repo.current_question_run(db, wid)
    assert run is not None
    assert not [m for m in dying.to(GROUP) if '"wb": "answer"' in m.text], "A sent no card"
    queued = await outbox_store.get_message(db, card_key(run.id))
    assert queued is not None and queued.state == "queued"

    # Instance B (another Conversation on the same database file) delivers it, once.
    second = Conversation(db, language="da")
    survivor = FakeChannel(members={GROUP: {ANNA.id, BO.id, CARL.id}}, outbox_db=db)
    await survivor.settle()
    card = question_card(survivor)
    assert "0 svar" in card.text
    await survivor.settle()
    assert len([m for m in survivor.to(GROUP) if '"wb": "answer"' in m.text]) == 1

    # An answer on B updates the card A queued, from the database's count.
    await say(second, survivor, BO, "Vi skal samle opgaverne i en fælles database.")
    assert "1 svar" in question_card(survivor).text
    sent = await outbox_store.get_message(db, card_key(run.id))
    assert sent is not None and sent.sent_activity_id == card.id


async def test_a_burst_of_answers_queues_few_updates_and_the_card_shows_them_all(
    conversation: Conversation,
    channel: FakeChannel,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QuestionCards, "UPDATE_WINDOW", 0.5)
    people = [Sender(f"29:p{i}", f"aad-p{i}", f"Person {i}") for i in range(20)]
    wid = await started(conversation, channel, db)
    channel.members[GROUP] |= {p.id for p in people}
    await say(conversation, channel, ANNA, "næste", mention=True)
    run = await questions_repo.current_question_run(db, wid)
    assert run is not None
    await asyncio.gather(
        *(
            conversation.on_message(
                GROUP_CHAT.message(p, f"Svar nummer {i} om fælles opgaver"), channel, MemoryState()
            )
            for i, p in enumerate(people)
        )
    )
    await channel.settle()
    assert "20 svar" in question_card(channel).text, "the trailing update shows every answer"
    update = await outbox_store.get_message(db, update_key(run.id))
    assert update is not None
    assert update.version <= 3, f"{update.version} updates queued for 20 answers in a burst"


async def test_the_end_summary_is_a_job_two_runners_run_once_and_another_instance_sends(
    db: Database,
) -> None:
    # Instance A ends the workshop and "dies": it neither runs jobs nor delivers.
    first = Conversation(db, language="da")
    dying = FakeChannel()
    wid = await started(first, dying, db)
    await say(first, dying, ANNA, "næste", mention=True)
    await say(first, dying, BO, "Vi skal samle opgaverne i en fælles database.")
    await say(first, dying, ANNA, "afslut", mention=True)
    assert not [m for m in dying.private_to(ANNA.id) if "Hvad så?" in m.text]
    scheduled = await jobs_repo.get_job(db, summary_key(wid))
    assert scheduled is not None and scheduled.state == "queued"

    # Two other instances' runners race for it: it runs once.
    b, c = FakeChannel(outbox_db=db), FakeChannel(outbox_db=db)
    runners = [JobRunner(db, b, worker="b"), JobRunner(db, c, worker="c")]
    await asyncio.gather(*(runner.run_due_now() for runner in runners))
    assert sum(runner.stats["ran"] for runner in runners) == 1
    done = await jobs_repo.get_job(db, summary_key(wid))
    assert done is not None and done.state == "done"

    # What it queued is sent once, by whichever delivers.
    await asyncio.gather(b.settle(), c.settle())
    summaries = [
        m
        for channel in (b, c)
        for m in channel.private_to(ANNA.id)
        if m.card and "Hvad så?" in m.text
    ]
    assert len(summaries) == 1
    assert "database" in summaries[0].text


async def _refuse_outbox_rows(db: Database, key_pattern: str) -> None:
    """Make the database itself refuse outbox rows whose key matches (a trigger): the
    change that causes them must not commit without them."""
    async with db.transaction() as tx:
        await tx.exec_driver_sql(
            "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox_message "
            f"WHEN NEW.key LIKE '{key_pattern}' "
            "BEGIN SELECT RAISE(ABORT, 'outbox refused by the test'); END"
        )


async def _allow_outbox_rows(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.exec_driver_sql("DROP TRIGGER refuse_outbox")


async def test_a_question_opens_only_together_with_its_card(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    wid = await started(conversation, channel, db)
    await _refuse_outbox_rows(db, "question-card:%")
    with pytest.raises(StorageError):
        await say(conversation, channel, ANNA, "næste", mention=True)
    assert await questions_repo.current_question_run(db, wid) is None, (
        "no question is open whose card was never queued"
    )
    assert await questions_repo.list_question_runs(db, wid) == ()

    await _allow_outbox_rows(db)
    await say(conversation, channel, ANNA, "næste", mention=True)
    run = await questions_repo.current_question_run(db, wid)
    assert run is not None and run.question_id == "q0"
    assert await outbox_store.get_message(db, card_key(run.id)) is not None
    assert '"wb": "answer"' in question_card(channel).text


async def test_a_workshop_ends_only_together_with_its_summary_job(
    conversation: Conversation, channel: FakeChannel, db: Database
) -> None:
    wid = await started(conversation, channel, db)
    await say(conversation, channel, ANNA, "næste", mention=True)
    async with db.transaction() as tx:
        await tx.exec_driver_sql(
            "CREATE TRIGGER refuse_job BEFORE INSERT ON job "
            "WHEN NEW.key LIKE 'summary:%' "
            "BEGIN SELECT RAISE(ABORT, 'job refused by the test'); END"
        )
    with pytest.raises(StorageError):
        await say(conversation, channel, ANNA, "afslut", mention=True)
    assert (await workshops_repo.get_workshop(db, wid)).status == "running"
    assert await questions_repo.current_question_run(db, wid) is not None, "still open"
    assert text("ended", "da") not in [m.text for m in channel.to(GROUP)]

    async with db.transaction() as tx:
        await tx.exec_driver_sql("DROP TRIGGER refuse_job")
    await say(conversation, channel, ANNA, "afslut", mention=True)
    assert (await workshops_repo.get_workshop(db, wid)).status == "ended"
    assert await jobs_repo.get_job(db, summary_key(wid)) is not None


async def test_a_summary_waiting_to_be_sent_quotes_nobody_forgotten_meanwhile(
    db: Database,
) -> None:
    # Instance A ends the workshop; its job runner queues the summary and A dies before
    # sending it.
    first = Conversation(db, language="da")
    dying = FakeChannel()
    wid = await started(first, dying, db)
    await say(first, dying, ANNA, "næste", mention=True)
    await say(first, dying, BO, "Vi skal samle opgaverne i en fælles database.")
    await say(first, dying, CARL, "Vi kunne dele kursusnoter på afdelingsmødet hver måned.")
    await say(first, dying, ANNA, "afslut", mention=True)
    assert await JobRunner(db, dying, worker="a").run_due_now() == 1
    queued = await outbox_store.get_message(db, f"{summary_key(wid)}:{ANNA.id}")
    assert queued is not None and queued.state == "queued"
    assert "fælles database" not in json.dumps(queued.content, ensure_ascii=False), (
        "the waiting row holds no quote: the card is made when it is sent"
    )

    # Bo asks to be forgotten while it waits.
    await privacy_repo.forget_user(db, BO.id)

    # Instance B sends it: Carl is quoted, Bo is not.
    survivor = FakeChannel(outbox_db=db)
    await survivor.settle()
    summaries = [m for m in survivor.private_to(ANNA.id) if m.card and "Hvad så?" in m.text]
    assert len(summaries) == 1
    assert "kursusnoter på afdelingsmødet" in summaries[0].text
    assert "fælles database" not in summaries[0].text
