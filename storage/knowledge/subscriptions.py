"""Subscriptions (to a topic, a course or a person) and the daily digest queue.

When a takeaway is published, :func:`queue_for_subscribers` puts it in the queue of every
subscriber who may see it; :func:`claim_digest` takes a subscriber's queue once per local
day (a conditional update, so two bot instances never both send it).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage._base import (
    as_utc,
    check_id,
    check_text,
    insert_ignoring_conflicts,
    utcnow,
)
from storage.db import Database
from storage.errors import InvalidInput
from storage.knowledge.people import load_person
from storage.knowledge.records import (
    PersonRecord,
    SubscriptionKind,
    SubscriptionRecord,
    TakeawayRecord,
)
from storage.knowledge.search import Viewer, query_words, visible_to
from storage.knowledge.tables import (
    digest_item_t,
    person_t,
    subscription_t,
    takeaway_t,
)
from storage.knowledge.takeaways import name_key, takeaway_from_row, takeaway_select

__all__ = [
    "claim_digest",
    "pending_digest_users",
    "queue_for_subscribers",
    "subscribe",
    "subscriptions_of",
    "topic_matches",
    "unclaim_digest",
    "unsubscribe",
]

KINDS: tuple[SubscriptionKind, ...] = ("topic", "course", "person")
_WORD = re.compile(r"[^\W_]+")
#: The most takeaways one digest card shows (the rest wait for the next day).
DIGEST_MAX = 10


def topic_matches(topic: str, text: str) -> bool:
    """Whether every word of ``topic`` starts a word of ``text`` (the same prefix rule as
    the search).

    >>> topic_matches("excel pivot", "Pivottabeller i Excel gør rapporten hurtig")
    True
    >>> topic_matches("projekt", "Jeg lærte om forandringsledelse")
    False
    """
    words = [w.lower() for w in _WORD.findall(text)]
    wanted = query_words(topic)
    return bool(wanted) and all(any(w.startswith(t) for w in words) for t in wanted)


def _record(row: Row[Any]) -> SubscriptionRecord:
    return SubscriptionRecord(
        id=row.id,
        user_id=row.user_id,
        kind=cast(SubscriptionKind, row.kind),
        value=row.value,
        label=row.label,
        created_at=as_utc(row.created_at),
    )


async def subscribe(
    db: Database,
    user_id: str,
    kind: str,
    value: str,
    *,
    label: str | None = None,
    tenant_id: str | None = None,
) -> tuple[SubscriptionRecord, bool]:
    """Subscribe ``user_id`` to a topic (its words), a course (its name) or a person (their
    user id).

    Returns:
        The subscription and whether it is new (subscribing twice is not an error).

    Raises:
        InvalidInput: An unknown kind or an empty value.
    """
    if kind not in KINDS:
        raise InvalidInput(f"subscription kind {kind!r} is unknown; use {', '.join(KINDS)}")
    user_id = check_text(user_id, "user id", max_len=300).strip()
    value = check_text(value, kind, max_len=300).strip()
    if kind == "topic":
        words = query_words(value)
        if not words:
            raise InvalidInput(f"the topic {value!r} has no words; give a word to follow")
        key = " ".join(words)
    elif kind == "course":
        key = name_key(value)
    else:
        key = value
    shown = check_text(label or value, "label", max_len=300).strip()
    async with db.transaction() as session:
        inserted = await session.execute(
            insert_ignoring_conflicts(session, subscription_t, ["user_id", "kind", "value"]).values(
                user_id=user_id,
                kind=kind,
                value=key,
                label=shown,
                tenant_id=tenant_id,
                created_at=utcnow(),
            )
        )
        row = (
            await session.execute(
                select(subscription_t).where(
                    subscription_t.c.user_id == user_id,
                    subscription_t.c.kind == kind,
                    subscription_t.c.value == key,
                )
            )
        ).one()
        return _record(row), bool(inserted.rowcount)


async def subscriptions_of(db: Database, user_id: str) -> tuple[SubscriptionRecord, ...]:
    """A person's subscriptions, oldest first."""
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(subscription_t)
            .where(subscription_t.c.user_id == user_id)
            .order_by(subscription_t.c.created_at, subscription_t.c.id)
        )
        return tuple(_record(row) for row in rows)


async def unsubscribe(
    db: Database, user_id: str, *, subscription_id: int | None = None, everything: bool = False
) -> int:
    """End one of the person's subscriptions (by id) or all of them; returns how many ended.
    Another person's subscription id ends nothing."""
    stmt = delete(subscription_t).where(subscription_t.c.user_id == user_id)
    if not everything:
        check_id(subscription_id, "subscription id")
        stmt = stmt.where(subscription_t.c.id == subscription_id)
    async with db.transaction() as session:
        result = await session.execute(stmt)
        if everything:
            await session.execute(
                delete(digest_item_t).where(
                    digest_item_t.c.user_id == user_id, digest_item_t.c.sent_at.is_(None)
                )
            )
        return int(result.rowcount)


async def _may_see(
    session: AsyncConnection, takeaway_id: int, user_id: str, tenant_id: str | None
) -> bool:
    viewer = await load_person(session, user_id)
    author = person_t.alias("ka")
    row = (
        await session.execute(
            select(takeaway_t.c.id)
            .select_from(takeaway_t.outerjoin(author, author.c.user_id == takeaway_t.c.user_id))
            .where(
                takeaway_t.c.id == takeaway_id,
                visible_to(
                    Viewer(user_id, viewer.tenant_id if viewer else tenant_id),
                    viewer.team if viewer else None,
                    author,
                ),
            )
        )
    ).first()
    return row is not None


async def queue_for_subscribers(db: Database, takeaway: TakeawayRecord) -> int:
    """Queue a published takeaway for every subscriber it matches and who may see it (never
    its author). Returns how many were queued."""
    if not takeaway.published:
        return 0
    text = "\n".join((takeaway.course.name, *takeaway.points, takeaway.topics))
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(subscription_t).where(
                    subscription_t.c.user_id != takeaway.user_id,
                    or_(
                        (subscription_t.c.kind == "person")
                        & (subscription_t.c.value == takeaway.user_id),
                        (subscription_t.c.kind == "course")
                        & (subscription_t.c.value == name_key(takeaway.course.name)),
                        subscription_t.c.kind == "topic",
                    ),
                )
            )
        ).all()
        users = {
            row.user_id: row.tenant_id
            for row in rows
            if row.kind != "topic" or topic_matches(row.value, text)
        }
        queued = 0
        now = utcnow()
        for user_id, tenant_id in sorted(users.items()):
            if not await _may_see(session, takeaway.id, user_id, tenant_id):
                continue
            result = await session.execute(
                insert_ignoring_conflicts(
                    session, digest_item_t, ["user_id", "takeaway_id"]
                ).values(user_id=user_id, takeaway_id=takeaway.id, queued_at=now)
            )
            queued += int(result.rowcount)
        return queued


async def pending_digest_users(db: Database) -> tuple[str, ...]:
    """Who has takeaways waiting for their digest."""
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(digest_item_t.c.user_id)
            .where(digest_item_t.c.sent_at.is_(None))
            .group_by(digest_item_t.c.user_id)
            .order_by(digest_item_t.c.user_id)
        )
        return tuple(row.user_id for row in rows)


async def claim_digest(
    db: Database, user_id: str, *, now: datetime, day_start: datetime
) -> tuple[PersonRecord | None, tuple[TakeawayRecord, ...]]:
    """Take the person's waiting takeaways for today's digest, at most once per local day.

    Args:
        user_id: The subscriber.
        now: The time of sending.
        day_start: The start of the person's local day (UTC): a digest sent after it means
            none today.

    Returns:
        The person and the takeaways to send (those they may still see, at most
        :data:`DIGEST_MAX`), or ``(person, ())`` when there is nothing to send or today's
        digest was already sent.
    """
    async with db.transaction() as session:
        person = await load_person(session, user_id)
        if person is None:
            return None, ()
        waiting = (
            await session.execute(
                select(digest_item_t.c.takeaway_id)
                .where(digest_item_t.c.user_id == user_id, digest_item_t.c.sent_at.is_(None))
                .order_by(digest_item_t.c.queued_at, digest_item_t.c.takeaway_id)
            )
        ).all()
        if not waiting:
            return person, ()
        visible = []
        for row in waiting:
            if await _may_see(session, row.takeaway_id, user_id, person.tenant_id):
                visible.append(row.takeaway_id)
        gone = [row.takeaway_id for row in waiting if row.takeaway_id not in visible]
        if gone:  # withdrawn or no longer visible: they never reach the digest
            await session.execute(
                delete(digest_item_t).where(
                    digest_item_t.c.user_id == user_id, digest_item_t.c.takeaway_id.in_(gone)
                )
            )
        if not visible:
            return person, ()
        claimed = await session.execute(
            update(person_t)
            .where(
                person_t.c.user_id == user_id,
                or_(person_t.c.last_digest_at.is_(None), person_t.c.last_digest_at < day_start),
            )
            .values(last_digest_at=now)
        )
        if not claimed.rowcount:
            return person, ()
        chosen = visible[:DIGEST_MAX]
        await session.execute(
            update(digest_item_t)
            .where(digest_item_t.c.user_id == user_id, digest_item_t.c.takeaway_id.in_(chosen))
            .values(sent_at=now)
        )
        rows = await session.execute(
            takeaway_select().where(takeaway_t.c.id.in_(chosen)).order_by(takeaway_t.c.id)
        )
        return person, tuple(takeaway_from_row(row) for row in rows)


async def unclaim_digest(
    db: Database, user_id: str, takeaway_ids: list[int], *, previous: datetime | None
) -> None:
    """Put a claimed digest back (its send was given up): the items wait again and the day
    counts as without digest, so the next sweep sends them."""
    async with db.transaction() as session:
        await session.execute(
            update(digest_item_t)
            .where(
                digest_item_t.c.user_id == user_id, digest_item_t.c.takeaway_id.in_(takeaway_ids)
            )
            .values(sent_at=None)
        )
        await session.execute(
            update(person_t).where(person_t.c.user_id == user_id).values(last_digest_at=previous)
        )
