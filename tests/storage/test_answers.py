from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage import answers, participants, questions, workshops
from storage.answers import MAX_ANSWER_CHARS
from storage.db import Database
from storage.errors import AnswerTooLong, InvalidInput, NotFound
from storage.participants import pseudonym_label
from storage.records import WorkshopRecord, format_offset


async def _running(db: Database, **kwargs: object) -> WorkshopRecord:
    w = await workshops.create_workshop(db, org_name="HK", **kwargs)  # type: ignore[arg-type]
    return await workshops.start_workshop(db, w.id)


@pytest.mark.parametrize(
    ("number", "language", "label"),
    [
        (1, "da", "Deltager A"),
        (26, "da", "Deltager Z"),
        (27, "da", "Deltager AA"),
        (28, "en", "Participant AB"),
        (702, "en", "Participant ZZ"),
        (703, "da", "Deltager AAA"),
    ],
)
def test_pseudonym_labels(number: int, language: str, label: str) -> None:
    assert pseudonym_label(number, language) == label


def test_offsets_look_like_a_transcript() -> None:
    assert format_offset(0) == "00:00:00"
    assert format_offset(20 * 60 + 7) == "00:20:07"
    assert format_offset(3 * 3600 + 61) == "03:01:01"


async def test_record_answer_stores_everything(db: Database) -> None:
    w = await _running(db, answer_mode="named")
    run = await questions.open_question(db, w.id, "values", "Hvad er HKs værdier?")
    assert w.started_at is not None
    at = w.started_at + timedelta(minutes=20, seconds=7)
    got = await answers.record_answer(
        db,
        workshop_id=w.id,
        user_id="29:ann",
        display_name="Ann",
        text="Solidaritet",
        source="card",
        activity_id="act-1",
        question_run_id=run.id,
        value={"scale": 4},
        created_at=at,
    )
    assert got.created
    a = got.answer
    assert (a.text, a.source, a.activity_id, a.value) == (
        "Solidaritet",
        "card",
        "act-1",
        {"scale": 4},
    )
    assert (a.question_run_id, a.question_id) == (run.id, "values")
    assert a.pseudonym == "Deltager A" and a.display_name == "Ann"
    assert a.offset == "00:20:07"
    assert a.created_at == at
    stored = await answers.get_answer(db, a.id)
    assert stored == a


async def test_nul_characters_are_dropped_so_both_backends_store_the_answer(db: Database) -> None:
    w = await _running(db, answer_mode="named")
    run = await questions.open_question(db, w.id, "q1", "Hvordan deler vi viden?")
    got = await answers.record_answer(
        db,
        workshop_id=w.id,
        user_id="29:nul",
        display_name="Nu\x00l",
        text="Vi deler\x00 viden",
        source="card",
        activity_id="act-nul",
        question_run_id=run.id,
        value={"choice": "a\x00b", "list": ["\x00"]},
    )
    stored = await answers.get_answer(db, got.answer.id)
    assert stored.text == "Vi deler viden"
    assert stored.display_name == "Nul"
    assert stored.value == {"choice": "ab", "list": [""]}


async def test_redelivered_activity_is_stored_once(db: Database) -> None:
    w = await _running(db)
    first = await answers.record_answer(
        db, workshop_id=w.id, user_id="29:a", text="one", source="chat", activity_id="x"
    )
    again = await answers.record_answer(
        db, workshop_id=w.id, user_id="29:a", text="one", source="chat", activity_id="x"
    )
    assert first.created and not again.created
    assert again.answer.id == first.answer.id
    assert await answers.count_answers(db, w.id) == 1


async def test_same_activity_delivered_concurrently_is_stored_once(db: Database) -> None:
    w = await _running(db)
    other = Database.from_url(db.url)
    try:
        results = await asyncio.gather(
            *(
                answers.record_answer(
                    (db, other)[i % 2],
                    workshop_id=w.id,
                    user_id="29:a",
                    text="same",
                    source="chat",
                    activity_id="dup",
                )
                for i in range(10)
            )
        )
    finally:
        await other.dispose()
    assert sum(r.created for r in results) == 1
    assert len({r.answer.id for r in results}) == 1
    assert await answers.count_answers(db, w.id) == 1


async def test_the_same_activity_id_in_another_workshop_is_another_answer(db: Database) -> None:
    w1, w2 = await _running(db), await _running(db)
    a = await answers.record_answer(
        db, workshop_id=w1.id, user_id="29:a", text="x", source="chat", activity_id="same"
    )
    b = await answers.record_answer(
        db, workshop_id=w2.id, user_id="29:a", text="x", source="chat", activity_id="same"
    )
    assert a.created and b.created and a.answer.id != b.answer.id


async def test_too_long_answer_is_refused_with_the_numbers_and_nothing_is_stored(
    db: Database,
) -> None:
    w = await _running(db)
    with pytest.raises(AnswerTooLong) as info:
        await answers.record_answer(
            db, workshop_id=w.id, user_id="29:a", text="x" * 4213, source="chat"
        )
    assert str(info.value) == (
        "the answer is 4,213 characters; the limit is 4,000 — shorten it or split it into two answers"
    )
    assert await answers.count_answers(db, w.id) == 0
    assert await participants.list_participants(db, w.id) == ()
    exact = await answers.record_answer(
        db, workshop_id=w.id, user_id="29:a", text="y" * MAX_ANSWER_CHARS, source="chat"
    )
    assert len(exact.answer.text) == MAX_ANSWER_CHARS


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "  "}, InvalidInput),
        ({"source": "email"}, InvalidInput),
        ({"workshop_id": 999}, NotFound),
        ({"workshop_id": 0}, InvalidInput),
        ({"question_run_id": 999}, NotFound),
        ({"user_id": ""}, InvalidInput),
    ],
    ids=["empty", "source", "unknown-workshop", "bad-id", "unknown-run", "no-user"],
)
async def test_invalid_answers_are_refused_and_nothing_is_stored(
    db: Database, kwargs: dict[str, object], error: type[Exception]
) -> None:
    w = await _running(db)
    call: dict[str, object] = {
        "workshop_id": w.id,
        "user_id": "29:a",
        "text": "ok",
        "source": "chat",
    }
    call.update(kwargs)
    with pytest.raises(error):
        await answers.record_answer(db, **call)  # type: ignore[arg-type]
    assert await answers.count_answers(db, w.id, include_withdrawn=True) == 0
    assert await participants.list_participants(db, w.id) == ()


async def test_question_run_of_another_workshop_is_refused(db: Database) -> None:
    w1, w2 = await _running(db), await _running(db)
    run = await questions.open_question(db, w2.id, "q", "Q?")
    with pytest.raises(InvalidInput, match="belongs to workshop"):
        await answers.record_answer(
            db, workshop_id=w1.id, user_id="29:a", text="x", source="chat", question_run_id=run.id
        )


async def test_pseudonyms_follow_the_order_of_first_answers(db: Database) -> None:
    w = await _running(db, language="en")
    for user in ["29:c", "29:a", "29:c", "29:b", "29:a"]:
        await answers.record_answer(
            db, workshop_id=w.id, user_id=user, text=f"from {user}", source="chat"
        )
    people = await participants.list_participants(db, w.id)
    assert [(p.user_id, p.pseudonym) for p in people] == [
        ("29:c", "Participant A"),
        ("29:a", "Participant B"),
        ("29:b", "Participant C"),
    ]
    assert all(p.first_answer_at is not None for p in people)


async def test_concurrent_first_answers_get_distinct_pseudonyms(db: Database) -> None:
    w = await _running(db)
    other = Database.from_url(db.url)
    try:
        results = await asyncio.gather(
            *(
                answers.record_answer(
                    (db, other)[i % 2],
                    workshop_id=w.id,
                    user_id=f"29:u{i % 30}",
                    text="hej",
                    source="chat",
                )
                for i in range(60)
            )
        )
    finally:
        await other.dispose()
    people = await participants.list_participants(db, w.id)
    assert len(people) == 30
    assert sorted(p.pseudonym_number or 0 for p in people) == list(range(1, 31))
    by_user = {}
    for r in results:
        by_user.setdefault(r.answer.participant_id, set()).add(r.answer.pseudonym)
    assert all(len(names) == 1 for names in by_user.values())


async def test_anonymous_mode_stores_no_identity_but_keeps_one_pseudonym(db: Database) -> None:
    w = await _running(db, answer_mode="anonymous")
    a1 = await answers.record_answer(
        db,
        workshop_id=w.id,
        user_id="29:secret",
        display_name="Secret Person",
        text="one",
        source="chat",
    )
    a2 = await answers.record_answer(
        db,
        workshop_id=w.id,
        user_id="29:secret",
        display_name="Secret Person",
        text="two",
        source="card",
    )
    assert a1.answer.participant_id == a2.answer.participant_id
    assert a1.answer.pseudonym == a2.answer.pseudonym == "Deltager A"
    assert a1.answer.display_name is None
    (person,) = await participants.list_participants(db, w.id)
    assert person.user_id is None and person.display_name is None
    assert await participants.find_participant(db, w.id, "29:secret") == person
    async with db.transaction(write=False) as session:
        from sqlalchemy import text

        rows = []
        for table in ("participant", "answer", "event"):
            rows += (await session.execute(text(f"SELECT * FROM {table}"))).all()
    dump = " ".join(str(row) for row in rows)
    assert "29:secret" not in dump and "Secret Person" not in dump


async def test_offset_is_zero_before_the_start(db: Database) -> None:
    w = await workshops.create_workshop(db, org_name="HK")
    got = await answers.record_answer(
        db, workshop_id=w.id, user_id="29:a", text="early", source="chat"
    )
    assert got.answer.offset_seconds == 0


async def test_edit_and_withdraw(db: Database) -> None:
    w = await _running(db)
    a = (
        await answers.record_answer(
            db, workshop_id=w.id, user_id="29:a", text="first", source="chat", activity_id="m1"
        )
    ).answer
    with pytest.raises(InvalidInput, match="someone else"):
        await answers.edit_answer(db, a.id, "hijack", user_id="29:b")
    edited = await answers.edit_answer(db, a.id, "second", user_id="29:a")
    assert edited.text == "second" and edited.edited_at is not None
    with pytest.raises(AnswerTooLong):
        await answers.edit_answer(db, a.id, "z" * 4001)
    assert (await answers.get_answer(db, a.id)).text == "second"
    assert await answers.answer_for_activity(db, w.id, "m1") == edited
    withdrawn = await answers.withdraw_answer(db, a.id, user_id="29:a")
    assert withdrawn.withdrawn and withdrawn.text == ""
    assert await answers.count_answers(db, w.id) == 0
    assert await answers.count_answers(db, w.id, include_withdrawn=True) == 1
    assert await answers.answers_for_workshop(db, w.id) == ()
    assert len(await answers.answers_for_workshop(db, w.id, include_withdrawn=True)) == 1
    with pytest.raises(InvalidInput, match="withdrawn"):
        await answers.edit_answer(db, a.id, "third")
    with pytest.raises(NotFound):
        await answers.withdraw_answer(db, 999)


async def test_counts_and_listing_per_question(db: Database) -> None:
    w = await _running(db)
    q1 = await questions.open_question(db, w.id, "q1", "One?")
    await answers.record_answer(
        db, workshop_id=w.id, user_id="29:a", text="a1", source="chat", question_run_id=q1.id
    )
    await answers.record_answer(
        db,
        workshop_id=w.id,
        user_id="29:b",
        text="b1",
        source="private",
        question_run_id=q1.id,
        private=True,
    )
    q2 = await questions.open_question(db, w.id, "q2", "Two?")
    await answers.record_answer(
        db, workshop_id=w.id, user_id="29:a", text="a2", source="chat", question_run_id=q2.id
    )
    await answers.record_answer(
        db, workshop_id=w.id, user_id="29:a", text="free talk", source="chat"
    )
    assert await answers.count_answers(db, w.id, q1.id) == 2
    assert await answers.count_answers(db, w.id, q2.id) == 1
    assert await answers.count_answers(db, w.id) == 4
    public = await answers.answers_for_workshop(db, w.id, include_private=False)
    assert [a.text for a in public] == ["a1", "a2", "free talk"]
    assert [
        a.text for a in await answers.answers_for_workshop(db, w.id, question_run_id=q1.id)
    ] == ["a1", "b1"]
    listing = await workshops.list_workshops(db)
    assert (listing[0].answer_count, listing[0].participant_count) == (4, 2)


async def test_question_runs_keep_order_and_close(db: Database) -> None:
    w = await _running(db)
    r1 = await questions.open_question(db, w.id, "q1", "One?")
    r2 = await questions.open_question(db, w.id, "q5", "Five?")
    runs = await questions.list_question_runs(db, w.id)
    assert [(r.question_id, r.position) for r in runs] == [("q1", 1), ("q5", 2)]
    assert runs[0].closed_at is not None, "opening a question closes the previous one"
    current = await questions.current_question_run(db, w.id)
    assert current is not None and current.id == r2.id
    assert (await workshops.get_workshop(db, w.id)).current_question_id == "q5"
    parked = await questions.close_question(db, r2.id, parked=True)
    assert parked.parked and not parked.is_open
    assert await questions.current_question_run(db, w.id) is None
    assert (await workshops.get_workshop(db, w.id)).current_question_id is None
    again = await questions.open_question(db, w.id, "q1", "One?", position=7)
    assert again.position == 7 and again.id not in (r1.id, r2.id)
    with pytest.raises(NotFound):
        await questions.close_question(db, 999)


async def test_consent_before_the_first_answer_keeps_pseudonym_order(db: Database) -> None:
    w = await _running(db)
    early = await participants.set_consent(db, w.id, "29:early", answers=True, quotes=False)
    assert (
        early.pseudonym is None and early.consent_answers is True and early.consent_quotes is False
    )
    await answers.record_answer(db, workshop_id=w.id, user_id="29:first", text="x", source="chat")
    await answers.record_answer(db, workshop_id=w.id, user_id="29:early", text="y", source="chat")
    first = await participants.find_participant(db, w.id, "29:first")
    later = await participants.find_participant(db, w.id, "29:early")
    assert first is not None and later is not None
    assert (first.pseudonym, later.pseudonym) == ("Deltager A", "Deltager B")
    assert later.consent_quotes is False


async def test_value_must_be_json(db: Database) -> None:
    w = await _running(db)
    with pytest.raises(InvalidInput, match="not JSON"):
        await answers.record_answer(
            db, workshop_id=w.id, user_id="29:a", text="x", source="card", value={1, 2}
        )
    got = await answers.record_answer(
        db, workshop_id=w.id, user_id="29:a", text="", source="card", value={"choice": ["a"]}
    )
    assert (await answers.get_answer(db, got.answer.id)).value == {"choice": ["a"]}
    assert await answers.count_answers(db, w.id) == 1


@given(st.integers(min_value=1, max_value=10**6))
def test_pseudonym_letters_are_bijective_base_26(number: int) -> None:
    letters = pseudonym_label(number, "en").removeprefix("Participant ")  # type: ignore[union-attr]
    assert letters.isalpha() and letters.isupper()
    value = 0
    for char in letters:
        value = value * 26 + (ord(char) - ord("A") + 1)
    assert value == number
