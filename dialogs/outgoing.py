"""Durable proactive messages: what the conversation and the job handlers send so that no
instance's death loses it.

A turn's own replies may go straight out through the :class:`~dialogs.conversation.channel.Channel`.
A message *caused by a change* — a question opened and its card, a time box's reminder, the
end and its summary, a private note that must arrive — goes through here instead: it is a
row of the durable outbox (:mod:`storage.outbox_store`), written in the caller's transaction
when one is given (the change and its message commit together), delivered by whichever
instance is alive (``bot.outbox.DurableDelivery``), once per ``key``::

    async with db.transaction() as tx:
        ...  # open the question (storage functions that take tx)
        await post(db, workshop.conversation_reference, {"card": card},
                   key=f"question-card:{run.id}", tx=tx)

    await post_private(db, where, facilitator_id, reminder_text, key=f"time-box:{run.id}:{fid}")
    await update_card(db, where, target_key=f"question-card:{run.id}",
                      builder="question_card", args={"run_id": run.id},
                      key=f"question-card-update:{run.id}")   # newest state wins

Keys name the message, not the attempt: a redelivered activity or a second instance that
decides the same thing enqueues nothing new. Content is text, an Adaptive Card dict, or a
*builder* registered in ``bot/`` that makes the card when it is sent (so a counter shows
the newest count, whichever instance sends it).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from dialogs.conversation.channel import Card, Channel, Content, Destination
from storage import outbox_store
from storage.db import Database

__all__ = [
    "Builder",
    "build",
    "deliver_through",
    "lane_of",
    "post",
    "post_private",
    "register_builder",
    "sent_activity_id",
    "update_card",
]

log = logging.getLogger(__name__)

#: Makes a message's content when it is sent: (db, args) -> card dict or text.
Builder = Callable[[Database, dict[str, Any]], Awaitable[dict[str, Any] | str]]
_BUILDERS: dict[str, Builder] = {}


def register_builder(name: str, builder: Builder, *, replace: bool = False) -> None:
    """Make ``builder`` build the content of messages that name it."""
    if name in _BUILDERS and _BUILDERS[name] is not builder and not replace:
        raise ValueError(f"a builder named {name!r} exists; choose another name")
    _BUILDERS[name] = builder


async def build(db: Database, content: dict[str, Any]) -> dict[str, Any] | str:
    """A stored message's content as it is sent: its text, its card, or what its builder
    makes now."""
    if "text" in content:
        return str(content["text"])
    if "card" in content:
        return dict(content["card"])
    name = str(content.get("builder"))
    builder = _BUILDERS.get(name)
    if builder is None:
        raise LookupError(f"no builder named {name!r} in this version")
    made = builder(db, dict(content.get("args") or {}))
    return await made if inspect.isawaitable(made) else made


def lane_of(where: Destination, user_id: str | None = None) -> str:
    """The conversation a message shares order and Teams' budget with: the service URL and
    the conversation id (a channel's threads are one), or the 1:1 chat of ``user_id``.

    >>> lane_of({"serviceUrl": "https://s/", "conversation": {"id": "19:a;messageid=9"}})
    'https://s/|19:a'
    >>> lane_of({"serviceUrl": "https://s/", "conversation": {"id": "19:a"}}, "29:x")
    'https://s/|1:1:29:x'
    """
    service = str(where.get("serviceUrl") or where.get("service_url") or "")
    if user_id is not None:
        return f"{service}|1:1:{user_id}"
    conversation = where.get("conversation") or {}
    conversation_id = str(conversation.get("id") or "") if isinstance(conversation, dict) else ""
    return f"{service}|{conversation_id.split(';messageid=')[0]}"


def _content(
    content: Content | None, builder: str | None = None, args: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A message's stored content: its text, its card, or the builder that makes it."""
    if (content is None) == (builder is None):
        raise ValueError("give either content or builder (with args), not both or neither")
    if content is None:
        return {"builder": builder, "args": args or {}}
    if isinstance(content, str):
        return {"text": content}
    return {"card": content}


async def post(
    db: Database, to: Destination, content: Content, *, key: str, tx: Any = None
) -> bool:
    """Post ``content`` in the conversation ``to``, once per ``key``.

    Returns:
        True when queued now; False when a message with this key was queued before.
    """
    return await outbox_store.enqueue(
        db,
        key=key,
        lane=lane_of(to),
        kind="send",
        destination=to,
        content=_content(content),
        tx=tx,
    )


async def post_private(
    db: Database,
    where: Destination,
    user_id: str,
    content: Content | None = None,
    *,
    key: str,
    builder: str | None = None,
    args: dict[str, Any] | None = None,
    tx: Any = None,
) -> bool:
    """Post ``content`` in ``user_id``'s 1:1 chat (opened from ``where``), once per ``key``;
    or what ``builder(args)`` makes when it is sent (content that must reflect what is
    stored then, e.g. nothing of a person forgotten while it waited)."""
    return await outbox_store.enqueue(
        db,
        key=key,
        lane=lane_of(where, user_id),
        kind="send_private",
        destination=where,
        user_id=user_id,
        content=_content(content, builder, args),
        tx=tx,
    )


async def update_card(
    db: Database,
    where: Destination,
    *,
    key: str,
    target_key: str | None = None,
    activity_id: str | None = None,
    card: Card | None = None,
    builder: str | None = None,
    args: dict[str, Any] | None = None,
    tx: Any = None,
) -> bool:
    """Replace a sent card: the one sent under ``target_key`` (or ``activity_id``) with
    ``card``, or with what ``builder(args)`` makes when the update is sent. Updates under
    one ``key`` collapse: the newest wins, even after an earlier one was sent."""
    return await outbox_store.enqueue(
        db,
        key=key,
        lane=lane_of(where),
        kind="update",
        destination=where,
        content=_content(card, builder, args),
        target_key=target_key,
        target_activity_id=activity_id,
        tx=tx,
    )


async def sent_activity_id(db: Database, key: str) -> str | None:
    """The platform's id of the message sent under ``key``, once it was sent."""
    message = await outbox_store.get_message(db, key)
    return None if message is None else message.sent_activity_id


async def deliver_through(
    db: Database, channel: Channel, *, worker: str = "channel", rounds: int = 100
) -> int:
    """Deliver every message due now through ``channel`` (the conversation's own sender;
    the app's instances use ``bot.delivery.DurableDelivery`` with Teams' limits instead).
    Returns how many were delivered."""
    delivered = 0
    for _ in range(rounds):
        claimed = await outbox_store.claim(db, worker)
        if not claimed:
            break
        for message in claimed:
            try:
                activity_id = await _send_through(db, channel, message)
            except _NotSentYet:
                await outbox_store.mark_failed(
                    db,
                    message,
                    worker,
                    "its card was not sent yet",
                    retry_at=datetime.now(UTC) + timedelta(seconds=1),
                )
                continue
            except Exception as exc:
                log.exception("delivering message %d failed", message.id)
                await outbox_store.mark_failed(
                    db, message, worker, f"{type(exc).__name__}: {exc}", retry_at=None
                )
                continue
            await outbox_store.mark_sent(db, message, worker, activity_id=activity_id or None)
            delivered += 1
    return delivered


class _NotSentYet(Exception):
    """An update whose card has not been sent yet."""


async def _send_through(
    db: Database, channel: Channel, message: outbox_store.OutgoingMessage
) -> str | None:
    where: Destination = dict(message.destination)
    if message.kind == "update":
        target = message.target_activity_id
        if target is None and message.target_key is not None:
            sent = await outbox_store.get_message(db, message.target_key)
            if sent is None or sent.state == "failed":
                raise LookupError(f"the card {message.target_key!r} was never sent")
            if sent.sent_activity_id is None:
                raise _NotSentYet
            target = sent.sent_activity_id
        assert target is not None
        content = await build(db, message.content)
        card: Card = content if isinstance(content, dict) else {"type": "AdaptiveCard"}
        channel.update_card(where, target, lambda: card)
        return ""
    content = await build(db, message.content)
    if message.kind == "send_private":
        assert message.user_id is not None
        return await channel.send_private(where, message.user_id, content)
    return await channel.send(where, content)
