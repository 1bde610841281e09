"""Summaries: the generated "what now" summaries of a workshop (JSON and Markdown)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select

from storage._base import as_utc, check_id, opt_utc, require_workshop, summary_t, utcnow
from storage.db import Database
from storage.errors import InvalidInput
from storage.records import SummaryRecord

__all__ = ["latest_summary", "list_summaries", "save_summary"]


def _record(row: Row[Any]) -> SummaryRecord:
    m = row._mapping
    return SummaryRecord(
        id=m["id"],
        workshop_id=m["workshop_id"],
        data=dict(m["data"] or {}),
        markdown=m["markdown"],
        created_at=as_utc(m["created_at"]),
        scrubbed_at=opt_utc(m["scrubbed_at"]),
    )


async def save_summary(
    db: Database, workshop_id: int, *, data: dict[str, Any], markdown: str
) -> SummaryRecord:
    """Store a generated summary of a workshop (older ones are kept).

    Quotes in ``data`` should be objects carrying ``"answer_id"`` (and ``"pseudonym"``), so
    that ``workshopbot data forget`` can remove one person's quotes.

    Raises:
        NotFound: No such workshop.
        InvalidInput: ``data`` is not a dict or ``markdown`` is not text.
    """
    check_id(workshop_id, "workshop id")
    if not isinstance(data, dict):
        raise InvalidInput(f"summary data must be a JSON object (dict), not {type(data).__name__}")
    if not isinstance(markdown, str):
        raise InvalidInput(f"summary markdown must be text, not {type(markdown).__name__}")
    async with db.transaction() as session:
        await require_workshop(session, workshop_id)
        row = (
            await session.execute(
                summary_t.insert()
                .values(workshop_id=workshop_id, data=data, markdown=markdown, created_at=utcnow())
                .returning(*summary_t.c)
            )
        ).one()
        return _record(row)


async def latest_summary(db: Database, workshop_id: int) -> SummaryRecord | None:
    """The newest summary of a workshop, or None."""
    check_id(workshop_id, "workshop id")
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                select(summary_t)
                .where(summary_t.c.workshop_id == workshop_id)
                .order_by(summary_t.c.created_at.desc(), summary_t.c.id.desc())
                .limit(1)
            )
        ).first()
    return None if row is None else _record(row)


async def list_summaries(db: Database, workshop_id: int) -> tuple[SummaryRecord, ...]:
    """Every summary of a workshop, oldest first."""
    check_id(workshop_id, "workshop id")
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(summary_t)
            .where(summary_t.c.workshop_id == workshop_id)
            .order_by(summary_t.c.created_at, summary_t.c.id)
        )
        return tuple(_record(row) for row in rows)
