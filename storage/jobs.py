"""Durable jobs: every timed thing is a row of ``job``, not a timer in one process.

Why one module of ~690 lines: scheduling, claiming, leases, retries and the PostgreSQL
wake-ups (LISTEN/NOTIFY) are one state machine over one table, each step with its SQLite and
its PostgreSQL statement side by side; split, a change to a state would be made in one file
and missed in another.

A time-box reminder, a transfer check-in, a digest, a clean-up: whatever must happen at a
time is *scheduled* here and *run* by whichever live instance claims it when it is due
(:class:`dialogs.jobs.JobRunner` does the claiming and running). Exactly one instance runs
a due job; a job claimed by an instance that then dies is taken over by another when its
lease runs out.

The API (each call one transaction, or the caller's when ``tx`` is given)::

    # Schedule (or, with a key already used, move and replace) a job:
    job_id = await schedule(db, "time_box", due_at, {"run_id": 7}, key="time_box:7")
    await cancel(db, "time_box:7")                      # True if one not yet run was dropped
    await cancel_prefix(db, "checkin:series:3:")        # every job whose key starts so

    # In the caller's own transaction (the job exists if and only if the change does):
    async with db.transaction() as tx:
        ...  # the change, by other storage functions that accept tx
        await schedule(db, "time_box", due_at, payload, key=..., tx=tx)

    # The runner's side:
    claimed = await claim(db, "instance-a", kinds={"time_box"}, lease=timedelta(seconds=15))
    await extend_lease(db, [j.id for j in claimed], "instance-a", lease=...)   # heartbeat
    await complete(db, claimed[0], "instance-a")                                # done
    await fail(db, claimed[0], "instance-a", "why", retry_at=later)             # try again
    await release(db, "instance-a")                                  # hand back at shutdown
    await next_due(db)        # when the runner should look again (earliest due or lease end)

Semantics:

- **Keys.** A given ``key`` is unique. Scheduling it again replaces kind, due time and
  payload and queues the job anew (attempts from zero); if the old run is running at that
  moment, that run can no longer complete or fail the job (its ``version`` is stale), and
  the new one runs at the new time. A job that has run (done or failed) is queued again:
  the key then names the next run.
- **Claiming.** A job is due when queued with ``due_at <= now``, or running with a lease
  that ran out (its instance died or hung). PostgreSQL claims with ``FOR UPDATE SKIP
  LOCKED`` so instances never wait on each other's rows; SQLite (one instance) takes the
  write lock. Every claim counts an attempt; a job claimed more than ``max_attempts`` times
  is failed for good (an instance that crashes on it each time cannot keep it alive).
- **Waking.** On PostgreSQL every schedule sends ``NOTIFY workshopbot_jobs`` in its
  transaction (delivered at commit); :class:`JobListener` hears it (asyncpg
  ``add_listener``) so a runner need not wait a polling period for a job another instance
  scheduled. Without it a runner still finds every job through :func:`next_due`.
- **Time** is the caller's (``now=``; default the system clock, UTC), so tests can move it.

Payloads are JSON objects; keep them to ids (a participant's words never belong in one).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import Row, Table, and_, delete, func, or_, select, text, update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import _wake, models
from storage._base import as_utc, check_text, opt_utc, utcnow
from storage.db import Database
from storage.errors import InvalidInput

__all__ = [
    "DEFAULT_LEASE",
    "NOTIFY_CHANNEL",
    "ClaimedJob",
    "JobListener",
    "JobRecord",
    "JobState",
    "cancel",
    "cancel_prefix",
    "claim",
    "complete",
    "extend_lease",
    "fail",
    "get_job",
    "list_jobs",
    "listen",
    "next_due",
    "on_scheduled",
    "purge_finished",
    "release",
    "schedule",
]

log = logging.getLogger(__name__)

job_t = cast(Table, models.Job.__table__)  # type: ignore[attr-defined]

JobState = Literal["queued", "running", "done", "failed"]

#: How long a claim holds before another instance may take the job over.
DEFAULT_LEASE = timedelta(seconds=15)
#: The PostgreSQL channel a schedule notifies and :class:`JobListener` listens on.
NOTIFY_CHANNEL = "workshopbot_jobs"
DEFAULT_MAX_ATTEMPTS = 5
_MAX_PAYLOAD_CHARS = 20_000


@dataclass(frozen=True)
class JobRecord:
    """A job as stored."""

    id: int
    kind: str
    key: str | None
    payload: dict[str, Any]
    state: JobState
    due_at: datetime
    attempts: int
    max_attempts: int
    version: int
    locked_by: str | None
    locked_until: datetime | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class ClaimedJob:
    """A job this worker claimed: run it, then :func:`complete` or :func:`fail` it."""

    id: int
    kind: str
    key: str | None
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    version: int
    due_at: datetime
    locked_until: datetime


def _record(row: Row[Any]) -> JobRecord:
    m = row._mapping
    return JobRecord(
        id=m["id"],
        kind=m["kind"],
        key=m["key"],
        payload=dict(m["payload"] or {}),
        state=m["state"],
        due_at=as_utc(m["due_at"]),
        attempts=m["attempts"],
        max_attempts=m["max_attempts"],
        version=m["version"],
        locked_by=m["locked_by"],
        locked_until=opt_utc(m["locked_until"]),
        last_error=m["last_error"],
        created_at=as_utc(m["created_at"]),
        finished_at=opt_utc(m["finished_at"]),
    )


def _aware(value: object, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidInput(f"{what} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{what} {value.isoformat()} has no time zone; give an aware datetime "
            "(datetime.now(UTC) + timedelta(...))"
        )
    # SQLite keeps no offset: every stored time is UTC, so that comparisons hold.
    return as_utc(value)


def _now(now: datetime | None) -> datetime:
    return utcnow() if now is None else _aware(now, "now")


def _check_payload(payload: object) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidInput(f"a job's payload must be a dict, not {type(payload).__name__}")
    try:
        encoded = json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"a job's payload must be JSON (ids, numbers, text): {exc}; convert the value first"
        ) from exc
    if len(encoded) > _MAX_PAYLOAD_CHARS:
        raise InvalidInput(
            f"a job's payload is {len(encoded):,} characters of JSON; the limit is "
            f"{_MAX_PAYLOAD_CHARS:,}: store ids, not content"
        )
    return cast(dict[str, Any], json.loads(encoded))


def _check_lease(lease: timedelta) -> timedelta:
    if not isinstance(lease, timedelta) or lease <= timedelta(0):
        raise InvalidInput(f"lease = {lease!r} is invalid; give a positive timedelta")
    return lease


@contextlib.asynccontextmanager
async def _in(db: Database, tx: AsyncConnection | None) -> AsyncIterator[AsyncConnection]:
    if tx is not None:
        yield tx
        return
    async with db.transaction() as session:
        yield session


async def schedule(
    db: Database,
    kind: str,
    due_at: datetime,
    payload: dict[str, Any],
    *,
    key: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    tx: AsyncConnection | None = None,
) -> int:
    """Schedule ``kind`` to run at ``due_at`` with ``payload``.

    Args:
        kind: Which handler runs it (``dialogs.jobs.register``).
        due_at: When (aware datetime; a time in the past runs at once).
        payload: JSON object handed to the handler (ids, not personal content).
        key: A unique name: scheduling it again replaces due time and payload (see the
            module's notes); :func:`cancel` drops it.
        max_attempts: Claims after which a failing job is given up.
        tx: Run inside this transaction (from ``db.transaction()``) instead of a new one.

    Returns:
        The job's id (the same id when a key is scheduled again).

    Raises:
        InvalidInput: A naive time, an empty kind or key, or a payload that is not JSON.
    """
    kind = check_text(kind, "job kind", max_len=100).strip()
    due = _aware(due_at, "due_at")
    body = _check_payload(payload)
    if key is not None:
        key = check_text(key, "job key", max_len=300)
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise InvalidInput(f"max_attempts = {max_attempts!r} is invalid; it must be >= 1")
    values: dict[str, Any] = {
        "kind": kind,
        "key": key,
        "payload": body,
        "state": "queued",
        "due_at": due,
        "attempts": 0,
        "max_attempts": max_attempts,
        "version": 1,
        "locked_by": None,
        "locked_until": None,
        "last_error": None,
        "created_at": utcnow(),
        "finished_at": None,
    }
    async with _in(db, tx) as session:
        if key is None:
            statement: Any = job_t.insert().values(**values).returning(job_t.c.id)
        else:
            insert = (pg_dialect if db.dialect == "postgresql" else sqlite_dialect).insert
            base = insert(job_t).values(**values)
            statement = base.on_conflict_do_update(
                index_elements=[job_t.c.key],
                set_={
                    "kind": base.excluded.kind,
                    "payload": base.excluded.payload,
                    "state": "queued",
                    "due_at": base.excluded.due_at,
                    "attempts": 0,
                    "max_attempts": base.excluded.max_attempts,
                    "version": job_t.c.version + 1,
                    "locked_by": None,
                    "locked_until": None,
                    "last_error": None,
                    "finished_at": None,
                },
            ).returning(job_t.c.id)
        job_id = int((await session.execute(statement)).scalar_one())
        await _notify(db, session)
    return job_id


async def _notify(db: Database, session: AsyncConnection) -> None:
    _wake.after_commit(db, session, NOTIFY_CHANNEL)
    if db.dialect == "postgresql":
        # Delivered when the transaction commits, not before (and not at all on rollback).
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})


async def cancel(db: Database, key: str, *, tx: AsyncConnection | None = None) -> bool:
    """Drop the job named ``key`` unless it has already run.

    A run in progress is not interrupted, but it can no longer complete the job.

    Returns:
        True when a queued or running job was dropped; False when there was none (or it
        had run: a finished job is left as the record of what ran).
    """
    key = check_text(key, "job key", max_len=300)
    async with _in(db, tx) as session:
        result = await session.execute(
            delete(job_t).where(job_t.c.key == key, job_t.c.state.in_(("queued", "running")))
        )
    return bool(result.rowcount)


async def cancel_prefix(db: Database, prefix: str, *, tx: AsyncConnection | None = None) -> int:
    """Drop every job not yet run whose key starts with ``prefix`` (e.g. all of a series',
    or a person's on "forget me"). Returns how many."""
    prefix = check_text(prefix, "job key prefix", max_len=300)
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    async with _in(db, tx) as session:
        result = await session.execute(
            delete(job_t).where(
                job_t.c.key.like(escaped + "%", escape="\\"),
                job_t.c.state.in_(("queued", "running")),
            )
        )
    return int(result.rowcount or 0)


async def get_job(db: Database, key_or_id: str | int) -> JobRecord | None:
    """The job with this key (text) or id (int), or None."""
    where = job_t.c.id == key_or_id if isinstance(key_or_id, int) else job_t.c.key == key_or_id
    async with db.transaction(write=False) as session:
        row = (await session.execute(select(job_t).where(where))).first()
    return None if row is None else _record(row)


async def list_jobs(db: Database, *, kind: str | None = None) -> list[JobRecord]:
    """Every job (of ``kind``), oldest due first: for operators and tests."""
    query = select(job_t).order_by(job_t.c.due_at, job_t.c.id)
    if kind is not None:
        query = query.where(job_t.c.kind == kind)
    async with db.transaction(write=False) as session:
        rows = (await session.execute(query)).all()
    return [_record(row) for row in rows]


def _due_condition(now: datetime) -> Any:
    return or_(
        and_(job_t.c.state == "queued", job_t.c.due_at <= now),
        and_(job_t.c.state == "running", job_t.c.locked_until < now),
    )


async def claim(
    db: Database,
    worker: str,
    *,
    kinds: Collection[str] | None = None,
    limit: int = 10,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> list[ClaimedJob]:
    """Claim up to ``limit`` due jobs for ``worker`` until ``now + lease``.

    Args:
        worker: This instance's name (unique per process: host, pid, a random part).
        kinds: Claim only these kinds (the ones this instance has handlers for), or all.
        limit: How many at most.
        lease: How long the claim holds unless extended (:func:`extend_lease`).
        now: The current time (tests).

    Returns:
        The claimed jobs, oldest due first. A job claimed more than its ``max_attempts``
        times is marked failed instead and not returned.
    """
    worker = check_text(worker, "worker name", max_len=100)
    lease = _check_lease(lease)
    if limit < 1:
        raise InvalidInput(f"limit = {limit} is invalid; it must be >= 1")
    current = _now(now)
    candidates = select(job_t.c.id).where(_due_condition(current))
    if kinds is not None:
        if not kinds:
            return []
        candidates = candidates.where(job_t.c.kind.in_(sorted(kinds)))
    candidates = candidates.order_by(job_t.c.due_at, job_t.c.id).limit(limit)
    if db.dialect == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    until = current + lease
    statement = (
        update(job_t)
        .where(job_t.c.id.in_(candidates.scalar_subquery()))
        .values(
            state="running",
            locked_by=worker,
            locked_until=until,
            attempts=job_t.c.attempts + 1,
        )
        .returning(
            job_t.c.id,
            job_t.c.kind,
            job_t.c.key,
            job_t.c.payload,
            job_t.c.attempts,
            job_t.c.max_attempts,
            job_t.c.version,
            job_t.c.due_at,
        )
    )
    claimed: list[ClaimedJob] = []
    async with db.transaction() as session:
        rows = (await session.execute(statement)).all()
        exhausted: list[int] = []
        for row in rows:
            m = row._mapping
            if m["attempts"] > m["max_attempts"]:
                exhausted.append(m["id"])
                continue
            claimed.append(
                ClaimedJob(
                    id=m["id"],
                    kind=m["kind"],
                    key=m["key"],
                    payload=dict(m["payload"] or {}),
                    attempts=m["attempts"],
                    max_attempts=m["max_attempts"],
                    version=m["version"],
                    due_at=as_utc(m["due_at"]),
                    locked_until=until,
                )
            )
        if exhausted:
            log.error("giving up %d job(s) claimed more often than allowed", len(exhausted))
            await session.execute(
                update(job_t)
                .where(job_t.c.id.in_(exhausted))
                .values(
                    state="failed",
                    locked_by=None,
                    locked_until=None,
                    finished_at=current,
                    last_error="claimed more often than max_attempts (its instances died?)",
                )
            )
    claimed.sort(key=lambda job: (job.due_at, job.id))
    return claimed


def _mine(job: ClaimedJob, worker: str) -> Any:
    return and_(
        job_t.c.id == job.id,
        job_t.c.version == job.version,
        job_t.c.state == "running",
        job_t.c.locked_by == worker,
    )


async def complete(
    db: Database,
    job: ClaimedJob,
    worker: str,
    *,
    now: datetime | None = None,
    tx: AsyncConnection | None = None,
) -> bool:
    """Mark ``job`` done.

    With ``tx`` the completion commits with the handler's own changes (exactly once for
    whatever the handler wrote to the database).

    Returns:
        False when the claim was lost meanwhile (lease ran out and another instance took
        it, the job was rescheduled or cancelled); the caller's work then counts for nothing
        here, and whoever holds the job now decides.
    """
    current = _now(now)
    async with _in(db, tx) as session:
        result = await session.execute(
            update(job_t)
            .where(_mine(job, worker))
            .values(state="done", locked_by=None, locked_until=None, finished_at=current)
        )
    return bool(result.rowcount)


async def fail(
    db: Database,
    job: ClaimedJob,
    worker: str,
    error: str,
    *,
    retry_at: datetime | None,
    now: datetime | None = None,
) -> bool:
    """Record that ``job`` failed: queue it again at ``retry_at``, or (``retry_at`` None, or
    its attempts used up) fail it for good.

    Returns:
        False when the claim was lost meanwhile (see :func:`complete`).
    """
    current = _now(now)
    reason = str(error)[:2000] or "failed"
    final = retry_at is None or job.attempts >= job.max_attempts
    values: dict[str, Any] = {"locked_by": None, "locked_until": None, "last_error": reason}
    if final:
        values.update(state="failed", finished_at=current)
    else:
        assert retry_at is not None
        values.update(state="queued", due_at=_aware(retry_at, "retry_at"))
    async with db.transaction() as session:
        result = await session.execute(update(job_t).where(_mine(job, worker)).values(**values))
        if result.rowcount and not final:
            await _notify(db, session)
    return bool(result.rowcount)


async def extend_lease(
    db: Database,
    job_ids: Sequence[int],
    worker: str,
    *,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> int:
    """Extend this worker's claims on ``job_ids`` to ``now + lease`` (a heartbeat while a
    handler runs). Returns how many claims were still held."""
    if not job_ids:
        return 0
    until = _now(now) + _check_lease(lease)
    async with db.transaction() as session:
        result = await session.execute(
            update(job_t)
            .where(
                job_t.c.id.in_(list(job_ids)),
                job_t.c.state == "running",
                job_t.c.locked_by == worker,
            )
            .values(locked_until=until)
        )
    return int(result.rowcount or 0)


async def release(db: Database, worker: str, *, job_ids: Sequence[int] | None = None) -> int:
    """Hand back this worker's claims (a graceful stop): the jobs are queued again, due at
    once, and the attempt they were claimed for does not count. Returns how many."""
    where = [job_t.c.state == "running", job_t.c.locked_by == worker]
    if job_ids is not None:
        if not job_ids:
            return 0
        where.append(job_t.c.id.in_(list(job_ids)))
    async with db.transaction() as session:
        result = await session.execute(
            update(job_t)
            .where(*where)
            .values(
                state="queued",
                locked_by=None,
                locked_until=None,
                attempts=func.max(job_t.c.attempts - 1, 0)
                if db.dialect == "sqlite"
                else func.greatest(job_t.c.attempts - 1, 0),
            )
        )
        if result.rowcount:
            await _notify(db, session)
    return int(result.rowcount or 0)


async def next_due(db: Database, *, kinds: Collection[str] | None = None) -> datetime | None:
    """When a job is next due: the earliest queued ``due_at`` or running lease end."""
    queued = select(func.min(job_t.c.due_at)).where(job_t.c.state == "queued")
    running = select(func.min(job_t.c.locked_until)).where(job_t.c.state == "running")
    if kinds is not None:
        if not kinds:
            return None
        queued = queued.where(job_t.c.kind.in_(sorted(kinds)))
        running = running.where(job_t.c.kind.in_(sorted(kinds)))
    async with db.transaction(write=False) as session:
        first = (await session.execute(queued)).scalar()
        lease_end = (await session.execute(running)).scalar()
    times = [as_utc(_parse(t)) for t in (first, lease_end) if t is not None]
    return min(times) if times else None


def _parse(value: Any) -> datetime:
    # SQLite's min() of a DATETIME column comes back as the stored text.
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


async def purge_finished(db: Database, *, before: datetime) -> int:
    """Delete jobs that finished (done or failed) before ``before``. Returns how many."""
    cutoff = _aware(before, "before")
    async with db.transaction() as session:
        result = await session.execute(
            delete(job_t).where(job_t.c.state.in_(("done", "failed")), job_t.c.finished_at < cutoff)
        )
    return int(result.rowcount or 0)


class JobListener:
    """Hears ``NOTIFY workshopbot_jobs`` on a connection of its own (PostgreSQL only) and
    calls ``on_notify`` for each, and once more whenever the connection was lost and
    made again (jobs scheduled meanwhile were not heard). Reconnects until closed."""

    def __init__(
        self, db: Database, on_notify: Callable[[], None], *, channel: str = NOTIFY_CHANNEL
    ) -> None:
        if db.dialect != "postgresql":
            raise InvalidInput("NOTIFY needs PostgreSQL; on SQLite the one instance polls")
        self._dsn = (
            make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        self._on_notify = on_notify
        self._channel = channel
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        #: Set while a listening connection is up (tests wait on it).
        self.listening = asyncio.Event()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="job listener")

    async def _run(self) -> None:
        import asyncpg  # storage/ is the one place that may

        delay = 0.2
        while not self._closed:
            lost = asyncio.Event()
            try:
                connection = await asyncpg.connect(self._dsn, timeout=5)
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.info("job listener cannot connect (%s); again in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            try:

                def heard(*_args: Any) -> None:
                    self._on_notify()

                connection.add_termination_listener(lambda *_a, lost=lost: lost.set())
                await connection.add_listener(self._channel, heard)
                self.listening.set()
                delay = 0.2
                self._on_notify()  # anything scheduled while not listening
                while not self._closed and not lost.is_set():
                    # The termination listener is not called for every kind of loss: look.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), 2.0)
                    if connection.is_closed():
                        break
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.info("job listener lost its connection (%s)", exc)
            finally:
                self.listening.clear()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(connection.close(), 2.0)
            if not self._closed:
                await asyncio.sleep(delay)

    async def aclose(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None


def on_scheduled(db: Database, callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` in this process whenever a job is scheduled, retried or handed back
    on ``db`` (after the commit), on either database. Returns the function that stops it."""
    _wake.register(db, NOTIFY_CHANNEL, callback)
    return lambda: _wake.unregister(db, NOTIFY_CHANNEL, callback)


def listen(
    db: Database, on_notify: Callable[[], None], *, channel: str = NOTIFY_CHANNEL
) -> JobListener | None:
    """Start a :class:`JobListener` on PostgreSQL; None on SQLite (nothing to hear: the
    one instance schedules its own jobs and wakes its runner itself)."""
    if db.dialect != "postgresql":
        return None
    listener = JobListener(db, on_notify, channel=channel)
    listener.start()
    return listener
