"""Running durable jobs: a registry of handlers by kind, and the runner that claims due jobs.

Schedule with :func:`storage.jobs.schedule`; say here what a kind does::

    from dialogs.jobs import JobContext, job

    @job("time_box")
    async def remind(ctx: JobContext, payload: dict[str, Any]) -> None:
        ...  # ctx.db, ctx.channel, ctx.now(); raise to have it retried with backoff

Every instance starts one :class:`JobRunner` (``bot/app.py``). It claims due jobs of the
kinds it has handlers for, runs each handler with a :class:`JobContext`, completes the job
or schedules its retry (exponential backoff with jitter, up to the job's ``max_attempts``),
and keeps extending its lease while the handler runs, so that only a dead or hung instance
loses a job to another. On PostgreSQL it is woken by ``NOTIFY`` when any instance schedules
a job, and otherwise sleeps until the next job is due (at most ``poll_interval``).

A handler may run more than once for one job (its instance died after the work and before
the completion was stored): make its effect idempotent, e.g. by giving the message it sends
an idempotency key, or by completing inside the transaction of its own database change
(``ctx.complete_in(tx)``).

Tests drive time with a :class:`ManualClock` and call :meth:`JobRunner.run_due_now`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from dialogs.claim_loop import ClaimLoop, Closer
from dialogs.conversation.channel import Channel
from storage import jobs as jobs_repo
from storage.db import Database
from storage.errors import DatabaseUnavailable

__all__ = [
    "Clock",
    "Handler",
    "JobContext",
    "JobRunner",
    "ManualClock",
    "SystemClock",
    "handler_for",
    "job",
    "register",
    "registered_kinds",
    "worker_name",
]

log = logging.getLogger(__name__)


class Clock(Protocol):
    """Where the runner and the handlers get the time (aware UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock a test moves by hand.

    >>> clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    >>> clock.advance(20); clock.now().second
    20
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start if start is not None else datetime.now(UTC)
        if self._now.tzinfo is None:
            raise ValueError("start has no time zone; give an aware datetime")

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


@dataclass(frozen=True)
class JobContext:
    """What a handler gets: the database, the channel to send on, the clock, and its job."""

    db: Database
    channel: Channel
    clock: Clock
    job: jobs_repo.ClaimedJob
    worker: str
    _completed: list[bool] = field(default_factory=list, repr=False)

    @property
    def completed(self) -> bool:
        """Whether the handler completed the job itself (:meth:`complete_in`)."""
        return bool(self._completed)

    def now(self) -> datetime:
        return self.clock.now()

    async def complete_in(self, tx: Any) -> bool:
        """Complete the job inside the handler's own transaction ``tx`` (from
        ``ctx.db.transaction()``): the change and the completion commit together, so a
        second run of the job finds it done or its change made, never half.

        Returns:
            False when this run no longer holds the job (do not commit the change then:
            raise, and the transaction rolls back).
        """
        done = await jobs_repo.complete(self.db, self.job, self.worker, now=self.now(), tx=tx)
        if done:
            self._completed.append(True)
        return done


Handler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]

_REGISTRY: dict[str, Handler] = {}


def register(kind: str, handler: Handler, *, replace: bool = False) -> None:
    """Make ``handler`` run jobs of ``kind``.

    Raises:
        ValueError: ``kind`` already has another handler (and ``replace`` is False).
    """
    if not kind or not kind.strip():
        raise ValueError("kind is empty; name the job kind, e.g. 'time_box'")
    existing = _REGISTRY.get(kind)
    if existing is not None and existing is not handler and not replace:
        raise ValueError(
            f"job kind {kind!r} already has the handler {existing.__qualname__}; "
            "give another kind or register(..., replace=True)"
        )
    _REGISTRY[kind] = handler


def job(kind: str) -> Callable[[Handler], Handler]:
    """Decorator form of :func:`register`."""

    def decorate(handler: Handler) -> Handler:
        register(kind, handler)
        return handler

    return decorate


def handler_for(kind: str) -> Handler | None:
    return _REGISTRY.get(kind)


def registered_kinds() -> frozenset[str]:
    return frozenset(_REGISTRY)


def worker_name() -> str:
    """A name unique to this process: host, pid and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class JobRunner:
    """Claims and runs due jobs in this process.

    Args:
        db: The database.
        channel: Handed to handlers (what they send goes through it).
        clock: The time (tests: :class:`ManualClock`).
        worker: This process's name in claims (default :func:`worker_name`).
        lease: How long a claim holds between heartbeats.
        poll_interval: Longest sleep when nothing is due and no NOTIFY arrives (seconds).
        concurrency: Jobs run at the same time at most.
        handlers: Kind → handler (default: the registry of :func:`register`).
        max_backoff: Longest wait before a retry (seconds).
    """

    db: Database
    channel: Channel
    clock: Clock = field(default_factory=SystemClock)
    worker: str = field(default_factory=worker_name)
    lease: timedelta = jobs_repo.DEFAULT_LEASE
    poll_interval: float = 5.0
    concurrency: int = 8
    handlers: dict[str, Handler] | None = None
    max_backoff: float = 300.0
    stats: dict[str, int] = field(
        default_factory=lambda: {"ran": 0, "failed": 0, "retried": 0, "lost": 0}
    )
    _random: random.Random = field(default_factory=random.Random, repr=False)
    #: The NOTIFY listener while running (PostgreSQL).
    listener: jobs_repo.JobListener | None = field(default=None, init=False, repr=False)
    claims: ClaimLoop[jobs_repo.ClaimedJob] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.claims = ClaimLoop(
            name=f"job runner {self.worker}",
            claim=lambda limit, _under_way: self._claim(limit=limit),
            run=self._run_one,
            key=lambda item: item.id,
            sleep_for=self._sleep_for,
            release=lambda: jobs_repo.release(self.db, self.worker),
            subscribe=self._subscribe,
            concurrency=self.concurrency,
            poll_interval=self.poll_interval,
        )

    def _subscribe(self, wake: Callable[[], None]) -> list[Closer]:
        listener = self.listener = jobs_repo.listen(self.db, wake)
        closers: list[Closer] = [jobs_repo.on_scheduled(self.db, wake)]
        return closers if listener is None else [listener.aclose, *closers]

    def _handlers(self) -> dict[str, Handler]:
        return _REGISTRY if self.handlers is None else self.handlers

    def wake(self) -> None:
        """Look for due jobs now (a job was scheduled in this process, or NOTIFY came)."""
        self.claims.wake()

    async def start(self) -> None:
        """Start claiming in the background (and listening for NOTIFY on PostgreSQL)."""
        await self.claims.start()

    async def stop(self, *, timeout: float = 5.0) -> int:
        """Stop claiming; give running handlers up to ``timeout`` seconds, then cancel them
        and hand their jobs back (another instance runs them at once).

        Returns:
            How many jobs were handed back.
        """
        return await self.claims.stop(timeout=timeout)

    async def settle(self, *, timeout: float = 60.0) -> bool:
        """Wait until no job is due now and none runs here (tests). Returns False when that
        did not happen within ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            due = await jobs_repo.next_due(self.db, kinds=set(self._handlers()))
            if not self.claims.running and (due is None or due > self.clock.now()):
                return True
            self.wake()
            await asyncio.sleep(0.05)
        return False

    async def run_due_now(self) -> int:
        """Claim every job due at the clock's time and run them to the end (tests, tools).

        Returns:
            How many jobs ran (successfully or not).
        """
        ran = 0
        while True:
            claimed = await self._claim(limit=50)
            if not claimed:
                return ran
            for item in claimed:
                await self._run_one(item)
                ran += 1

    async def _claim(self, *, limit: int) -> list[jobs_repo.ClaimedJob]:
        kinds = set(self._handlers())
        if not kinds:
            return []
        return await jobs_repo.claim(
            self.db, self.worker, kinds=kinds, limit=limit, lease=self.lease, now=self.clock.now()
        )

    async def _sleep_for(self) -> float:
        due = await jobs_repo.next_due(self.db, kinds=set(self._handlers()))
        if due is None:
            return self.poll_interval
        seconds = (due - self.clock.now()).total_seconds()
        # Just after it is due (claims compare with <=/<), and never longer than a poll.
        return min(max(seconds + 0.01, 0.01), self.poll_interval)

    async def _run_one(self, item: jobs_repo.ClaimedJob) -> None:
        handler = self._handlers().get(item.kind)
        ctx = JobContext(self.db, self.channel, self.clock, item, self.worker)
        heartbeat = asyncio.get_running_loop().create_task(self._heartbeat(item))
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {item.kind!r}")
            await handler(ctx, dict(item.payload))
        except asyncio.CancelledError:
            heartbeat.cancel()
            raise
        except Exception as exc:
            heartbeat.cancel()
            await self._failed(item, exc)
            return
        heartbeat.cancel()
        if ctx.completed:  # in the handler's own transaction
            self.stats["ran"] += 1
            return
        try:
            if await jobs_repo.complete(self.db, item, self.worker, now=self.clock.now()):
                self.stats["ran"] += 1
            else:
                self.stats["lost"] += 1
                log.warning("job %s %d was no longer ours when it finished", item.kind, item.id)
        except DatabaseUnavailable as exc:
            # The lease runs out and another run repeats it: handlers are idempotent.
            log.warning("could not complete job %s %d (%s)", item.kind, item.id, exc)

    async def _failed(self, item: jobs_repo.ClaimedJob, exc: Exception) -> None:
        retryable = not isinstance(exc, LookupError)
        backoff = min(self.max_backoff, 2.0**item.attempts)
        retry_at = (
            self.clock.now() + timedelta(seconds=self._random.uniform(backoff / 2, backoff))
            if retryable
            else None
        )
        final = retry_at is None or item.attempts >= item.max_attempts
        if final:
            self.stats["failed"] += 1
            log.error(
                "job %s %d failed for good after %d attempt(s): %s: %s",
                item.kind,
                item.id,
                item.attempts,
                type(exc).__name__,
                exc,
                exc_info=not isinstance(exc, DatabaseUnavailable),
            )
        else:
            self.stats["retried"] += 1
            log.warning(
                "job %s %d failed (%s: %s); retry %d at %s",
                item.kind,
                item.id,
                type(exc).__name__,
                exc,
                item.attempts,
                retry_at.isoformat() if retry_at else "-",
            )
        try:
            await jobs_repo.fail(
                self.db,
                item,
                self.worker,
                f"{type(exc).__name__}: {exc}",
                retry_at=retry_at,
                now=self.clock.now(),
            )
        except DatabaseUnavailable as db_exc:
            log.warning("could not record the failure of job %d (%s)", item.id, db_exc)

    async def _heartbeat(self, item: jobs_repo.ClaimedJob) -> None:
        interval = max(self.lease.total_seconds() / 3, 0.05)
        while True:
            await asyncio.sleep(interval)
            try:
                await jobs_repo.extend_lease(
                    self.db, [item.id], self.worker, lease=self.lease, now=self.clock.now()
                )
            except DatabaseUnavailable as exc:
                log.info("could not extend the lease of job %d (%s)", item.id, exc)
