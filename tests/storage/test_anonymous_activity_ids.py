"""Anonymous workshops keep no Teams message id: it would lead a Teams admin to the author."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from storage import answers, workshops
from storage._base import answer_t, utcnow, workshop_t
from storage.db import Database
from storage.participants import activity_hash
from storage.records import AnswerMode, WorkshopRecord

RAW_IDS = ("1700000000001", "1700000000002", "f:activity-3")


async def _running(db: Database, mode: AnswerMode) -> WorkshopRecord:
    w = await workshops.create_workshop(db, org_name="HK", answer_mode=mode)
    return await workshops.start_workshop(db, w.id)


async def _answer_rows(db: Database, workshop_id: int) -> list[dict[str, Any]]:
    """Every column of the workshop's answer rows, as stored."""
    async with db.transaction(write=False) as session:
        rows = await session.execute(select(answer_t).where(answer_t.c.workshop_id == workshop_id))
        return [dict(row._mapping) for row in rows]


async def _salt(db: Database, workshop_id: int) -> str:
    async with db.transaction(write=False) as session:
        salt = (
            await session.execute(select(workshop_t.c.salt).where(workshop_t.c.id == workshop_id))
        ).scalar_one()
        return str(salt)


def _mentions(rows: list[dict[str, Any]], raw: str) -> bool:
    return any(raw in str(value) for row in rows for value in row.values())


async def _record(db: Database, workshop_id: int, activity_id: str, user: str = "29:a") -> Any:
    return await answers.record_answer(
        db,
        workshop_id=workshop_id,
        user_id=user,
        display_name="Ann",
        text=f"svar til {activity_id[-1]}",
        source="chat",
        activity_id=activity_id,
    )


async def test_anonymous_rows_hold_no_raw_activity_id_and_redelivery_is_stored_once(
    db: Database,
) -> None:
    w = await _running(db, "anonymous")
    first = [await _record(db, w.id, raw) for raw in RAW_IDS]
    again = [await _record(db, w.id, raw) for raw in RAW_IDS]
    assert all(r.created for r in first) and not any(r.created for r in again)
    assert [r.answer.id for r in again] == [r.answer.id for r in first]
    rows = await _answer_rows(db, w.id)
    assert len(rows) == len(RAW_IDS)
    for raw in RAW_IDS:
        assert not _mentions(rows, raw), f"the raw activity id {raw!r} is stored"
    stored = {row["activity_id"] for row in rows}
    assert stored == {activity_hash(await _salt(db, w.id), raw) for raw in RAW_IDS}
    assert all(s.startswith("h:") and len(s) == 66 for s in stored)
    # What record_answer returns is what a later read gives.
    for r in first:
        assert await answers.get_answer(db, r.answer.id) == r.answer


async def test_anonymous_concurrent_redelivery_is_stored_once(db: Database) -> None:
    w = await _running(db, "anonymous")
    other = Database.from_url(db.url)
    try:
        results = await asyncio.gather(
            *(_record((db, other)[i % 2], w.id, "dup-activity") for i in range(10))
        )
    finally:
        await other.dispose()
    assert sum(r.created for r in results) == 1
    assert len({r.answer.id for r in results}) == 1
    rows = await _answer_rows(db, w.id)
    assert len(rows) == 1 and not _mentions(rows, "dup-activity")


async def test_anonymous_single_path_hashes_and_deduplicates(db: Database) -> None:
    """The writer's one-by-one fallback stores and finds the same hash as the batch path."""
    w = await _running(db, "anonymous")
    batched = await _record(db, w.id, "m-1")
    request = answers._AnswerRequest(
        workshop_id=w.id,
        user_id="29:a",
        text="igen",
        source="chat",
        display_name=None,
        activity_id="m-1",
        question_run_id=None,
        private=False,
        value=None,
        created_at=utcnow(),
    )
    alone = await answers._record_one(db, request)
    assert not alone.created and alone.answer.id == batched.answer.id
    fresh = await answers._record_one(db, replace(request, activity_id="m-2"))
    assert fresh.created and fresh.answer.activity_id == activity_hash(await _salt(db, w.id), "m-2")
    rows = await _answer_rows(db, w.id)
    assert len(rows) == 2
    assert not _mentions(rows, "m-1") and not _mentions(rows, "m-2")


async def test_anonymous_lookup_by_raw_activity_id_finds_the_answer(db: Database) -> None:
    w = await _running(db, "anonymous")
    a = (await _record(db, w.id, "edit-me")).answer
    assert await answers.answer_for_activity(db, w.id, "edit-me") == a
    edited = await answers.edit_answer(db, a.id, "ny tekst", user_id="29:a")
    assert await answers.answer_for_activity(db, w.id, "edit-me") == edited
    # The stored hash is not an id Teams could send: looking it up finds nothing.
    assert (
        await answers.answer_for_activity(db, w.id, activity_hash(await _salt(db, w.id), "edit-me"))
        is None
    )
    withdrawn = await answers.withdraw_answer(db, a.id, user_id="29:a")
    assert (await answers.answer_for_activity(db, w.id, "edit-me")) == withdrawn
    assert await answers.answer_for_activity(db, 999_999, "edit-me") is None


async def test_the_same_message_in_two_anonymous_workshops_gets_unlinkable_hashes(
    db: Database,
) -> None:
    w1, w2 = await _running(db, "anonymous"), await _running(db, "anonymous")
    a = (await _record(db, w1.id, "same")).answer
    b = (await _record(db, w2.id, "same")).answer
    assert a.id != b.id and a.activity_id != b.activity_id


@pytest.mark.parametrize("mode", ["named", "pseudonymous"])
async def test_named_and_pseudonymous_workshops_keep_the_activity_id(
    db: Database, mode: AnswerMode
) -> None:
    w = await _running(db, mode)
    first = await _record(db, w.id, "act-7")
    again = await _record(db, w.id, "act-7")
    assert first.created and not again.created
    assert first.answer.activity_id == "act-7"
    rows = await _answer_rows(db, w.id)
    assert [row["activity_id"] for row in rows] == ["act-7"]
    assert await answers.answer_for_activity(db, w.id, "act-7") == first.answer


async def test_a_draft_switched_to_anonymous_forgets_the_identities_it_stored(
    db: Database,
) -> None:
    """A draft may hold answers (a transcript import, a rehearsal); switching it to
    anonymous before the start leaves no raw activity id, user id or name behind, and a
    redelivery after the switch is still recognised."""
    from storage import participants

    draft = await workshops.create_workshop(db, org_name="HK", answer_mode="pseudonymous")
    for raw in RAW_IDS:
        await _record(db, draft.id, raw, user=f"29:{raw[-1]}")
    await workshops.update_workshop(db, draft.id, answer_mode="anonymous")

    rows = await _answer_rows(db, draft.id)
    salt = await _salt(db, draft.id)
    assert sorted(r["activity_id"] for r in rows) == sorted(activity_hash(salt, r) for r in RAW_IDS)
    assert not any(_mentions(rows, raw) for raw in RAW_IDS)
    people = await participants.list_participants(db, draft.id)
    assert len(people) == 3
    assert all(p.user_id is None and p.display_name is None for p in people)
    # The same people are still found (by their salted hash), and a redelivery is one answer.
    assert await participants.find_participant(db, draft.id, "29:1") is not None
    again = await _record(db, draft.id, RAW_IDS[0], user="29:1")
    assert again.created is False
    assert len(await _answer_rows(db, draft.id)) == 3
    # Switching again changes nothing (ids already hashed are not hashed twice).
    await workshops.update_workshop(db, draft.id, answer_mode="anonymous")
    assert sorted(r["activity_id"] for r in await _answer_rows(db, draft.id)) == sorted(
        activity_hash(salt, r) for r in RAW_IDS
    )
