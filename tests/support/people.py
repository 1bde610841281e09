"""People and messages for conversation tests: :class:`Chat` builds the
:class:`~dialogs.conversation.channel.Incoming` a platform adapter would, and
:class:`MemoryState` keeps a person's state as the platform would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from dialogs.conversation.channel import Incoming, Scope, Sender
from dialogs.state import UserProgress

__all__ = ["ANNA", "BO", "CARL", "GROUP", "Chat", "MemoryState"]

GROUP = "19:workshop-group@thread.v2"
ANNA = Sender("29:anna", "aad-anna", "Anna Facilitator")
BO = Sender("29:bo", "aad-bo", "Bo Deltager")
CARL = Sender("29:carl", "aad-carl", "Carl Deltager")

_ids = itertools.count(1_700_000_000_000)


@dataclass
class MemoryState:
    """A person's state kept in memory (what ``UserState`` keeps on Teams)."""

    progress: UserProgress = field(default_factory=UserProgress)
    forgotten: bool = False

    async def load(self) -> UserProgress:
        return self.progress

    async def save(self, progress: UserProgress) -> None:
        self.progress = progress

    async def clear(self) -> None:
        self.progress = UserProgress()

    async def forget(self) -> None:
        self.progress = UserProgress()
        self.forgotten = True


@dataclass
class Chat:
    """Messages as they arrive from one conversation (a group chat, or a person's 1:1 chat:
    ``Chat.personal(BO)``, whose id is ``1:1:<user id>`` as the FakeChannel names it)."""

    conversation_id: str = GROUP
    scope: Scope = "groupChat"

    @classmethod
    def personal(cls, who: Sender) -> Chat:
        return cls(f"1:1:{who.id}", "personal")

    def message(
        self,
        who: Sender,
        text: str = "",
        *,
        mention: bool = False,
        value: dict[str, Any] | None = None,
        mentions: tuple[tuple[str, str], ...] = (),
        reply_to_id: str | None = None,
    ) -> Incoming:
        return Incoming(
            sender=who,
            conversation_id=self.conversation_id,
            scope=self.scope,
            destination={
                "conversation": {"id": self.conversation_id},
                "serviceUrl": "https://smba.example/",
                "channelId": "msteams",
            },
            text=text,
            value=value,
            mentions_bot=mention,
            mentions=mentions,
            activity_id=str(next(_ids)),
            tenant_id="tenant-1",
            reply_to_id=reply_to_id,
        )
