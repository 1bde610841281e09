"""Delivering the durable outbox: any live instance sends what any instance queued.

:class:`DurableDelivery` claims the first due message of free lanes (conversations) from
:mod:`storage.outbox_store`, sends it through the :class:`~bot.outbox.Outbox` (Teams'
limits, retries, ``Retry-After``), records the result, and keeps its lease alive meanwhile.
On PostgreSQL it is woken by ``NOTIFY workshopbot_outbox`` from every instance; on SQLite by
the commit in this process. A message claimed by an instance that died is taken over when
its lease (6 s) runs out; a graceful stop hands its claims back at once.

Content ``{"builder": name, "args": {...}}`` is made when it is sent by the builder
registered under ``name`` (:func:`register_builder`), so a card shows the newest state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment, ConversationReference

from bot.outbox import Outbox
from dialogs import outgoing
from dialogs.claim_loop import ClaimLoop, Closer
from dialogs.jobs import worker_name
from dialogs.outgoing import Builder, register_builder
from storage import jobs as jobs_repo
from storage import outbox_store
from storage.db import Database
from storage.errors import DatabaseUnavailable
from storage.outbox_store import OutgoingMessage

__all__ = ["Builder", "DatabaseBudget", "DurableDelivery", "register_builder"]

log = logging.getLogger(__name__)


def _card(card: dict[str, Any]) -> Attachment:
    return Attachment(content_type="application/vnd.microsoft.card.adaptive", content=card)


class DatabaseBudget:
    """Teams' per-conversation budget kept in the database for every instance together
    (:func:`storage.outbox_store.take_send_slot`)."""

    def __init__(
        self, db: Database, limits: tuple[tuple[float, int], ...], *, margin: float = 0.1
    ) -> None:
        self.db = db
        self.limits = limits
        self.margin = margin

    async def take(self, lane: str, token: str) -> float:
        return await outbox_store.take_send_slot(
            self.db, lane, self.limits, margin=self.margin, token=token
        )

    async def finish(self, lane: str, token: str) -> None:
        await outbox_store.finish_send_slot(self.db, lane, token)


class _NotYet(Exception):
    """An update whose card has not been sent yet: try again shortly."""


@dataclass
class DurableDelivery:
    """Claims and sends durable messages in this process.

    Args:
        db: The database.
        outbox: The sender (its limiter and the shared budget keep Teams' limits).
        worker: This process's name in claims.
        lease: How long a claim holds between renewals.
        poll_interval: Longest sleep when nothing is due and nothing wakes it (seconds).
        concurrency: Lanes delivered at the same time at most.
    """

    db: Database
    outbox: Outbox
    worker: str = field(default_factory=worker_name)
    lease: timedelta = outbox_store.DEFAULT_LEASE
    poll_interval: float = 5.0
    concurrency: int = 64
    stats: dict[str, int] = field(
        default_factory=lambda: {"sent": 0, "failed": 0, "retried": 0, "lost": 0}
    )
    #: The NOTIFY listener while running (PostgreSQL).
    listener: jobs_repo.JobListener | None = field(default=None, init=False, repr=False)
    claims: ClaimLoop[OutgoingMessage] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.claims = ClaimLoop(
            name=f"delivery {self.worker}",
            # One message at a time per conversation: lanes under way are not claimed.
            claim=lambda limit, lanes: outbox_store.claim(
                self.db,
                self.worker,
                limit=limit,
                lease=self.lease,
                exclude_lanes={str(lane) for lane in lanes},
            ),
            run=self._deliver,
            key=lambda message: message.lane,
            sleep_for=self._sleep_for,
            release=lambda: outbox_store.release(self.db, self.worker),
            subscribe=self._subscribe,
            concurrency=self.concurrency,
            poll_interval=self.poll_interval,
        )

    def _subscribe(self, wake: Callable[[], None]) -> list[Closer]:
        listener = self.listener = jobs_repo.listen(
            self.db, wake, channel=outbox_store.NOTIFY_CHANNEL
        )
        closers: list[Closer] = [outbox_store.on_enqueued(self.db, wake)]
        return closers if listener is None else [listener.aclose, *closers]

    def wake(self) -> None:
        """Look for due messages now."""
        self.claims.wake()

    async def start(self) -> None:
        """Start delivering in the background."""
        await self.claims.start()

    async def stop(self, *, timeout: float = 3.0) -> int:
        """Stop claiming; let deliveries under way finish for up to ``timeout`` seconds,
        then hand every claim back. Returns how many were handed back."""
        return await self.claims.stop(timeout=timeout)

    async def settle(self, *, timeout: float = 20.0) -> bool:
        """Wait until no message is queued (due) or under way (tests). Returns False when
        that did not happen within ``timeout`` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            counts = await outbox_store.counts(self.db)
            due = await outbox_store.next_due(self.db)
            waiting = counts.get("queued", 0) and due is not None and due <= datetime.now(UTC)
            if not self.claims.running and not waiting and not counts.get("sending", 0):
                return True
            self.wake()
            await asyncio.sleep(0.05)
        return False

    async def deliver_due_now(self, *, rounds: int = 100) -> int:
        """Deliver everything due now, lane by lane, to the end (tests, tools)."""
        delivered = 0
        for _ in range(rounds):
            claimed = await outbox_store.claim(self.db, self.worker, lease=self.lease)
            if not claimed:
                break
            await asyncio.gather(*(self._deliver(message) for message in claimed))
            delivered += len(claimed)
        return delivered

    async def _sleep_for(self) -> float:
        due = await outbox_store.next_due(self.db)
        if due is None:
            return self.poll_interval
        seconds = (due - datetime.now(UTC)).total_seconds()
        return min(max(seconds + 0.01, 0.01), self.poll_interval)

    async def _deliver(self, message: outbox_store.OutgoingMessage) -> None:
        heartbeat = asyncio.get_running_loop().create_task(self._heartbeat(message))
        try:
            try:
                activity_id = await self._send(message)
            finally:
                heartbeat.cancel()
        except asyncio.CancelledError:
            raise
        except _NotYet:
            await self._record_failure(message, "its card was not sent yet", retry=1.0)
            return
        except DatabaseUnavailable as exc:  # a builder could not read what it shows
            await self._record_failure(message, f"database unavailable: {exc}", retry=2.0)
            return
        except Exception as exc:  # a bug in a builder, bad stored content
            log.exception("delivering message %d failed", message.id)
            await self._record_failure(message, f"{type(exc).__name__}: {exc}", retry=None)
            return
        if self.claims.stopping and activity_id is None:
            return  # the outbox closed under it: handed back by stop()
        if activity_id is None:
            # The outbox retried until it gave up, or the service refused for good.
            await self._record_failure(message, "given up by the outbox (see the log)", retry=None)
            return
        try:
            if await outbox_store.mark_sent(
                self.db, message, self.worker, activity_id=activity_id or None
            ):
                self.stats["sent"] += 1
            else:
                self.stats["lost"] += 1  # taken over meanwhile, or newer content queued
        except DatabaseUnavailable as exc:
            # The lease runs out and the message goes out once more: at least once.
            log.warning("could not record the delivery of message %d (%s)", message.id, exc)

    async def _record_failure(
        self, message: outbox_store.OutgoingMessage, error: str, *, retry: float | None
    ) -> None:
        retry_at = None if retry is None else datetime.now(UTC) + timedelta(seconds=retry)
        if retry is None:
            self.stats["failed"] += 1
            log.error("message %d (%s) given up: %s", message.id, message.kind, error)
        else:
            self.stats["retried"] += 1
        try:
            await outbox_store.mark_failed(self.db, message, self.worker, error, retry_at=retry_at)
        except DatabaseUnavailable as exc:
            log.warning("could not record the failure of message %d (%s)", message.id, exc)

    async def _content(self, message: outbox_store.OutgoingMessage) -> dict[str, Any] | str:
        return await outgoing.build(self.db, message.content)

    async def _send(self, message: outbox_store.OutgoingMessage) -> str | None:
        reference = ConversationReference().deserialize(message.destination)
        if message.kind == "update":
            target = message.target_activity_id
            if target is None and message.target_key is not None:
                sent = await outbox_store.get_message(self.db, message.target_key)
                if sent is None or sent.state == "failed":
                    raise LookupError(f"the card {message.target_key!r} was never sent")
                if sent.sent_activity_id is None:
                    raise _NotYet
                target = sent.sent_activity_id
            assert target is not None
            content = await self._content(message)
            card = content if isinstance(content, dict) else {"type": "AdaptiveCard"}
            return await self.outbox.replace(reference, target, card)
        content = await self._content(message)
        activity = (
            Activity(type=ActivityTypes.message, text=content)
            if isinstance(content, str)
            else Activity(type=ActivityTypes.message, attachments=[_card(content)])
        )
        if message.kind == "send_private":
            assert message.user_id is not None
            result = await self.outbox.send_private(reference, message.user_id, activity)
        else:
            result = await self.outbox.send(reference, activity)
        # A send the service acknowledged without an id still went out: "" marks it sent.
        return result if result is not None else None

    async def _heartbeat(self, message: outbox_store.OutgoingMessage) -> None:
        interval = max(self.lease.total_seconds() / 3, 0.05)
        while True:
            await asyncio.sleep(interval)
            try:
                await outbox_store.extend_lease(
                    self.db, [message.id], self.worker, lease=self.lease
                )
            except DatabaseUnavailable as exc:
                log.info("could not extend the lease of message %d (%s)", message.id, exc)
