"""``record_answer(open_only=True)`` refuses an answer to a closed question run inside the
transaction that would store it, on both writer paths (batched and one by one), so the bot
need not read the run before storing a card's answer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from storage import answers, questions, workshops
from storage._base import utcnow
from storage.db import Database
from storage.errors import InvalidInput, NotFound, QuestionClosed


async def test_open_only_refuses_a_closed_run_and_stores_nothing(db: Database) -> None:
    w = await workshops.start_workshop(db, (await workshops.create_workshop(db, org_name="HK")).id)
    run = await questions.open_question(db, w.id, "q1", "Hvad er vigtigt?")
    stored = await answers.record_answer(
        db,
        workshop_id=w.id,
        user_id="29:a",
        text="før",
        source="card",
        question_run_id=run.id,
        open_only=True,
    )
    assert stored.created and stored.answer.question_run_id == run.id
    await questions.close_question(db, run.id)
    with pytest.raises(QuestionClosed):
        await answers.record_answer(
            db,
            workshop_id=w.id,
            user_id="29:b",
            text="efter",
            source="card",
            question_run_id=run.id,
            open_only=True,
        )
    # The one-by-one fallback refuses it the same way.
    request = answers._AnswerRequest(
        workshop_id=w.id,
        user_id="29:b",
        text="efter",
        source="card",
        display_name=None,
        activity_id="m-9",
        question_run_id=run.id,
        private=False,
        value=None,
        created_at=utcnow(),
        open_only=True,
    )
    with pytest.raises(QuestionClosed):
        await answers._record_one(db, request)
    # Without open_only (transcript imports) a closed run still takes answers.
    late = await answers._record_one(db, replace(request, open_only=False))
    assert late.created
    texts = [a.text for a in await answers.answers_for_workshop(db, w.id)]
    assert sorted(texts) == ["efter", "før"]


async def test_open_only_still_refuses_foreign_and_missing_runs(db: Database) -> None:
    a = await workshops.start_workshop(db, (await workshops.create_workshop(db, org_name="A")).id)
    b = await workshops.start_workshop(db, (await workshops.create_workshop(db, org_name="B")).id)
    run_b = await questions.open_question(db, b.id, "q1", "Spørgsmål")
    with pytest.raises(InvalidInput):
        await answers.record_answer(
            db,
            workshop_id=a.id,
            user_id="29:a",
            text="x",
            source="card",
            question_run_id=run_b.id,
            open_only=True,
        )
    with pytest.raises(NotFound):
        await answers.record_answer(
            db,
            workshop_id=a.id,
            user_id="29:a",
            text="x",
            source="card",
            question_run_id=run_b.id + 1000,
            open_only=True,
        )
    assert not await answers.answers_for_workshop(db, a.id)


async def test_open_only_refuses_an_ended_workshop(db: Database) -> None:
    w = await workshops.start_workshop(db, (await workshops.create_workshop(db, org_name="HK")).id)
    await workshops.end_workshop(db, w.id)
    with pytest.raises(QuestionClosed):
        await answers.record_answer(
            db, workshop_id=w.id, user_id="29:a", text="sent", source="chat", open_only=True
        )
    late = await answers.record_answer(
        db, workshop_id=w.id, user_id="29:a", text="import", source="transcript"
    )
    assert late.created
    assert [a.text for a in await answers.answers_for_workshop(db, w.id)] == ["import"]
