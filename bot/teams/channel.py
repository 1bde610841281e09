"""The conversation's :class:`~dialogs.conversation.channel.Channel` on Teams, over the
:class:`~bot.outbox.Outbox` (throttled per conversation, retried, coalesced) and, during a
turn, the turn's connector clients (member and meeting-role look-ups).

A destination is a stored ``ConversationReference`` dict; a card is an Adaptive Card's
content, sent as the only attachment of its own message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal

import aiohttp
from botbuilder.core import BotAdapter, CardFactory, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ErrorResponseException,
)

from bot.outbox import Outbox
from bot.teams.references import reference_of
from dialogs.conversation.channel import Card, Content, Destination, Incoming

__all__ = ["TeamsChannel", "activity_of"]

log = logging.getLogger(__name__)


def activity_of(content: Content) -> Activity | str:
    """A text stays a text; a card becomes a message holding it alone."""
    if isinstance(content, str):
        return content
    activity: Activity = MessageFactory.attachment(CardFactory.adaptive_card(content))
    return activity


class TeamsChannel:
    """:class:`~dialogs.conversation.channel.Channel` on Teams.

    Args:
        outbox: Every outgoing call goes through it.
        spawn: Starts background work (``BotServices.spawn``).
        media_url: ``media_url(token)`` / ``media_url(token, "card")`` (``BotServices``).
        turn_context: The turn being handled, if any: its connector clients answer the
            member and meeting-role look-ups (without a turn they cannot say).
    """

    def __init__(
        self,
        outbox: Outbox,
        *,
        spawn: Callable[..., Any],
        media_url: Callable[..., str],
        turn_context: TurnContext | None = None,
    ) -> None:
        self.outbox = outbox
        self._spawn = spawn
        self._media_url = media_url
        self.turn_context = turn_context

    def send(self, to: Destination, content: Content) -> Awaitable[str | None]:
        return self.outbox.send(reference_of(to), activity_of(content))

    def send_private(
        self, where: Destination, user_id: str, content: Content
    ) -> Awaitable[str | None]:
        return self.outbox.send_private(reference_of(where), user_id, activity_of(content))

    def update_card(
        self,
        where: Destination,
        activity_id: str,
        card: Callable[[], Card | Awaitable[Card]],
    ) -> None:
        self.outbox.update_card(reference_of(where), activity_id, card)

    def update_private_card(
        self,
        where: Destination,
        user_id: str,
        activity_id: str,
        card: Callable[[], Card | Awaitable[Card]],
    ) -> None:
        async def update() -> None:
            # The 1:1 chat's reference: the outbox keeps it from the send that made the card
            # (the outbox has no public accessor for it yet; issue 19 owns bot/outbox.py).
            private = await self.outbox._private_reference(
                reference_of(where), ChannelAccount(id=user_id)
            )
            self.outbox.update_card(private, activity_id, card)

        self.spawn(update(), name="update private card")

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> None:
        self._spawn(work, name=name)

    def media_url(self, token: str, variant: Literal["full", "card"] = "full") -> str:
        return (
            str(self._media_url(token, "card"))
            if variant == "card"
            else str(self._media_url(token))
        )

    async def is_member(self, where: Destination, user_id: str) -> bool | None:
        """Asks the connector's member look-up of this turn (None without a turn)."""
        client = (
            self.turn_context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
            if self.turn_context is not None
            else None
        )
        chat = (where.get("conversation") or {}).get("id")
        if client is None or not chat:
            log.warning("no connector client here: cannot check a member")
            return None
        try:
            await client.conversations.get_conversation_member(chat, user_id)
        except ErrorResponseException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status not in (403, 404):  # 404: not a member; 403: the bot left the chat
                log.warning("member lookup failed with status %s", status)
                return None
            return False
        except (OSError, aiohttp.ClientError) as exc:
            log.warning("member lookup failed (%s)", type(exc).__name__)
            return None
        return True

    async def is_meeting_organiser(self, incoming: Incoming) -> bool:
        """Whether Teams says the sender organises the meeting (False when it cannot say)."""
        aad = incoming.sender.aad_object_id
        if (
            self.turn_context is None
            or not incoming.meeting_id
            or not aad
            or not incoming.tenant_id
        ):
            return False
        try:
            client = await TeamsInfo.get_teams_connector_client(self.turn_context)
            # The 4.17 Teams client is synchronous: keep it off the event loop.
            participant = await asyncio.to_thread(
                client.teams.fetch_participant, incoming.meeting_id, aad, incoming.tenant_id
            )
        except Exception as exc:  # 403 without the permission, or no meeting: not an organiser
            log.info(
                "meeting role lookup failed (%s); treating the caller as attendee",
                type(exc).__name__,
            )
            return False
        role = getattr(getattr(participant, "meeting", None), "role", None)
        return role == "Organizer"
