"""The durable outbox: proactive messages as rows, and Teams' budget shared by all instances.

Why one module of ~620 lines: the messages and the shared budget are claimed in the same
lanes under the same leases; keeping both beside each other keeps one lane's order and its
budget from being decided by two different rules.

A proactive message (a question's card, a time box's reminder, the summary, a private note,
a card's new state) is *enqueued* here, ideally in the same transaction as the change that
causes it, and *delivered* by whichever live instance claims it (``bot.outbox``'s
``DurableDelivery``). Messages of one *lane* (a conversation) go out one at a time and in
the order they were enqueued; different lanes go out side by side.

The API::

    await enqueue(db, key="card:run:7", lane=lane, kind="send", destination=ref,
                  content={"card": {...}}, tx=tx)          # once per key, ever
    await enqueue(db, key="update:run:7", lane=lane, kind="update", destination=ref,
                  content={"builder": "question_card", "args": {"run_id": 7}},
                  target_key="card:run:7")                 # newest content wins
    claimed = await claim(db, "instance-a")                # heads of free lanes
    await mark_sent(db, claimed[0], "instance-a", activity_id="1:abc")
    await mark_failed(db, claimed[0], "instance-a", "403", retry_at=None)
    await release(db, "instance-a")                        # a graceful stop hands back
    wait = await take_send_slot(db, lane, TEAMS_LIMITS)    # 0: go; else seconds to wait

Semantics:

- **Once per key.** A ``send``/``send_private`` whose key exists already (queued, sent or
  failed) is not enqueued again: a turn that is redelivered, or two instances that both
  decide to send the same reminder, produce one message. An ``update``'s key instead
  replaces the content and queues it again even when sent: the newest state wins, and a
  delivery under way when the content changed is followed by one more.
- **Lanes and leases.** A claim holds the lane's head message for a lease; a claim whose
  instance died is taken over when it runs out. A message whose delivery was under way
  when its instance died may therefore arrive twice (at-least-once; the window is one
  call).
- **Privacy.** Content is emptied when the message is sent; ``forget_user`` in
  :mod:`storage.privacy` deletes what is still queued for a person.
- **Budget.** :func:`take_send_slot` keeps, per lane, the times of the bot's recent
  operations (the PostgreSQL server's clock, so instances on other hosts agree) and grants
  one more only when every window of the given limits has room.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import Row, Table, and_, delete, exists, func, or_, select, text, update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import _wake, models
from storage._base import as_utc, check_text, opt_utc, utcnow
from storage.db import Database
from storage.errors import InvalidInput
from storage.jobs import _in

__all__ = [
    "DEFAULT_LEASE",
    "NOTIFY_CHANNEL",
    "OutgoingKind",
    "OutgoingMessage",
    "claim",
    "counts",
    "enqueue",
    "extend_lease",
    "finish_send_slot",
    "forget_user",
    "get_message",
    "mark_failed",
    "mark_sent",
    "next_due",
    "on_enqueued",
    "purge",
    "release",
    "take_send_slot",
]

outbox_t = cast(Table, models.OutboxMessage.__table__)  # type: ignore[attr-defined]
budget_t = cast(Table, models.SendBudget.__table__)  # type: ignore[attr-defined]

OutgoingKind = Literal["send", "send_private", "update"]
OutgoingState = Literal["queued", "sending", "sent", "failed"]

#: How long a delivery claim holds unless renewed.
DEFAULT_LEASE = timedelta(seconds=6)
#: The PostgreSQL channel an enqueue notifies.
NOTIFY_CHANNEL = "workshopbot_outbox"
_MAX_CONTENT_CHARS = 200_000
_KINDS = ("send", "send_private", "update")


@dataclass(frozen=True)
class OutgoingMessage:
    """A message as stored (or as claimed: then ``locked_by`` is the claimer)."""

    id: int
    key: str
    lane: str
    kind: OutgoingKind
    destination: dict[str, Any]
    user_id: str | None
    content: dict[str, Any]
    target_activity_id: str | None
    target_key: str | None
    state: OutgoingState
    due_at: datetime
    attempts: int
    version: int
    locked_by: str | None
    locked_until: datetime | None
    sent_activity_id: str | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def _record(row: Row[Any]) -> OutgoingMessage:
    m = row._mapping
    return OutgoingMessage(
        id=m["id"],
        key=m["key"],
        lane=m["lane"],
        kind=m["kind"],
        destination=dict(m["destination"] or {}),
        user_id=m["user_id"],
        content=dict(m["content"] or {}),
        target_activity_id=m["target_activity_id"],
        target_key=m["target_key"],
        state=m["state"],
        due_at=as_utc(m["due_at"]),
        attempts=m["attempts"],
        version=m["version"],
        locked_by=m["locked_by"],
        locked_until=opt_utc(m["locked_until"]),
        sent_activity_id=m["sent_activity_id"],
        last_error=m["last_error"],
        created_at=as_utc(m["created_at"]),
        sent_at=opt_utc(m["sent_at"]),
    )


def _json_object(value: object, what: str, *, limit: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} must be a dict, not {type(value).__name__}")
    try:
        encoded = json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{what} must be JSON: {exc}") from exc
    if len(encoded) > limit:
        raise InvalidInput(f"{what} is {len(encoded):,} characters of JSON; the limit is {limit:,}")
    return cast(dict[str, Any], json.loads(encoded))


def _now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise InvalidInput(f"now {now.isoformat()} has no time zone; give an aware datetime")
    return as_utc(now)


async def _notify(db: Database, session: AsyncConnection) -> None:
    _wake.after_commit(db, session, NOTIFY_CHANNEL)
    if db.dialect == "postgresql":
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})


async def enqueue(
    db: Database,
    *,
    key: str,
    lane: str,
    kind: OutgoingKind,
    destination: dict[str, Any],
    content: dict[str, Any],
    user_id: str | None = None,
    target_activity_id: str | None = None,
    target_key: str | None = None,
    due_at: datetime | None = None,
    tx: AsyncConnection | None = None,
) -> bool:
    """Enqueue a message (see the module's notes on keys).

    Args:
        key: The idempotency key (e.g. ``"reminder:run:7:29:fie"``).
        lane: The conversation it goes to (its order and budget).
        kind: ``send`` (to ``destination``), ``send_private`` (to ``user_id``'s 1:1 chat,
            opened from ``destination``) or ``update`` (replace a card).
        destination: The stored conversation reference.
        content: ``{"text": ...}``, ``{"card": {...}}`` or ``{"builder": name, "args": {}}``.
        user_id: The recipient of a ``send_private``.
        target_activity_id: The card an ``update`` replaces ...
        target_key: ... or the key of the message that sent it.
        due_at: Not before (default: now).
        tx: Enqueue in this transaction (from ``db.transaction()``).

    Returns:
        True when the message was queued (or, for an update, its content replaced); False
        when a message with this key exists already.

    Raises:
        InvalidInput: A missing recipient or target, an unknown kind, content not JSON.
    """
    key = check_text(key, "message key", max_len=300)
    lane = check_text(lane, "message lane", max_len=600)
    if kind not in _KINDS:
        raise InvalidInput(f"message kind {kind!r} is unknown; use one of {', '.join(_KINDS)}")
    if kind == "send_private" and not user_id:
        raise InvalidInput("a private message needs user_id (the recipient's Teams id)")
    if kind == "update" and not (target_activity_id or target_key):
        raise InvalidInput("an update needs target_activity_id or target_key (the card)")
    body = _json_object(content, "message content", limit=_MAX_CONTENT_CHARS)
    if not ({"text", "card", "builder"} & body.keys()):
        raise InvalidInput("message content needs 'text', 'card' or 'builder'")
    where = _json_object(destination, "message destination", limit=20_000)
    now = utcnow()
    values: dict[str, Any] = {
        "key": key,
        "lane": lane,
        "kind": kind,
        "destination": where,
        "user_id": user_id,
        "content": body,
        "target_activity_id": target_activity_id,
        "target_key": target_key,
        "state": "queued",
        "due_at": now if due_at is None else _now(due_at),
        "attempts": 0,
        "version": 1,
        "created_at": now,
    }
    insert = (pg_dialect if db.dialect == "postgresql" else sqlite_dialect).insert
    base = insert(outbox_t).values(**values)
    if kind == "update":
        statement = base.on_conflict_do_update(
            index_elements=[outbox_t.c.key],
            set_={
                "content": base.excluded.content,
                "destination": base.excluded.destination,
                "state": "queued",
                "due_at": base.excluded.due_at,
                "attempts": 0,
                "version": outbox_t.c.version + 1,
                "locked_by": None,
                "locked_until": None,
                "last_error": None,
            },
        )
    else:
        statement = base.on_conflict_do_nothing(index_elements=[outbox_t.c.key])
    async with _in(db, tx) as session:
        result = await session.execute(statement)
        queued = bool(result.rowcount)
        if queued:
            await _notify(db, session)
    return queued


def _due(now: datetime) -> Any:
    return or_(
        and_(outbox_t.c.state == "queued", outbox_t.c.due_at <= now),
        and_(outbox_t.c.state == "sending", outbox_t.c.locked_until < now),
    )


async def claim(
    db: Database,
    worker: str,
    *,
    limit: int = 20,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
    exclude_lanes: set[str] | None = None,
) -> list[OutgoingMessage]:
    """Claim the first due message of up to ``limit`` lanes that no live claim holds.

    Args:
        worker: This instance's name.
        limit: How many messages (lanes) at most.
        lease: How long the claim holds unless extended.
        now: The current time (tests).
        exclude_lanes: Lanes this worker is busy with already.

    Returns:
        The claimed messages, oldest first, at most one per lane.
    """
    worker = check_text(worker, "worker name", max_len=100)
    current = _now(now)
    other = outbox_t.alias("other")
    earlier = exists().where(
        other.c.lane == outbox_t.c.lane,
        other.c.id < outbox_t.c.id,
        other.c.state.in_(("queued", "sending")),
    )
    busy = exists().where(
        other.c.lane == outbox_t.c.lane,
        other.c.id != outbox_t.c.id,
        other.c.state == "sending",
        other.c.locked_until >= current,
    )
    candidates = select(outbox_t.c.id).where(_due(current), ~earlier, ~busy)
    if exclude_lanes:
        candidates = candidates.where(outbox_t.c.lane.not_in(sorted(exclude_lanes)))
    candidates = candidates.order_by(outbox_t.c.due_at, outbox_t.c.id).limit(limit)
    if db.dialect == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        update(outbox_t)
        .where(outbox_t.c.id.in_(candidates.scalar_subquery()))
        .values(
            state="sending",
            locked_by=worker,
            locked_until=current + lease,
            attempts=outbox_t.c.attempts + 1,
        )
        .returning(*outbox_t.c)
    )
    async with db.transaction() as session:
        rows = (await session.execute(statement)).all()
    claimed = [_record(row) for row in rows]
    # One per lane (two heads of one lane cannot both qualify, but be plain about it).
    seen: set[str] = set()
    result: list[OutgoingMessage] = []
    for message in sorted(claimed, key=lambda m: (m.due_at, m.id)):
        if message.lane in seen:
            continue
        seen.add(message.lane)
        result.append(message)
    return result


def _mine(message: OutgoingMessage, worker: str) -> Any:
    return and_(
        outbox_t.c.id == message.id,
        outbox_t.c.version == message.version,
        outbox_t.c.state == "sending",
        outbox_t.c.locked_by == worker,
    )


async def mark_sent(
    db: Database,
    message: OutgoingMessage,
    worker: str,
    *,
    activity_id: str | None,
    now: datetime | None = None,
) -> bool:
    """Record the delivery (and forget the content). False when the claim was lost or the
    content was replaced meanwhile (an update: it goes out once more)."""
    values: dict[str, Any] = {
        "state": "sent",
        "content": {},
        "locked_by": None,
        "locked_until": None,
        "sent_at": _now(now),
        "last_error": None,
    }
    if activity_id is not None or message.kind != "update":
        values["sent_activity_id"] = activity_id
    async with db.transaction() as session:
        result = await session.execute(
            update(outbox_t).where(_mine(message, worker)).values(**values)
        )
    return bool(result.rowcount)


async def mark_failed(
    db: Database,
    message: OutgoingMessage,
    worker: str,
    error: str,
    *,
    retry_at: datetime | None,
    now: datetime | None = None,
) -> bool:
    """Queue the message again at ``retry_at``, or (None) give it up for good (its content
    is forgotten then too). The lane waits for a message queued again."""
    values: dict[str, Any] = {
        "locked_by": None,
        "locked_until": None,
        "last_error": str(error)[:2000] or "failed",
    }
    if retry_at is None:
        values.update(state="failed", content={}, sent_at=_now(now))
    else:
        values.update(state="queued", due_at=_now(retry_at))
    async with db.transaction() as session:
        result = await session.execute(
            update(outbox_t).where(_mine(message, worker)).values(**values)
        )
    return bool(result.rowcount)


async def extend_lease(
    db: Database,
    ids: list[int],
    worker: str,
    *,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> int:
    """Renew this worker's claims while their deliveries are under way."""
    if not ids:
        return 0
    async with db.transaction() as session:
        result = await session.execute(
            update(outbox_t)
            .where(
                outbox_t.c.id.in_(ids),
                outbox_t.c.state == "sending",
                outbox_t.c.locked_by == worker,
            )
            .values(locked_until=_now(now) + lease)
        )
    return int(result.rowcount or 0)


async def release(db: Database, worker: str) -> int:
    """Hand back this worker's claims (a graceful stop): queued again, due at once."""
    async with db.transaction() as session:
        result = await session.execute(
            update(outbox_t)
            .where(outbox_t.c.state == "sending", outbox_t.c.locked_by == worker)
            .values(state="queued", locked_by=None, locked_until=None)
        )
        if result.rowcount:
            await _notify(db, session)
    return int(result.rowcount or 0)


async def get_message(db: Database, key: str) -> OutgoingMessage | None:
    """The message with this key, or None."""
    async with db.transaction(write=False) as session:
        row = (await session.execute(select(outbox_t).where(outbox_t.c.key == key))).first()
    return None if row is None else _record(row)


async def next_due(db: Database) -> datetime | None:
    """When a message is next due: the earliest queued ``due_at`` or lease end."""
    async with db.transaction(write=False) as session:
        first = (
            await session.execute(
                select(func.min(outbox_t.c.due_at)).where(outbox_t.c.state == "queued")
            )
        ).scalar()
        lease_end = (
            await session.execute(
                select(func.min(outbox_t.c.locked_until)).where(outbox_t.c.state == "sending")
            )
        ).scalar()
    times = [as_utc(_parse(t)) for t in (first, lease_end) if t is not None]
    return min(times) if times else None


def _parse(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def counts(db: Database) -> dict[str, int]:
    """How many messages are in each state (operators, tests, the benchmark)."""
    async with db.transaction(write=False) as session:
        rows = (
            await session.execute(select(outbox_t.c.state, func.count()).group_by(outbox_t.c.state))
        ).all()
    return {state: int(n) for state, n in rows}


async def purge(db: Database, *, before: datetime) -> int:
    """Delete sent or failed messages older than ``before`` and budgets idle since then."""
    cutoff = _now(before)
    async with db.transaction() as session:
        result = await session.execute(
            delete(outbox_t).where(
                outbox_t.c.state.in_(("sent", "failed")), outbox_t.c.sent_at < cutoff
            )
        )
        await session.execute(delete(budget_t).where(budget_t.c.updated_at < cutoff))
    return int(result.rowcount or 0)


async def forget_user(session: AsyncConnection, user_id: str) -> int:
    """Delete the messages to ``user_id``'s 1:1 chat (queued ones with their content; sent
    ones hold none) and the send budget kept under their chat's lane (inside
    :func:`storage.privacy.forget_user`'s transaction). Returns how many messages."""
    result = await session.execute(delete(outbox_t).where(outbox_t.c.user_id == user_id))
    # Their 1:1 chat's budget is kept under a lane that names them.
    escaped = user_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    await session.execute(
        delete(budget_t).where(budget_t.c.lane.like(f"%|1:1:{escaped}", escape="\\"))
    )
    return int(result.rowcount or 0)


def on_enqueued(db: Database, callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` in this process whenever a message is enqueued or handed back on
    ``db`` (after the commit). Returns the function that stops it."""
    _wake.register(db, NOTIFY_CHANNEL, callback)
    return lambda: _wake.unregister(db, NOTIFY_CHANNEL, callback)


#: An operation under way counts as made "now" for at most this long (its instance may
#: have died in it).
MAX_IN_FLIGHT_S = 20.0


def _entries(stored: Any) -> list[list[Any]]:
    """Stored stamps as [made, done or None, token or None] (plain numbers: done)."""
    entries: list[list[Any]] = []
    for item in stored or []:
        if isinstance(item, (int, float)):
            entries.append([float(item), float(item), None])
        elif isinstance(item, list) and len(item) == 3:
            entries.append([float(item[0]), None if item[1] is None else float(item[1]), item[2]])
    return entries


def _effective(entry: list[Any], now: float) -> float:
    """When the service may have counted the operation: when it was answered, or, while
    it is under way, now (it may arrive any moment)."""
    if entry[1] is not None:
        return float(entry[1])
    return min(now, float(entry[0]) + MAX_IN_FLIGHT_S)


async def _server_now(db: Database, session: AsyncConnection) -> float:
    if db.dialect == "postgresql":
        return float(
            (
                await session.execute(text("SELECT extract(epoch from clock_timestamp())"))
            ).scalar_one()
        )
    return time.time()


async def _locked_entries(db: Database, session: AsyncConnection, lane: str) -> list[list[Any]]:
    insert = (pg_dialect if db.dialect == "postgresql" else sqlite_dialect).insert
    await session.execute(
        insert(budget_t)
        .values(lane=lane, stamps=[], updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=[budget_t.c.lane])
    )
    query = select(budget_t.c.stamps).where(budget_t.c.lane == lane)
    if db.dialect == "postgresql":
        query = query.with_for_update()
    return _entries((await session.execute(query)).scalar_one())


async def take_send_slot(
    db: Database,
    lane: str,
    limits: tuple[tuple[float, int], ...],
    *,
    margin: float = 0.0,
    token: str | None = None,
) -> float:
    """Take one operation of ``lane``'s budget if every window of ``limits`` has room.

    The service counts an operation when it *arrives*, which is some time after it was
    granted here (a busy process, a slow network). So an operation granted with a
    ``token`` counts as made *now* until :func:`finish_send_slot` says when it was answered
    (it arrived before that): every window then holds for the arrivals too, however late
    they come. Without a token the grant time is taken as the arrival time.

    Args:
        lane: The conversation.
        limits: (window seconds, operations allowed) pairs (Teams': ``TEAMS_LIMITS``).
        margin: Seconds added to every window.
        token: Names this operation for :func:`finish_send_slot`.

    Returns:
        0.0 when the operation was counted (go ahead now), else the seconds to wait
        before asking again (nothing was counted).
    """
    lane = check_text(lane, "message lane", max_len=600)
    windows = sorted((w + margin, n) for w, n in limits)
    longest = windows[-1][0]
    async with db.transaction() as session:
        now = await _server_now(db, session)
        entries = [
            e
            for e in await _locked_entries(db, session, lane)
            if _effective(e, now) > now - longest
        ]
        stamps = sorted(_effective(e, now) for e in entries)
        wait = 0.0
        for window, allowed in windows:
            inside = [stamp for stamp in stamps if stamp > now - window]
            if len(inside) >= allowed:
                oldest = inside[len(inside) - allowed]
                # An operation still under way frees its place when it is answered: look
                # again soon rather than a whole window later.
                wait = max(wait, 0.05 if oldest >= now else oldest + window - now)
        if wait > 0:
            return wait
        entries.append([now, None if token else now, token])
        await session.execute(
            update(budget_t)
            .where(budget_t.c.lane == lane)
            .values(stamps=entries, updated_at=utcnow())
        )
    return 0.0


async def finish_send_slot(db: Database, lane: str, token: str) -> None:
    """Record that the operation granted under ``token`` was answered now."""
    async with db.transaction() as session:
        now = await _server_now(db, session)
        entries = await _locked_entries(db, session, lane)
        for entry in entries:
            if entry[2] == token and entry[1] is None:
                entry[1] = now
                entry[2] = None
        await session.execute(
            update(budget_t)
            .where(budget_t.c.lane == lane)
            .values(stamps=entries, updated_at=utcnow())
        )
