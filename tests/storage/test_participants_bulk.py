"""First answerers of one batch are created and numbered together (a constant number of
statements however many there are), in the order of their first answer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from storage import answers, participants, questions, workshops
from storage._base import participant_t, workshop_t
from storage.db import Database
from storage.records import ParticipantRecord, RecordedAnswer


async def _running(db: Database, **kwargs: Any) -> int:
    w = await workshops.create_workshop(db, org_name="HK", **kwargs)
    await workshops.start_workshop(db, w.id)
    await questions.open_question(db, w.id, "q1", "Spørgsmål")
    return w.id


def _answer(db: Database, wid: int, user: str, name: str | None, text: str = "svar") -> Any:
    return answers.record_answer(
        db,
        workshop_id=wid,
        user_id=user,
        display_name=name,
        text=text,
        source="chat",
        current_run=True,
    )


async def _one_batch(
    db: Database, monkeypatch: pytest.MonkeyPatch, *calls: Any
) -> list[RecordedAnswer]:
    """Run the calls concurrently and check they were written as one batch, not one by one."""

    async def no_fallback(*_args: Any) -> Any:
        raise AssertionError("the batch failed and fell back to writing one at a time")

    monkeypatch.setattr(answers, "_record_one", no_fallback)
    writer = db.services.get("answers.writer")
    before = (0, 0) if writer is None else (writer.batches, writer.requests)
    results = await asyncio.gather(*calls)
    writer = db.services["answers.writer"]
    assert (writer.batches, writer.requests) == (before[0] + 1, before[1] + len(calls)), (
        "the answers did not share one batch"
    )
    monkeypatch.undo()
    return list(results)


@contextmanager
def _statements() -> Iterator[list[str]]:
    """The SQL statements run meanwhile (an executemany counts once), without the
    ``SELECT 1`` with which every PostgreSQL transaction checks its connection (storage.db)."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement != "SELECT 1":
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def _numbers(people: tuple[ParticipantRecord, ...]) -> list[int | None]:
    return [p.pseudonym_number for p in people]


async def _batch_of_new_people(
    db: Database, monkeypatch: pytest.MonkeyPatch, n: int
) -> tuple[int, list[RecordedAnswer], list[str]]:
    wid = await _running(db)
    users = [f"29:user-{n}-{i:02d}" for i in range(n)]
    with _statements() as seen:
        results = await _one_batch(
            db, monkeypatch, *(_answer(db, wid, u, f"Person {u[-2:]}") for u in users)
        )
    return wid, results, seen


async def test_fifty_first_answers_in_one_batch_are_numbered_in_order(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid, results, seen = await _batch_of_new_people(db, monkeypatch, 50)
    assert all(r.created for r in results)
    assert [r.answer.pseudonym for r in results] == [
        participants.pseudonym_label(n, "da") for n in range(1, 51)
    ], "the n-th person to answer is the n-th pseudonym"
    people = await participants.list_participants(db, wid)
    assert _numbers(people) == list(range(1, 51)), "no gaps, no duplicates"
    assert [p.user_id for p in people] == [f"29:user-50-{i:02d}" for i in range(50)]
    assert [p.display_name for p in people] == [f"Person {i:02d}" for i in range(50)]
    assert {r.answer.participant_id for r in results} == {p.id for p in people}
    assert all(p.first_answer_at is not None for p in people)
    # A constant number of statements (first_answer_at included): 50 first answerers cost
    # what 5 do.
    _, _, seen_five = await _batch_of_new_people(db, monkeypatch, 5)
    assert len(seen) == len(seen_five) <= 12, seen


async def test_a_batch_of_known_people_costs_three_statements(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workshops, question runs and the open run in one SELECT; earlier deliveries and
    participants in another; then the INSERT (SQLite reads max(id) around it)."""
    wid = await _running(db)
    users = [f"29:known-{i:02d}" for i in range(20)]
    await _one_batch(db, monkeypatch, *(_answer(db, wid, u, f"K {u[-2:]}") for u in users))

    def again(user: str, n: int) -> Any:
        return answers.record_answer(
            db,
            workshop_id=wid,
            user_id=user,
            display_name=f"K {user[-2:]}",
            text="igen",
            source="chat",
            activity_id=f"act-{user}-{n}",
            current_run=True,
        )

    with _statements() as seen:
        results = await _one_batch(db, monkeypatch, *(again(u, 1) for u in users))
    assert all(r.created and r.answer.question_run_id is not None for r in results)
    seen = [s for s in seen if not s.startswith("BEGIN")]  # SQLite's BEGIN IMMEDIATE
    assert len(seen) == (3 if db.dialect == "postgresql" else 5), seen
    # Redelivered: found by the lookup, nothing inserted.
    with _statements() as seen:
        results = await _one_batch(db, monkeypatch, *(again(u, 1) for u in users))
    assert not any(r.created for r in results)
    seen = [s for s in seen if not s.startswith("BEGIN")]
    assert len(seen) == 2, seen


async def test_known_and_new_people_in_one_batch(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = await _running(db)
    await _answer(db, wid, "29:a", "Ann")
    await _answer(db, wid, "29:b", "Bo")
    # Consented before answering: a row without a pseudonym, numbered at the first answer.
    await participants.set_consent(db, wid, "29:consented", answers=True, display_name="Cy")
    results = await _one_batch(
        db,
        monkeypatch,
        _answer(db, wid, "29:d", "Dan"),
        _answer(db, wid, "29:a", "Ann"),
        _answer(db, wid, "29:consented", "Cy"),
        _answer(db, wid, "29:b", "Bo"),
        _answer(db, wid, "29:e", "Eva"),
    )
    assert [r.answer.pseudonym for r in results] == [
        "Deltager C",
        "Deltager A",
        "Deltager D",
        "Deltager B",
        "Deltager E",
    ]
    people = await participants.list_participants(db, wid)
    assert [(p.user_id, p.pseudonym_number) for p in people] == [
        ("29:a", 1),
        ("29:b", 2),
        ("29:d", 3),
        ("29:consented", 4),
        ("29:e", 5),
    ]
    consented = people[3]
    assert consented.consent_answers is True and consented.first_answer_at is not None


async def test_the_same_new_person_twice_in_one_batch(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = await _running(db)
    x1, y, x2 = await _one_batch(
        db,
        monkeypatch,
        _answer(db, wid, "29:x", "Xena", "first"),
        _answer(db, wid, "29:y", "Yves"),
        _answer(db, wid, "29:x", "Xena", "second"),
    )
    assert x1.created and x2.created and x1.answer.id != x2.answer.id
    assert x1.answer.participant_id == x2.answer.participant_id
    assert x1.answer.pseudonym == x2.answer.pseudonym == "Deltager A"
    assert y.answer.pseudonym == "Deltager B"
    people = await participants.list_participants(db, wid)
    assert [(p.user_id, p.pseudonym_number) for p in people] == [("29:x", 1), ("29:y", 2)]


async def test_anonymous_first_answers_store_no_identity(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = await _running(db, answer_mode="anonymous")
    users = [f"29:anon-{i}" for i in range(6)]
    results = await _one_batch(db, monkeypatch, *(_answer(db, wid, u, f"Name {u}") for u in users))
    assert [r.answer.pseudonym for r in results] == [
        participants.pseudonym_label(n, "da") for n in range(1, 7)
    ]
    assert all(r.answer.display_name is None for r in results)
    async with db.transaction(write=False) as session:
        rows = (
            await session.execute(select(participant_t).where(participant_t.c.workshop_id == wid))
        ).all()
    assert len(rows) == 6
    assert all(row.user_id is None and row.display_name is None for row in rows)
    # The hash still finds each person, under the pseudonym of their place in the batch.
    for n, user in enumerate(users, start=1):
        found = await participants.find_participant(db, wid, user)
        assert found is not None and found.pseudonym_number == n
        assert found.user_id is None and found.display_name is None


async def test_a_rename_in_the_same_batch_as_new_people(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = await _running(db)
    await _answer(db, wid, "29:a", "Ann")
    new_b, renamed_a, new_c, new_d, renamed_d = await _one_batch(
        db,
        monkeypatch,
        _answer(db, wid, "29:b", "Bo"),
        _answer(db, wid, "29:a", "Anne"),
        _answer(db, wid, "29:c", "Cy"),
        _answer(db, wid, "29:d", "Dee"),
        _answer(db, wid, "29:d", "Dee D."),
    )
    assert renamed_a.answer.display_name == "Anne" and renamed_a.answer.pseudonym == "Deltager A"
    assert new_b.answer.pseudonym == "Deltager B" and new_b.answer.display_name == "Bo"
    assert new_c.answer.pseudonym == "Deltager C"
    # Created as "Dee", renamed by their second answer; a batch's answers carry the name the
    # person has when it commits.
    assert new_d.answer.display_name == renamed_d.answer.display_name == "Dee D."
    assert new_d.answer.pseudonym == renamed_d.answer.pseudonym == "Deltager D"
    people = await participants.list_participants(db, wid)
    assert [(p.user_id, p.display_name, p.pseudonym_number) for p in people] == [
        ("29:a", "Anne", 1),
        ("29:b", "Bo", 2),
        ("29:c", "Cy", 3),
        ("29:d", "Dee D.", 4),
    ]


async def test_rows_another_process_inserted_are_numbered_not_duplicated(
    db: Database,
) -> None:
    """The bulk form directly: a row that appeared meanwhile (inserted without a pseudonym,
    as a concurrent process or a consent does) is kept and numbered in its place."""
    wid = await _running(db)
    await _answer(db, wid, "29:first", "First")
    await participants.get_or_create_participant(db, wid, "29:q", "Q", assign_pseudonym=False)
    async with db.transaction(write=False) as session:
        workshop = (await session.execute(select(workshop_t).where(workshop_t.c.id == wid))).one()

    def create(conn: Any) -> dict[str, Any]:
        return participants.ensure_participants_sync(
            conn, workshop, [("29:p", "P"), ("29:q", "Q"), ("29:p", "P again"), ("29:r", None)]
        )

    rows = await db.run_write(create)
    by_user = {row.user_id: row for row in rows.values()}
    assert len(rows) == 3
    assert {u: (r.pseudonym_number, r.display_name) for u, r in by_user.items()} == {
        "29:p": (2, "P"),
        "29:q": (3, "Q"),
        "29:r": (4, None),
    }
    assert (
        await db.run_write(lambda conn: participants.ensure_participants_sync(conn, workshop, []))
        == {}
    )
    people = await participants.list_participants(db, wid)
    assert _numbers(people) == [1, 2, 3, 4]
