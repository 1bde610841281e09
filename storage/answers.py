"""Answers: recording (idempotent per Teams activity), edits, withdrawals, counts."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Final, get_args

from sqlalchemy import Row, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage._base import (
    answer_from_row,
    answer_select,
    answer_t,
    as_utc,
    check_id,
    check_text,
    insert_ignoring_conflicts,
    participant_t,
    pseudonym_label,
    question_run_t,
    utcnow,
    workshop_t,
)
from storage.db import Database
from storage.errors import AnswerTooLong, InvalidInput, NotFound
from storage.participants import ensure_participant
from storage.records import AnswerRecord, AnswerSource, RecordedAnswer

__all__ = [
    "MAX_ANSWER_CHARS",
    "answer_for_activity",
    "answers_for_workshop",
    "count_answers",
    "edit_answer",
    "get_answer",
    "record_answer",
    "withdraw_answer",
]

log = logging.getLogger(__name__)

#: The longest answer accepted, in characters.
MAX_ANSWER_CHARS: Final = 4000


def _check_answer_text(text: object, *, allow_empty: bool) -> str:
    if not isinstance(text, str):
        raise InvalidInput(f"an answer must be text, not {type(text).__name__}")
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerTooLong(
            f"the answer is {len(text):,} characters; the limit is {MAX_ANSWER_CHARS:,} — "
            "shorten it or split it into two answers"
        )
    if not allow_empty and not text.strip():
        raise InvalidInput("the answer is empty; write something or leave it out")
    return text


async def record_answer(
    db: Database,
    *,
    workshop_id: int,
    user_id: str,
    text: str,
    source: AnswerSource,
    display_name: str | None = None,
    activity_id: str | None = None,
    question_run_id: int | None = None,
    private: bool = False,
    value: Any = None,
    created_at: datetime | None = None,
) -> RecordedAnswer:
    """Store one answer; a redelivered Teams activity is stored once.

    The participant is created on their first answer and gets the next pseudonym. The
    answer's offset is counted from the workshop's start (0 before it started).

    Args:
        db: The database.
        workshop_id: The workshop.
        user_id: The Teams user id of the person answering.
        text: The answer (at most :data:`MAX_ANSWER_CHARS` characters; may be empty only
            when ``value`` is given).
        source: ``"card"``, ``"chat"``, ``"private"`` (1:1 chat) or ``"transcript"``.
        display_name: The Teams display name (not stored in anonymous mode).
        activity_id: The Teams activity id; the same id in the same workshop is stored once.
        question_run_id: The question it answers; None for open discussion.
        private: Only the facilitator and the summary may see it (not shown to the group).
        value: A structured value (scale point, choice) as JSON-serialisable data.
        created_at: Server time of the answer (default: now). Used for transcript imports.

    Returns:
        The stored answer and ``created`` (False when the activity id was stored before; the
        first stored answer is returned unchanged).

    Raises:
        AnswerTooLong: The text is over the limit (nothing is stored).
        InvalidInput: Empty text, unknown source, or a question run of another workshop.
        NotFound: No such workshop or question run.
    """
    check_id(workshop_id, "workshop id")
    text = _check_answer_text(text, allow_empty=value is not None)
    if source not in get_args(AnswerSource):
        raise InvalidInput(
            f"answer source {source!r} is not valid; use one of: {', '.join(get_args(AnswerSource))}"
        )
    user_id = check_text(user_id, "user id", max_len=300).strip()
    if activity_id is not None:
        activity_id = check_text(activity_id, "activity id", max_len=300)
    if question_run_id is not None:
        check_id(question_run_id, "question run id")
    now = as_utc(created_at) if created_at is not None else utcnow()

    async with db.transaction() as session:
        columns = [
            workshop_t.c.id,
            workshop_t.c.salt,
            workshop_t.c.answer_mode,
            workshop_t.c.language,
            workshop_t.c.started_at,
        ]
        stmt = select(*columns)
        if question_run_id is not None:
            stmt = stmt.add_columns(
                question_run_t.c.id.label("run_id"),
                question_run_t.c.workshop_id.label("run_workshop_id"),
                question_run_t.c.question_id,
            ).select_from(
                workshop_t.outerjoin(question_run_t, question_run_t.c.id == question_run_id)
            )
        workshop = (await session.execute(stmt.where(workshop_t.c.id == workshop_id))).first()
        if workshop is None:
            raise NotFound(
                f"there is no workshop {workshop_id}; list them with: workshopbot workshops"
            )
        question_id: str | None = None
        if question_run_id is not None:
            if workshop.run_id is None:
                raise NotFound(f"there is no question run {question_run_id}")
            if workshop.run_workshop_id != workshop_id:
                raise InvalidInput(
                    f"question run {question_run_id} belongs to workshop {workshop.run_workshop_id}, "
                    f"not to workshop {workshop_id}"
                )
            question_id = workshop.question_id

        if activity_id is not None:
            existing = await _by_activity(session, workshop_id, activity_id)
            if existing is not None:
                return RecordedAnswer(existing, created=False)

        person = await ensure_participant(
            session, workshop, user_id, display_name, assign_pseudonym=True
        )
        started = workshop.started_at
        offset = 0 if started is None else max(0, int((now - as_utc(started)).total_seconds()))
        values = dict(
            workshop_id=workshop_id,
            question_run_id=question_run_id,
            participant_id=person.id,
            text=text,
            value=value,
            source=source,
            activity_id=activity_id,
            private=private,
            created_at=now,
            offset_seconds=offset,
        )
        if activity_id is None:
            insert = answer_t.insert()
        else:
            insert = insert_ignoring_conflicts(session, answer_t, ["workshop_id", "activity_id"])
        answer_id = (
            await session.execute(insert.values(**values).returning(answer_t.c.id))
        ).scalar()
        if answer_id is None:
            # Another instance stored the same activity between our check and our insert.
            assert activity_id is not None
            existing = await _by_activity(session, workshop_id, activity_id)
            if existing is None:  # pragma: no cover - the conflict proves it exists
                raise InvalidInput(f"activity {activity_id!r} could not be stored; try again")
            return RecordedAnswer(existing, created=False)
        if person.first_answer_at is None:
            await session.execute(
                update(participant_t)
                .where(participant_t.c.id == person.id, participant_t.c.first_answer_at.is_(None))
                .values(first_answer_at=now)
            )
        record = AnswerRecord(
            id=answer_id,
            workshop_id=workshop_id,
            question_run_id=question_run_id,
            question_id=question_id,
            participant_id=person.id,
            pseudonym=pseudonym_label(person.pseudonym_number, workshop.language),
            display_name=person.display_name,
            text=text,
            value=value,
            source=source,
            activity_id=activity_id,
            private=private,
            created_at=now,
            offset_seconds=offset,
            edited_at=None,
            withdrawn_at=None,
        )
    return RecordedAnswer(record, created=True)


async def _by_activity(
    session: AsyncSession, workshop_id: int, activity_id: str
) -> AnswerRecord | None:
    row = (
        await session.execute(
            answer_select().where(
                answer_t.c.workshop_id == workshop_id, answer_t.c.activity_id == activity_id
            )
        )
    ).first()
    return None if row is None else answer_from_row(row)


async def _load(session: AsyncSession, answer_id: int) -> Row[Any]:
    check_id(answer_id, "answer id")
    row = (await session.execute(answer_select().where(answer_t.c.id == answer_id))).first()
    if row is None:
        raise NotFound(f"there is no answer {answer_id}")
    return row


async def _check_author(session: AsyncSession, row: Row[Any], user_id: str | None) -> None:
    if user_id is None:
        return
    from storage.participants import user_hash

    salt = (
        await session.execute(select(workshop_t.c.salt).where(workshop_t.c.id == row.workshop_id))
    ).scalar_one()
    owner = (
        await session.execute(
            select(participant_t.c.user_hash).where(participant_t.c.id == row.participant_id)
        )
    ).scalar_one()
    if owner != user_hash(salt, user_id):
        raise InvalidInput(
            f"answer {row.id} was written by someone else; only its author can change it"
        )


async def get_answer(db: Database, answer_id: int) -> AnswerRecord:
    """One answer.

    Raises:
        NotFound: No such answer.
    """
    async with db.transaction(write=False) as session:
        return answer_from_row(await _load(session, answer_id))


async def answer_for_activity(
    db: Database, workshop_id: int, activity_id: str
) -> AnswerRecord | None:
    """The answer stored for a Teams activity (to apply a message edit or delete), or None."""
    check_id(workshop_id, "workshop id")
    async with db.transaction(write=False) as session:
        return await _by_activity(session, workshop_id, activity_id)


async def edit_answer(
    db: Database, answer_id: int, text: str, *, user_id: str | None = None
) -> AnswerRecord:
    """Replace an answer's text (the time of the edit is kept in ``edited_at``).

    Args:
        user_id: If given, only the answer's author may edit it.

    Raises:
        AnswerTooLong: The new text is over the limit (the old text stays).
        InvalidInput: Empty text, a withdrawn answer, or someone else's answer.
        NotFound: No such answer.
    """
    text = _check_answer_text(text, allow_empty=False)
    async with db.transaction() as session:
        row = await _load(session, answer_id)
        await _check_author(session, row, user_id)
        if row.withdrawn_at is not None:
            raise InvalidInput(f"answer {answer_id} was withdrawn; write a new answer instead")
        await session.execute(
            update(answer_t).where(answer_t.c.id == answer_id).values(text=text, edited_at=utcnow())
        )
        return answer_from_row(await _load(session, answer_id))


async def withdraw_answer(
    db: Database, answer_id: int, *, user_id: str | None = None
) -> AnswerRecord:
    """Withdraw an answer: it stays in the record as withdrawn, with its text removed.

    Withdrawing twice changes nothing.

    Args:
        user_id: If given, only the answer's author may withdraw it.

    Raises:
        InvalidInput: Someone else's answer.
        NotFound: No such answer.
    """
    async with db.transaction() as session:
        row = await _load(session, answer_id)
        await _check_author(session, row, user_id)
        if row.withdrawn_at is None:
            await session.execute(
                update(answer_t)
                .where(answer_t.c.id == answer_id)
                .values(text="", value=None, withdrawn_at=utcnow())
            )
        return answer_from_row(await _load(session, answer_id))


async def count_answers(
    db: Database,
    workshop_id: int,
    question_run_id: int | None = None,
    *,
    include_withdrawn: bool = False,
) -> int:
    """How many answers a workshop (or one of its question runs) has.

    Args:
        question_run_id: Count only this question run's answers (None: the whole workshop).
        include_withdrawn: Count withdrawn answers too.
    """
    check_id(workshop_id, "workshop id")
    conditions = [answer_t.c.workshop_id == workshop_id]
    if question_run_id is not None:
        conditions.append(
            answer_t.c.question_run_id == check_id(question_run_id, "question run id")
        )
    if not include_withdrawn:
        conditions.append(answer_t.c.withdrawn_at.is_(None))
    async with db.transaction(write=False) as session:
        return int(
            (
                await session.execute(
                    select(func.count()).select_from(answer_t).where(and_(*conditions))
                )
            ).scalar_one()
        )


async def answers_for_workshop(
    db: Database,
    workshop_id: int,
    *,
    question_run_id: int | None = None,
    include_withdrawn: bool = False,
    include_private: bool = True,
) -> tuple[AnswerRecord, ...]:
    """A workshop's answers in the order they came in.

    Args:
        question_run_id: Only this question run's answers.
        include_withdrawn: Include withdrawn answers (their text is empty).
        include_private: Include answers given in private chat.
    """
    check_id(workshop_id, "workshop id")
    stmt = answer_select().where(answer_t.c.workshop_id == workshop_id)
    if question_run_id is not None:
        stmt = stmt.where(
            answer_t.c.question_run_id == check_id(question_run_id, "question run id")
        )
    if not include_withdrawn:
        stmt = stmt.where(answer_t.c.withdrawn_at.is_(None))
    if not include_private:
        stmt = stmt.where(answer_t.c.private.is_(False))
    async with db.transaction(write=False) as session:
        rows = await session.execute(stmt.order_by(answer_t.c.created_at, answer_t.c.id))
        return tuple(answer_from_row(row) for row in rows)
