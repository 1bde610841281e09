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

from typing import Any

from dialogs.conversation.channel import Card, Content, Destination
from storage import outbox_store
from storage.db import Database

__all__ = ["lane_of", "post", "post_private", "sent_activity_id", "update_card"]


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


def _content(content: Content) -> dict[str, Any]:
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
    db: Database, where: Destination, user_id: str, content: Content, *, key: str, tx: Any = None
) -> bool:
    """Post ``content`` in ``user_id``'s 1:1 chat (opened from ``where``), once per ``key``."""
    return await outbox_store.enqueue(
        db,
        key=key,
        lane=lane_of(where, user_id),
        kind="send_private",
        destination=where,
        user_id=user_id,
        content=_content(content),
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
    if (card is None) == (builder is None):
        raise ValueError("give either card or builder (with args), not both or neither")
    content: dict[str, Any] = (
        {"card": card} if card is not None else {"builder": builder, "args": args or {}}
    )
    return await outbox_store.enqueue(
        db,
        key=key,
        lane=lane_of(where),
        kind="update",
        destination=where,
        content=content,
        target_key=target_key,
        target_activity_id=activity_id,
        tx=tx,
    )


async def sent_activity_id(db: Database, key: str) -> str | None:
    """The platform's id of the message sent under ``key``, once it was sent."""
    message = await outbox_store.get_message(db, key)
    return None if message is None else message.sent_activity_id
