"""Courses, takeaways (three key points) and the state of the guided dialog.

A takeaway is seen by nobody but its author until the author consents; it can be edited and
withdrawn at any time (a withdrawn takeaway leaves search and digests at once).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, cast

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage._base import as_utc, check_id, check_text, opt_utc, upsert, utcnow, without_nul
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.knowledge.records import (
    CourseRecord,
    DialogRecord,
    TakeawayRecord,
    Visibility,
)
from storage.knowledge.tables import course_t, dialog_t, person_t, takeaway_t

__all__ = [
    "MAX_POINT_CHARS",
    "VISIBILITIES",
    "add_course",
    "clear_dialog",
    "course_from_row",
    "get_course",
    "get_dialog",
    "get_takeaway",
    "name_key",
    "publish_takeaway",
    "save_takeaway",
    "set_dialog",
    "takeaway_from_row",
    "takeaway_select",
    "takeaways_of",
    "update_takeaway",
    "withdraw_takeaway",
]

#: A key point is a short text: a sentence or two.
MAX_POINT_CHARS = 500
VISIBILITIES: tuple[Visibility, ...] = ("team", "org", "manager")
_SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """A course name as subscriptions match it: lower case, single spaces.

    >>> name_key("  Projektledelse   I ")
    'projektledelse i'
    """
    return _SPACES.sub(" ", name.strip().lower())


def course_from_row(row: Row[Any], prefix: str = "") -> CourseRecord:
    m = row._mapping
    return CourseRecord(
        id=m[prefix + "id"],
        name=m[prefix + "name"],
        provider=m[prefix + "provider"],
        level=m[prefix + "level"],
        starts_on=m[prefix + "starts_on"],
        ends_on=m[prefix + "ends_on"],
        tenant_id=m[prefix + "tenant_id"],
    )


_COURSE_COLUMNS = tuple(c.label("crs_" + c.name) for c in course_t.c)


def takeaway_select() -> Any:
    """SELECT a takeaway with its course and its author's name (``ka`` is the author)."""
    author = person_t.alias("ka")
    return select(
        *takeaway_t.c, *_COURSE_COLUMNS, author.c.display_name.label("author_name")
    ).select_from(
        takeaway_t.join(course_t, course_t.c.id == takeaway_t.c.course_id).outerjoin(
            author, author.c.user_id == takeaway_t.c.user_id
        )
    )


def takeaway_from_row(row: Row[Any]) -> TakeawayRecord:
    m = row._mapping
    return TakeawayRecord(
        id=m["id"],
        course=course_from_row(row, "crs_"),
        user_id=m["user_id"],
        author_name=m["author_name"],
        tenant_id=m["tenant_id"],
        points=(m["point1"], m["point2"], m["point3"]),
        topics=m["topics"],
        language=m["language"],
        visibility=cast(Visibility, m["visibility"]),
        consent_at=opt_utc(m["consent_at"]),
        created_at=as_utc(m["created_at"]),
        updated_at=as_utc(m["updated_at"]),
        withdrawn_at=opt_utc(m["withdrawn_at"]),
    )


def _check_date(value: object, what: str) -> date:
    if not isinstance(value, date):
        raise InvalidInput(f"{what} must be a date, not {type(value).__name__}")
    return value


async def add_course(
    db: Database,
    *,
    name: str,
    provider: str,
    starts_on: date,
    ends_on: date,
    level: str | None = None,
    tenant_id: str | None = None,
    created_by: str | None = None,
) -> CourseRecord:
    """Store a course, or find the same one (same name, provider and start in the same
    organisation) stored by a colleague.

    Raises:
        InvalidInput: An empty name or provider, or an end before the start.
    """
    name = _SPACES.sub(" ", check_text(name, "course name", max_len=300).strip())
    provider = _SPACES.sub(" ", check_text(provider, "provider", max_len=300).strip())
    level = (
        None
        if level is None
        else check_text(level, "level", max_len=100, allow_empty=True).strip() or None
    )
    starts_on = _check_date(starts_on, "the start date")
    ends_on = _check_date(ends_on, "the end date")
    if ends_on < starts_on:
        raise InvalidInput(
            f"the course ends ({ends_on.isoformat()}) before it starts "
            f"({starts_on.isoformat()}); give the end date on or after the start"
        )
    async with db.transaction() as session:
        found = (
            await session.execute(
                select(course_t).where(
                    course_t.c.name_key == name_key(name),
                    func.lower(course_t.c.provider) == provider.lower(),
                    course_t.c.starts_on == starts_on,
                    func.coalesce(course_t.c.tenant_id, "") == (tenant_id or ""),
                )
            )
        ).first()
        if found is not None:
            return course_from_row(found)
        row = (
            await session.execute(
                course_t.insert()
                .values(
                    name=name,
                    name_key=name_key(name),
                    provider=provider,
                    level=level,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    tenant_id=tenant_id,
                    created_by=created_by,
                    created_at=utcnow(),
                )
                .returning(*course_t.c)
            )
        ).one()
        return course_from_row(row)


async def get_course(db: Database, course_id: int) -> CourseRecord:
    check_id(course_id, "course id")
    async with db.transaction(write=False) as session:
        row = (await session.execute(select(course_t).where(course_t.c.id == course_id))).first()
    if row is None:
        raise NotFound(f"there is no course {course_id}")
    return course_from_row(row)


def _check_points(points: tuple[str, ...] | list[str]) -> tuple[str, str, str]:
    if len(points) != 3:
        raise InvalidInput(f"a takeaway has three key points, not {len(points)}; give three")
    checked = [
        check_text(p, f"key point {i}", max_len=MAX_POINT_CHARS).strip()
        for i, p in enumerate(points, 1)
    ]
    return checked[0], checked[1], checked[2]


def _check_visibility(value: str) -> Visibility:
    if value not in VISIBILITIES:
        raise InvalidInput(
            f"visibility {value!r} is unknown; choose one of {', '.join(VISIBILITIES)}"
        )
    return value


def _search_text(course: Row[Any] | CourseRecord, points: tuple[str, ...], topics: str) -> str:
    """What the full-text index reads: the words a colleague would search for."""
    parts = [course.name, course.provider, course.level or ""]
    return "\n".join(part for part in (*parts, *points, topics) if part)


async def _load(session: AsyncConnection, takeaway_id: int) -> TakeawayRecord:
    row = (await session.execute(takeaway_select().where(takeaway_t.c.id == takeaway_id))).first()
    if row is None:
        raise NotFound(f"there is no takeaway {takeaway_id}")
    return takeaway_from_row(row)


async def save_takeaway(
    db: Database,
    *,
    course_id: int,
    user_id: str,
    points: tuple[str, ...] | list[str],
    visibility: str,
    language: str,
    consent: bool,
    topics: str = "",
    tenant_id: str | None = None,
) -> TakeawayRecord:
    """Store a takeaway; with ``consent`` it is published at once (else it waits, seen by
    its author only, until :func:`publish_takeaway`).

    Raises:
        NotFound: No such course.
        InvalidInput: Not three non-empty points, an unknown visibility or language.
    """
    check_id(course_id, "course id")
    user_id = check_text(user_id, "user id", max_len=300).strip()
    checked = _check_points(points)
    vis = _check_visibility(visibility)
    if language not in ("da", "en"):
        raise InvalidInput(f"language {language!r} is unknown; use da or en")
    topics = check_text(topics, "topics", max_len=500, allow_empty=True).strip()
    now = utcnow()
    async with db.transaction() as session:
        course = (await session.execute(select(course_t).where(course_t.c.id == course_id))).first()
        if course is None:
            raise NotFound(f"there is no course {course_id}")
        row = (
            await session.execute(
                takeaway_t.insert()
                .values(
                    course_id=course_id,
                    user_id=user_id,
                    tenant_id=tenant_id,
                    point1=checked[0],
                    point2=checked[1],
                    point3=checked[2],
                    topics=topics,
                    language=language,
                    visibility=vis,
                    consent_at=now if consent else None,
                    search_text=_search_text(course, checked, topics),
                    created_at=now,
                    updated_at=now,
                )
                .returning(takeaway_t.c.id)
            )
        ).one()
        return await _load(session, row.id)


async def _owned(session: AsyncConnection, takeaway_id: int, user_id: str) -> Row[Any]:
    check_id(takeaway_id, "takeaway id")
    row = (
        await session.execute(
            select(takeaway_t, course_t.c.name, course_t.c.provider, course_t.c.level)
            .join(course_t, course_t.c.id == takeaway_t.c.course_id)
            .where(takeaway_t.c.id == takeaway_id, takeaway_t.c.user_id == user_id)
        )
    ).first()
    if row is None:
        # The same message whether it does not exist or is someone else's: no probing.
        raise NotFound(f"you have no takeaway {takeaway_id}; list yours with: kursus mine")
    return row


async def update_takeaway(
    db: Database,
    takeaway_id: int,
    user_id: str,
    *,
    points: tuple[str, ...] | list[str] | None = None,
    visibility: str | None = None,
    topics: str | None = None,
) -> TakeawayRecord:
    """Change one's own takeaway (only the author's id finds it).

    Raises:
        NotFound: No takeaway of that id by this person.
    """
    values: dict[str, Any] = {}
    async with db.transaction() as session:
        row = await _owned(session, takeaway_id, user_id)
        new_points = (
            _check_points(points) if points is not None else (row.point1, row.point2, row.point3)
        )
        new_topics = (
            check_text(topics, "topics", max_len=500, allow_empty=True).strip()
            if topics is not None
            else row.topics
        )
        if visibility is not None:
            values["visibility"] = _check_visibility(visibility)
        values.update(
            point1=new_points[0],
            point2=new_points[1],
            point3=new_points[2],
            topics=new_topics,
            search_text=_search_text(row, new_points, new_topics),
            updated_at=utcnow(),
        )
        await session.execute(
            update(takeaway_t).where(takeaway_t.c.id == takeaway_id).values(**values)
        )
        return await _load(session, takeaway_id)


async def publish_takeaway(db: Database, takeaway_id: int, user_id: str) -> TakeawayRecord:
    """Record the author's consent: from now on the takeaway is seen as its visibility says."""
    async with db.transaction() as session:
        row = await _owned(session, takeaway_id, user_id)
        if row.consent_at is None or row.withdrawn_at is not None:
            await session.execute(
                update(takeaway_t)
                .where(takeaway_t.c.id == takeaway_id)
                .values(consent_at=utcnow(), withdrawn_at=None, updated_at=utcnow())
            )
        return await _load(session, takeaway_id)


async def withdraw_takeaway(db: Database, takeaway_id: int, user_id: str) -> TakeawayRecord:
    """Withdraw one's takeaway: nobody else sees it any more (it stays for its author, who
    may delete everything with ``glem mig``)."""
    async with db.transaction() as session:
        await _owned(session, takeaway_id, user_id)
        await session.execute(
            update(takeaway_t)
            .where(takeaway_t.c.id == takeaway_id)
            .values(withdrawn_at=utcnow(), updated_at=utcnow())
        )
        return await _load(session, takeaway_id)


async def get_takeaway(db: Database, takeaway_id: int) -> TakeawayRecord:
    """A takeaway by id, whoever wrote it: callers decide who may see it
    (:func:`dialogs.permissions.may_see_takeaway`)."""
    check_id(takeaway_id, "takeaway id")
    async with db.transaction(write=False) as session:
        return await _load(session, takeaway_id)


async def takeaways_of(db: Database, user_id: str) -> tuple[TakeawayRecord, ...]:
    """A person's own takeaways, newest first (withdrawn ones too)."""
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            takeaway_select()
            .where(takeaway_t.c.user_id == user_id)
            .order_by(takeaway_t.c.created_at.desc(), takeaway_t.c.id.desc())
        )
        return tuple(takeaway_from_row(row) for row in rows)


# --- the guided dialog's state ------------------------------------------------------------


async def get_dialog(db: Database, user_id: str) -> DialogRecord | None:
    """The dialog in progress in this person's 1:1 chat, if any."""
    async with db.transaction(write=False) as session:
        row = (await session.execute(select(dialog_t).where(dialog_t.c.user_id == user_id))).first()
    if row is None:
        return None
    return DialogRecord(
        user_id=row.user_id,
        kind=row.kind,
        step=row.step,
        data=dict(row.data or {}),
        updated_at=as_utc(row.updated_at),
    )


async def set_dialog(
    db: Database, user_id: str, *, kind: str, step: str, data: dict[str, Any]
) -> None:
    """Start or advance the person's dialog (one per person; a new one replaces the old)."""
    user_id = check_text(user_id, "user id", max_len=300).strip()
    async with db.transaction() as session:
        await session.execute(
            upsert(session, dialog_t, ["user_id"], ["kind", "step", "data", "updated_at"]).values(
                user_id=user_id,
                kind=kind,
                step=step,
                data=without_nul(data),
                updated_at=utcnow(),
            )
        )


async def clear_dialog(db: Database, user_id: str) -> bool:
    """End the person's dialog; True when there was one."""
    async with db.transaction() as session:
        result = await session.execute(delete(dialog_t).where(dialog_t.c.user_id == user_id))
        return bool(result.rowcount)
