"""The event log: facilitator actions with their time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select

from storage._base import as_utc, check_id, check_text, event_t, require_workshop, utcnow
from storage.db import Database
from storage.records import EventRecord

__all__ = ["list_events", "log_event"]


def _record(row: Row[Any]) -> EventRecord:
    m = row._mapping
    return EventRecord(
        id=m["id"],
        workshop_id=m["workshop_id"],
        kind=m["kind"],
        actor_user_id=m["actor_user_id"],
        data=dict(m["data"] or {}),
        created_at=as_utc(m["created_at"]),
    )


async def log_event(
    db: Database,
    workshop_id: int | None,
    kind: str,
    *,
    actor_user_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> EventRecord:
    """Append an event (e.g. ``"question.opened"``, ``"plan.changed"``) to the log.

    Args:
        workshop_id: The workshop it concerns, or None for bot-wide events.
        kind: A short dotted name of the action.
        actor_user_id: The Teams user id of who did it.
        data: Details as JSON-serialisable data.

    Raises:
        NotFound: No such workshop.
    """
    kind = check_text(kind, "event kind", max_len=64).strip()
    async with db.transaction() as session:
        if workshop_id is not None:
            await require_workshop(session, workshop_id)
        row = (
            await session.execute(
                event_t.insert()
                .values(
                    workshop_id=workshop_id,
                    kind=kind,
                    actor_user_id=actor_user_id,
                    data=data or {},
                    created_at=utcnow(),
                )
                .returning(*event_t.c)
            )
        ).one()
        return _record(row)


async def list_events(
    db: Database, workshop_id: int, *, kind: str | None = None
) -> tuple[EventRecord, ...]:
    """A workshop's events, oldest first (optionally only one kind)."""
    check_id(workshop_id, "workshop id")
    stmt = select(event_t).where(event_t.c.workshop_id == workshop_id)
    if kind is not None:
        stmt = stmt.where(event_t.c.kind == kind)
    async with db.transaction(write=False) as session:
        rows = await session.execute(stmt.order_by(event_t.c.created_at, event_t.c.id))
        return tuple(_record(row) for row in rows)
