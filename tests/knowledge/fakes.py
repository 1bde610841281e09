"""A channel that records what the use cases send, and checks Teams' per-conversation
limits (bot/outbox.py's TEAMS_LIMITS) on the times it is given."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from dialogs.conversation.channel import Card, Content, Destination, Incoming, Sender

TEAMS_LIMITS: tuple[tuple[float, int], ...] = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))


@dataclass
class Sent:
    conversation: str
    content: Content
    private_to: str | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return " ".join(
            str(b.get("text", "")) for b in self.content.get("body", []) if isinstance(b, dict)
        )


@dataclass
class FakeChannel:
    """Records sends; ``fail`` makes the next sends be given up (resolve to None)."""

    sent: list[Sent] = field(default_factory=list)
    fail: int = 0
    clock: Callable[[], float] | None = None
    violations: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _times: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def _record(
        self, conversation: str, content: Content, private_to: str | None
    ) -> Awaitable[str | None]:
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        if self.fail > 0:
            self.fail -= 1
            future.set_result(None)
            return future
        if self.clock is not None:
            now = self.clock()
            times = self._times[conversation]
            times.append(now)
            for window, limit in TEAMS_LIMITS:
                if sum(1 for t in times if now - t < window) > limit:
                    self.violations += 1
                    break
            while times and now - times[0] > 3600:
                times.popleft()
        self.sent.append(Sent(conversation, content, private_to))
        future.set_result(f"act-{next(self._ids)}")
        return future

    def send(self, to: Destination, content: Content) -> Awaitable[str | None]:
        return self._record(to["conversation"]["id"], content, None)

    def send_private(
        self, where: Destination, user_id: str, content: Content
    ) -> Awaitable[str | None]:
        return self._record(f"a:{user_id}", content, user_id)

    def update_card(
        self, where: Destination, activity_id: str, card: Callable[[], Card | Awaitable[Card]]
    ) -> None:
        pass

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> None:
        asyncio.get_running_loop().create_task(work, name=name)

    def media_url(self, token: str, variant: Literal["full", "card"] = "full") -> str:
        return f"https://example.test/media/{token}/{variant}"

    async def is_member(self, where: Destination, user_id: str) -> bool | None:
        return True

    async def is_meeting_organiser(self, incoming: Incoming) -> bool:
        return False

    def to(self, conversation: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation == conversation]


def personal(
    user: str,
    text: str = "",
    *,
    name: str = "",
    value: dict[str, Any] | None = None,
    tenant: str = "t1",
    mentions: tuple[tuple[str, str], ...] = (),
    locale: str | None = None,
) -> Incoming:
    """A message in ``user``'s 1:1 chat with the bot (its conversation id is ``a:<user>``)."""
    conversation = f"a:{user}"
    return Incoming(
        sender=Sender(user, f"aad-{user}", name or user),
        conversation_id=conversation,
        scope="personal",
        destination={"conversation": {"id": conversation}, "serviceUrl": "https://smba.test/"},
        text=text,
        value=value,
        mentions=mentions,
        tenant_id=tenant,
        locale=locale,
    )


def group(
    user: str, text: str = "", *, mentions: tuple[tuple[str, str], ...] = (), tenant: str = "t1"
) -> Incoming:
    return Incoming(
        sender=Sender(user, f"aad-{user}", user),
        conversation_id="19:workshop@thread.v2",
        scope="groupChat",
        destination={
            "conversation": {"id": "19:workshop@thread.v2"},
            "serviceUrl": "https://smba.test/",
        },
        text=text,
        mentions=mentions,
        mentions_bot=True,
        tenant_id=tenant,
    )


@dataclass
class Ctx:
    """The timed work's context with an injectable clock."""

    db: Any
    channel: FakeChannel
    at: datetime = field(default_factory=lambda: datetime(2027, 1, 4, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at
