"""Forget and export one person's knowledge-bank data (``glem mig``, ``data forget``).

:func:`forget_in` runs inside :func:`storage.privacy.forget_user`'s transaction, so a
person is forgotten everywhere at once or nowhere.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage._base import check_text, utcnow
from storage.db import Database
from storage.knowledge.people import load_person
from storage.knowledge.tables import (
    checkin_answer_t,
    checkin_t,
    course_t,
    dialog_t,
    digest_item_t,
    follow_up_t,
    person_t,
    subscription_t,
    takeaway_t,
)
from storage.knowledge.takeaways import takeaway_from_row, takeaway_select

__all__ = ["export_person", "forget_in"]


async def forget_in(session: AsyncConnection, user_id: str) -> int:
    """Delete everything the knowledge bank holds about ``user_id`` (in the caller's
    transaction): their takeaways (and the search index's copy), subscriptions (theirs, and
    others' subscriptions to them), digests, check-ins with answers, follow-ups they own,
    their dialog, their directory entry (and their place as someone's manager).

    Returns:
        How many rows were deleted.
    """
    removed = 0
    for stmt in (
        delete(digest_item_t).where(digest_item_t.c.user_id == user_id),
        delete(takeaway_t).where(takeaway_t.c.user_id == user_id),
        delete(subscription_t).where(
            or_(
                subscription_t.c.user_id == user_id,
                (subscription_t.c.kind == "person") & (subscription_t.c.value == user_id),
            )
        ),
        delete(checkin_answer_t).where(
            checkin_answer_t.c.checkin_id.in_(
                select(checkin_t.c.id).where(checkin_t.c.user_id == user_id)
            )
        ),
        delete(checkin_t).where(checkin_t.c.user_id == user_id),
        delete(follow_up_t).where(follow_up_t.c.owner_id == user_id),
        delete(dialog_t).where(dialog_t.c.user_id == user_id),
        delete(person_t).where(person_t.c.user_id == user_id),
    ):
        result = await session.execute(stmt)
        removed += int(result.rowcount)
    await session.execute(
        update(person_t).where(person_t.c.manager_id == user_id).values(manager_id=None)
    )
    await session.execute(
        update(follow_up_t).where(follow_up_t.c.created_by == user_id).values(created_by=None)
    )
    await session.execute(
        update(course_t).where(course_t.c.created_by == user_id).values(created_by=None)
    )
    if session.dialect.name == "sqlite":
        # FTS5 keeps a deleted row's words in older index segments until they are merged:
        # merge now, so no word of the forgotten takeaways stays in the file.
        await session.execute(text("INSERT INTO fts_takeaway(fts_takeaway) VALUES ('optimize')"))
    return removed


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


async def export_person(db: Database, user_id: str) -> dict[str, Any]:
    """Everything the knowledge bank holds about one person, as JSON-ready data."""
    user_id = check_text(user_id, "user id", max_len=300).strip()
    async with db.transaction(write=False) as session:
        person = await load_person(session, user_id)
        takeaways = await session.execute(
            takeaway_select().where(takeaway_t.c.user_id == user_id).order_by(takeaway_t.c.id)
        )
        subscriptions = await session.execute(
            select(subscription_t)
            .where(subscription_t.c.user_id == user_id)
            .order_by(subscription_t.c.id)
        )
        checkins = await session.execute(
            select(checkin_t, course_t.c.name.label("course_name"))
            .join(course_t, course_t.c.id == checkin_t.c.course_id)
            .where(checkin_t.c.user_id == user_id)
            .order_by(checkin_t.c.id)
        )
        checkin_rows = [dict(row._mapping) for row in checkins]
        answers = await session.execute(
            select(checkin_answer_t)
            .where(checkin_answer_t.c.checkin_id.in_([r["id"] for r in checkin_rows]))
            .order_by(checkin_answer_t.c.id)
        )
        answer_rows = [dict(row._mapping) for row in answers]
        follow_ups = await session.execute(
            select(follow_up_t).where(follow_up_t.c.owner_id == user_id).order_by(follow_up_t.c.id)
        )
        digests = await session.execute(
            select(digest_item_t).where(digest_item_t.c.user_id == user_id)
        )
        for checkin in checkin_rows:
            checkin["answers"] = [a for a in answer_rows if a["checkin_id"] == checkin["id"]]
        exported: dict[str, Any] = _jsonable(
            {
                "user_id": user_id,
                "exported_at": utcnow(),
                "person": None if person is None else asdict(person),
                "takeaways": [asdict(takeaway_from_row(row)) for row in takeaways],
                "subscriptions": [dict(row._mapping) for row in subscriptions],
                "checkins": checkin_rows,
                "follow_ups": [dict(row._mapping) for row in follow_ups],
                "digest_items": [dict(row._mapping) for row in digests],
            }
        )
        return exported
