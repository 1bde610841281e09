"""The Teams activity handler: Activity → :class:`~dialogs.conversation.channel.Incoming` →
the conversation (:class:`dialogs.conversation.routing.Conversation`), plus what only Teams
has: the ``adaptiveCard/action`` invoke's answer, meeting events, the bot's introduction,
the step-by-step plan dialog in the 1:1 chat, and retrying an answer on a lost database.

Everything the conversation sends goes through :class:`bot.teams.channel.TeamsChannel` over
``services.outbox`` (throttled, retried, never raising into the turn).

The invoke is answered by hand: botbuilder 4.17.1 under ``CloudAdapter`` crashes with
"'dict' object has no attribute 'is_xml_model'" (HTTP 500) when ``on_adaptive_card_invoke``
returns its response, because the response body is serialised twice;
:meth:`WorkshopBot.on_invoke_activity` returns an ``InvokeResponse`` holding the model
object instead. This bot's cards use ``Action.Submit`` throughout (Teams, the Agents
Playground and every mobile client render it); an ``Action.Execute`` is routed the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.invoke_response import InvokeResponse
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.dialogs import DialogSet
from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse
from botbuilder.schema.teams import MeetingEndEventDetails, MeetingStartEventDetails

from bot.services import NOT_STORED, BotServices
from bot.teams.channel import TeamsChannel
from bot.teams.incoming import incoming_of, plain_answer
from bot.teams.reword_dialog import RewordDialog
from bot.teams.state import TurnPersonState
from dialogs import cards
from dialogs.commands import parse_command
from dialogs.conversation.channel import Incoming
from dialogs.conversation.routing import REFUSALS, Conversation
from dialogs.texts import text
from storage.errors import DatabaseUnavailable

__all__ = ["WorkshopBot"]

log = logging.getLogger(__name__)

#: Waits between retries of an answer whose turn found the database unavailable (< 8 s in
#: all, inside the 10–15 s Teams gives a turn).
_DB_RETRY_DELAYS = (0.25, 0.5, 1.0, 1.5, 2.0, 2.5)
#: Words that leave a step-by-step dialog in the 1:1 chat.
_CANCEL_WORDS = frozenset({"annuller", "afbryd", "cancel", "stop"})
#: turn_state keys: this turn only stores an answer (running it again is safe); its Incoming.
_RETRY_SAFE = "workshopbot.retry_safe"
_INCOMING = "workshopbot.incoming"


class WorkshopBot(TeamsActivityHandler):  # type: ignore[misc]
    """The workshop bot on Teams.

    Args:
        services: The platform's shared objects (database, outbox, state, spawn …).
    """

    def __init__(self, services: BotServices) -> None:
        super().__init__()
        self.services = services
        self.db = services.db
        self.conversation = Conversation(
            services.db,
            language=services.settings.language,
            operators=services.settings.operators,
            clock=services.clock,
        )
        self._progress = services.user_state.create_property("workshop_progress")
        # Dialog stacks only in 1:1 chats, kept per user there (the key names the person, so
        # "forget me" finds it), and only while a dialog runs: a private answer writes none.
        self._dialog_state = services.private_conversation_state.create_property("dialog_state")
        self._dialogs = DialogSet(self._dialog_state)
        self._dialogs.add(
            RewordDialog(
                services.db,
                lang=services.settings.language,
                operators=services.settings.operators,
            )
        )

    def channel(self, turn_context: TurnContext | None = None) -> TeamsChannel:
        """The conversation's channel (with this turn's connector clients, when given)."""
        return TeamsChannel(
            self.services.outbox,
            spawn=self.services.spawn,
            media_url=self.services.media_url,
            turn_context=turn_context,
        )

    def command_names(self) -> frozenset[str]:
        """The commands this bot has a handler for (the manifest's menus must stay within)."""
        return frozenset(self.conversation.commands)

    async def resume_time_boxes(self) -> int:
        """After a start: the open questions' time-box reminders again (``bot.app``)."""
        return await self.conversation.resume_time_boxes(self.channel())

    # ------------------------------------------------------------------ turn plumbing

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Run the turn; no exception ever reaches a user as a stack trace.

        An answer that meets a lost database connection is retried for a few seconds (the
        database restarting, a network blip): storing is idempotent on the activity id, so a
        retry never stores it twice. Commands are not retried (they are not idempotent); the
        caller gets an apology and can try again.
        """
        turn_context.on_send_activities(self._through_outbox)
        try:
            await self._turn_with_retries(turn_context)
        finally:
            if not turn_context.turn_state.get(_RETRY_SAFE):
                # Anything but an answer may have changed a workshop: look it up afresh.
                self.conversation.forget_workshops()

    async def _turn_with_retries(self, turn_context: TurnContext) -> None:
        delays = iter(_DB_RETRY_DELAYS)
        lang = self.conversation.language
        while True:
            try:
                await super().on_turn(turn_context)
                break
            except REFUSALS as exc:
                if not isinstance(exc, DatabaseUnavailable):
                    # A refusal, or bad data (trying again would fail again).
                    incoming = turn_context.turn_state.get(_INCOMING)
                    if incoming is None:
                        incoming = incoming_of(turn_context.activity)
                    self.conversation.tell(incoming, self.channel(turn_context), exc, lang)
                    break
                delay = next(delays, None)
                if delay is None and turn_context.turn_state.get(_RETRY_SAFE):
                    # Still away after ~8 s: say so plainly, and let the app answer 503 so
                    # the Bot Framework service delivers the answer again.
                    log.error(
                        "the database is still unavailable (%s); the answer is not stored, "
                        "asking the service to deliver it again",
                        type(exc).__name__,
                    )
                    turn_context.turn_state[NOT_STORED] = True
                    self._reply(turn_context, text("answer_not_saved", lang))
                    break
                if delay is None or not turn_context.turn_state.get(_RETRY_SAFE):
                    log.error("the database failed during a turn (%s): %s", type(exc).__name__, exc)
                    self._reply(turn_context, text("error", lang))
                    break
                log.warning(
                    "database unavailable (%s); retrying the answer in %.2f s",
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
            except Exception:
                log.exception("turn failed (%s)", turn_context.activity.type)
                self._reply(turn_context, text("error", lang))
                break
        try:
            await self.services.user_state.save_changes(turn_context)
            await self.services.conversation_state.save_changes(turn_context)
            await self.services.private_conversation_state.save_changes(turn_context)
        except Exception:
            log.exception("saving the turn's state failed")

    async def _through_outbox(
        self,
        turn_context: TurnContext,
        activities: list[Activity],
        next_send: Callable[[], Awaitable[Any]],
    ) -> Any:
        """Route messages sent straight through the turn (dialog prompts) through the outbox
        too, so Teams' limits and retries apply to every outgoing message. The SDK still
        "sends" the list it built; each routed message is left in it as a trace, which the
        channel adapter skips."""
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        for activity in activities:
            if activity.type == ActivityTypes.message:
                routed = Activity().deserialize(activity.serialize())
                routed.reply_to_id = None
                self.services.outbox.send(reference, routed)
                activity.type = ActivityTypes.trace
        return await next_send()

    def _reply(self, turn_context: TurnContext, message: str) -> None:
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        self.services.outbox.send(reference, message)

    # ------------------------------------------------------------------ messages

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        """Answer ``adaptiveCard/action`` (Action.Execute) by hand; see the module docstring."""
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        value = turn_context.activity.value or {}
        action = value.get("action", {}) if isinstance(value, dict) else {}
        data = action.get("data") if isinstance(action, dict) else None
        lang = self.conversation.language
        notice = text("answer_saved", lang)
        if isinstance(data, dict) and data.get(cards.SUBMIT_KEY):
            incoming = incoming_of(turn_context.activity, value=data)
            try:
                await self.conversation.on_message(
                    incoming, self.channel(turn_context), self._state(turn_context)
                )
            except REFUSALS as exc:
                notice = self.conversation.explain(exc, lang)
        # The model object, not a dict: the SDK serialises the body once more (see above).
        # Its value is typed as a dict, so the answer is a small card, not a message.
        return InvokeResponse(
            status=200,
            body=AdaptiveCardInvokeResponse(
                status_code=200,
                type="application/vnd.microsoft.card.adaptive",
                value=cards.notice_card(title="workshopbot", message=notice),
            ),
        )

    def _state(self, turn_context: TurnContext) -> TurnPersonState:
        return TurnPersonState(self.services, self._progress, turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        incoming = incoming_of(turn_context.activity)
        turn_context.turn_state[_INCOMING] = incoming
        # Only an answer (no command word) is safe to run again after a lost connection.
        if incoming.value is not None:
            safe = incoming.value.get(cards.SUBMIT_KEY) == "answer"
        else:
            safe = parse_command(incoming.text) is None
        turn_context.turn_state[_RETRY_SAFE] = safe
        if incoming.personal and await self._continue_dialog(turn_context, incoming):
            return
        await self.conversation.on_message(
            incoming, self.channel(turn_context), self._state(turn_context)
        )

    async def _continue_dialog(self, turn_context: TurnContext, incoming: Incoming) -> bool:
        """Run the 1:1 chat's dialog, if one is active or the message starts one."""
        if incoming.value is not None:
            return False
        command = parse_command(incoming.text)
        starts = command is not None and command.name == "plan reword" and not command.argument
        if not starts and await self._dialog_state.get(turn_context) is None:
            # No dialog here: nothing is to be written either. botbuilder takes a state it
            # found no row for as changed and would store it (with the time) at the end of
            # the turn: a row saying when this person wrote, e.g. an anonymous answer.
            cached = self.services.private_conversation_state.get_cached_state(turn_context)
            if cached is not None and not cached.state:
                cached.hash = cached.compute_hash(cached.state)
            return False
        context = await self._dialogs.create_context(turn_context)
        if context.active_dialog is not None:
            turn_context.turn_state[_RETRY_SAFE] = False
            if incoming.text.lower() in _CANCEL_WORDS:
                await context.cancel_all_dialogs()
                self._reply(turn_context, text("cancelled", self.conversation.language))
                return True
            await context.continue_dialog()
            return True
        if starts:
            # Who may change the plan is decided when it is saved (the plan is named later).
            turn_context.turn_state[_RETRY_SAFE] = False
            await context.begin_dialog(RewordDialog.ID)
            return True
        return False

    async def answer_fast(self, activity: Activity) -> bool:
        """Store a plain group answer straight from the parsed activity, without the SDK's
        turn (``bot.app`` calls this for every authenticated message first). True when it
        was handled; False, having changed nothing the full turn would not also do, when
        the activity needs the full turn (a command, a mention, markup, a 1:1 chat, another
        workshop's card, a lost database …). A full turn costs several milliseconds of CPU
        in botbuilder's pipeline (``docs/operations.md``); this path lets one process take a
        large meeting's answers at the rate they come."""
        if not plain_answer(activity):
            return False
        try:
            return await self.conversation.answer_fast(incoming_of(activity), self.channel())
        except Exception:
            log.exception("the answer fast path failed; running the full turn")
            return False

    # ------------------------------------------------------------------ Teams events

    async def on_teams_meeting_start_event(
        self, meeting: MeetingStartEventDetails, turn_context: TurnContext
    ) -> None:
        await self.conversation.meeting_started(
            incoming_of(turn_context.activity), getattr(meeting, "id", None)
        )

    async def on_teams_meeting_end_event(
        self, meeting: MeetingEndEventDetails, turn_context: TurnContext
    ) -> None:
        """The meeting ended: close the open question, end the workshop, summary to facilitators."""
        await self.conversation.meeting_ended(
            incoming_of(turn_context.activity),
            self.channel(turn_context),
            getattr(meeting, "id", None),
        )

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self.conversation.introduce(
            incoming_of(turn_context.activity), self.channel(turn_context)
        )

    async def on_teams_members_added(
        self, teams_members_added: list[Any], team_info: Any, turn_context: TurnContext
    ) -> None:
        recipient = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(getattr(member, "id", None) == recipient for member in teams_members_added):
            await self.conversation.introduce(
                incoming_of(turn_context.activity), self.channel(turn_context)
            )
