"""Question cards: post a question's card, remember where it went, and keep it right.

An answer is acknowledged silently: the question card's counter is updated in place (the
channel coalesces updates of one card, so a burst of answers costs one read), and a closed
question's card says so. The group card's id is logged as an event, so the card is still
updated after a restart. Private copies of a card (sent by ``privat`` or ``indhent``) are
updated to "closed" too; they are remembered in memory only (an event would keep the
person's id beyond ``glem mig``), so after a restart an old private copy stays as it was
and a late answer from it is refused politely.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from dialogs import cards
from dialogs import workshop as flow
from dialogs.conversation.channel import Card, Channel, Destination
from storage import Database
from storage import events as events_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from storage.errors import StorageError
from storage.records import QuestionRunRecord, WorkshopRecord

__all__ = ["CARD_EVENT", "QuestionCards", "question_card"]

log = logging.getLogger(__name__)

#: Event logged with the id and place of a question's group card.
CARD_EVENT = "question.card"


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

    def __init__(self, db: Database) -> None:
        self.db = db
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
        """Post the question's card in ``where`` and remember its id when it is known."""
        view = await flow.question_view(self.db, workshop, run, count=0)
        card = question_card(view, workshop.language)
        self._last[run.id] = card
        sent = channel.send(where, card)
        channel.spawn(self._remember(workshop.id, run.id, where, sent), name="remember card")
        return view

    async def _remember(
        self, workshop_id: int, run_id: int, where: Destination, sent: Awaitable[str | None]
    ) -> None:
        activity_id = await sent
        if not activity_id:
            return
        self._group[run_id] = (where, activity_id)
        await events_repo.log_event(
            self.db,
            workshop_id,
            CARD_EVENT,
            data={
                "run": run_id,
                "activity_id": activity_id,
                "reference": stored_destination(where),
            },
        )

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

    async def _group_card(self, workshop_id: int, run_id: int) -> tuple[Destination, str] | None:
        known = self._group.get(run_id)
        if known is not None:
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

        where = await self._group_card(workshop_id, run_id)
        if where is not None:
            channel.update_card(where[0], where[1], build)
        if closed:
            for place, user_id, activity_id in self._private.pop(run_id, []):
                if user_id is None:
                    channel.update_card(place, activity_id, build_private)
                else:
                    channel.update_private_card(place, user_id, activity_id, build_private)
