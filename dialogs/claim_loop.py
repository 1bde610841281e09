"""The background loop that claims durable work and runs it: the job runner
(:class:`dialogs.jobs.JobRunner`) and the outbox's delivery (``bot.delivery.DurableDelivery``)
are both one of these, each with its own claim, work and hand-back.

The loop claims as many items as it has free slots, runs each in its own task, and sleeps
until the next item is due, a slot frees, or a wake-up comes (this process scheduled
something, or PostgreSQL's NOTIFY said another did). A lost database makes it back off
(0.5 s doubling to 5 s) instead of failing; a bug in one round is logged and the loop goes
on. :meth:`ClaimLoop.stop` stops claiming, gives the items under way ``timeout`` seconds,
cancels the rest and hands every claim back so another instance takes them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Sequence
from typing import Any, Generic, TypeVar

from storage.errors import DatabaseUnavailable

__all__ = ["ClaimLoop", "Closer"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Stops a wake-up source (a NOTIFY listener's ``aclose`` or an in-process callback's undo).
Closer = Callable[[], Awaitable[None] | None]


class ClaimLoop(Generic[T]):
    """Claim, run, sleep, over and over, until stopped.

    Args:
        name: What the loop does, for logs and task names ("job runner", "delivery").
        claim: ``(limit, keys under way) -> items`` claimed for this process.
        run: Runs one claimed item to its end (its own errors are its own business).
        key: An item's key among those under way (a job's id, a conversation's lane).
        sleep_for: Seconds until the next item is due (at most the poll interval).
        release: Hands every claim of this process back; returns how many.
        subscribe: ``(wake) -> closers``: connects ``wake`` to what announces new work.
        concurrency: Items under way at the same time at most.
        poll_interval: Sleep after an unexpected error (seconds).
    """

    def __init__(
        self,
        *,
        name: str,
        claim: Callable[[int, set[Hashable]], Awaitable[Sequence[T]]],
        run: Callable[[T], Coroutine[Any, Any, None]],
        key: Callable[[T], Hashable],
        sleep_for: Callable[[], Awaitable[float]],
        release: Callable[[], Awaitable[int]],
        subscribe: Callable[[Callable[[], None]], list[Closer]],
        concurrency: int,
        poll_interval: float,
    ) -> None:
        self.name = name
        self._claim = claim
        self._run = run
        self._key = key
        self._sleep_for = sleep_for
        self._release = release
        self._subscribe = subscribe
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        #: Key -> the task running that item.
        self.running: dict[Hashable, asyncio.Task[None]] = {}
        #: The loop's task while it runs.
        self.task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._closers: list[Closer] = []
        self._stopping = False

    @property
    def stopping(self) -> bool:
        """:meth:`stop` was called: work under way may find its means closed under it."""
        return self._stopping

    def wake(self) -> None:
        """Look for due work now."""
        self._wake.set()

    async def start(self) -> None:
        """Start claiming in the background (starting twice changes nothing)."""
        if self.task is not None:
            return
        self._stopping = False
        self._closers = self._subscribe(self.wake)
        self.task = asyncio.get_running_loop().create_task(self._loop(), name=self.name)

    async def stop(self, *, timeout: float) -> int:
        """Stop claiming; give the items under way up to ``timeout`` seconds, then cancel
        them and hand every claim back. Returns how many claims were handed back."""
        self._stopping = True
        self._wake.set()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
        for close in self._closers:
            closing = close()
            if closing is not None:
                await closing
        self._closers = []
        if self.running:
            await asyncio.wait(list(self.running.values()), timeout=timeout)
        unfinished = sum(1 for task in self.running.values() if not task.done())
        for task in list(self.running.values()):
            task.cancel()
        await asyncio.gather(*self.running.values(), return_exceptions=True)
        self.running.clear()
        try:
            handed = await self._release()
        except DatabaseUnavailable as exc:
            log.warning(
                "%s: could not hand back its claims (%d unfinished) (%s): their leases run out",
                self.name,
                unfinished,
                exc,
            )
            return 0
        if handed:
            log.info("%s: handed back %d claim(s) at stop", self.name, handed)
        return handed

    async def _loop(self) -> None:
        failures = 0
        while not self._stopping:
            self._wake.clear()
            try:
                free = self.concurrency - len(self.running)
                claimed = await self._claim(free, set(self.running)) if free > 0 else []
                for item in claimed:
                    key = self._key(item)
                    task = asyncio.get_running_loop().create_task(
                        self._run(item), name=f"{self.name} {key}"
                    )
                    self.running[key] = task
                    task.add_done_callback(functools.partial(self._done, key))
                if claimed and len(claimed) == free:
                    continue  # more may be due
                sleep = await self._sleep_for()
                failures = 0
            except DatabaseUnavailable as exc:
                failures += 1
                sleep = min(0.25 * 2**failures, 5.0)
                log.warning("%s: database unavailable (%s); again in %.1f s", self.name, exc, sleep)
            except Exception:  # a bug: keep the loop alive, slowly
                log.exception("%s failed; going on", self.name)
                sleep = self.poll_interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), sleep)

    def _done(self, key: Hashable, _task: asyncio.Task[None]) -> None:
        self.running.pop(key, None)
        self._wake.set()  # a slot is free, and the key's next item may be due now
