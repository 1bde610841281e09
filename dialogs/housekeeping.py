"""Housekeeping as a job: every hour one instance deletes the bookkeeping of finished jobs
and delivered messages (older than a day), and, when ``WORKSHOPBOT_RETENTION_DAYS`` is set,
the workshops older than that (as ``workshopbot data purge`` does), so the retention needs no
cron line on any one machine.

:func:`ensure_housekeeping` (at start) schedules it when it is not queued yet.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from dialogs.jobs import JobContext, job
from storage import jobs as jobs_repo
from storage import outbox_store
from storage import privacy as privacy_repo
from storage.db import Database
from storage.errors import InvalidInput

__all__ = ["HOUSEKEEPING_JOB", "ensure_housekeeping", "housekeeping"]

log = logging.getLogger(__name__)

HOUSEKEEPING_JOB = "housekeeping"
KEY = "housekeeping"
EVERY = timedelta(hours=1)
KEEP_BOOKKEEPING = timedelta(days=1)


@job(HOUSEKEEPING_JOB)
async def housekeeping(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Purge finished jobs and delivered messages, apply the retention, and schedule the
    next run (in the transaction that completes this one)."""
    now = ctx.now()
    jobs_gone = await jobs_repo.purge_finished(ctx.db, before=now - KEEP_BOOKKEEPING)
    messages_gone = await outbox_store.purge(ctx.db, before=now - KEEP_BOOKKEEPING)
    try:
        days = privacy_repo.retention_days_from_env()
    except InvalidInput as exc:
        log.error("retention not applied: %s", exc)
        days = None
    if days is not None:
        report = await privacy_repo.purge_older_than(ctx.db, days, now=now)
        log.info("retention of %d days: %s", days, report)
    if jobs_gone or messages_gone:
        log.info(
            "housekeeping: %d finished jobs, %d sent messages deleted", jobs_gone, messages_gone
        )
    async with ctx.db.transaction() as tx:
        if await ctx.complete_in(tx):
            await jobs_repo.schedule(ctx.db, HOUSEKEEPING_JOB, now + EVERY, {}, key=KEY, tx=tx)


async def ensure_housekeeping(db: Database, *, now: datetime | None = None) -> bool:
    """Schedule housekeeping unless it is queued or running. Returns True when scheduled."""
    existing = await jobs_repo.get_job(db, KEY)
    if existing is not None and existing.state in ("queued", "running"):
        return False
    start = now if now is not None else datetime.now(UTC)
    await jobs_repo.schedule(db, HOUSEKEEPING_JOB, start + timedelta(minutes=5), {}, key=KEY)
    return True
