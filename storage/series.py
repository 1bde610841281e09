"""Series: runs of workshops on one theme, so workshop 3 can be compared with 1–2."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select, update

from storage._base import (
    as_utc,
    check_id,
    check_text,
    facilitators_of,
    insert_ignoring_conflicts,
    series_t,
    utcnow,
    workshop_from_row,
    workshop_select,
    workshop_t,
)
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.records import SeriesRecord, WorkshopRecord

__all__ = [
    "create_series",
    "get_or_create_series",
    "get_series",
    "get_series_by_name",
    "list_series",
    "set_series_owners",
    "workshops_in_series",
]

log = logging.getLogger(__name__)


def _record(row: Row[Any]) -> SeriesRecord:
    m = row._mapping
    return SeriesRecord(
        id=m["id"],
        name=m["name"],
        description=m["description"],
        created_at=as_utc(m["created_at"]),
        owner_id=m["owner_id"],
        co_owner_ids=tuple(m["co_owner_ids"] or ()),
    )


def _check_name(name: object) -> str:
    return check_text(name, "series name", max_len=200).strip()


async def create_series(
    db: Database, name: str, *, description: str = "", owner_id: str | None = None
) -> SeriesRecord:
    """Create a series (``owner_id``: the Teams user id of who starts it).

    Raises:
        InvalidInput: The name is empty, too long or already taken.
    """
    name = _check_name(name)
    async with db.transaction() as session:
        stmt = insert_ignoring_conflicts(session, series_t, ["name"]).values(
            name=name, description=description, created_at=utcnow(), owner_id=owner_id
        )
        result = await session.execute(stmt.returning(*series_t.c))
        row = result.first()
        if row is None:
            raise InvalidInput(f"a series named {name!r} exists already; choose another name")
        return _record(row)


async def get_or_create_series(
    db: Database, name: str, *, description: str = "", owner_id: str | None = None
) -> SeriesRecord:
    """The series with this name, created if it does not exist (safe when called at once);
    a new series is owned by ``owner_id``, an existing one keeps its owner."""
    name = _check_name(name)
    async with db.transaction() as session:
        await session.execute(
            insert_ignoring_conflicts(session, series_t, ["name"]).values(
                name=name, description=description, created_at=utcnow(), owner_id=owner_id
            )
        )
        row = (await session.execute(select(series_t).where(series_t.c.name == name))).one()
        return _record(row)


async def get_series(db: Database, series_id: int) -> SeriesRecord:
    """The series with this id.

    Raises:
        NotFound: No such series.
    """
    check_id(series_id, "series id")
    async with db.transaction(write=False) as session:
        row = (await session.execute(select(series_t).where(series_t.c.id == series_id))).first()
    if row is None:
        raise NotFound(f"there is no series {series_id}")
    return _record(row)


async def get_series_by_name(db: Database, name: str) -> SeriesRecord | None:
    """The series with this name, or None."""
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(select(series_t).where(series_t.c.name == name.strip()))
        ).first()
    return None if row is None else _record(row)


async def set_series_owners(
    db: Database, series_id: int, *, owner_id: str | None, co_owner_ids: Sequence[str] = ()
) -> SeriesRecord:
    """Give a series its owner and co-owners (an operator's act: ``workshopbot series owner``).

    Raises:
        NotFound: No such series.
        InvalidInput: An empty or over-long id.
    """
    check_id(series_id, "series id")
    owner = None if owner_id is None else check_text(owner_id, "owner id", max_len=300).strip()
    others = [check_text(c, "co-owner id", max_len=300).strip() for c in co_owner_ids]
    async with db.transaction() as session:
        row = (
            await session.execute(
                update(series_t)
                .where(series_t.c.id == series_id)
                .values(owner_id=owner, co_owner_ids=list(dict.fromkeys(others)))
                .returning(*series_t.c)
            )
        ).first()
    if row is None:
        raise NotFound(f"there is no series {series_id}")
    return _record(row)


async def list_series(db: Database) -> tuple[SeriesRecord, ...]:
    """Every series, oldest first."""
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(series_t).order_by(series_t.c.created_at, series_t.c.id)
        )
        return tuple(_record(row) for row in rows)


async def workshops_in_series(db: Database, series_id: int) -> tuple[WorkshopRecord, ...]:
    """The workshops of a series in their order (workshop 1, 2, …).

    Raises:
        NotFound: No such series.
    """
    check_id(series_id, "series id")
    async with db.transaction(write=False) as session:
        exists = (
            await session.execute(select(series_t.c.id).where(series_t.c.id == series_id))
        ).first()
        if exists is None:
            raise NotFound(f"there is no series {series_id}")
        rows = (
            await session.execute(
                workshop_select()
                .where(workshop_t.c.series_id == series_id)
                .order_by(workshop_t.c.number_in_series, workshop_t.c.id)
            )
        ).all()
        facilitators = await facilitators_of(session, [row.id for row in rows])
        return tuple(workshop_from_row(row, facilitators.get(row.id, ())) for row in rows)
