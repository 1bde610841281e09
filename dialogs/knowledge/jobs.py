"""The knowledge bank's timed work as a durable job (issue 19's job runner).

One job, ``kb_sweep``: it runs :func:`dialogs.knowledge.timed.sweep` (check-ins, reminders,
follow-ups and digests due now) and schedules the next sweep at the next quarter hour, in
the transaction that completes this one (as :mod:`dialogs.housekeeping` does). Check-ins
are due at 10:00 local time, so the quarter-hour grid sends them on time; a digest waits at
most a quarter of an hour.

Two instances on one PostgreSQL database: the runner's claim (``FOR UPDATE SKIP LOCKED``)
gives each sweep to one of them, and the sweep's own conditional moves (``pending → sent``
only if still pending) make even a sweep run twice send nothing twice. Every instance calls
:func:`ensure_sweeping` at start; it schedules the sweep unless one is queued or running.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from dialogs.jobs import JobContext, job
from dialogs.knowledge import timed
from storage import jobs as jobs_repo
from storage.db import Database

__all__ = ["KEY", "PERIOD", "SWEEP_JOB", "ensure_sweeping", "knowledge_sweep", "slot"]

log = logging.getLogger(__name__)

SWEEP_JOB = "kb_sweep"
KEY = "kb_sweep"
PERIOD = timedelta(minutes=15)


def slot(moment: datetime) -> datetime:
    """The quarter hour ``moment`` falls in (UTC).

    >>> slot(datetime(2027, 1, 4, 9, 14, 59, tzinfo=UTC)).isoformat()
    '2027-01-04T09:00:00+00:00'
    """
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


@job(SWEEP_JOB)
async def knowledge_sweep(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Send what is due, then schedule the next quarter hour's sweep, counted from when this
    one started: a clock that moved while it ran (the Playground's local clock, a sweep
    that took long) makes the next one due at once instead of a period after the move."""
    started = ctx.now()
    await timed.sweep(ctx)
    following = slot(started) + PERIOD
    async with ctx.db.transaction() as tx:
        if await ctx.complete_in(tx):
            await jobs_repo.schedule(ctx.db, SWEEP_JOB, following, {}, key=KEY, tx=tx)


async def ensure_sweeping(db: Database, *, now: datetime | None = None) -> bool:
    """Schedule the sweep (now) unless it is queued or running; True when scheduled."""
    existing = await jobs_repo.get_job(db, KEY)
    if existing is not None and existing.state in ("queued", "running"):
        return False
    await jobs_repo.schedule(db, SWEEP_JOB, now or datetime.now(UTC), {}, key=KEY)
    return True
