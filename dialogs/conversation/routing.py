"""The conversation's front door: what a message or card submit is, and which use case runs.

Routing is a table, never an ``if`` chain that depends on order:

- **Card submits** carry ``{"wb": "<kind>", ...}``; :attr:`Conversation.submits` maps the
  kind to a use case.
- **Commands**: in a 1:1 chat every message is parsed as a command; in a group chat or
  channel a message that @mentions the bot, a facilitator's command, and anyone's exact
  command word ("næste", "indhent") are. :func:`dialogs.commands.parse_command` recognises
  them; :attr:`Conversation.commands` maps the name to a use case. A command is never an
  answer.
- **Answers**: any other message in a conversation with a running workshop is an answer to
  the open question (or the open discussion); a message in the 1:1 chat is a private answer.

A refusal (:class:`~dialogs.workshop.WorkshopStateError` and the other errors written for
people) reaches the sender alone; :meth:`Conversation.explain` gives its text.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from dialogs import cards
from dialogs.commands import ParsedCommand, parse_command
from dialogs.conversation import answers, outputs, participant, steering
from dialogs.conversation.channel import Channel, Incoming
from dialogs.conversation.session import NO_STATE, Caller, PersonState, Session, tell_privately
from dialogs.errors import DialogError
from dialogs.jobs import Clock, SystemClock
from dialogs.knowledge import entry as knowledge
from dialogs.texts import text
from dialogs.workshop import WorkshopStateError
from storage import Database
from storage import events as events_repo
from storage import workshops as workshops_repo
from storage.errors import DatabaseRefused, DatabaseUnavailable, StorageError
from storage.records import RecordedAnswer

__all__ = ["REFUSALS", "Conversation", "is_refusal"]

log = logging.getLogger(__name__)

CommandCase = Callable[[Session, Caller, ParsedCommand], Awaitable[None]]
SubmitCase = Callable[[Session, Caller, dict[str, Any]], Awaitable[None]]

#: What a use case raises on purpose (refusals) or from the database.
REFUSALS: tuple[type[Exception], ...] = (WorkshopStateError, DialogError, StorageError)
#: Commands anyone may write in a group chat without the @mention and with text after them.
_BARE_FOR_EVERYONE = frozenset({"withdraw", "forget me"})
#: Commands whose word alone, from a participant without the @mention, is more likely an
#: answer: "kort" is also Danish for "short"; "Hvem ved?" is a shrug.
_ANSWER_WORDS = frozenset({"map", "who knows"})


def is_refusal(exc: BaseException) -> bool:
    """Whether ``exc`` is a refusal whose message is written for the person (a closed
    question, an answer too long …); a statement the database refused is not (its message
    is the driver's, for the log), nor is a lost database."""
    return isinstance(exc, REFUSALS) and not isinstance(exc, (DatabaseRefused, DatabaseUnavailable))


async def _knowledge_command(session: Session, caller: Caller, command: ParsedCommand) -> None:
    workshop = caller.workshop
    await knowledge.handle_command(
        session.db,
        caller.channel,
        caller.incoming,
        command,
        facilitator=caller.facilitator,
        workshop_id=workshop.id if workshop is not None else None,
        series_id=workshop.series_id if workshop is not None else None,
        operators=session.operators,
        now=session.clock.now(),
    )


async def _knowledge_submit(session: Session, caller: Caller, data: dict[str, Any]) -> None:
    await knowledge.on_submit(session.db, caller.channel, caller.incoming, now=session.clock.now())


class Conversation:
    """The workshop conversation, platform-free: messages in, use cases run, the
    :class:`~dialogs.conversation.channel.Channel` out.

    Args:
        db: The database.
        language: The bot's default language (outside a workshop).
        operators: The operators' ids.
        clock: The time of the knowledge bank's dialogs (default: the real time).
    """

    def __init__(
        self,
        db: Database,
        *,
        language: str = "da",
        operators: frozenset[str] = frozenset(),
        clock: Clock | None = None,
    ) -> None:
        self.session = Session(
            db, language=language, operators=operators, clock=clock or SystemClock()
        )
        self.recent = answers.RecentWorkshops(self.session)
        self.commands: dict[str, CommandCase] = {
            "start": steering.start,
            "next": steering.move,
            "back": steering.move,
            "skip": steering.move,
            "park": steering.move,
            "return": steering.move,
            "reorder": steering.reorder,
            "add": steering.add,
            "pause": steering.pause,
            "resume": steering.resume,
            "status": steering.status,
            "end": steering.end,
            "facilitator add": steering.facilitator_add,
            "summary": outputs.summary,
            "map": outputs.map_command,
            "catch up": participant.catch_up,
            "private": participant.private,
            "withdraw": participant.withdraw,
            "forget me": participant.forget_me,
            "help": participant.help_command,
            # The knowledge bank (issue 16): kursus, hvem ved, abonnér, afmeld, opfølgning …
            **{name: _knowledge_command for name in knowledge.COMMAND_NAMES},
            **{
                name: outputs.plan
                for name in (
                    "plans",
                    "plan show",
                    "plan copy",
                    "plan move",
                    "plan reword",
                    "plan add",
                    "plan drop",
                    "plan share",
                )
            },
        }
        self.submits: dict[str, SubmitCase] = {
            "setup": steering.setup,
            "answer": answers.card_answer,
            "private": self._private_submit,
            outputs.ACCEPT_SUBMIT: outputs.accept,
            **{kind: _knowledge_submit for kind in knowledge.SUBMIT_KINDS},
        }

    @property
    def language(self) -> str:
        """The bot's default language."""
        return self.session.language

    @staticmethod
    async def _private_submit(session: Session, caller: Caller, data: dict[str, Any]) -> None:
        await participant.private(session, caller)

    # ------------------------------------------------------------------ messages in

    async def on_message(
        self, incoming: Incoming, channel: Channel, state: PersonState = NO_STATE
    ) -> None:
        """Route one message or card submit (see the module's docstring).

        Raises:
            WorkshopStateError, DialogError, StorageError: A refusal or a database failure;
                :meth:`explain` words it for the sender.
        """
        try:
            await self._route(incoming, channel, state)
        except REFUSALS:
            # A refusal may come from a change another instance made: look again next time.
            self.recent.forget()
            raise

    async def _route(self, incoming: Incoming, channel: Channel, state: PersonState) -> None:
        caller = await self.session.caller(incoming, channel, state)
        if incoming.value is not None:
            kind = str(incoming.value.get(cards.SUBMIT_KEY))
            case = self.submits.get(kind)
            if case is None:
                log.info("ignored a card submit of unknown kind %r", kind)
                return
            await case(self.session, caller, incoming.value)
            return
        cleaned = incoming.text
        if incoming.personal and await knowledge.continue_dialog(
            self.session.db, channel, incoming, now=self.session.clock.now()
        ):
            return  # a knowledge-bank dialog (kursus, a check-in, a follow-up) took it
        command = parse_command(cleaned)
        if incoming.personal:
            # A group-only command word in the 1:1 chat ("Tilføj mere tid …") is an answer.
            if command is not None and "personal" in command.spec.scopes:
                await self.run_command(caller, command)
            else:
                await answers.private_answer(self.session, caller, cleaned)
            return
        # A command is never an answer. Without an @mention it runs when the facilitator
        # writes any command ("tilføj …" is her command, not her answer), and when anyone
        # writes exactly a command word ("indhent", "næste": a participant gets the private
        # refusal, not a stored "næste"). A participant's sentence that merely starts like a
        # facilitator's command with text ("Tilføj mere tid til læsning") stays an answer.
        # Withdrawing and being forgotten: taken for an answer, the person would believe it
        # done while their answers stay.
        bare_command = command is not None and (
            caller.facilitator
            or (not command.argument and command.name not in _ANSWER_WORDS)
            or command.name in _BARE_FOR_EVERYONE
        )
        if command is not None and (incoming.mentions_bot or bare_command):
            await self.run_command(caller, command)
            return
        await answers.chat_answer(self.session, caller, cleaned)

    async def run_command(self, caller: Caller, command: ParsedCommand) -> None:
        """Run ``command`` for the caller, when it fits where and who they are."""
        spec = command.spec
        if caller.scope not in spec.scopes:
            note = text("help_unknown", caller.lang, text=command.phrase)
            participant.show_help(self.session, caller, note=note)
            return
        # `summary` also works after the end and `plan …` between workshops: they check
        # the caller's role themselves.
        self_checked = spec.name == "summary" or spec.name.startswith("plan")
        if spec.facilitator_only and not self_checked and not caller.facilitator:
            caller.facilitator = await self.session.may_steer(caller)
            if not caller.facilitator:
                if caller.workshop is None:
                    self.session.reply(caller, text("no_workshop", caller.lang))
                else:
                    refusal = text("refusal", caller.lang, command=spec.title(caller.lang))
                    self.session.refuse(caller, refusal)
                return
        await self.commands[spec.name](self.session, caller, command)

    async def answer_fast(self, incoming: Incoming, channel: Channel) -> bool:
        """Store a plain group answer without the platform's full turn
        (:func:`~dialogs.conversation.answers.fast_answer`); True when it was handled
        (stored, or refused and the sender told), False when the full turn must run (nothing
        was changed then: storing is idempotent on the message id)."""
        try:
            recorded: RecordedAnswer | None = await answers.fast_answer(
                self.session, self.recent, incoming, channel
            )
        except REFUSALS as exc:
            if isinstance(exc, DatabaseUnavailable):
                return False  # the full turn retries it for a while, then asks for redelivery
            self.recent.forget()
            lang = self.language
            workshop = await self._workshop_quietly(incoming)
            if workshop is not None:
                lang = workshop.language
            self.tell(incoming, channel, exc, lang)
            return True
        return recorded is not None

    async def _workshop_quietly(self, incoming: Incoming) -> Any:
        try:
            return await self.session.workshop_here(incoming)
        except StorageError:
            return None

    def explain(self, exc: Exception, lang: str) -> str:
        """The text a person sees for a refusal (or an apology for anything else)."""
        if isinstance(exc, WorkshopStateError):
            return exc.message(lang)
        if is_refusal(exc):
            return str(exc).split("\n", 1)[0][:300]
        return text("error", lang)

    def tell(self, incoming: Incoming, channel: Channel, exc: Exception, lang: str) -> None:
        """Tell the sender alone about a refusal; a database failure is apologised for."""
        if is_refusal(exc):
            log.info("refused: %s", exc)
            tell_privately(channel, incoming, self.explain(exc, lang), lang, refusal=True)
        else:
            log.error("the database refused a statement (%s)", type(exc.__cause__ or exc).__name__)
            channel.send(incoming.destination, text("error", lang))

    # ------------------------------------------------------------------ other events

    async def introduce(self, incoming: Incoming, channel: Channel) -> None:
        """The bot was added to a conversation: its help card, in the group."""
        caller = await self.session.caller(incoming, channel, NO_STATE)
        participant.show_help(self.session, caller, to_group=True)

    async def meeting_started(self, incoming: Incoming, meeting: str | None) -> None:
        """The conversation's meeting started: noted in the workshop's events."""
        workshop = await self.session.workshop_here(incoming)
        if workshop is not None:
            await events_repo.log_event(
                self.session.db, workshop.id, "meeting.started", data={"meeting": meeting}
            )

    async def meeting_ended(
        self, incoming: Incoming, channel: Channel, meeting: str | None
    ) -> None:
        """The meeting ended: close the open question, end the workshop, summary to the
        facilitators (a draft just ends)."""
        db = self.session.db
        workshop = await self.session.workshop_here(incoming)
        if workshop is None or workshop.status == "ended":
            return
        await events_repo.log_event(db, workshop.id, "meeting.ended", data={"meeting": meeting})
        if workshop.status == "draft":
            await workshops_repo.end_workshop(db, workshop.id)
            return
        await steering.end_workshop(
            self.session, channel, workshop, incoming.destination, actor=None
        )

    async def resume_time_boxes(self, channel: Channel) -> int:
        """After a start: set the open questions' time-box reminders again."""
        return await self.session.timeboxes.resume(channel)

    def forget_workshops(self) -> None:
        """A turn may have changed a workshop: the fast path looks again."""
        self.recent.forget()
