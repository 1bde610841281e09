"""Who writes, from where, in which workshop: the :class:`Caller` of one message, and the
:class:`Session` every use case of the conversation shares (the database, the bot's
language and operators, the question cards, the time boxes, the member lookups).

A use case of :mod:`dialogs.conversation` takes the session and a caller; what it sends goes
through the caller's :class:`~dialogs.conversation.channel.Channel`. Per-person state (a
pending private answer, the workshop someone last took part in) is the platform's to keep:
a :class:`PersonState` is handed in with every message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from analysis.summary.model import Audience
from dialogs import permissions
from dialogs import workshop as flow
from dialogs.conversation.channel import Channel, Content, Destination, Incoming, Scope
from dialogs.conversation.question_cards import QuestionCards
from dialogs.conversation.timeboxes import TimeBoxes
from dialogs.jobs import Clock, SystemClock
from dialogs.state import UserProgress
from dialogs.summaries import summary_card_for
from dialogs.texts import language_of, text
from dialogs.workshop import WorkshopStateError
from storage import Database
from storage import participants as participants_repo
from storage import workshops as workshops_repo
from storage.errors import StorageError
from storage.records import WorkshopRecord

__all__ = [
    "NO_STATE",
    "Caller",
    "PersonState",
    "Session",
    "require_workshop",
    "tell_privately",
]

log = logging.getLogger(__name__)

#: Seconds the platform's answer to "is this person in the workshop's chat" is reused (per
#: workshop and person): someone removed from the chat can answer privately this long at most.
MEMBER_CACHE_SECONDS = 60.0
#: Seconds a member lookup may take before the answer is refused ("try again").
MEMBER_LOOKUP_TIMEOUT = 5.0
#: Running workshops a 1:1 message is matched against by membership, at most.
MAX_MEMBER_PROBES = 20


class PersonState(Protocol):
    """The small per-person state of one message's sender, kept by the platform."""

    async def load(self) -> UserProgress:
        """The sender's progress (empty when none is stored)."""
        ...

    async def save(self, progress: UserProgress) -> None:
        """Set the sender's progress (stored at the end of the turn)."""
        ...

    async def clear(self) -> None:
        """Drop the sender's stored progress, the row with it."""
        ...

    async def forget(self) -> None:
        """Drop everything kept for the sender (their progress; in their 1:1 chat also that
        chat's state), so nothing of this turn writes their id back."""
        ...


class _NoState:
    """For work without a person's state (the fast answer path, background work)."""

    async def load(self) -> UserProgress:
        return UserProgress()

    async def save(self, progress: UserProgress) -> None:
        raise RuntimeError("this path keeps no per-person state")

    async def clear(self) -> None:
        return None

    async def forget(self) -> None:
        return None


#: A :class:`PersonState` that holds nothing.
NO_STATE: PersonState = _NoState()


@dataclass
class Caller:
    """One message's sender, where they wrote, and the workshop it belongs to."""

    incoming: Incoming
    channel: Channel
    state: PersonState
    workshop: WorkshopRecord | None
    lang: str
    facilitator: bool = False

    @property
    def user_id(self) -> str:
        return self.incoming.sender.id

    @property
    def name(self) -> str:
        return self.incoming.sender.name

    @property
    def scope(self) -> Scope:
        return self.incoming.scope

    @property
    def where(self) -> Destination:
        """The conversation the message came from (replies go here)."""
        return self.incoming.destination

    @property
    def person(self) -> permissions.Person:
        """Who asks, as :mod:`dialogs.permissions` knows people."""
        return permissions.Person(self.user_id, self.incoming.sender.aad_object_id)


def require_workshop(caller: Caller) -> WorkshopRecord:
    """The caller's workshop once it has started.

    Raises:
        WorkshopStateError: There is none (or only a draft).
    """
    if caller.workshop is None or caller.workshop.status == "draft":
        raise WorkshopStateError("no_workshop")
    return caller.workshop


@dataclass
class Session:
    """What every use case of the conversation shares.

    Args:
        db: The database.
        language: The bot's default language (outside a workshop).
        operators: The operators' ids (who may change every plan and series).
        clock: The time of the knowledge bank's dialogs (course dates, check-in answers);
            the job runner's clock, so the Agents Playground's local clock moves both.
    """

    db: Database
    language: str = "da"
    operators: frozenset[str] = frozenset()
    clock: Clock = field(default_factory=SystemClock)
    cards: QuestionCards = field(init=False)
    timeboxes: TimeBoxes = field(init=False)
    #: (workshop id, user id) -> (monotonic time asked, whether the platform lists the user).
    _members: dict[tuple[int, str], tuple[float, bool]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.language = language_of(self.language)
        self.cards = QuestionCards(self.db)
        self.timeboxes = TimeBoxes(self.db)

    async def summary_card(
        self, workshop_id: int, *, audience: Audience, lang: str, channel: Channel
    ) -> dict[str, Any]:
        """The summary card of a workshop (the one summary pipeline)."""
        return await summary_card_for(
            self.db, workshop_id, audience=audience, lang=lang, media_url=channel.media_url
        )

    # ------------------------------------------------------------------ who and where

    async def caller(self, incoming: Incoming, channel: Channel, state: PersonState) -> Caller:
        """The caller of ``incoming``, with the workshop of its conversation (for a 1:1
        message: the workshop the person takes part in) and whether they facilitate it."""
        workshop = await self.workshop_here(incoming)
        if workshop is None and incoming.personal:
            workshop = await self._workshop_of_person(incoming, channel, state)
        caller = Caller(
            incoming,
            channel,
            state,
            workshop,
            workshop.language if workshop is not None else self.language,
        )
        caller.facilitator = workshop is not None and caller.user_id in workshop.facilitators
        return caller

    async def workshop_here(self, incoming: Incoming) -> WorkshopRecord | None:
        """The running, paused or draft workshop of the message's conversation."""
        if not incoming.conversation_id:
            return None
        base = flow.base_conversation_id(incoming.conversation_id)
        return await workshops_repo.find_active_workshop(self.db, base)

    async def _workshop_of_person(
        self, incoming: Incoming, channel: Channel, state: PersonState
    ) -> WorkshopRecord | None:
        """The workshop a 1:1 message belongs to.

        In order: the one of the private answer they asked to give; a running or paused
        workshop they have answered in (the one their state last named, else the newest);
        the one their state last named; the only running workshop whose chat the platform
        lists them in. Answers in a group write no per-user state: the participants table
        already says where someone takes part.
        """
        progress = await state.load()
        user_id = incoming.sender.id

        async def usable(workshop_id: int) -> WorkshopRecord | None:
            try:
                found = await workshops_repo.get_workshop(self.db, workshop_id)
            except StorageError:
                return None
            return found if found.status != "ended" else None

        if progress.pending_private is not None:
            pending = await usable(progress.pending_private.workshop_id)
            if pending is not None:
                return pending
        active = await self.unfinished_workshops()
        mine = [
            w for w in active if await participants_repo.find_participant(self.db, w.id, user_id)
        ]
        if mine:
            return next((w for w in mine if w.id == progress.last_workshop_id), mine[0])
        if progress.last_workshop_id is not None:
            return await usable(progress.last_workshop_id)
        # Someone who never took part yet writes to the bot: the running workshop whose chat
        # lists them, when there is exactly one (an outsider's text never lands in "the
        # only running workshop").
        running = [w for w in active if w.status == "running"][:MAX_MEMBER_PROBES]
        theirs = [w for w in running if await self.member_of(channel, w, user_id)]
        return theirs[0] if len(theirs) == 1 else None

    async def unfinished_workshops(self) -> list[WorkshopRecord]:
        """Every running and paused workshop."""
        return [
            item.workshop
            for status in ("running", "paused")
            for item in await workshops_repo.list_workshops(self.db, status=status)
        ]

    async def member_of(
        self, channel: Channel, workshop: WorkshopRecord, user_id: str
    ) -> bool | None:
        """Whether the platform lists ``user_id`` in the workshop's conversation (None: it
        could not say); a definite answer is kept :data:`MEMBER_CACHE_SECONDS`."""
        if not workshop.conversation_id or not user_id:
            return False
        key = (workshop.id, user_id)
        seen = self._members.get(key)
        if seen is not None and time.monotonic() - seen[0] < MEMBER_CACHE_SECONDS:
            return seen[1]
        # The workshop's chat by its base id (a channel's thread suffix left out).
        stored = workshop.conversation_reference or {}
        chat = {**(stored.get("conversation") or {}), "id": workshop.conversation_id}
        where: Destination = {**stored, "conversation": chat}
        try:
            member = await asyncio.wait_for(
                channel.is_member(where, user_id), MEMBER_LOOKUP_TIMEOUT
            )
        except TimeoutError:
            log.warning("member lookup timed out")
            return None
        if member is None:
            return None
        if len(self._members) > 10_000:
            self._members.clear()
        self._members[key] = (time.monotonic(), member)
        return member

    async def check_allowed(
        self,
        caller: Caller,
        workshop: WorkshopRecord,
        decide: Callable[..., permissions.Verdict],
    ) -> None:
        """Ask :mod:`dialogs.permissions` whether the caller may do this for ``workshop``
        from where they write; the member lookup is made only when it matters.

        Raises:
            WorkshopStateError: With the refusal's text key.
        """
        here = flow.base_conversation_id(caller.incoming.conversation_id)
        same = not caller.incoming.personal and here == workshop.conversation_id
        member = None if same else await self.member_of(caller.channel, workshop, caller.user_id)
        verdict = decide(same_conversation=same, private=caller.incoming.personal, member=member)
        if not verdict:
            log.info("refused for workshop %s: %s", workshop.id, verdict.reason)
            raise WorkshopStateError(verdict.reason)

    async def may_steer(self, caller: Caller) -> bool:
        """Whether the caller may steer the workshop; asks the platform for the meeting role
        only when needed (a listed facilitator costs nothing; an answer never asks)."""
        workshop = caller.workshop
        if workshop is None:
            return False
        if caller.user_id in workshop.facilitators:
            return True
        if await caller.channel.is_meeting_organiser(caller.incoming):
            await workshops_repo.add_facilitator(
                self.db, workshop.id, caller.user_id, display_name=caller.name
            )
            return True
        return False

    # ------------------------------------------------------------------ saying things

    @staticmethod
    def reply(caller: Caller, content: Content) -> None:
        """Post in the conversation the caller wrote in."""
        caller.channel.send(caller.where, content)

    @staticmethod
    def refuse(caller: Caller, message: str) -> None:
        """Tell the caller alone why their message was refused."""
        tell_privately(caller.channel, caller.incoming, message, caller.lang, refusal=True)

    @staticmethod
    def private(caller: Caller, content: Content) -> Awaitable[str | None]:
        """Send to the caller's 1:1 chat (in the 1:1 chat: reply there); in the group, by
        name, only when no 1:1 chat can be opened. Resolves to the sent message's id."""
        if caller.incoming.personal:
            return caller.channel.send(caller.where, content)
        return tell_privately(caller.channel, caller.incoming, content, caller.lang)


def tell_privately(
    channel: Channel, incoming: Incoming, content: Content, lang: str, *, refusal: bool = False
) -> Awaitable[str | None]:
    """Send ``content`` to the sender of ``incoming`` alone, in their 1:1 chat. When none can
    be opened, a ``refusal`` is said in the group addressed by name; anything else becomes a
    note in the group that the private message could not be sent. Resolves to the sent
    message's id (None when it went nowhere privately)."""
    sender = incoming.sender
    if incoming.personal or not sender.id:
        return channel.send(incoming.destination, content)
    sent = channel.send_private(incoming.destination, sender.id, content)

    async def fallback() -> None:
        if await sent is not None:
            return
        log.warning("could not open a 1:1 chat with a user; told them in the group")
        if refusal and isinstance(content, str):
            named = f"{sender.name}: {content}" if sender.name else content
            channel.send(incoming.destination, named)
        else:
            note = text("private_failed_group", lang, name=sender.name)
            channel.send(incoming.destination, note)

    channel.spawn(fallback(), name="private send")
    return sent
