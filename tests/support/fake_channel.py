"""A :class:`~dialogs.conversation.channel.Channel` that records instead of sending, for
conversation tests without HTTP (as httpx's ``MockTransport`` stands in for a server).

Every send gets an id (``"m1"``, ``"m2"`` …) and is kept with where it went: the
conversation, or a person's 1:1 chat. Card updates are applied at once (no coalescing), so
:meth:`FakeChannel.card` shows a card as it reads now. Background work runs as tasks;
:meth:`FakeChannel.settle` waits for them and re-raises the first failure. Given the
database (``outbox_db``), it also runs the jobs due now and delivers the durable outbox
(:mod:`dialogs.outgoing`) through itself, so durable messages are recorded like the rest.

Example::

    channel = FakeChannel()
    await conversation.on_message(incoming, channel)
    await channel.settle()
    assert "lukket" in channel.texts_to("29:bo")
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal

from dialogs import outgoing
from dialogs.conversation.channel import Card, Content, Destination, Incoming
from dialogs.jobs import JobRunner
from storage.db import Database

__all__ = ["FakeChannel", "Sent"]


@dataclass
class Sent:
    """One message: its id, the conversation (or ``"1:1:<user id>"``), and its content
    (updated in place by card updates)."""

    id: str
    chat: str
    content: Content
    updates: int = 0

    @property
    def card(self) -> Card | None:
        return self.content if isinstance(self.content, dict) else None

    @property
    def text(self) -> str:
        return (
            self.content
            if isinstance(self.content, str)
            else json.dumps(self.content, ensure_ascii=False)
        )


def chat_of(where: Destination) -> str:
    """The conversation id of a destination."""
    return str((where.get("conversation") or {}).get("id") or "")


@dataclass
class FakeChannel:
    """Records sends, private sends and card updates.

    Attributes:
        members: conversation id -> the user ids the platform lists there (None: it cannot
            say).
        organisers: user ids the platform calls the meeting's organiser.
        no_private: user ids whose 1:1 chat cannot be opened (their private sends resolve
            to None).
    """

    members: dict[str, set[str]] = field(default_factory=dict)
    organisers: set[str] = field(default_factory=set)
    no_private: set[str] = field(default_factory=set)
    outbox_db: Database | None = None
    sent: list[Sent] = field(default_factory=list)
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    # ------------------------------------------------------------------ the Channel

    def _record(self, chat: str, content: Content) -> asyncio.Future[str | None]:
        message = Sent(f"m{len(self.sent) + 1}", chat, content)
        self.sent.append(message)
        return self._done(message.id)

    @staticmethod
    def _done(value: str | None) -> asyncio.Future[str | None]:
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        future.set_result(value)
        return future

    def send(self, to: Destination, content: Content) -> Awaitable[str | None]:
        return self._record(chat_of(to), content)

    def send_private(
        self, where: Destination, user_id: str, content: Content
    ) -> Awaitable[str | None]:
        if user_id in self.no_private:
            return self._done(None)
        return self._record(f"1:1:{user_id}", content)

    def _update(self, activity_id: str, card: Callable[[], Card | Awaitable[Card]]) -> None:
        async def apply() -> None:
            made = card()
            content = await made if inspect.isawaitable(made) else made
            for message in self.sent:
                if message.id == activity_id:
                    message.content = content
                    message.updates += 1

        self.spawn(apply(), name="card update")

    def update_card(
        self, where: Destination, activity_id: str, card: Callable[[], Card | Awaitable[Card]]
    ) -> None:
        self._update(activity_id, card)

    def update_private_card(
        self,
        where: Destination,
        user_id: str,
        activity_id: str,
        card: Callable[[], Card | Awaitable[Card]],
    ) -> None:
        self._update(activity_id, card)

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> None:
        self._tasks.append(asyncio.get_running_loop().create_task(work, name=name))

    def media_url(self, token: str, variant: Literal["full", "card"] = "full") -> str:
        return f"https://bot.example/media/{token}.png" + (
            "?variant=card" if variant == "card" else ""
        )

    async def is_member(self, where: Destination, user_id: str) -> bool | None:
        listed = self.members.get(chat_of(where))
        return None if listed is None else user_id in listed

    async def is_meeting_organiser(self, incoming: Incoming) -> bool:
        return incoming.sender.id in self.organisers

    # ------------------------------------------------------------------ reading it

    async def settle(self) -> None:
        """Wait for background work (and the work it starts) and deliver the durable
        messages due; re-raise a failure."""
        while True:
            while self._tasks:
                tasks, self._tasks = self._tasks, []
                for task in tasks:
                    await task
            if self.outbox_db is None:
                return
            ran = await JobRunner(self.outbox_db, self, worker="fake").run_due_now()
            delivered = await outgoing.deliver_through(self.outbox_db, self, worker="fake")
            if not ran and not delivered and not self._tasks:
                return

    def to(self, chat: str) -> list[Sent]:
        """What went to a conversation (by id)."""
        return [m for m in self.sent if m.chat == chat]

    def private_to(self, user_id: str) -> list[Sent]:
        """What went to a person's 1:1 chat."""
        return self.to(f"1:1:{user_id}")

    def texts_to(self, user_id: str) -> str:
        """Everything a person got privately, as one text to search."""
        return "\n".join(m.text for m in self.private_to(user_id))

    def cards_in(self, chat: str) -> list[Card]:
        """The cards in a conversation, as they read now."""
        return [m.card for m in self.to(chat) if m.card is not None]
