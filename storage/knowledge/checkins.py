"""Check-ins before and after a course, and follow-ups of a workshop's proposals.

A check-in moves ``pending`` → ``sent`` → ``reminded`` → ``answered`` (or ``stopped`` when
the person did not answer the reminder). Every move is a conditional update ("from this
status only"), so when two bot instances share one database only one of them sends a given
check-in, and a retried job does nothing twice. Follow-ups move the same way
(``open`` → ``asked`` → ``reminded`` → ``answered``/``stopped``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage._base import (
    as_utc,
    check_id,
    check_text,
    insert_ignoring_conflicts,
    opt_utc,
    upsert,
    utcnow,
    without_nul,
)
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.knowledge.people import DEFAULT_TIME_ZONE, load_person
from storage.knowledge.records import (
    CheckinAnswerRecord,
    CheckinRecord,
    CheckinStatus,
    FollowUpRecord,
    FollowUpStatus,
    Stage,
)
from storage.knowledge.tables import checkin_answer_t, checkin_t, course_t, follow_up_t
from storage.knowledge.takeaways import course_from_row
from storage.knowledge.timing import STAGES, stage_due, stage_plan

__all__ = [
    "add_follow_up",
    "advance_checkin",
    "advance_follow_up",
    "answer_follow_up",
    "answers_of",
    "due_checkins",
    "due_follow_ups",
    "enrol",
    "follow_ups_of_series",
    "get_checkin",
    "get_follow_up",
    "record_checkin_answer",
    "set_share_answers",
]

MAX_ANSWER_CHARS = 4000


def _checkin(row: Row[Any]) -> CheckinRecord:
    m = row._mapping
    return CheckinRecord(
        id=m["id"],
        user_id=m["user_id"],
        course=course_from_row(row, "crs_"),
        plan_key=m["plan_key"],
        stage=cast(Stage, m["stage"]),
        due_at=as_utc(m["due_at"]),
        status=cast(CheckinStatus, m["status"]),
        sent_at=opt_utc(m["sent_at"]),
        reminded_at=opt_utc(m["reminded_at"]),
        answered_at=opt_utc(m["answered_at"]),
        share_answers=bool(m["share_answers"]),
    )


def _checkin_select() -> Any:
    return select(*checkin_t.c, *(c.label("crs_" + c.name) for c in course_t.c)).select_from(
        checkin_t.join(course_t, course_t.c.id == checkin_t.c.course_id)
    )


async def _load_checkin(session: AsyncConnection, checkin_id: int) -> CheckinRecord:
    row = (await session.execute(_checkin_select().where(checkin_t.c.id == checkin_id))).first()
    if row is None:
        raise NotFound(f"there is no check-in {checkin_id}")
    return _checkin(row)


async def enrol(
    db: Database,
    user_id: str,
    course_id: int,
    *,
    now: datetime,
    stages: Sequence[Stage] = STAGES,
) -> tuple[CheckinRecord, ...]:
    """Enrol a person in a course's check-ins: one per stage whose time is still ahead
    (10:00 in their time zone; see :mod:`storage.knowledge.timing`). Enrolling twice adds
    nothing.

    Returns:
        The person's pending check-ins of this course (new and earlier ones).
    """
    check_id(course_id, "course id")
    user_id = check_text(user_id, "user id", max_len=300).strip()
    for stage in stages:
        if stage not in STAGES:
            raise InvalidInput(f"stage {stage!r} is unknown; use {', '.join(STAGES)}")
    async with db.transaction() as session:
        course = (await session.execute(select(course_t).where(course_t.c.id == course_id))).first()
        if course is None:
            raise NotFound(f"there is no course {course_id}")
        person = await load_person(session, user_id)
        zone = person.time_zone if person is not None else DEFAULT_TIME_ZONE
        for stage in stages:
            due = stage_due(course.starts_on, course.ends_on, stage, zone)
            if due <= now:
                continue
            await session.execute(
                insert_ignoring_conflicts(
                    session, checkin_t, ["user_id", "course_id", "stage"]
                ).values(
                    user_id=user_id,
                    course_id=course_id,
                    plan_key=stage_plan(stage),
                    stage=stage,
                    due_at=due,
                    status="pending",
                    share_answers=False,
                    created_at=utcnow(),
                )
            )
        rows = await session.execute(
            _checkin_select()
            .where(
                checkin_t.c.user_id == user_id,
                checkin_t.c.course_id == course_id,
                checkin_t.c.status == "pending",
            )
            .order_by(checkin_t.c.due_at)
        )
        return tuple(_checkin(row) for row in rows)


async def get_checkin(db: Database, checkin_id: int) -> CheckinRecord:
    check_id(checkin_id, "check-in id")
    async with db.transaction(write=False) as session:
        return await _load_checkin(session, checkin_id)


async def due_checkins(
    db: Database,
    *,
    now: datetime,
    status: CheckinStatus = "pending",
    before: datetime | None = None,
) -> tuple[CheckinRecord, ...]:
    """Check-ins in ``status`` whose time has come: pending ones due by ``now``; for
    ``sent``/``reminded``, those sent/reminded before ``before``."""
    stmt = _checkin_select().where(checkin_t.c.status == status)
    if status == "pending":
        stmt = stmt.where(checkin_t.c.due_at <= now)
    elif status == "sent":
        stmt = stmt.where(checkin_t.c.sent_at <= (before or now))
    elif status == "reminded":
        stmt = stmt.where(checkin_t.c.reminded_at <= (before or now))
    async with db.transaction(write=False) as session:
        rows = await session.execute(stmt.order_by(checkin_t.c.due_at, checkin_t.c.id))
        return tuple(_checkin(row) for row in rows)


_CHECKIN_STAMP = {"sent": "sent_at", "reminded": "reminded_at", "answered": "answered_at"}


async def advance_checkin(
    db: Database,
    checkin_id: int,
    *,
    from_status: Sequence[CheckinStatus],
    to_status: CheckinStatus,
    now: datetime,
) -> CheckinRecord | None:
    """Move a check-in from one of ``from_status`` to ``to_status``; None when it was not
    in one of them (another instance, or the person, got there first)."""
    check_id(checkin_id, "check-in id")
    values: dict[str, Any] = {"status": to_status}
    if to_status in _CHECKIN_STAMP:
        values[_CHECKIN_STAMP[to_status]] = now
    async with db.transaction() as session:
        result = await session.execute(
            update(checkin_t)
            .where(checkin_t.c.id == checkin_id, checkin_t.c.status.in_(list(from_status)))
            .values(**values)
        )
        if not result.rowcount:
            return None
        return await _load_checkin(session, checkin_id)


async def record_checkin_answer(
    db: Database,
    checkin_id: int,
    question_id: str,
    *,
    choice: int | None = None,
    text: str | None = None,
    now: datetime | None = None,
) -> CheckinAnswerRecord:
    """Store (or replace) the answer to one question of a check-in. Who may answer is the
    caller's question (:func:`dialogs.permissions.may_answer_checkin`).

    Raises:
        InvalidInput: No choice and no text, a choice outside 0–4, an over-long text.
        NotFound: No such check-in, or it was stopped.
    """
    check_id(checkin_id, "check-in id")
    question_id = check_text(question_id, "question id", max_len=64).strip()
    if choice is not None and (
        isinstance(choice, bool) or not isinstance(choice, int) or not 0 <= choice <= 4
    ):
        raise InvalidInput(f"choice {choice!r} is not on the five-point scale; pick 0 to 4")
    if text is not None:
        text = check_text(text, "answer", max_len=MAX_ANSWER_CHARS, allow_empty=True).strip()
        text = text or None
    if choice is None and text is None:
        raise InvalidInput("the answer is empty; pick a point on the scale or write a text")
    when = now or utcnow()
    async with db.transaction() as session:
        found = await _load_checkin(session, checkin_id)
        if found.status == "stopped":
            raise NotFound(f"check-in {checkin_id} is closed")
        await session.execute(
            upsert(
                session,
                checkin_answer_t,
                ["checkin_id", "question_id"],
                ["choice", "text", "created_at"],
            ).values(
                checkin_id=checkin_id,
                question_id=question_id,
                choice=choice,
                text=text,
                created_at=when,
            )
        )
    return CheckinAnswerRecord(checkin_id, question_id, choice, text, when)


async def set_share_answers(db: Database, checkin_id: int, share: bool) -> None:
    """Record whether the person agreed that their answers may be shown (not only counted)."""
    check_id(checkin_id, "check-in id")
    async with db.transaction() as session:
        await session.execute(
            update(checkin_t).where(checkin_t.c.id == checkin_id).values(share_answers=share)
        )


async def answers_of(db: Database, checkin_id: int) -> tuple[CheckinAnswerRecord, ...]:
    check_id(checkin_id, "check-in id")
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(checkin_answer_t)
            .where(checkin_answer_t.c.checkin_id == checkin_id)
            .order_by(checkin_answer_t.c.id)
        )
        return tuple(
            CheckinAnswerRecord(
                row.checkin_id, row.question_id, row.choice, row.text, as_utc(row.created_at)
            )
            for row in rows
        )


# --- follow-ups ----------------------------------------------------------------------------


def _follow_up(row: Row[Any]) -> FollowUpRecord:
    m = row._mapping
    return FollowUpRecord(
        id=m["id"],
        workshop_id=m["workshop_id"],
        series_id=m["series_id"],
        tenant_id=m["tenant_id"],
        proposal=m["proposal"],
        owner_id=m["owner_id"],
        owner_name=m["owner_name"],
        created_by=m["created_by"],
        due_at=as_utc(m["due_at"]),
        origin=m["origin"],
        status=cast(FollowUpStatus, m["status"]),
        asked_at=opt_utc(m["asked_at"]),
        reminded_at=opt_utc(m["reminded_at"]),
        answer=m["answer"],
        answered_at=opt_utc(m["answered_at"]),
        created_at=as_utc(m["created_at"]),
    )


async def add_follow_up(
    db: Database,
    *,
    proposal: str,
    owner_id: str,
    owner_name: str,
    due_at: datetime,
    workshop_id: int | None = None,
    series_id: int | None = None,
    tenant_id: str | None = None,
    created_by: str | None = None,
    origin: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> FollowUpRecord:
    """Turn a proposal into an action with an owner and a follow-up date.

    Raises:
        InvalidInput: An empty proposal or owner, a naive or past date.
    """
    proposal = check_text(proposal, "proposal", max_len=2000).strip()
    owner_id = check_text(owner_id, "owner", max_len=300).strip()
    owner_name = check_text(owner_name, "owner's name", max_len=300, allow_empty=True).strip()
    if not isinstance(due_at, datetime) or due_at.tzinfo is None:
        raise InvalidInput("the follow-up date must be an aware datetime")
    # SQLite keeps no offset: every stored time is UTC.
    due_at = as_utc(due_at)
    when = as_utc(now) if now is not None else utcnow()
    if due_at <= when:
        raise InvalidInput(
            f"the follow-up date {due_at.date().isoformat()} is not in the future; "
            "give a later date"
        )
    async with db.transaction() as session:
        row = (
            await session.execute(
                follow_up_t.insert()
                .values(
                    workshop_id=workshop_id,
                    series_id=series_id,
                    tenant_id=tenant_id,
                    proposal=proposal,
                    owner_id=owner_id,
                    owner_name=owner_name,
                    created_by=created_by,
                    due_at=due_at,
                    origin=without_nul(origin),
                    status="open",
                    created_at=when,
                )
                .returning(*follow_up_t.c)
            )
        ).one()
        return _follow_up(row)


async def get_follow_up(db: Database, follow_up_id: int) -> FollowUpRecord:
    check_id(follow_up_id, "follow-up id")
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(select(follow_up_t).where(follow_up_t.c.id == follow_up_id))
        ).first()
    if row is None:
        raise NotFound(f"there is no follow-up {follow_up_id}")
    return _follow_up(row)


async def due_follow_ups(
    db: Database,
    *,
    now: datetime,
    status: FollowUpStatus = "open",
    before: datetime | None = None,
) -> tuple[FollowUpRecord, ...]:
    """Follow-ups whose time has come: open ones due by ``now``; for ``asked``/``reminded``,
    those asked/reminded before ``before``."""
    stmt = select(follow_up_t).where(follow_up_t.c.status == status)
    if status == "open":
        stmt = stmt.where(follow_up_t.c.due_at <= now)
    elif status == "asked":
        stmt = stmt.where(follow_up_t.c.asked_at <= (before or now))
    elif status == "reminded":
        stmt = stmt.where(follow_up_t.c.reminded_at <= (before or now))
    async with db.transaction(write=False) as session:
        rows = await session.execute(stmt.order_by(follow_up_t.c.due_at, follow_up_t.c.id))
        return tuple(_follow_up(row) for row in rows)


_FOLLOW_UP_STAMP = {"asked": "asked_at", "reminded": "reminded_at"}


async def advance_follow_up(
    db: Database,
    follow_up_id: int,
    *,
    from_status: Sequence[FollowUpStatus],
    to_status: FollowUpStatus,
    now: datetime,
) -> FollowUpRecord | None:
    """Move a follow-up between statuses (conditional, like :func:`advance_checkin`)."""
    check_id(follow_up_id, "follow-up id")
    values: dict[str, Any] = {"status": to_status}
    if to_status in _FOLLOW_UP_STAMP:
        values[_FOLLOW_UP_STAMP[to_status]] = now
    async with db.transaction() as session:
        result = await session.execute(
            update(follow_up_t)
            .where(follow_up_t.c.id == follow_up_id, follow_up_t.c.status.in_(list(from_status)))
            .values(**values)
            .returning(*follow_up_t.c)
        )
        row = result.first()
        return None if row is None else _follow_up(row)


async def answer_follow_up(
    db: Database, follow_up_id: int, answer: str, *, now: datetime | None = None
) -> FollowUpRecord | None:
    """Store the owner's answer ("what happened with …?"); None when it was not being asked."""
    check_id(follow_up_id, "follow-up id")
    answer = check_text(answer, "answer", max_len=MAX_ANSWER_CHARS).strip()
    async with db.transaction() as session:
        row = (
            await session.execute(
                update(follow_up_t)
                .where(
                    follow_up_t.c.id == follow_up_id,
                    follow_up_t.c.status.in_(["asked", "reminded"]),
                )
                .values(status="answered", answer=answer, answered_at=now or utcnow())
                .returning(*follow_up_t.c)
            )
        ).first()
        return None if row is None else _follow_up(row)


async def follow_ups_of_series(
    db: Database, series_id: int | None, *, workshop_id: int | None = None
) -> tuple[FollowUpRecord, ...]:
    """The follow-ups of a series (or of one workshop without series), oldest first: what
    the next workshop's summary reports."""
    stmt = select(follow_up_t)
    if series_id is not None:
        stmt = stmt.where(follow_up_t.c.series_id == series_id)
    elif workshop_id is not None:
        stmt = stmt.where(follow_up_t.c.workshop_id == workshop_id)
    else:
        raise InvalidInput("give a series id or a workshop id")
    async with db.transaction(write=False) as session:
        rows = await session.execute(stmt.order_by(follow_up_t.c.created_at, follow_up_t.c.id))
        return tuple(_follow_up(row) for row in rows)
