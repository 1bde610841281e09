"""A person's state for the conversation (:class:`~dialogs.conversation.session.PersonState`)
on botbuilder's state objects, for one turn.

Progress lives in ``UserState`` (keyed per user, on the SQL storage). Nothing is read or
written unless the conversation asks: a group answer writes no per-user row.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext

from dialogs.state import UserProgress, load_progress, save_progress

__all__ = ["TurnPersonState"]


class TurnPersonState:
    """The sender's state in one turn.

    Args:
        services: ``BotServices`` (its ``user_state``, ``conversation_state`` and
            ``private_conversation_state``).
        progress: The ``UserState`` property that holds :class:`UserProgress`.
        turn_context: The turn.
    """

    def __init__(self, services: Any, progress: Any, turn_context: TurnContext) -> None:
        self.services = services
        self.progress = progress
        self.turn_context = turn_context

    async def load(self) -> UserProgress:
        return await load_progress(self.progress, self.turn_context)

    async def save(self, progress: UserProgress) -> None:
        await save_progress(self.progress, self.turn_context, progress)

    async def clear(self) -> None:
        await self.services.user_state.load(self.turn_context)
        await self.services.user_state.delete(self.turn_context)

    async def forget(self) -> None:
        await self.clear()
        conversation = self.turn_context.activity.conversation
        if conversation is not None and conversation.conversation_type == "personal":
            # The 1:1 chat's state is this person's too.
            for state in (
                self.services.conversation_state,
                self.services.private_conversation_state,
            ):
                await state.load(self.turn_context)
                await state.delete(self.turn_context)
