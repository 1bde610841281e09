"""Per-user conversation state: what one participant is in the middle of.

A group chat is one conversation shared by everyone, so nothing about one participant may
live in its conversation state (which holds only the workshop id). What a person is doing,
such as "the next thing I write in my 1:1 chat is my private answer to question run 12", is
kept in :class:`UserProgress`, keyed per user (botbuilder ``UserState`` on the SQL storage).

The workshop itself (status, questions, answers) lives in ``storage``; this state is only
the small, per-person remainder, so losing it never loses an answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

__all__ = [
    "ConversationInfo",
    "PendingPrivate",
    "StateProperty",
    "UserProgress",
    "load_conversation",
    "load_progress",
    "save_conversation",
    "save_progress",
]


class StateProperty(Protocol):
    """The part of botbuilder's ``StatePropertyAccessor`` this module uses."""

    async def get(self, turn_context: Any, default_value_or_factory: Any = None) -> Any: ...

    async def set(self, turn_context: Any, value: Any) -> None: ...


@dataclass(frozen=True)
class PendingPrivate:
    """A participant asked to answer privately; their next 1:1 message is that answer.

    Attributes:
        workshop_id: The workshop.
        run_id: The question run the answer belongs to.
    """

    workshop_id: int
    run_id: int


@dataclass(frozen=True)
class UserProgress:
    """One user's progress, across conversations.

    Attributes:
        pending_private: The private answer they are about to write, if any.
        last_workshop_id: The workshop they last took part in (a 1:1 message without a
            pending answer goes to its open question).
    """

    pending_private: PendingPrivate | None = None
    last_workshop_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict for the state storage."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> UserProgress:
        """Read what :meth:`to_json` wrote; anything unreadable gives an empty progress."""
        if not isinstance(data, dict):
            return cls()
        pending = data.get("pending_private")
        pending_obj = None
        if isinstance(pending, dict):
            try:
                pending_obj = PendingPrivate(int(pending["workshop_id"]), int(pending["run_id"]))
            except (KeyError, TypeError, ValueError):
                pending_obj = None
        last = data.get("last_workshop_id")
        return cls(
            pending_private=pending_obj,
            last_workshop_id=last if isinstance(last, int) else None,
        )


@dataclass(frozen=True)
class ConversationInfo:
    """What a (group) conversation's state holds: only the workshop id."""

    workshop_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict for the state storage."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> ConversationInfo:
        """Read what :meth:`to_json` wrote."""
        if isinstance(data, dict) and isinstance(data.get("workshop_id"), int):
            return cls(workshop_id=data["workshop_id"])
        return cls()


async def load_progress(prop: StateProperty, turn_context: Any) -> UserProgress:
    """The user's progress for this turn (empty when none is stored)."""
    return UserProgress.from_json(await prop.get(turn_context, dict))


async def save_progress(prop: StateProperty, turn_context: Any, progress: UserProgress) -> None:
    """Set the user's progress; the caller saves the state at the end of the turn."""
    await prop.set(turn_context, progress.to_json())


async def load_conversation(prop: StateProperty, turn_context: Any) -> ConversationInfo:
    """The conversation's workshop id (None when no workshop is known here)."""
    return ConversationInfo.from_json(await prop.get(turn_context, dict))


async def save_conversation(prop: StateProperty, turn_context: Any, info: ConversationInfo) -> None:
    """Set the conversation's workshop id; the caller saves the state at the end of the turn."""
    await prop.set(turn_context, info.to_json())
