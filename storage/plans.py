"""Question plans and their versions: the plan text, who saved which version, when and why."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select, update

from storage._base import (
    as_utc,
    check_id,
    check_text,
    dialect_of,
    insert_ignoring_conflicts,
    plan_t,
    plan_version_t,
    utcnow,
)
from storage.db import Database
from storage.errors import NotFound
from storage.records import PlanRecord, PlanVersionRecord

__all__ = [
    "MAX_PLAN_CHARS",
    "get_plan_version",
    "latest_plan_version",
    "list_plans",
    "plan_history",
    "plan_owners",
    "save_plan_version",
    "set_plan_owners",
]

log = logging.getLogger(__name__)

#: The longest plan text accepted (a plan is a page or two of YAML).
MAX_PLAN_CHARS = 200_000


def _version_select() -> Any:
    return select(
        *plan_version_t.c, plan_t.c.key.label("plan_key"), plan_t.c.name.label("plan_name")
    ).select_from(plan_version_t.join(plan_t, plan_t.c.id == plan_version_t.c.plan_id))


def _version_record(row: Row[Any]) -> PlanVersionRecord:
    m = row._mapping
    return PlanVersionRecord(
        id=m["id"],
        plan_id=m["plan_id"],
        plan_key=m["plan_key"],
        plan_name=m["plan_name"],
        version=m["version"],
        text=m["text"],
        author=m["author"],
        note=m["note"],
        created_at=as_utc(m["created_at"]),
    )


async def save_plan_version(
    db: Database,
    *,
    plan_key: str,
    name: str,
    text: str,
    author: str,
    note: str = "",
    owner_id: str | None = None,
) -> PlanVersionRecord:
    """Store a new version of a plan (the plan is created with version 1 if it is new).

    Versions are numbered 1, 2, … per plan; two saves at once get different numbers.

    Args:
        db: The database.
        plan_key: Stable identifier of the plan (e.g. ``"default"``).
        name: Human name of the plan (updated on every save).
        text: The full plan text (YAML, as the plan format defines it).
        author: Who saved it (a Teams display name or user id, or a CLI user name).
        note: Why it changed.
        owner_id: The owner of a plan this save creates (a Teams user id); an existing
            plan keeps its owner. Who may save is decided by ``dialogs.permissions``.

    Raises:
        InvalidInput: An empty key, name, author or text, or text over the limit.
    """
    plan_key = check_text(plan_key, "plan key", max_len=200).strip()
    name = check_text(name, "plan name", max_len=200).strip()
    text = check_text(text, "plan text", max_len=MAX_PLAN_CHARS)
    author = check_text(author, "plan author", max_len=200).strip()
    now = utcnow()
    async with db.transaction() as session:
        await session.execute(
            insert_ignoring_conflicts(session, plan_t, ["key"]).values(
                key=plan_key, name=name, created_at=now, owner_id=owner_id
            )
        )
        stmt = select(plan_t.c.id).where(plan_t.c.key == plan_key)
        if dialect_of(session) == "postgresql":
            stmt = stmt.with_for_update(key_share=True)  # serialises version numbering per plan
        plan_id = (await session.execute(stmt)).scalar_one()
        await session.execute(update(plan_t).where(plan_t.c.id == plan_id).values(name=name))
        latest = (
            await session.execute(
                select(func.coalesce(func.max(plan_version_t.c.version), 0)).where(
                    plan_version_t.c.plan_id == plan_id
                )
            )
        ).scalar_one()
        version_id = (
            await session.execute(
                plan_version_t.insert()
                .values(
                    plan_id=plan_id,
                    version=int(latest) + 1,
                    text=text,
                    author=author,
                    note=note,
                    created_at=now,
                )
                .returning(plan_version_t.c.id)
            )
        ).scalar_one()
        row = (
            await session.execute(_version_select().where(plan_version_t.c.id == version_id))
        ).one()
    record = _version_record(row)
    log.info("saved plan %s version %d by %s", plan_key, record.version, author)
    return record


async def latest_plan_version(db: Database, plan_key: str) -> PlanVersionRecord | None:
    """The newest version of a plan, or None if no plan has this key."""
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                _version_select()
                .where(plan_t.c.key == plan_key)
                .order_by(plan_version_t.c.version.desc())
                .limit(1)
            )
        ).first()
    return None if row is None else _version_record(row)


async def get_plan_version(db: Database, plan_version_id: int) -> PlanVersionRecord:
    """One plan version by id (the one a workshop used).

    Raises:
        NotFound: No such plan version.
    """
    check_id(plan_version_id, "plan version id")
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(_version_select().where(plan_version_t.c.id == plan_version_id))
        ).first()
    if row is None:
        raise NotFound(f"there is no plan version {plan_version_id}")
    return _version_record(row)


async def list_plans(db: Database) -> tuple[PlanRecord, ...]:
    """Every plan with its newest version number, by key."""
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(
                plan_t,
                func.max(plan_version_t.c.version).label("latest_version"),
                func.max(plan_version_t.c.created_at).label("updated_at"),
            )
            .select_from(plan_t.join(plan_version_t, plan_version_t.c.plan_id == plan_t.c.id))
            .group_by(plan_t.c.id)
            .order_by(plan_t.c.key)
        )
        return tuple(
            PlanRecord(
                id=row.id,
                key=row.key,
                name=row.name,
                created_at=as_utc(row.created_at),
                latest_version=int(row.latest_version),
                updated_at=as_utc(row.updated_at),
                owner_id=row.owner_id,
                co_owner_ids=tuple(row.co_owner_ids or ()),
            )
            for row in rows
        )


async def plan_history(db: Database, plan_key: str) -> tuple[PlanVersionRecord, ...]:
    """Every version of a plan, oldest first.

    Raises:
        NotFound: No plan has this key.
    """
    async with db.transaction(write=False) as session:
        rows = (
            await session.execute(
                _version_select().where(plan_t.c.key == plan_key).order_by(plan_version_t.c.version)
            )
        ).all()
    if not rows:
        raise NotFound(f"there is no plan {plan_key!r}; list the plans with: workshopbot plan list")
    return tuple(_version_record(row) for row in rows)


async def plan_owners(db: Database, plan_key: str) -> tuple[str | None, tuple[str, ...]] | None:
    """``(owner, co-owners)`` of a stored plan (the owner None when it has none), or None
    when no plan has this key."""
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                select(plan_t.c.owner_id, plan_t.c.co_owner_ids).where(plan_t.c.key == plan_key)
            )
        ).first()
    if row is None:
        return None
    return row.owner_id, tuple(row.co_owner_ids or ())


async def set_plan_owners(
    db: Database, plan_key: str, *, owner_id: str | None, co_owner_ids: Sequence[str] = ()
) -> tuple[str | None, tuple[str, ...]]:
    """Give a stored plan its owner and co-owners (an operator's act, or the owner's own
    ``plan share``); returns them as :func:`plan_owners` does.

    Raises:
        NotFound: No plan has this key.
        InvalidInput: An empty or over-long id.
    """
    owner = None if owner_id is None else check_text(owner_id, "owner id", max_len=300).strip()
    others = list(
        dict.fromkeys(check_text(c, "co-owner id", max_len=300).strip() for c in co_owner_ids)
    )
    async with db.transaction() as session:
        result = await session.execute(
            update(plan_t)
            .where(plan_t.c.key == plan_key)
            .values(owner_id=owner, co_owner_ids=others)
        )
    if not result.rowcount:
        raise NotFound(f"there is no plan {plan_key!r}; list the plans with: workshopbot plan list")
    log.info("plan %s has new owners", plan_key)
    return owner, tuple(others)
