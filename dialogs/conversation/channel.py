"""The seam between the conversation and the chat platform (Teams today).

What arrives is an :class:`Incoming`: plain data, built by the platform adapter (``bot/``)
from a Teams activity after the activity was authenticated and its tenant checked. What the
conversation may do is a :class:`Channel`: send to a conversation, send privately to a
person, update a card, run work in the background, give a picture's URL, ask who organises
a meeting or whether someone is in a chat.

Nothing here imports botbuilder: a move to the Microsoft 365 Agents SDK rewrites ``bot/``
alone. Cards travel as dicts (an Adaptive Card's content); a destination is the stored
conversation-reference dict the storage already keeps for every workshop
(``WorkshopRecord.conversation_reference``), so a destination read from the database and
one taken from an incoming message are the same kind of value.

Every field of an :class:`Incoming` came from outside: the adapter checked the signature
and the tenant, nothing else. Who may do what is decided in :mod:`dialogs.permissions`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

__all__ = [
    "Card",
    "Channel",
    "Content",
    "Destination",
    "Incoming",
    "Scope",
    "Sender",
]

#: Where a conversation is: personal (1:1 with the bot), a group chat (meetings' chats
#: too), or a team's channel.
Scope = Literal["personal", "groupChat", "team"]
#: A stored conversation reference (``ConversationReference.serialize()``): where to send.
Destination = dict[str, Any]
#: An Adaptive Card's content (``{"type": "AdaptiveCard", "body": [...], ...}``).
Card = dict[str, Any]
#: What can be sent: plain text (Teams renders a little Markdown) or a card.
Content = str | Card


@dataclass(frozen=True)
class Sender:
    """Who wrote: the channel's user id (``29:…``), the Entra object id when Teams gave one,
    and the display name (never trusted for a decision: it is shown, not checked)."""

    id: str
    aad_object_id: str | None = None
    name: str = ""


@dataclass(frozen=True)
class Incoming:
    """One message or card submit, as the conversation sees it.

    Attributes:
        sender: who wrote it.
        conversation_id: the conversation's id without Teams' ``;messageid=`` suffix.
        scope: personal, groupChat or team.
        destination: where a reply to this conversation goes.
        text: the message without the bot's mention and without markup; other people's
            mentions stay as ``@Name``.
        value: the card submit's data (``{"wb": kind, ...}``), or None for a typed message.
        mentions_bot: whether the bot was @mentioned.
        mentions: the other people mentioned, as (user id, name).
        activity_id: the platform's id of the activity (answers are stored idempotently on
            it), or None.
        tenant_id: the tenant the adapter checked (one authoritative value).
        meeting_id: the Teams meeting this chat belongs to, if any.
        recipient_name: the bot's own display name in this conversation.
        locale: the client's locale as sent (a hint only; the workshop decides the language).
        reply_to_id: the message a card submit came from (the card to replace), if any.
            (Added by issue 14.)
        team_channel_id: the team channel's id, in a team's channel. (Added by issue 14.)
    """

    sender: Sender
    conversation_id: str
    scope: Scope
    destination: Destination
    text: str = ""
    value: dict[str, Any] | None = None
    mentions_bot: bool = False
    mentions: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    activity_id: str | None = None
    tenant_id: str | None = None
    meeting_id: str | None = None
    recipient_name: str = ""
    locale: str | None = None
    reply_to_id: str | None = None
    team_channel_id: str | None = None

    @property
    def personal(self) -> bool:
        """Whether this came from the sender's 1:1 chat with the bot."""
        return self.scope == "personal"


class Channel(Protocol):
    """What the conversation may do on the platform.

    Sends return at once: they are queued per conversation (Teams' limits, retries) and
    performed in order. The returned awaitable resolves to the new message's id, or None
    when the send was given up (it is logged; it never raises into the caller). Await it
    only in background work, never in a turn.
    """

    def send(self, to: Destination, content: Content) -> Awaitable[str | None]:
        """Post ``content`` in the conversation ``to``."""
        ...

    def send_private(
        self, where: Destination, user_id: str, content: Content
    ) -> Awaitable[str | None]:
        """Post ``content`` in the 1:1 chat of ``user_id``, a member of ``where``'s
        conversation (the 1:1 chat is opened when needed). Resolves to None when no 1:1
        chat could be opened."""
        ...

    def update_card(
        self,
        where: Destination,
        activity_id: str,
        card: Callable[[], Card | Awaitable[Card]],
    ) -> None:
        """Replace the card ``activity_id`` in ``where``; ``card`` is called when the
        update is made (updates of one card close together collapse: the newest wins)."""
        ...

    def update_private_card(
        self,
        where: Destination,
        user_id: str,
        activity_id: str,
        card: Callable[[], Card | Awaitable[Card]],
    ) -> None:
        """Replace the card ``activity_id`` that :meth:`send_private` sent to ``user_id``
        (a member of ``where``'s conversation) in their 1:1 chat; like :meth:`update_card`.
        (Added by issue 14: a private copy of a question card is closed with its question.)"""
        ...

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> None:
        """Run slow work (rendering, summaries) in the background; failures are logged,
        never shown to a user."""
        ...

    def media_url(self, token: str, variant: Literal["full", "card"] = "full") -> str:
        """The public URL of a stored picture (a map's full or card-sized PNG)."""
        ...

    async def is_member(self, where: Destination, user_id: str) -> bool | None:
        """Whether the platform lists ``user_id`` in ``where``'s conversation; None when it
        cannot say (timeout, no permission)."""
        ...

    async def is_meeting_organiser(self, incoming: Incoming) -> bool:
        """Whether the platform says the sender organises the meeting the message came from
        (False when it cannot say or there is no meeting)."""
        ...
