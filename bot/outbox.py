"""Every outgoing call of the bot, throttled per conversation, retried, coalesced.

(First cut: the public API the conversation code uses; the queue follows.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, Attachment, ChannelAccount, ConversationReference

__all__ = ["CardFactory", "Outbox"]

log = logging.getLogger(__name__)

#: Builds the new content of a card when an update is finally sent.
CardFactory = Callable[[], Attachment | Activity | dict[str, Any]]


class Outbox:
    """Sends, updates and proactive turns, queued per conversation (see bot.services)."""

    coalesce_window: float = 2.0

    def send(
        self,
        reference: ConversationReference,
        activity: Activity | str,
        *,
        reply_to_id: str | None = None,
    ) -> asyncio.Future[str | None]:
        """Queue ``activity`` for the conversation; the future gives its id (None: given up)."""
        raise NotImplementedError

    def send_private(
        self,
        reference: ConversationReference,
        user: ChannelAccount | str,
        activity: Activity | str,
    ) -> asyncio.Future[str | None]:
        """Queue ``activity`` for the 1:1 chat between the bot and ``user`` (created if needed)."""
        raise NotImplementedError

    def update_card(
        self, reference: ConversationReference, activity_id: str, card_factory: CardFactory
    ) -> None:
        """Replace the card of a sent activity; updates within 2 s collapse to the newest."""
        raise NotImplementedError

    def run(
        self, reference: ConversationReference, callback: Callable[[TurnContext], Awaitable[Any]]
    ) -> asyncio.Future[None]:
        """Run a proactive turn in the conversation's queue."""
        raise NotImplementedError
