"""Every outgoing call of the bot, throttled per conversation, retried, coalesced.

Why one module of ~810 lines: the limiter, the retry policy, the per-conversation queues and
the card-update coalescing all act on one queue entry and must agree on when a call counts
against Teams' budget; the durable side (rows, leases, builders) is bot/delivery.py.

Teams throttles each bot per conversation (thread): 7 operations per second, 8 per 2 s,
60 per 30 s, 1,800 per hour, and answers 429 beyond that. The SDK does no retrying of its
own. The :class:`Outbox` therefore owns every outgoing call:

- **One queue per conversation**, worked by one task, so calls in a conversation are made in
  the order they were queued, and a sliding-window limiter (:class:`RateLimiter`) keeps
  every window of :data:`TEAMS_LIMITS` below its limit before a call is made.
- **Retries**: 429, 412, 500, 502, 503, 504, connection errors and timeouts are retried with
  exponential backoff and full jitter, never sooner than the ``Retry-After`` the service
  asked for; after ``give_up_after`` seconds (or on a non-retryable status such as 400,
  403, 404 or 413) the call is logged and dropped: the caller's future resolves to None,
  nothing is raised into a turn.
- **Coalesced card updates**: :meth:`Outbox.update_card` for the same activity collapses
  all calls made while an update is pending, and keeps at least ``coalesce_window``
  seconds between two updates of one card; the card is built by the newest
  ``card_factory`` when the call is made, so the last state always wins.
- **Proactive**: calls are made with ``adapter.continue_conversation(reference, ...)`` on
  the stored conversation reference, so the turn that queued them has long been answered.

The ``send``/``update_card``/``send_private``/``run`` methods never block and never raise
for delivery problems; see ``bot.services`` for how the conversation code uses them.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

import aiohttp
from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)

__all__ = [
    "RETRYABLE_STATUSES",
    "TEAMS_LIMITS",
    "CardFactory",
    "DeliveryFailed",
    "Outbox",
    "RateLimiter",
    "share_of_limits",
]

log = logging.getLogger(__name__)

#: (window seconds, operations allowed) per bot per conversation, from Teams' documentation.
TEAMS_LIMITS: tuple[tuple[float, int], ...] = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))

#: How long a call waits for the shared budget before it keeps to the local limiter alone,
#: and for how long after such a failure the shared budget is not asked (the database is
#: away: replies must still go out).
SHARED_BUDGET_TIMEOUT = 1.0
SHARED_BUDGET_PAUSE = 5.0

#: HTTP statuses worth trying again (Teams: 429, 412, 502, 504; plus transient 500/503).
RETRYABLE_STATUSES = frozenset({412, 429, 500, 502, 503, 504})

#: Builds the new content of a card when an update is finally sent: an Attachment, an
#: Activity, or the Adaptive Card JSON as a dict (or an awaitable of one).
CardContent: TypeAlias = Attachment | Activity | dict[str, Any]
CardFactory: TypeAlias = Callable[[], CardContent | Awaitable[CardContent]]


class SharedBudget(Protocol):
    """The per-conversation budget all instances share (the database)."""

    async def take(self, lane: str, token: str) -> float:
        """Count one operation in ``lane`` under ``token``: 0 to go, else seconds to wait."""
        ...

    async def finish(self, lane: str, token: str) -> None:
        """The operation ``token`` was answered (the service has counted it by now)."""
        ...


def share_of_limits(instances: int) -> tuple[tuple[float, int], ...]:
    """Teams' per-conversation limits for one of ``instances`` processes sharing them.

    >>> share_of_limits(2)[:2]
    ((1.0, 3), (2.0, 4))
    """
    if instances < 1:
        raise ValueError(f"instances = {instances} is invalid; it must be >= 1")
    return tuple((window, max(1, count // instances)) for window, count in TEAMS_LIMITS)


class DeliveryFailed(Exception):
    """One attempt failed; ``status`` is the HTTP status (None: connection or timeout)."""

    def __init__(self, message: str, *, status: int | None, retry_after: float | None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in RETRYABLE_STATUSES


class RateLimiter:
    """Sliding-window limiter: how long to wait before the next operation is allowed.

    Args:
        limits: (window seconds, max operations) pairs; all must hold.
        margin: seconds added to every window, because the service counts arrival times
            and network delays vary (a first call that sets up a connection arrives late).
        clock: monotonic clock (seconds).

    >>> limiter = RateLimiter(((1.0, 2),), clock=lambda: 0.0)
    >>> limiter.record(); limiter.record(); limiter.delay()
    1.0
    """

    def __init__(
        self,
        limits: tuple[tuple[float, int], ...] = TEAMS_LIMITS,
        *,
        margin: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not limits or any(w <= 0 or n < 1 for w, n in limits):
            raise ValueError(
                f"limits = {limits!r} is invalid; give (seconds > 0, count >= 1) pairs"
            )
        if margin < 0:
            raise ValueError(f"margin = {margin} is invalid; it must be >= 0 seconds")
        self.limits = tuple(sorted((w + margin, n) for w, n in limits))
        self._clock = clock
        self._longest = max(w for w, _ in self.limits)
        self._stamps: deque[float] = deque()

    def delay(self) -> float:
        """Seconds to wait until one more operation stays within every window."""
        now = self._clock()
        while self._stamps and self._stamps[0] <= now - self._longest:
            self._stamps.popleft()
        wait = 0.0
        count = len(self._stamps)
        for window, allowed in self.limits:
            # Operations in (now - window, now]: the newest ones, at the right of the deque.
            in_window = 0
            for stamp in reversed(self._stamps):
                if stamp > now - window:
                    in_window += 1
                else:
                    break
            if in_window >= allowed:
                # The oldest stamp that must leave the window before one more fits.
                oldest = self._stamps[count - allowed]
                wait = max(wait, oldest + window - now)
        return max(wait, 0.0)

    def idle(self) -> bool:
        """True when no operation is remembered any more (the limiter can be dropped)."""
        self.delay()  # drops stamps older than the longest window
        return not self._stamps

    def record(self) -> None:
        """Count one operation now."""
        self._stamps.append(self._clock())

    async def acquire(self) -> None:
        """Wait until an operation is allowed, then count it."""
        while (wait := self.delay()) > 0:
            await asyncio.sleep(wait + 0.005)
        self.record()


@dataclass
class _Op:
    """One queued outgoing call."""

    kind: str
    reference: ConversationReference
    perform: Callable[[], Awaitable[Any]]
    future: asyncio.Future[Any]
    retry: bool = True
    queued_at: float = field(default_factory=time.monotonic)


@dataclass
class _PendingUpdate:
    factory: CardFactory
    reference: ConversationReference
    scheduled: bool = False


def _status_of(exc: BaseException) -> tuple[int | None, float | None]:
    """HTTP status and Retry-After (seconds) of a connector error, if it has them."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    retry_after: float | None = None
    headers = getattr(response, "headers", None)
    if headers is not None:
        value = headers.get("Retry-After") or headers.get("retry-after")
        if value:
            try:
                retry_after = max(0.0, float(value))
            except ValueError:
                retry_after = None
    return (int(status) if isinstance(status, int) else None), retry_after


async def _no_reply_to_continuation(
    context: TurnContext, activities: list[Activity], next_send: Callable[[], Awaitable[Any]]
) -> Any:
    """Send proactive activities to the conversation, not as replies to the synthetic
    continuation event (TurnContext addresses every send as a reply to the current activity)."""
    continuation_id = context.activity.id
    for activity in activities:
        if activity.reply_to_id == continuation_id:
            activity.reply_to_id = None
    return await next_send()


def _is_transport_error(exc: BaseException) -> bool:
    """Connection problems and timeouts, from aiohttp, msrest or the OS."""
    if isinstance(exc, (ConnectionError, OSError, TimeoutError, aiohttp.ClientError)):
        return True
    return type(exc).__module__.startswith("msrest") and type(exc).__name__ in (
        "ClientRequestError",
        "ClientException",
    )


def _conversation_key(reference: ConversationReference) -> str:
    """Teams throttles per thread; all threads of a channel share one queue (conservative)."""
    conversation_id = reference.conversation.id if reference.conversation else ""
    return f"{reference.service_url}|{conversation_id.split(';messageid=')[0]}"


def _as_activity(content: Activity | str) -> Activity:
    if isinstance(content, Activity):
        return content
    if isinstance(content, str):
        return Activity(type=ActivityTypes.message, text=content)
    raise TypeError(f"activity = {content!r} is invalid; give an Activity or a text")


def _card_activity(content: Attachment | Activity | dict[str, Any], activity_id: str) -> Activity:
    if isinstance(content, Activity):
        activity = content
    elif isinstance(content, Attachment):
        activity = Activity(type=ActivityTypes.message, attachments=[content])
    elif isinstance(content, dict):
        activity = Activity(
            type=ActivityTypes.message,
            attachments=[
                Attachment(content_type="application/vnd.microsoft.card.adaptive", content=content)
            ],
        )
    else:
        raise TypeError(
            f"card_factory returned {type(content).__name__}; return an Attachment, an "
            "Activity or the card JSON as a dict"
        )
    activity.id = activity_id
    return activity


class Outbox:
    """Sends, updates and proactive turns, queued per conversation.

    Args:
        adapter: the ``CloudAdapter`` (its ``continue_conversation`` makes the calls).
        app_id: the bot's app id ("" in local mode).
        limits: per-conversation windows, default :data:`TEAMS_LIMITS`.
        limit_margin: seconds added to each window (see :class:`RateLimiter`).
        coalesce_window: least seconds between two updates of the same card.
        give_up_after: seconds after which a call that keeps failing is dropped.
        attempt_timeout: seconds one attempt may take before it counts as failed.
        base_delay: first backoff delay in seconds (doubles per attempt).
        max_delay: largest backoff delay in seconds.
        max_concurrency: outgoing calls in flight over all conversations.
        seed: seed for the jitter (tests).
        shared_budget: asks the budget every instance shares (the database) for one
            operation in a conversation: 0 to go, else seconds to wait. Checked after the
            local limiter, so that all instances together keep to ``limits``; when the
            database cannot answer, the local limiter alone decides.
    """

    def __init__(
        self,
        adapter: BotAdapter,
        *,
        app_id: str = "",
        limits: tuple[tuple[float, int], ...] = TEAMS_LIMITS,
        limit_margin: float = 0.2,
        coalesce_window: float = 2.0,
        give_up_after: float = 60.0,
        attempt_timeout: float = 15.0,
        base_delay: float = 0.5,
        max_delay: float = 20.0,
        max_concurrency: int = 64,
        seed: int | None = None,
        shared_budget: SharedBudget | None = None,
    ) -> None:
        if coalesce_window < 0:
            raise ValueError(f"coalesce_window = {coalesce_window} is invalid; it must be >= 0")
        if give_up_after <= 0 or attempt_timeout <= 0:
            raise ValueError("give_up_after and attempt_timeout must be > 0 seconds")
        self._adapter = adapter
        self._app_id = app_id
        self._limits = limits
        self._margin = limit_margin
        self.coalesce_window = coalesce_window
        self.give_up_after = give_up_after
        self.attempt_timeout = attempt_timeout
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._random = random.Random(seed)
        self._queues: dict[str, deque[_Op]] = {}
        self._limiters: dict[str, RateLimiter] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._updates: dict[tuple[str, str], _PendingUpdate] = {}
        self._last_update: dict[tuple[str, str], float] = {}
        self._taken: dict[tuple[str, str], _PendingUpdate] = {}
        self._timers: set[asyncio.TimerHandle] = set()
        self._private_refs: dict[tuple[str, str], ConversationReference] = {}
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._shared_budget = shared_budget
        self._tokens = itertools.count(1)
        self._budget_down_until = 0.0
        self._closed = False
        #: Counters for logs, tests and benchmarks.
        self.stats: dict[str, int] = {
            "sent": 0,
            "updated": 0,
            "coalesced": 0,
            "retried": 0,
            "given_up": 0,
            "budget_waits": 0,
        }

    # ------------------------------------------------------------------ public API

    def send(
        self,
        reference: ConversationReference,
        activity: Activity | str,
        *,
        reply_to_id: str | None = None,
    ) -> asyncio.Future[str | None]:
        """Queue ``activity`` for the reference's conversation.

        Args:
            reference: the stored conversation reference.
            activity: an Activity or a plain text.
            reply_to_id: answer in the thread of this activity (channels).

        Returns:
            A future resolving to the new activity's id, or None when the send was given up.
        """
        message = _as_activity(activity)
        if reply_to_id:
            message.reply_to_id = reply_to_id

        async def perform() -> str | None:
            return await self._send_in(reference, message)

        return self._enqueue("send", reference, perform)

    def send_private(
        self,
        reference: ConversationReference,
        user: ChannelAccount | str,
        activity: Activity | str,
    ) -> asyncio.Future[str | None]:
        """Queue ``activity`` for the 1:1 chat of the bot and ``user``, creating it if needed.

        Args:
            reference: a reference to a conversation where the bot and the user both are
                (gives the service URL, tenant and bot account).
            user: the user's Teams id (``activity.from_property.id``) or account.
            activity: an Activity or a plain text.

        Returns:
            A future resolving to the new activity's id, or None when given up.
        """
        account = user if isinstance(user, ChannelAccount) else ChannelAccount(id=user)
        if not account.id:
            raise ValueError("user has no id; give the Teams user id (activity.from_property.id)")
        message = _as_activity(activity)
        key_ref = ConversationReference(
            service_url=reference.service_url,
            channel_id=reference.channel_id,
            bot=reference.bot,
            conversation=ConversationAccount(id=f"1:1:{account.id}"),
        )

        async def perform() -> str | None:
            private = await self._private_reference(reference, account)
            return await self._send_in(private, message)

        return self._enqueue("send_private", key_ref, perform)

    def update_card(
        self, reference: ConversationReference, activity_id: str, card_factory: CardFactory
    ) -> None:
        """Replace the content of a sent card; calls within the window collapse to the newest.

        Args:
            reference: the conversation the card was sent to.
            activity_id: the id the send returned.
            card_factory: builds the card when the update is made (so it shows the newest
                state); returns an Attachment, an Activity or the Adaptive Card JSON, or an
                awaitable of one (e.g. an async function that reads the current count from
                the database, which stays right when several bot processes update one card).
        """
        if not activity_id:
            raise ValueError("activity_id is empty; pass the id that Outbox.send resolved to")
        if self._closed:
            log.warning("outbox is closed; dropped a card update")
            return
        key = (_conversation_key(reference), activity_id)
        pending = self._updates.get(key)
        if pending is not None:
            pending.factory = card_factory
            pending.reference = reference
            self.stats["coalesced"] += 1
            return
        pending = _PendingUpdate(card_factory, reference)
        self._updates[key] = pending
        if len(self._last_update) > 4096:  # forget cards not updated for a while
            horizon = time.monotonic() - self.coalesce_window
            self._last_update = {k: t for k, t in self._last_update.items() if t > horizon}
            self._taken = {k: v for k, v in self._taken.items() if k in self._last_update}
        loop = asyncio.get_running_loop()
        due = self._last_update.get(key, float("-inf")) + self.coalesce_window
        delay = max(0.0, due - time.monotonic())
        if delay <= 0:
            self._schedule_update(key)
        else:
            now = loop.time()
            self._timers = {h for h in self._timers if h.when() > now}
            self._timers.add(loop.call_later(delay, self._schedule_update, key))

    def run(
        self, reference: ConversationReference, callback: Callable[[TurnContext], Awaitable[Any]]
    ) -> asyncio.Future[Any]:
        """Run ``callback`` in a proactive turn, in the conversation's queue.

        The callback is not retried (it may have side effects); it counts as one operation.

        Returns:
            A future resolving to the callback's result, or None when it failed (logged).
        """

        async def perform() -> Any:
            result: list[Any] = [None]

            async def logic(context: TurnContext) -> None:
                result[0] = await callback(context)

            await self._continue(reference, logic)
            return result[0]

        return self._enqueue("run", reference, perform, retry=False)

    def replace(
        self, reference: ConversationReference, activity_id: str, content: CardContent
    ) -> asyncio.Future[str | None]:
        """Replace the card ``activity_id`` with ``content`` now (in the conversation's
        queue, retried, not coalesced: the durable outbox has collapsed updates already).

        Returns:
            A future resolving to ``activity_id``, or None when given up.
        """
        if not activity_id:
            raise ValueError("activity_id is empty; pass the id of the sent card")
        activity = _card_activity(content, activity_id)

        async def perform() -> str | None:
            await self._update_in(reference, activity)
            return activity_id

        return self._enqueue("update", reference, perform)

    async def drain(self, *, timeout: float = 30.0) -> bool:
        """Wait until every queued call and pending update is done (tests, shutdown).

        Returns:
            True when the outbox became idle within ``timeout`` seconds.
        """
        try:
            await asyncio.wait_for(self._wait_idle(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self, *, timeout: float = 10.0) -> None:
        """Finish what is queued (up to ``timeout`` seconds), then stop the workers."""
        await self.drain(timeout=timeout)
        self._closed = True
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        dropped = sum(len(q) for q in self._queues.values()) + len(self._updates)
        if dropped:
            log.warning("outbox closed with %d calls not made", dropped)
        for queue in self._queues.values():
            for op in queue:
                if not op.future.done():
                    op.future.set_result(None)
        self._queues.clear()
        self._updates.clear()

    @property
    def pending(self) -> int:
        """Calls queued or waiting (updates included)."""
        return sum(len(q) for q in self._queues.values()) + len(self._updates)

    # ------------------------------------------------------------------ internals

    async def _wait_idle(self) -> None:
        # Polling keeps this simple: timers may add an update a moment after a queue ran dry.
        while self.pending or any(not w.done() for w in self._workers.values()):
            await asyncio.sleep(0.02)

    def _schedule_update(self, key: tuple[str, str]) -> None:
        pending = self._updates.get(key)
        if pending is None or pending.scheduled or self._closed:
            return
        pending.scheduled = True
        activity_id = key[1]

        async def perform() -> str | None:
            # Taken out of the pending map now: calls from here on start a new update. A retry
            # (or a later queued update) never goes back to a state older than one taken.
            current = self._updates.pop(key, None) or self._taken.get(key, pending)
            self._taken[key] = current
            self._last_update[key] = time.monotonic()
            content = current.factory()
            if inspect.isawaitable(content):
                content = await content
            activity = _card_activity(content, activity_id)
            await self._update_in(current.reference, activity)
            self._last_update[key] = time.monotonic()
            return activity_id

        self._enqueue("update", pending.reference, perform)

    def _enqueue(
        self,
        kind: str,
        reference: ConversationReference,
        perform: Callable[[], Awaitable[Any]],
        *,
        retry: bool = True,
    ) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if self._closed:
            log.warning("outbox is closed; dropped a %s", kind)
            future.set_result(None)
            return future
        if reference is None or reference.conversation is None or not reference.service_url:
            raise ValueError(
                "reference is incomplete; use TurnContext.get_conversation_reference(activity)"
            )
        key = _conversation_key(reference)
        self._queues.setdefault(key, deque()).append(_Op(kind, reference, perform, future, retry))
        worker = self._workers.get(key)
        if worker is None or worker.done():
            self._workers[key] = loop.create_task(self._work(key), name=f"outbox {key}")
        return future

    async def _work(self, key: str) -> None:
        queue = self._queues[key]
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = self._limiters[key] = RateLimiter(self._limits, margin=self._margin)
        try:
            while queue:
                op = queue[0]
                try:
                    result = await self._attempt_all(op, limiter)
                except asyncio.CancelledError:
                    raise
                except Exception:  # a bug in a card factory or callback: log, go on
                    log.exception("outbox %s in %s failed", op.kind, key)
                    result = None
                queue.popleft()
                if not op.future.done():
                    op.future.set_result(result)
        finally:
            if not queue:
                self._queues.pop(key, None)
                self._workers.pop(key, None)
                if limiter.delay() == 0 and limiter.idle():
                    self._limiters.pop(key, None)

    async def _attempt_all(self, op: _Op, limiter: RateLimiter) -> Any:
        started = time.monotonic()
        attempt = 0
        while True:
            await limiter.acquire()
            token = await self._take_shared(op.reference)
            try:
                async with self._semaphore:
                    return await asyncio.wait_for(op.perform(), self.attempt_timeout)
            except (TimeoutError, ConnectionError, OSError) as exc:
                failure = DeliveryFailed(
                    str(exc) or type(exc).__name__, status=None, retry_after=None
                )
            except DeliveryFailed as exc:
                failure = exc
            finally:
                if token is not None:
                    await self._finish_shared(op.reference, token)
            if not op.retry or not failure.retryable:
                self.stats["given_up"] += 1
                log.error(
                    "outbox gave up a %s (status %s, not retryable): %s",
                    op.kind,
                    failure.status,
                    failure,
                )
                return None
            attempt += 1
            backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
            delay = self._random.uniform(backoff / 2, backoff)
            if failure.retry_after is not None:
                delay = max(delay, failure.retry_after)
            elapsed = time.monotonic() - started
            if elapsed + delay > self.give_up_after:
                self.stats["given_up"] += 1
                log.error(
                    "outbox gave up a %s after %d attempts in %.1f s (last status %s): %s",
                    op.kind,
                    attempt,
                    elapsed,
                    failure.status,
                    failure,
                )
                return None
            self.stats["retried"] += 1
            log.info(
                "outbox %s failed (status %s), retry %d in %.2f s",
                op.kind,
                failure.status,
                attempt,
                delay,
            )
            await asyncio.sleep(delay)

    async def _take_shared(self, reference: ConversationReference) -> str | None:
        """Wait until the budget all instances share allows one more operation here;
        returns its token (None: no shared budget, or the database is away and the local
        limiter alone decides)."""
        if self._shared_budget is None or time.monotonic() < self._budget_down_until:
            return None
        key = _conversation_key(reference)
        token = f"{id(self)}:{next(self._tokens)}"
        while True:
            try:
                # Never wait for a database that is away: a reply must still go out.
                wait = await asyncio.wait_for(
                    self._shared_budget.take(key, token), SHARED_BUDGET_TIMEOUT
                )
            except Exception as exc:
                self._budget_down_until = time.monotonic() + SHARED_BUDGET_PAUSE
                log.warning(
                    "shared send budget unavailable (%s); local limits alone for %.0f s",
                    type(exc).__name__,
                    SHARED_BUDGET_PAUSE,
                )
                return None
            if wait <= 0:
                return token
            self.stats["budget_waits"] += 1
            await asyncio.sleep(wait + 0.005)

    async def _finish_shared(self, reference: ConversationReference, token: str) -> None:
        if self._shared_budget is None:
            return
        try:
            await asyncio.wait_for(
                asyncio.shield(self._shared_budget.finish(_conversation_key(reference), token)),
                SHARED_BUDGET_TIMEOUT,
            )
        except Exception as exc:  # it counts as under way for a while, then as done
            log.info("could not record an answered operation in the budget (%s)", exc)

    async def _continue(
        self, reference: ConversationReference, logic: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        """One proactive turn; a connector error inside comes out as :class:`DeliveryFailed`.

        The adapter would hand an exception in the callback to ``on_turn_error`` (which would
        try to tell the user); the error is caught inside the callback instead and raised
        here, where the retry logic can see its status.
        """
        caught: list[BaseException] = []

        async def guarded(context: TurnContext) -> None:
            context.on_send_activities(_no_reply_to_continuation)
            try:
                await logic(context)
            except DeliveryFailed as exc:
                caught.append(exc)
            except Exception as exc:
                status, retry_after = _status_of(exc)
                if status is None and not _is_transport_error(exc):
                    caught.append(exc)  # a bug, not a delivery problem
                else:
                    caught.append(DeliveryFailed(str(exc), status=status, retry_after=retry_after))

        await self._adapter.continue_conversation(reference, guarded, self._app_id or None)
        if caught:
            raise caught[0]

    async def _send_in(self, reference: ConversationReference, activity: Activity) -> str | None:
        sent: list[str | None] = [None]
        # TurnContext readdresses every send as a reply to the current (continuation)
        # activity; put back the thread the caller asked for, if any.
        reply_to_id = activity.reply_to_id

        async def keep_reply_to(
            context: TurnContext,
            activities: list[Activity],
            next_send: Callable[[], Awaitable[Any]],
        ) -> Any:
            for outgoing in activities:
                outgoing.reply_to_id = reply_to_id
            return await next_send()

        async def logic(context: TurnContext) -> None:
            if reply_to_id:
                context.on_send_activities(keep_reply_to)
            response = await context.send_activity(activity)
            sent[0] = getattr(response, "id", None)

        await self._continue(reference, logic)
        self.stats["sent"] += 1
        return sent[0]

    async def _update_in(self, reference: ConversationReference, activity: Activity) -> None:
        async def logic(context: TurnContext) -> None:
            await context.update_activity(activity)

        await self._continue(reference, logic)
        self.stats["updated"] += 1

    async def _private_reference(
        self, reference: ConversationReference, user: ChannelAccount
    ) -> ConversationReference:
        key = (reference.service_url or "", user.id or "")
        cached = self._private_refs.get(key)
        if cached is not None:
            return cached
        tenant_id = reference.conversation.tenant_id if reference.conversation else None
        parameters = ConversationParameters(
            is_group=False,
            bot=reference.bot,
            members=[ChannelAccount(id=user.id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}} if tenant_id else None,
        )
        created: list[ConversationReference] = []
        caught: list[BaseException] = []

        async def logic(context: TurnContext) -> None:
            created.append(TurnContext.get_conversation_reference(context.activity))

        try:
            await self._adapter.create_conversation(
                self._app_id or None,
                logic,
                parameters,
                reference.channel_id,
                reference.service_url,
                None,
            )
        except Exception as exc:
            status, retry_after = _status_of(exc)
            caught.append(DeliveryFailed(str(exc), status=status, retry_after=retry_after))
        if caught:
            raise caught[0]
        if not created:
            raise DeliveryFailed(
                "creating the 1:1 chat returned nothing", status=None, retry_after=None
            )
        private = created[0]
        if private.conversation is not None and tenant_id:
            private.conversation.tenant_id = tenant_id
        self._private_refs[key] = private
        return private
