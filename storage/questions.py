"""Question runs: which question was open when, and in what order."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage._base import (
    as_utc,
    check_id,
    check_past_time,
    check_text,
    lock_workshop,
    question_run_from_row,
    question_run_t,
    utcnow,
    workshop_t,
)
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.records import QuestionRunRecord

__all__ = [
    "close_question",
    "current_question_run",
    "get_question_run",
    "list_question_runs",
    "open_question",
]

log = logging.getLogger(__name__)


async def open_question(
    db: Database,
    workshop_id: int,
    question_id: str,
    text: str,
    position: int | None = None,
    *,
    close_others: bool = True,
    opened_at: datetime | None = None,
) -> QuestionRunRecord:
    """Open a question in a workshop and make it the current one.

    Args:
        db: The database.
        workshop_id: The workshop.
        question_id: The plan's id of the question (a question may run more than once).
        text: The question as it was asked (a snapshot: later plan edits do not change it).
        position: Its place in this workshop's order; default: after the last one opened.
        close_others: Close every other open question of the workshop at the same time
            (at ``opened_at``).
        opened_at: When it was asked, instead of now (a meeting stored afterwards):
            timezone-aware, not in the future.

    Raises:
        InvalidInput: Empty question id or text, a negative position, or ``opened_at``
            naive, in the future, or (with ``close_others``) before another open question
            of the workshop was opened.
        NotFound: No such workshop.
    """
    question_id = check_text(question_id, "question id", max_len=200).strip()
    text = check_text(text, "question text", max_len=4000)
    if position is not None and (
        isinstance(position, bool) or not isinstance(position, int) or position < 0
    ):
        raise InvalidInput(f"position {position!r} is invalid; it must be a whole number >= 0")
    now = utcnow() if opened_at is None else check_past_time(opened_at, "opened_at")
    async with db.transaction() as session:
        await lock_workshop(session, workshop_id)
        if opened_at is not None and close_others:
            latest_open = (
                await session.execute(
                    select(func.max(question_run_t.c.opened_at)).where(
                        question_run_t.c.workshop_id == workshop_id,
                        question_run_t.c.closed_at.is_(None),
                    )
                )
            ).scalar_one()
            if latest_open is not None and as_utc(latest_open) > now:
                raise InvalidInput(
                    f"opened_at {now.isoformat()} is before an open question of workshop "
                    f"{workshop_id} was opened ({as_utc(latest_open).isoformat()}); it would "
                    "close that question before it opened"
                )
        if position is None:
            latest = (
                await session.execute(
                    select(func.coalesce(func.max(question_run_t.c.position), 0)).where(
                        question_run_t.c.workshop_id == workshop_id
                    )
                )
            ).scalar_one()
            position = int(latest) + 1
        if close_others:
            await session.execute(
                update(question_run_t)
                .where(
                    question_run_t.c.workshop_id == workshop_id,
                    question_run_t.c.closed_at.is_(None),
                )
                .values(closed_at=now)
            )
        run_id = (
            await session.execute(
                question_run_t.insert()
                .values(
                    workshop_id=workshop_id,
                    question_id=question_id,
                    question_text=text,
                    position=position,
                    opened_at=now,
                    parked=False,
                )
                .returning(question_run_t.c.id)
            )
        ).scalar_one()
        await session.execute(
            update(workshop_t)
            .where(workshop_t.c.id == workshop_id)
            .values(current_question_id=question_id)
        )
        row = (
            await session.execute(select(question_run_t).where(question_run_t.c.id == run_id))
        ).one()
    return question_run_from_row(row)


async def _run_row(session: AsyncConnection, question_run_id: int) -> Row[Any]:
    """The question run's row, or :class:`NotFound` naming the id."""
    check_id(question_run_id, "question run id")
    row = (
        await session.execute(select(question_run_t).where(question_run_t.c.id == question_run_id))
    ).first()
    if row is None:
        raise NotFound(f"there is no question run {question_run_id}")
    return row


async def close_question(
    db: Database,
    question_run_id: int,
    *,
    parked: bool = False,
    closed_at: datetime | None = None,
) -> QuestionRunRecord:
    """Close an open question (``parked=True``: set aside, to come back to later).

    Closing a closed question changes nothing. If it was the workshop's current question,
    the workshop has no current question afterwards.

    Args:
        closed_at: When it closed, instead of now (a meeting stored afterwards):
            timezone-aware, not in the future, not before the question was opened.

    Raises:
        InvalidInput: ``closed_at`` is naive, in the future or before the question opened.
        NotFound: No such question run.
    """
    if closed_at is not None:
        closed_at = check_past_time(closed_at, "closed_at")
    async with db.transaction() as session:
        row = await _run_row(session, question_run_id)
        if closed_at is not None and closed_at < as_utc(row.opened_at):
            raise InvalidInput(
                f"closed_at {closed_at.isoformat()} is before question run {question_run_id} "
                f"was opened ({as_utc(row.opened_at).isoformat()})"
            )
        if row.closed_at is None:
            await lock_workshop(session, row.workshop_id)
            await session.execute(
                update(question_run_t)
                .where(question_run_t.c.id == question_run_id)
                .values(closed_at=closed_at or utcnow(), parked=parked)
            )
            await session.execute(
                update(workshop_t)
                .where(
                    workshop_t.c.id == row.workshop_id,
                    workshop_t.c.current_question_id == row.question_id,
                )
                .values(current_question_id=None)
            )
            row = (
                await session.execute(
                    select(question_run_t).where(question_run_t.c.id == question_run_id)
                )
            ).one()
    return question_run_from_row(row)


async def get_question_run(db: Database, question_run_id: int) -> QuestionRunRecord:
    """One question run.

    Raises:
        NotFound: No such question run.
    """
    async with db.transaction(write=False) as session:
        row = await _run_row(session, question_run_id)
    return question_run_from_row(row)


async def list_question_runs(db: Database, workshop_id: int) -> tuple[QuestionRunRecord, ...]:
    """A workshop's question runs in the order they were opened."""
    check_id(workshop_id, "workshop id")
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(question_run_t)
            .where(question_run_t.c.workshop_id == workshop_id)
            .order_by(question_run_t.c.opened_at, question_run_t.c.id)
        )
        return tuple(question_run_from_row(row) for row in rows)


async def current_question_run(db: Database, workshop_id: int) -> QuestionRunRecord | None:
    """The most recently opened question that is still open, or None."""
    check_id(workshop_id, "workshop id")
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                select(question_run_t)
                .where(
                    question_run_t.c.workshop_id == workshop_id,
                    question_run_t.c.closed_at.is_(None),
                )
                .order_by(question_run_t.c.opened_at.desc(), question_run_t.c.id.desc())
                .limit(1)
            )
        ).first()
    return None if row is None else question_run_from_row(row)
