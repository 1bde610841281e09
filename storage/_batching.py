"""Group commit: many concurrent calls share one transaction (internal to ``storage``).

With 50 people answering at once, one transaction per answer spends most of its time on
BEGIN/COMMIT and round trips, and on SQLite every writer waits for the single write lock.
A :class:`BatchWriter` queues the requests; a worker task takes everything queued so far and
writes it in one transaction, so a batch grows with the load and costs nothing when there is
none (a lone request is written at once). With ``workers=2`` one batch can be prepared while
the other waits for the database. If a batch fails as a whole (a lost race with another
process, a deadlock), each of its requests is retried alone, so one request's failure never
becomes another's; if the database itself is unreachable or locked, every request of the
batch gets that error at once instead of waiting for it once per request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from storage.errors import DatabaseRefused, DatabaseUnavailable, StorageError

__all__ = ["BatchWriter", "worth_retrying_alone"]

log = logging.getLogger(__name__)

Req = TypeVar("Req")
Res = TypeVar("Res")

_STOP = object()


def worth_retrying_alone(exc: BaseException) -> bool:
    """Whether a failed batch should be retried one request at a time.

    Yes for a lost race — a unique-constraint violation (another process stored the same
    activity first), a deadlock or serialization failure — where each request alone will
    most likely succeed (:attr:`DatabaseRefused.lost_race`). No for everything else
    (connection lost, database locked, …).
    """
    return isinstance(exc, DatabaseRefused) and exc.lost_race


class BatchWriter(Generic[Req, Res]):
    """Queue requests; write them in batches with ``write_batch``, alone with ``write_one``.

    Args:
        write_batch: Writes a batch in one transaction; returns one outcome per request (a
            :class:`StorageError` for a request that is refused on its own). Raises for a
            failure of the whole batch.
        write_one: Writes one request in its own transaction (the fallback).
        max_batch: The most requests in one transaction.
        workers: How many batches may be in flight at once.
    """

    def __init__(
        self,
        write_batch: Callable[[Sequence[Req]], Awaitable[list[Res | StorageError]]],
        write_one: Callable[[Req], Awaitable[Res]],
        *,
        max_batch: int = 200,
        workers: int = 1,
    ) -> None:
        self._write_batch = write_batch
        self._write_one = write_one
        self._max_batch = max_batch
        self._workers = workers
        self._queue: asyncio.Queue[object] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.batches = 0
        self.requests = 0

    def _start(self, loop: asyncio.AbstractEventLoop) -> asyncio.Queue[object]:
        self._loop = loop
        self._queue = asyncio.Queue()
        self._tasks = [
            loop.create_task(self._run(self._queue), name=f"storage-batch-writer-{i}")
            for i in range(self._workers)
        ]
        return self._queue

    async def submit(self, request: Req) -> Res:
        """Queue a request and wait until it is written (or refused)."""
        loop = asyncio.get_running_loop()
        queue = self._queue
        if queue is None or self._loop is not loop or any(task.done() for task in self._tasks):
            queue = self._start(loop)
        future: asyncio.Future[Res] = loop.create_future()
        queue.put_nowait((request, future))
        return await future

    async def _run(self, queue: asyncio.Queue[object]) -> None:
        while True:
            item = await queue.get()
            if item is _STOP:
                return
            batch = [item]
            stop = False
            while len(batch) < self._max_batch and not queue.empty():
                nxt = queue.get_nowait()
                if nxt is _STOP:
                    stop = True
                    break
                batch.append(nxt)
            await self._write(batch)  # type: ignore[arg-type]
            if stop:
                return

    async def _write(self, batch: list[tuple[Req, asyncio.Future[Res]]]) -> None:
        requests = [request for request, _ in batch]
        self.batches += 1
        self.requests += len(batch)
        outcomes: list[Res | BaseException]
        try:
            outcomes = list(await self._write_batch(requests))
        except (DatabaseUnavailable, DatabaseRefused) as exc:
            if not worth_retrying_alone(exc):
                # The database is unreachable, locked or broken: trying each request alone
                # would make the last caller wait len(batch) times as long for the same
                # error. Every caller gets it now (the bot retries idempotent answers).
                log.warning("a batch of %d failed: %s: %s", len(batch), type(exc).__name__, exc)
                outcomes = [exc] * len(batch)
            else:
                log.info(
                    "a batch of %d lost a race (%s); writing each alone",
                    len(batch),
                    type(exc).__name__,
                )
                outcomes = []
                for request in requests:
                    try:
                        outcomes.append(await self._write_one(request))
                    except StorageError as one_exc:
                        outcomes.append(one_exc)
        except Exception as exc:  # a bug: fail these requests instead of leaving them hanging
            log.exception("the batch writer failed")
            outcomes = [exc] * len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # the caller was cancelled
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    async def aclose(self) -> None:
        """Write what is queued, then stop (a later submit starts new workers)."""
        tasks, queue = self._tasks, self._queue
        self._tasks, self._queue = [], None
        if not tasks or queue is None:
            return
        if self._loop is not asyncio.get_running_loop():
            for task in tasks:
                task.cancel()  # their loop is gone or elsewhere: nothing can be awaited here
            return
        for _ in tasks:
            queue.put_nowait(_STOP)
        await asyncio.gather(*tasks, return_exceptions=True)
