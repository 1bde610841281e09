"""Answers: a chat message, an answer card's submit, a private 1:1 answer, and the fast path
that stores a plain group answer without the platform's full turn.

One parser reads an answer card's payload (:func:`parse_payload`) for the turn and the fast
path alike. Whether the question is open and whether the workshop runs (not paused, not
ended) is decided by storage in the transaction that stores the answer, never by an earlier
read here: another bot instance may have changed it a moment ago. The question an answer
belongs to is resolved there too when the message names none.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any, Literal

from dialogs import permissions
from dialogs import workshop as flow
from dialogs.commands import parse_command
from dialogs.conversation.channel import Channel, Incoming
from dialogs.conversation.participant import show_help
from dialogs.conversation.session import Caller, Session
from dialogs.state import UserProgress
from dialogs.texts import text
from dialogs.workshop import WorkshopStateError
from storage import participants as participants_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from storage.errors import StorageError
from storage.records import RecordedAnswer, WorkshopRecord

__all__ = [
    "AnswerPayload",
    "RecentWorkshops",
    "answer_key",
    "card_answer",
    "chat_answer",
    "fast_answer",
    "parse_payload",
    "private_answer",
    "store",
]

log = logging.getLogger(__name__)

#: Seconds the fast path may reuse this process's last look-up of a conversation's running
#: workshop. Advisory only: it names the workshop (its id and answer mode, which do not
#: change); whether it still takes answers is decided where the answer is stored.
RECENT_SECONDS = 1.0


@dataclass(frozen=True)
class AnswerPayload:
    """An answer card's submit: ``{"wb": "answer", "workshop": id, "run": id, "answer":
    text, "choice": value}``."""

    text: str
    choice: str | int | float | bool | None
    workshop_id: int
    run_id: int | None


def parse_payload(data: dict[str, Any]) -> AnswerPayload:
    """Read an answer card's payload.

    Card inputs are text (a choice set gives its value as text) and ids are numbers;
    anything else is a forged or broken payload, refused rather than stored as Python's
    ``str()`` of it.

    Raises:
        WorkshopStateError: ``answer_not_text`` for an answer or choice that is no text,
            ``other_workshop`` for ids that are no numbers.
    """
    answer, choice = data.get("answer"), data.get("choice")
    if not isinstance(answer, str | None) or isinstance(choice, list | dict):
        raise WorkshopStateError("answer_not_text")
    workshop_id, run_id = data.get("workshop"), data.get("run")
    if type(workshop_id) is not int or (run_id is not None and type(run_id) is not int):
        raise WorkshopStateError("other_workshop")
    return AnswerPayload(answer or "", None if choice == "" else choice, workshop_id, run_id)


def answer_key(incoming: Incoming, *, private: bool) -> str | None:
    """The id an answer is stored under (a redelivery of it is stored once).

    The platform numbers messages per conversation, so two people's 1:1 chats can both send
    message "1700000000123": a private answer's id is its chat's id plus the message id,
    hashed together (``"p:"`` and 64 hex digits). A group answer keeps the plain id.
    """
    if not private or incoming.activity_id is None:
        return incoming.activity_id
    chat = incoming.destination.get("conversation", {}).get("id") or incoming.conversation_id
    return "p:" + hashlib.sha256(f"{chat}\n{incoming.activity_id}".encode()).hexdigest()


async def store(
    session: Session,
    caller: Caller,
    workshop: WorkshopRecord,
    answer_text: str,
    *,
    source: Literal["card", "chat", "private"],
    run_id: int | None = None,
    card_workshop_id: int | None = None,
    value: Any = None,
    private: bool = False,
) -> None:
    """Store the caller's answer, after :mod:`dialogs.permissions` allowed it (from the
    workshop's own chat, or by someone the platform lists there); a private answer is
    thanked, and the question card's counter follows."""
    await session.check_allowed(caller, workshop, permissions.may_answer_for)
    recorded = await flow.record(
        session.db,
        workshop,
        user_id=caller.user_id,
        display_name=caller.name or None,
        answer_text=answer_text,
        source=source,
        run_id=run_id,
        card_workshop_id=card_workshop_id,
        value=value,
        activity_id=answer_key(caller.incoming, private=private),
        private=private,
    )
    if (
        private
        and not recorded.created
        and not await _is_callers(session, workshop, caller, recorded)
    ):
        # Thanks only for an answer stored as this person's (a redelivery is theirs).
        log.error("a private answer's id matched another person's answer; not stored")
        raise WorkshopStateError("answer_not_stored")
    if private:
        # An anonymous workshop keeps no per-user state: a row keyed by the user id, written
        # at the time of the answer, would say who wrote it.
        if workshop.answer_mode == "anonymous":
            await caller.state.clear()
        else:  # the pending private answer is given: clear it
            progress = await caller.state.load()
            if progress.last_workshop_id != workshop.id or progress.pending_private:
                await caller.state.save(UserProgress(None, workshop.id))
        session.reply(caller, text("private_thanks", caller.lang))
    if recorded.created and recorded.answer.question_run_id is not None:
        # The card update reads the run when it is made (coalesced), not here.
        await session.cards.refresh(caller.channel, workshop, recorded.answer.question_run_id)


async def _is_callers(
    session: Session, workshop: WorkshopRecord, caller: Caller, recorded: RecordedAnswer
) -> bool:
    """Whether an answer found already stored under this message id is the caller's own."""
    person = await participants_repo.find_participant(session.db, workshop.id, caller.user_id)
    return person is not None and person.id == recorded.answer.participant_id


async def chat_answer(session: Session, caller: Caller, cleaned: str) -> None:
    """A message in a group chat or channel that is no command: an answer to the open
    question (or to the open discussion), or help when it asked the bot something else."""
    mentioned = caller.incoming.mentions_bot
    workshop = caller.workshop
    unknown = text("help_unknown", caller.lang, text=cleaned[:60]) if cleaned else ""
    if workshop is None or workshop.status == "draft":
        if mentioned:
            show_help(session, caller, note=unknown)
        return
    if not cleaned:
        if mentioned:
            show_help(session, caller)
        return
    if mentioned and await questions_repo.current_question_run(session.db, workshop.id) is None:
        show_help(session, caller, note=unknown)
        return
    await store(session, caller, workshop, cleaned, source="chat")


async def card_answer(session: Session, caller: Caller, data: dict[str, Any]) -> None:
    """An answer card's submit (in the group, or a private copy's in the 1:1 chat)."""
    payload = parse_payload(data)
    workshop = caller.workshop
    if workshop is None or workshop.id != payload.workshop_id:
        # A card from an ended or another workshop (or submitted from a 1:1 chat).
        try:
            workshop = await workshops_repo.get_workshop(session.db, payload.workshop_id)
        except StorageError:
            raise WorkshopStateError("other_workshop") from None
        if workshop.status == "ended":
            raise WorkshopStateError("workshop_ended")
        if not caller.incoming.personal:
            raise WorkshopStateError("other_workshop")
    private = caller.incoming.personal
    await store(
        session,
        caller,
        workshop,
        payload.text,
        source="private" if private else "card",
        run_id=payload.run_id,
        card_workshop_id=payload.workshop_id,
        value=payload.choice,
        private=private,
    )


async def private_answer(session: Session, caller: Caller, cleaned: str) -> None:
    """A message in the 1:1 chat that is no command: the private answer to the question the
    person asked to answer privately, else to the open question."""
    workshop = caller.workshop
    if workshop is None or not cleaned:
        show_help(session, caller)
        return
    progress = await caller.state.load()
    run_id = None
    pending = progress.pending_private
    if pending is not None and pending.workshop_id == workshop.id:
        run = await questions_repo.get_question_run(session.db, pending.run_id)
        run_id = run.id if run.is_open else None
    if run_id is None:
        current = await questions_repo.current_question_run(session.db, workshop.id)
        if current is None:
            session.reply(caller, text("no_open_question_private", caller.lang))
            return
        run_id = current.id
    await store(session, caller, workshop, cleaned, source="private", run_id=run_id, private=True)


class RecentWorkshops:
    """The fast path's look-up of a conversation's running workshop: one read shared by the
    answers arriving while it runs (hundreds a second would each read it), reused for
    :data:`RECENT_SECONDS`. Advisory: it only names the workshop an answer is stored for."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._seen: dict[str, tuple[float, WorkshopRecord]] = {}
        self._reads: dict[str, asyncio.Future[WorkshopRecord | None]] = {}
        self._epoch = 0

    def forget(self) -> None:
        """Drop every kept look-up (after a refusal or a turn that may have changed one)."""
        self._seen.clear()
        self._epoch += 1

    async def find(self, base: str) -> WorkshopRecord | None:
        seen = self._seen.get(base)
        if seen is not None and time.monotonic() - seen[0] < RECENT_SECONDS:
            return seen[1]
        pending = self._reads.get(base)
        if pending is None:
            pending = asyncio.ensure_future(
                workshops_repo.find_active_workshop(self.session.db, base)
            )
            self._reads[base] = pending
            epoch = self._epoch

            def done(task: asyncio.Future[WorkshopRecord | None]) -> None:
                if self._reads.get(base) is task:
                    del self._reads[base]
                if task.cancelled() or task.exception() is not None:
                    return
                found = task.result()
                # Only when no turn changed a workshop since the read began.
                if epoch == self._epoch and found is not None and found.status == "running":
                    self._seen[base] = (time.monotonic(), found)

            pending.add_done_callback(done)
        return await asyncio.shield(pending)


async def fast_answer(
    session: Session, recent: RecentWorkshops, incoming: Incoming, channel: Channel
) -> RecordedAnswer | None:
    """Store a plain group answer (a chat message that is no command, or an answer card's
    submit for this conversation's running workshop) without a full turn; None when the
    message needs the full turn (nothing was changed then).

    Raises:
        WorkshopStateError: A refusal (closed question, paused, too long …): the caller
            tells the sender alone, as the turn would.
        StorageError: From the database (the full turn retries a lost connection).
    """
    if incoming.personal or not incoming.activity_id or not incoming.sender.id:
        return None
    payload: AnswerPayload | None = None
    if incoming.value is not None:
        try:
            payload = parse_payload(incoming.value)
        except WorkshopStateError:
            return None  # the full turn refuses it, with the sender's 1:1 chat at hand
        answer_text: str = payload.text
        source: Literal["card", "chat"] = "card"
    else:
        answer_text, source = incoming.text.strip(), "chat"
        if not answer_text or parse_command(answer_text) is not None:
            return None
    workshop = await recent.find(flow.base_conversation_id(incoming.conversation_id))
    if workshop is None or workshop.status != "running":
        return None
    if payload is not None and payload.workshop_id != workshop.id:
        return None
    recorded = await flow.record(
        session.db,
        workshop,
        user_id=incoming.sender.id,
        display_name=incoming.sender.name or None,
        answer_text=answer_text,
        source=source,
        run_id=payload.run_id if payload else None,
        card_workshop_id=payload.workshop_id if payload else None,
        value=payload.choice if payload else None,
        activity_id=incoming.activity_id,
    )
    if recorded.created and recorded.answer.question_run_id is not None:
        try:
            await session.cards.refresh(channel, workshop, recorded.answer.question_run_id)
        except StorageError:
            # Stored; the next answer's update (or the close) brings the counter along.
            log.warning("could not schedule the card update after an answer", exc_info=True)
    return recorded
