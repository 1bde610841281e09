"""``record_answer(current_run=True)`` stores a chat answer against the workshop's open
question run as it is in the transaction that stores the answer (or as open discussion when
none is open), on both writer paths (batched and one by one), so the bot need not read the
current run before every chat answer."""

from __future__ import annotations

import asyncio

import pytest

from storage import answers, questions, workshops
from storage._base import utcnow
from storage.db import Database
from storage.errors import InvalidInput, QuestionClosed
from storage.records import RecordedAnswer, WorkshopRecord


async def _running(db: Database, org: str = "HK") -> WorkshopRecord:
    w = await workshops.create_workshop(db, org_name=org)
    return await workshops.start_workshop(db, w.id)


async def _chat(
    db: Database, workshop_id: int, user: str, text: str, **kwargs: object
) -> RecordedAnswer:
    return await answers.record_answer(
        db,
        workshop_id=workshop_id,
        user_id=user,
        text=text,
        source="chat",
        current_run=True,
        open_only=True,
        **kwargs,  # type: ignore[arg-type]
    )


def _alone(workshop_id: int, user: str, text: str, activity_id: str) -> answers._AnswerRequest:
    """A current_run request for the one-by-one fallback (``answers._record_one``)."""
    return answers._AnswerRequest(
        workshop_id=workshop_id,
        user_id=user,
        text=text,
        source="chat",
        display_name=None,
        activity_id=activity_id,
        question_run_id=None,
        private=False,
        value=None,
        created_at=utcnow(),
        open_only=True,
        current_run=True,
    )


async def test_the_answer_goes_to_the_run_open_when_it_is_stored(db: Database) -> None:
    w = await _running(db)
    first = await questions.open_question(db, w.id, "q1", "Hvad er vigtigt?")
    got = await _chat(db, w.id, "29:a", "solidaritet")
    assert got.created
    assert (got.answer.question_run_id, got.answer.question_id) == (first.id, "q1")

    await questions.close_question(db, first.id)
    second = await questions.open_question(db, w.id, "q2", "Hvad mangler?")
    got = await _chat(db, w.id, "29:a", "tid")
    assert (got.answer.question_run_id, got.answer.question_id) == (second.id, "q2")
    # The one-by-one fallback resolves it the same way.
    alone = await answers._record_one(db, _alone(w.id, "29:b", "penge", "m-1"))
    assert (alone.answer.question_run_id, alone.answer.question_id) == (second.id, "q2")

    stored = {a.text: a.question_run_id for a in await answers.answers_for_workshop(db, w.id)}
    assert stored == {"solidaritet": first.id, "tid": second.id, "penge": second.id}


async def test_no_open_run_is_open_discussion(db: Database) -> None:
    w = await _running(db)
    got = await _chat(db, w.id, "29:a", "før første spørgsmål")
    assert (got.answer.question_run_id, got.answer.question_id) == (None, None)
    run = await questions.open_question(db, w.id, "q1", "Spørgsmål")
    await questions.close_question(db, run.id)
    got = await _chat(db, w.id, "29:a", "efter det")
    assert got.answer.question_run_id is None
    alone = await answers._record_one(db, _alone(w.id, "29:b", "alene", "m-1"))
    assert (alone.answer.question_run_id, alone.answer.question_id) == (None, None)
    assert {a.question_run_id for a in await answers.answers_for_workshop(db, w.id)} == {None}


async def test_with_two_runs_open_the_most_recently_opened_wins(db: Database) -> None:
    w = await _running(db)
    older = await questions.open_question(db, w.id, "q1", "Første")
    newer = await questions.open_question(db, w.id, "q2", "Anden", close_others=False)
    assert (await questions.get_question_run(db, older.id)).closed_at is None
    current = await questions.current_question_run(db, w.id)
    assert current is not None and current.id == newer.id
    got = await _chat(db, w.id, "29:a", "svar")
    assert (got.answer.question_run_id, got.answer.question_id) == (newer.id, "q2")
    alone = await answers._record_one(db, _alone(w.id, "29:b", "svar", "m-1"))
    assert alone.answer.question_run_id == newer.id


async def test_concurrent_answers_land_on_their_own_workshops_run(db: Database) -> None:
    a = await _running(db, "A")
    b = await _running(db, "B")
    c = await _running(db, "C")  # no question open: open discussion
    run_a = await questions.open_question(db, a.id, "qa", "A's spørgsmål")
    await questions.open_question(db, a.id, "old", "Gammel", close_others=False)
    run_a_new = await questions.open_question(db, a.id, "qa2", "A's nye", close_others=False)
    run_b = await questions.open_question(db, b.id, "qb", "B's spørgsmål")
    targets = [a.id, b.id, c.id] * 40
    got = await asyncio.gather(
        *(
            _chat(db, wid, f"29:u{i % 7}", f"svar {i}", activity_id=f"act-{i}")
            for i, wid in enumerate(targets)
        )
    )
    expected = {a.id: (run_a_new.id, "qa2"), b.id: (run_b.id, "qb"), c.id: (None, None)}
    assert run_a.id != run_a_new.id
    for wid, recorded in zip(targets, got, strict=True):
        assert recorded.created
        assert recorded.answer.workshop_id == wid
        assert (recorded.answer.question_run_id, recorded.answer.question_id) == expected[wid]
    for wid, (run_id, _) in expected.items():
        stored = await answers.answers_for_workshop(db, wid)
        assert len(stored) == 40
        assert {s.question_run_id for s in stored} == {run_id}


async def test_an_ended_workshop_refuses(db: Database) -> None:
    w = await _running(db)
    await questions.open_question(db, w.id, "q1", "Spørgsmål")
    await workshops.end_workshop(db, w.id)
    with pytest.raises(QuestionClosed):
        await _chat(db, w.id, "29:a", "for sent")
    with pytest.raises(QuestionClosed):
        await answers._record_one(db, _alone(w.id, "29:a", "for sent", "m-1"))
    assert not await answers.answers_for_workshop(db, w.id)


async def test_current_run_with_a_named_run_is_invalid(db: Database) -> None:
    w = await _running(db)
    run = await questions.open_question(db, w.id, "q1", "Spørgsmål")
    with pytest.raises(InvalidInput, match="current_run"):
        await _chat(db, w.id, "29:a", "svar", question_run_id=run.id)
    assert not await answers.answers_for_workshop(db, w.id)


async def test_a_redelivery_is_stored_once(db: Database) -> None:
    w = await _running(db)
    run = await questions.open_question(db, w.id, "q1", "Spørgsmål")
    # Two deliveries in the same batch, then one later, then one alone.
    both = await asyncio.gather(
        _chat(db, w.id, "29:a", "svar", activity_id="act-1"),
        _chat(db, w.id, "29:a", "svar", activity_id="act-1"),
    )
    assert sorted(r.created for r in both) == [False, True]
    assert both[0].answer.id == both[1].answer.id
    # Stored once, against the run open when it was first stored, even after the run moves on.
    await questions.open_question(db, w.id, "q2", "Næste")
    again = await _chat(db, w.id, "29:a", "svar", activity_id="act-1")
    alone = await answers._record_one(db, _alone(w.id, "29:a", "svar", "act-1"))
    for redelivered in (again, alone):
        assert not redelivered.created
        assert redelivered.answer.id == both[0].answer.id
        assert redelivered.answer.question_run_id == run.id
    assert len(await answers.answers_for_workshop(db, w.id)) == 1
