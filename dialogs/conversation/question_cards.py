"""Question cards: post a question's card, remember where it went, and keep it right.

A question's group card is a durable message (:mod:`dialogs.outgoing`, key
``question-card:<run id>``): queued when the question opens and sent by whichever instance
is alive, so an instance that dies before sending it loses nothing. An answer is
acknowledged silently: the card's counter is updated in place by a durable update that the
``question_card`` builder makes from the database when it is sent (so it shows the newest
count, whichever instance sends it). A burst of answers queues at most one update per run
and :attr:`QuestionCards.UPDATE_WINDOW` in this process, plus one after the window; a
closed question's update is queued at once. Cards posted before the durable outbox
(logged as a ``question.card`` event) are still updated through the channel. Private copies of a card (sent by ``privat`` or ``indhent``) are
updated to "closed" too; they are remembered in memory only (an event would keep the
person's id beyond ``glem mig``), so after a restart an old private copy stays as it was
and a late answer from it is refused politely.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from dialogs import cards, outgoing
from dialogs import workshop as flow
from dialogs.conversation.channel import Card, Channel, Destination
from storage import Database, outbox_store
from storage import events as events_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from storage.errors import StorageError
from storage.records import QuestionRunRecord, WorkshopRecord

__all__ = ["CARD_BUILDER", "CARD_EVENT", "QuestionCards", "card_key", "question_card"]

log = logging.getLogger(__name__)

#: Event logged with the id and place of a question's group card (before the outbox).
CARD_EVENT = "question.card"
#: The outbox builder that makes a question's group card when its update is sent.
CARD_BUILDER = "question_card"


def card_key(run_id: int) -> str:
    """The outbox key of a question's group card."""
    return f"question-card:{run_id}"


def update_key(run_id: int) -> str:
    """The outbox key of the updates of a question's group card (the newest wins)."""
    return f"question-card-update:{run_id}"


async def build_question_card(db: Database, args: dict[str, Any]) -> Card:
    """The group card of the run ``args["run_id"]`` as the database has it now."""
    run = await questions_repo.get_question_run(db, int(args["run_id"]))
    workshop = await workshops_repo.get_workshop(db, run.workshop_id)
    view = await flow.question_view(db, workshop, run)
    return question_card(view, workshop.language)


def question_card(view: flow.QuestionView, lang: str, *, private: bool = False) -> Card:
    """The Adaptive Card of a question as :func:`dialogs.workshop.question_view` shows it."""
    return cards.question_card(
        lang=lang,
        workshop_id=view.workshop_id,
        run_id=view.run_id,
        question_id=view.question_id,
        phase=view.phase,
        number=view.number,
        total=view.total,
        question=view.text,
        kind=view.kind,
        options=view.options,
        count=view.count,
        is_open=view.is_open,
        private=private,
        added=view.added,
    )


def stored_destination(where: Destination) -> Destination:
    """A destination as stored for later messages, without the person who wrote the message
    it came from (their id and name would outlive ``forget me``; sending needs neither)."""
    kept = dict(where)
    kept.pop("user", None)
    return kept


class QuestionCards:
    """Where each question's cards are, and their last content."""

    #: Seconds between two queued updates of one card from this process.
    UPDATE_WINDOW: float = 1.0

    def __init__(self, db: Database) -> None:
        self.db = db
        #: run id -> where its durable group card went (None: not a durable card).
        self._durable: dict[int, Destination | None] = {}
        #: run id -> when this process last queued an update of its card (loop time).
        self._queued_at: dict[int, float] = {}
        #: runs with an update waiting for the end of the window.
        self._trailing: set[int] = set()
        #: run id -> (where, activity id) of the group card.
        self._group: dict[int, tuple[Destination, str]] = {}
        #: run id -> [(where, user id, activity id)] of private copies; the user id is None
        #: when ``where`` is the person's 1:1 chat itself.
        self._private: dict[int, list[tuple[Destination, str | None, str]]] = {}
        #: run id -> the last card built (shown when the database is away).
        self._last: dict[int, Card] = {}

    async def post(
        self, channel: Channel, workshop: WorkshopRecord, run: QuestionRunRecord, where: Destination
    ) -> flow.QuestionView:
        """Queue the question's card for ``where`` in the durable outbox (once per run)."""
        view = await flow.question_view(self.db, workshop, run, count=0)
        card = question_card(view, workshop.language)
        self._last[run.id] = card
        kept = stored_destination(where)
        await outgoing.post(self.db, kept, card, key=card_key(run.id))
        self._durable[run.id] = kept
        return view

    def track_private(
        self,
        channel: Channel,
        run_id: int,
        where: Destination,
        user_id: str | None,
        sent: Awaitable[str | None],
    ) -> None:
        """Remember a private copy of a run's card once its id is known: sent to
        ``user_id``'s 1:1 chat from ``where``, or, with no user id, posted in ``where``."""

        async def remember() -> None:
            activity_id = await sent
            if activity_id:
                self._private.setdefault(run_id, []).append((where, user_id, activity_id))

        channel.spawn(remember(), name="remember private card")

    async def _durable_place(self, run_id: int) -> Destination | None:
        """Where the run's durable group card went; None when it was posted before the
        outbox (or never)."""
        if run_id in self._durable:
            return self._durable[run_id]
        message = await outbox_store.get_message(self.db, card_key(run_id))
        place = None if message is None else dict(message.destination)
        self._durable[run_id] = place
        return place

    async def _group_card(self, workshop_id: int, run_id: int) -> tuple[Destination, str] | None:
        known = self._group.get(run_id)
        if known is not None:
            return known
        activity_id = await outgoing.sent_activity_id(self.db, card_key(run_id))
        if activity_id:
            message = await outbox_store.get_message(self.db, card_key(run_id))
            assert message is not None
            known = (dict(message.destination), activity_id)
            self._group[run_id] = known
            return known
        for event in reversed(await events_repo.list_events(self.db, workshop_id, kind=CARD_EVENT)):
            if event.data.get("run") == run_id:
                known = (dict(event.data.get("reference") or {}), str(event.data["activity_id"]))
                self._group[run_id] = known
                return known
        return None

    async def refresh(
        self,
        channel: Channel,
        workshop: WorkshopRecord,
        run: QuestionRunRecord | int,
        *,
        closed: bool = False,
    ) -> None:
        """Update a question's group card in place (counter, closed state), and, when the
        question ``closed``, its private copies too.

        The run, the workshop and the count are read when the coalesced update is made, so
        they are right even when several bot processes answer; without the database the
        last card stands, so a failing update never blocks the conversation's queue.
        """
        run_id = run if isinstance(run, int) else run.id
        workshop_id, lang = workshop.id, workshop.language

        async def build(private: bool = False) -> Card:
            try:
                current = await workshops_repo.get_workshop(self.db, workshop_id)
                latest = await questions_repo.get_question_run(self.db, run_id)
                view = await flow.question_view(self.db, current, latest)
            except StorageError as exc:
                fallback = self._last.get(run_id)
                if fallback is None or private:
                    raise
                log.warning(
                    "card update without the database (%s); keeping the last card",
                    type(exc).__name__,
                )
                return fallback
            card = question_card(view, lang, private=private)
            if not private:
                self._last[run_id] = card
            return card

        async def build_private() -> Card:
            return await build(private=True)

        place = await self._durable_place(run_id)
        direct: list[Callable[[], None]] = []
        if place is not None:
            await self._queue_update(channel, run_id, place, now=closed)
        else:
            group = await self._group_card(workshop_id, run_id)
            if group is not None:
                direct.append(functools.partial(channel.update_card, group[0], group[1], build))
        if closed:
            for where, user_id, activity_id in self._private.pop(run_id, []):
                if user_id is None:
                    direct.append(
                        functools.partial(channel.update_card, where, activity_id, build_private)
                    )
                else:
                    direct.append(
                        functools.partial(
                            channel.update_private_card, where, user_id, activity_id, build_private
                        )
                    )
        # The direct updates build their cards in the sending task, which reads the database:
        # inside a caller's transaction (a question closed by ``next``) they wait for its commit.
        for update in direct:
            self.db.after_commit(update)

    async def _queue_update(
        self, channel: Channel, run_id: int, place: Destination, *, now: bool
    ) -> None:
        """Queue the card's durable update: at once when ``now`` or the window passed,
        else once at the end of the window (the builder reads the newest state then)."""
        loop = asyncio.get_running_loop()
        last = self._queued_at.get(run_id)
        if now or last is None or loop.time() - last >= self.UPDATE_WINDOW:
            self._queued_at[run_id] = loop.time()
            await self._enqueue_update(run_id, place)
            return
        if run_id in self._trailing:
            return
        self._trailing.add(run_id)
        wait = self.UPDATE_WINDOW - (loop.time() - last)

        async def trailing() -> None:
            try:
                await asyncio.sleep(max(wait, 0.0))
                self._trailing.discard(run_id)
                self._queued_at[run_id] = loop.time()
                await self._enqueue_update(run_id, place)
            finally:
                self._trailing.discard(run_id)

        channel.spawn(trailing(), name="queue card update")

    async def _enqueue_update(self, run_id: int, place: Destination) -> None:
        await outgoing.update_card(
            self.db,
            place,
            target_key=card_key(run_id),
            builder=CARD_BUILDER,
            args={"run_id": run_id},
            key=update_key(run_id),
        )


outgoing.register_builder(CARD_BUILDER, build_question_card)
