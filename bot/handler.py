"""The Teams activity handler: translates activities into workshop calls and back into cards.

Routing (a table, never an ``if`` chain that depends on order):

- **Card submits** (``Action.Submit`` arrives as a message with ``value``; an
  ``Action.Execute`` arrives as an ``adaptiveCard/action`` invoke and is routed the same
  way) carry ``{"wb": "<kind>", ...}``; :data:`WorkshopBot._submits` maps the kind to a
  method. This bot's cards use ``Action.Submit`` throughout: Teams, the Agents Playground
  and every mobile client render it, and nothing here needs per-user refresh. The invoke is
  still answered, by hand: botbuilder 4.17.1 under ``CloudAdapter`` crashes with
  "'dict' object has no attribute 'is_xml_model'" (HTTP 500) when
  ``on_adaptive_card_invoke`` returns its response, because the response body is
  serialised twice; :meth:`WorkshopBot.on_invoke_activity` returns an ``InvokeResponse``
  holding the model object instead.
- **Commands**: in a 1:1 chat every message is parsed as a command; in a group chat or
  channel only messages that @mention the bot are, plus a facilitator's bare command without
  an argument ("næste"). :func:`dialogs.commands.parse_command` recognises them; the
  command's name selects the method in :data:`WorkshopBot._commands`.
- **Answers**: any other message in a conversation with a running workshop is an answer to
  the open question (or open discussion when none is open); a message in the 1:1 chat is a
  private answer. An @mention that is no command is an answer when a question is open, and
  gets the help card otherwise.

Every outgoing call goes through ``services.outbox`` (throttled, retried, never raising into
the turn). Answers are acknowledged silently: the question card's counter is updated in
place, at most every couple of seconds (the outbox coalesces updates).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

import aiohttp
from botbuilder.core import BotAdapter, CardFactory, MessageFactory, TurnContext
from botbuilder.core.invoke_response import InvokeResponse
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.dialogs import DialogSet
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    Attachment,
    ChannelAccount,
    ConversationReference,
    ErrorResponseException,
)
from botbuilder.schema.teams import MeetingEndEventDetails, MeetingStartEventDetails

from bot import cards
from bot.services import NOT_STORED, BotServices
from dialogs import permissions, plan_editing
from dialogs import workshop as flow
from dialogs.basic_summary import Audience, SummaryBuilder, basic_summary, gather
from dialogs.commands import ParsedCommand, Scope, parse_command
from dialogs.errors import DialogError
from dialogs.plan_dialog import RewordDialog
from dialogs.state import PendingPrivate, UserProgress, load_progress, save_progress
from dialogs.texts import duration, language_of, text
from dialogs.workshop import WorkshopStateError
from storage import answers as answers_repo
from storage import events as events_repo
from storage import maps as maps_repo
from storage import participants as participants_repo
from storage import privacy as privacy_repo
from storage import questions as questions_repo
from storage import series as series_repo
from storage import workshops as workshops_repo
from storage.errors import DatabaseRefused, DatabaseUnavailable, StorageError
from storage.records import QuestionRunRecord, WorkshopRecord

__all__ = ["WorkshopBot"]

log = logging.getLogger(__name__)

_AT_TAG = re.compile(r"<at>([^<]*)</at>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
CARD_EVENT = "question.card"
#: Event logged when a question's time-box reminder went out (so a restart does not repeat it).
TIME_BOX_EVENT = "question.time_box_reminded"

#: Waits between retries of an answer whose turn found the database unavailable (< 8 s in
#: all, inside the 10–15 s Teams gives a turn).
_DB_RETRY_DELAYS = (0.25, 0.5, 1.0, 1.5, 2.0, 2.5)
#: What building a question card from the database may raise (storage speaks its own errors).
_CARD_UPDATE_ERRORS: tuple[type[BaseException], ...] = (StorageError,)


def _is_connection_failure(exc: BaseException) -> bool:
    """Whether ``exc`` means the database could not be reached or was busy (worth retrying),
    not that the statement or its data was wrong (that fails again at once). Storage says
    which: :class:`~storage.errors.DatabaseUnavailable`."""
    return isinstance(exc, DatabaseUnavailable)


def _is_refusal(exc: BaseException) -> bool:
    """Whether ``exc`` is a refusal whose message is written for the person (a closed
    question, an answer too long …); a statement the database refused is not (its message
    is the driver's, for the log)."""
    return isinstance(exc, (WorkshopStateError, DialogError, StorageError)) and not isinstance(
        exc, (DatabaseRefused, DatabaseUnavailable)
    )


#: What a turn may raise on purpose (refusals) or from the database, handled in on_turn.
_TURN_ERRORS: tuple[type[Exception], ...] = (WorkshopStateError, DialogError, StorageError)
#: Words that leave a step-by-step dialog in the 1:1 chat.
_CANCEL_WORDS = frozenset({"annuller", "afbryd", "cancel", "stop"})
#: Commands anyone may write in a group chat without the @mention.
_BARE_FOR_EVERYONE = frozenset({"withdraw", "forget me"})
#: turn_state key: this turn only stores an answer, so running it again is safe.
_RETRY_SAFE = "workshopbot.retry_safe"
#: Seconds an answer turn may reuse this process's last read of a conversation's running
#: workshop. Another bot instance's change (pause, a new facilitator) is seen this late at
#: most by answer turns; what decides whether an answer is taken (the workshop has ended,
#: the question is closed) is checked again in the transaction that stores it.
_WORKSHOP_CACHE_SECONDS = 1.0
#: Seconds Teams' answer to "is this person in the workshop's chat" is reused (per workshop
#: and person): someone removed from the chat can answer privately this long at most.
_MEMBER_CACHE_SECONDS = 60.0
#: Seconds a member lookup may take before the answer is refused ("try again").
_MEMBER_LOOKUP_TIMEOUT = 5.0
#: Running workshops a 1:1 message is matched against by membership, at most.
_MAX_MEMBER_PROBES = 20

Handler = Callable[[TurnContext, ParsedCommand, "Caller"], Awaitable[None]]
SubmitHandler = Callable[[TurnContext, dict[str, Any], "Caller"], Awaitable[None]]


class Caller:
    """Who wrote the activity, where, and the workshop in that conversation."""

    def __init__(
        self, turn_context: TurnContext, workshop: WorkshopRecord | None, lang: str
    ) -> None:
        activity = turn_context.activity
        self.user = activity.from_property or ChannelAccount(id="")
        self.user_id: str = self.user.id or ""
        self.name: str = self.user.name or ""
        conversation_type = (
            (activity.conversation.conversation_type or "") if activity.conversation else ""
        )
        self.scope: Scope = (
            "personal"
            if conversation_type == "personal"
            else "team"
            if conversation_type == "channel"
            else "groupChat"
        )
        self.workshop = workshop
        self.lang = lang
        self.reference = TurnContext.get_conversation_reference(activity)
        self.facilitator = False
        #: Who asks, as :mod:`dialogs.permissions` knows people.
        self.person = permissions.Person(self.user_id, self.user.aad_object_id)


class WorkshopBot(TeamsActivityHandler):  # type: ignore[misc]
    """The workshop bot.

    Args:
        services: The platform's shared objects (database, outbox, state, spawn …).
        summary_builder: Replaces the basic summary card (see
            :data:`dialogs.basic_summary.SummaryBuilder`); None uses the basic one.
    """

    def __init__(
        self, services: BotServices, *, summary_builder: SummaryBuilder | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.db = services.db
        self.summary_builder = summary_builder
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
        self._cards: dict[int, tuple[ConversationReference, str]] = {}
        #: conversation id -> (monotonic time read, running/paused workshop): answer turns only.
        self._workshops_seen: dict[str, tuple[float, WorkshopRecord]] = {}
        #: conversation id -> the read of its workshop under way (see _read_workshop_once);
        #: the epoch counts the turns that may have changed a workshop.
        self._workshop_reads: dict[str, asyncio.Future[WorkshopRecord | None]] = {}
        self._workshops_epoch = 0
        #: (workshop id, user id) -> (monotonic time asked, whether Teams lists the user in
        #: the workshop's conversation): see :meth:`_member_of`.
        self._members_seen: dict[tuple[int, str], tuple[float, bool]] = {}
        self._last_cards: dict[int, Attachment] = {}
        # Time boxes are timer handles, not sleeping tasks, so a shutdown never waits for
        # them; after a restart a running question simply has no reminder.
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._commands: dict[str, Handler] = {
            "start": self._cmd_start,
            "next": self._cmd_move,
            "back": self._cmd_move,
            "skip": self._cmd_move,
            "park": self._cmd_move,
            "return": self._cmd_move,
            "reorder": self._cmd_reorder,
            "add": self._cmd_add,
            "pause": self._cmd_pause,
            "resume": self._cmd_resume,
            "status": self._cmd_status,
            "end": self._cmd_end,
            "summary": self._cmd_summary,
            "catch up": self._cmd_catch_up,
            "private": self._cmd_private,
            "withdraw": self._cmd_withdraw,
            "forget me": self._cmd_forget_me,
            "map": self._cmd_map,
            "facilitator add": self._cmd_facilitator_add,
            "help": self._cmd_help,
            "plans": self._cmd_plan,
            "plan show": self._cmd_plan,
            "plan copy": self._cmd_plan,
            "plan move": self._cmd_plan,
            "plan reword": self._cmd_plan,
            "plan add": self._cmd_plan,
            "plan drop": self._cmd_plan,
            "plan share": self._cmd_plan,
        }
        self._submits: dict[str, SubmitHandler] = {
            "setup": self._submit_setup,
            "answer": self._submit_answer,
            "private": self._submit_private,
        }

    def register_submit(self, kind: str, handler: SubmitHandler) -> None:
        """Route card submits whose data carry ``{"wb": kind}`` to ``handler``.

        Plug-ins (the "what now" summary's accept-adjustments button) add their cards' actions
        here; a kind the bot already handles cannot be taken over.
        """
        if kind in self._submits:
            raise ValueError(f"card submit kind {kind!r} is already handled; choose another name")
        self._submits[kind] = handler

    def command_names(self) -> frozenset[str]:
        """The commands this bot has a handler for (the manifest's menus must stay within)."""
        return frozenset(self._commands)

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
                # Anything but an answer may have changed a workshop: read it afresh next.
                self._forget_workshops()

    async def _turn_with_retries(self, turn_context: TurnContext) -> None:
        delays = iter(_DB_RETRY_DELAYS)
        while True:
            try:
                await super().on_turn(turn_context)
                break
            except _TURN_ERRORS as exc:
                if not _is_connection_failure(exc):
                    # A refusal ("the question is closed") may come from a change another
                    # instance made: the next turns read the workshop afresh.
                    self._forget_workshops()
                    if _is_refusal(exc):
                        log.info("refused: %s", exc)
                        lang = self._lang_guess(turn_context)
                        self._refuse(turn_context.activity, self._message_of(exc, lang))
                    else:  # bad data or a bad statement: trying again would fail again
                        log.error(
                            "the database refused a turn's statement (%s)",
                            type(exc.__cause__ or exc).__name__,
                        )
                        self._reply(turn_context, text("error", self._lang_guess(turn_context)))
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
                    self._reply(
                        turn_context, text("answer_not_saved", self._lang_guess(turn_context))
                    )
                    break
                if delay is None or not turn_context.turn_state.get(_RETRY_SAFE):
                    log.error("the database failed during a turn (%s): %s", type(exc).__name__, exc)
                    self._reply(turn_context, text("error", self._lang_guess(turn_context)))
                    break
                log.warning(
                    "database unavailable (%s); retrying the answer in %.2f s",
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
            except Exception:
                log.exception("turn failed (%s)", turn_context.activity.type)
                self._reply(turn_context, text("error", self._lang_guess(turn_context)))
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
        """Route messages sent straight through the turn (dialog prompts, plug-ins such as
        the summary's accept button) through the outbox too, so Teams' limits and retries
        apply to every outgoing message. The SDK still "sends" the list it built; each
        routed message is left in it as a trace, which the channel adapter skips."""
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        for activity in activities:
            if activity.type == ActivityTypes.message:
                routed = Activity().deserialize(activity.serialize())
                routed.reply_to_id = None
                self.services.outbox.send(reference, routed)
                activity.type = ActivityTypes.trace
        return await next_send()

    def _lang_guess(self, turn_context: TurnContext) -> str:
        """The language outside a workshop: the bot's default (WORKSHOPBOT_LANGUAGE), not
        the client's locale, so one organisation's bot speaks one language."""
        return language_of(self.services.settings.language)

    @staticmethod
    def _message_of(exc: Exception, lang: str) -> str:
        if isinstance(exc, WorkshopStateError):
            return exc.message(lang)
        return str(exc).split("\n", 1)[0][:300]

    def _reply(
        self, turn_context: TurnContext, activity: Activity | str
    ) -> asyncio.Future[str | None]:
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        return self.services.outbox.send(reference, activity)

    def _send(
        self, reference: ConversationReference, activity: Activity | str
    ) -> asyncio.Future[str | None]:
        return self.services.outbox.send(reference, activity)

    def _refuse(self, activity: Activity, message: str) -> None:
        """Tell the sender alone why their message was refused ("the question is closed",
        "too long"): privately in a group chat or channel, in the group only when no 1:1
        chat can be opened (then addressed by name)."""
        reference = TurnContext.get_conversation_reference(activity)
        sender = activity.from_property
        conversation = activity.conversation
        if (
            sender is None
            or not sender.id
            or (conversation and conversation.conversation_type == "personal")
        ):
            self._send(reference, message)
            return
        future = self.services.outbox.send_private(reference, sender.id, message)
        name = sender.name or ""

        async def fallback() -> None:
            if await future is None:
                log.warning("could not open a 1:1 chat for a refusal; told them in the group")
                self._send(reference, f"{name}: {message}" if name else message)

        self.services.spawn(fallback(), name="private refusal")

    def _private(self, caller: Caller, activity: Activity | str) -> None:
        """Send to the caller's 1:1 chat (in a 1:1 chat: reply there)."""
        if caller.scope == "personal":
            self._send(caller.reference, activity)
            return
        future = self.services.outbox.send_private(caller.reference, caller.user_id, activity)
        self.services.spawn(self._private_fallback(future, caller), name="private send")

    async def _private_fallback(self, future: asyncio.Future[str | None], caller: Caller) -> None:
        if await future is None:
            log.warning("could not open a 1:1 chat with a user; told them in the group")
            self._send(
                caller.reference, text("private_failed_group", caller.lang, name=caller.name)
            )

    async def _workshop_here(self, turn_context: TurnContext) -> WorkshopRecord | None:
        conversation = turn_context.activity.conversation
        if conversation is None or not conversation.id:
            return None
        base = flow.base_conversation_id(conversation.id)
        if turn_context.turn_state.get(_RETRY_SAFE):  # an answer turn
            return await self._answer_workshop(base)
        self._workshops_seen.pop(base, None)
        return await workshops_repo.find_active_workshop(self.db, base)

    async def _caller(self, turn_context: TurnContext) -> Caller:
        workshop = await self._workshop_here(turn_context)
        probe = Caller(turn_context, workshop, self._lang_guess(turn_context))
        if workshop is None and probe.scope == "personal":
            workshop = await self._workshop_of_person(turn_context, probe.user_id)
        caller = Caller(
            turn_context,
            workshop,
            workshop.language if workshop is not None else self._lang_guess(turn_context),
        )
        caller.facilitator = workshop is not None and caller.user_id in workshop.facilitators
        return caller

    async def _workshop_of_person(
        self, turn_context: TurnContext, user_id: str
    ) -> WorkshopRecord | None:
        """The workshop a 1:1 message belongs to.

        In order: the one of the private answer they asked to give; a running or paused
        workshop they have answered in (the one their state last named, else the newest);
        the one their state last named; the only running workshop. Answers in a group do
        not write per-user state: the participants table already says where someone takes
        part, so a 1:1 message (rare) looks there instead of every answer saving it.
        """
        progress = await load_progress(self._progress, turn_context)

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
        listed = [
            *await workshops_repo.list_workshops(self.db, status="running"),
            *await workshops_repo.list_workshops(self.db, status="paused"),
        ]
        active = [item.workshop for item in listed]
        mine = [
            w for w in active if await participants_repo.find_participant(self.db, w.id, user_id)
        ]
        if mine:
            return next((w for w in mine if w.id == progress.last_workshop_id), mine[0])
        if progress.last_workshop_id is not None:
            return await usable(progress.last_workshop_id)
        # Someone who never took part yet writes to the bot: the running workshop whose chat
        # Teams lists them in, when there is exactly one (an outsider's text never lands
        # in "the only running workshop").
        running = [w for w in active if w.status == "running"][:_MAX_MEMBER_PROBES]
        theirs = [w for w in running if await self._member_of(turn_context, w, user_id)]
        return theirs[0] if len(theirs) == 1 else None

    async def _member_of(
        self, turn_context: TurnContext, workshop: WorkshopRecord, user_id: str
    ) -> bool | None:
        """Whether Teams lists ``user_id`` in the workshop's conversation (None: it could
        not say). Asks the connector's member lookup (async, with a timeout) and keeps a
        definite answer :data:`_MEMBER_CACHE_SECONDS` per workshop and person."""
        if not workshop.conversation_id or not user_id:
            return False
        key = (workshop.id, user_id)
        seen = self._members_seen.get(key)
        if seen is not None and time.monotonic() - seen[0] < _MEMBER_CACHE_SECONDS:
            return seen[1]
        client = turn_context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        if client is None:
            log.warning("no connector client in the turn: cannot check a member")
            return None
        try:
            await asyncio.wait_for(
                client.conversations.get_conversation_member(workshop.conversation_id, user_id),
                _MEMBER_LOOKUP_TIMEOUT,
            )
            member = True
        except ErrorResponseException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status not in (403, 404):  # 404: not a member; 403: the bot left the chat
                log.warning("member lookup failed with status %s", status)
                return None
            member = False
        except (TimeoutError, OSError, aiohttp.ClientError) as exc:
            log.warning("member lookup failed (%s)", type(exc).__name__)
            return None
        if len(self._members_seen) > 10_000:
            self._members_seen.clear()
        self._members_seen[key] = (time.monotonic(), member)
        return member

    async def _check_allowed(
        self,
        turn_context: TurnContext,
        caller: Caller,
        workshop: WorkshopRecord,
        decide: Callable[..., permissions.Verdict],
    ) -> None:
        """Ask :mod:`dialogs.permissions` whether the caller may do this for ``workshop``
        from where they write; the member lookup is made only when it matters.

        Raises:
            WorkshopStateError: With the refusal's text key.
        """
        conversation = turn_context.activity.conversation
        here = (
            flow.base_conversation_id(conversation.id) if conversation and conversation.id else ""
        )
        same = caller.scope != "personal" and here == workshop.conversation_id
        member = None if same else await self._member_of(turn_context, workshop, caller.user_id)
        verdict = decide(same_conversation=same, private=caller.scope == "personal", member=member)
        if not verdict:
            log.info("refused for workshop %s: %s", workshop.id, verdict.reason)
            raise WorkshopStateError(verdict.reason)

    async def _is_facilitator(self, turn_context: TurnContext, caller: Caller) -> bool:
        """Whether the caller may steer; asks Teams for the meeting role only when needed
        (a listed facilitator costs nothing, an answer never triggers the lookup)."""
        workshop = caller.workshop
        if workshop is None:
            return False
        if caller.user_id in workshop.facilitators:
            return True
        if await self._is_meeting_organizer(turn_context):
            await workshops_repo.add_facilitator(
                self.db, workshop.id, caller.user_id, display_name=caller.name
            )
            return True
        return False

    async def _is_meeting_organizer(self, turn_context: TurnContext) -> bool:
        """Whether Teams says the caller organises this meeting (False when it cannot say)."""
        channel_data = turn_context.activity.channel_data or {}
        meeting = channel_data.get("meeting") if isinstance(channel_data, dict) else None
        meeting_id = meeting.get("id") if isinstance(meeting, dict) else None
        user = turn_context.activity.from_property
        tenant = (
            channel_data.get("tenant", {}).get("id") if isinstance(channel_data, dict) else None
        )
        if not meeting_id or user is None or not user.aad_object_id or not tenant:
            return False
        try:
            client = await TeamsInfo.get_teams_connector_client(turn_context)
            # The 4.17 Teams client is synchronous: keep it off the event loop.
            participant = await asyncio.to_thread(
                client.teams.fetch_participant, meeting_id, user.aad_object_id, tenant
            )
        except Exception as exc:  # 403 without the permission, or no meeting: not an organizer
            log.info(
                "meeting role lookup failed (%s); treating the caller as attendee",
                type(exc).__name__,
            )
            return False
        role = getattr(getattr(participant, "meeting", None), "role", None)
        return role == "Organizer"

    # ------------------------------------------------------------------ invokes

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        """Answer ``adaptiveCard/action`` (Action.Execute) by hand; see the module docstring."""
        if turn_context.activity.name == "adaptiveCard/action":
            value = turn_context.activity.value or {}
            action = value.get("action", {}) if isinstance(value, dict) else {}
            data = action.get("data") if isinstance(action, dict) else None
            lang = self._lang_guess(turn_context)
            notice = text("answer_saved", lang)
            if isinstance(data, dict) and data.get(cards.SUBMIT_KEY):
                try:
                    await self._route_submit(turn_context, data)
                except (WorkshopStateError, DialogError, StorageError) as exc:
                    notice = self._message_of(exc, lang)
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
        return await super().on_invoke_activity(turn_context)

    # ------------------------------------------------------------------ messages

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if isinstance(activity.value, dict) and activity.value.get(cards.SUBMIT_KEY):
            turn_context.turn_state[_RETRY_SAFE] = activity.value.get(cards.SUBMIT_KEY) == "answer"
            await self._route_submit(turn_context, activity.value)
            return
        mentioned = self._mentions_bot(activity)
        raw = activity.text or ""
        if mentioned:
            raw = TurnContext.remove_recipient_mention(activity) or ""
        # Other people's mentions stay as "@Name" ("facilitator add @Bo").
        cleaned = _TAGS.sub(" ", _AT_TAG.sub(r"@\1", raw)).replace("&nbsp;", " ").strip()
        bot_name = (
            f"@{activity.recipient.name}" if activity.recipient and activity.recipient.name else ""
        )
        if mentioned and bot_name and cleaned.lower().startswith(bot_name.lower()):
            cleaned = cleaned[len(bot_name) :].strip()
        command = parse_command(cleaned)
        # Without a command word the turn can only store an answer (or show help): safe to
        # run again after a lost database connection.
        turn_context.turn_state[_RETRY_SAFE] = command is None
        caller = await self._caller(turn_context)
        if caller.scope == "personal":
            if await self._continue_dialog(turn_context, cleaned, command, caller):
                return
            # A group-only command word in the 1:1 chat ("Tilføj mere tid …") is an answer.
            if command is not None and "personal" in command.spec.scopes:
                await self._run_command(turn_context, command, caller)
            else:
                await self._private_answer(turn_context, caller, cleaned)
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
            or command.spec.argument == "none"
            or command.name in _BARE_FOR_EVERYONE
        )
        if command is not None and (mentioned or bare_command):
            await self._run_command(turn_context, command, caller)
            return
        workshop = caller.workshop
        if workshop is None or workshop.status == "draft":
            if mentioned:
                await self._help(
                    caller,
                    note=text("help_unknown", caller.lang, text=cleaned[:60]) if cleaned else "",
                )
            return
        if mentioned and cleaned:
            current = await questions_repo.current_question_run(self.db, workshop.id)
            if current is None:
                await self._help(caller, note=text("help_unknown", caller.lang, text=cleaned[:60]))
                return
        if not cleaned:
            if mentioned:
                await self._help(caller)
            return
        source = "chat"
        await self._store_answer(turn_context, caller, workshop, cleaned, source=source)

    async def _continue_dialog(
        self,
        turn_context: TurnContext,
        cleaned: str,
        command: ParsedCommand | None,
        caller: Caller,
    ) -> bool:
        """Run the 1:1 chat's dialog, if one is active or the message starts one."""
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
            if cleaned.lower() in _CANCEL_WORDS:
                await context.cancel_all_dialogs()
                self._send(caller.reference, text("cancelled", caller.lang))
                return True
            turn_context.turn_state[_RETRY_SAFE] = False
            await context.continue_dialog()
            return True
        if command is not None and command.name == "plan reword" and not command.argument:
            # Who may change the plan is decided when it is saved (the plan is named later).
            turn_context.turn_state[_RETRY_SAFE] = False
            await context.begin_dialog(RewordDialog.ID)
            return True
        return False

    def _mentions_bot(self, activity: Activity) -> bool:
        recipient = activity.recipient.id if activity.recipient else None
        return any(user_id == recipient for user_id, _ in _mentions(activity) if recipient) or bool(
            activity.text and _AT_TAG.search(activity.text) and not activity.entities
        )

    async def _run_command(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        spec = command.spec
        if caller.scope not in spec.scopes:
            await self._help(caller, note=text("help_unknown", caller.lang, text=command.phrase))
            return
        # `summary` also works after the end and `plan …` between workshops: they check
        # the caller's role themselves.
        self_checked = spec.name == "summary" or spec.name.startswith("plan")
        if spec.facilitator_only and not self_checked and not caller.facilitator:
            caller.facilitator = await self._is_facilitator(turn_context, caller)
        if spec.facilitator_only and not self_checked and not caller.facilitator:
            if caller.workshop is None:
                self._send(caller.reference, text("no_workshop", caller.lang))
                return
            self._private(caller, text("refusal", caller.lang, command=spec.title(caller.lang)))
            return
        handler = self._commands[spec.name]
        await handler(turn_context, command, caller)

    def _require_workshop(self, caller: Caller) -> WorkshopRecord:
        if caller.workshop is None or caller.workshop.status == "draft":
            raise WorkshopStateError("no_workshop")
        return caller.workshop

    # ------------------------------------------------------------------ commands

    async def _cmd_help(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        await self._help(caller)

    async def _help(self, caller: Caller, *, note: str = "", to_group: bool = False) -> None:
        """The help card for the caller's role and the workshop's phase, to the caller alone
        (privately in a group chat or channel); ``to_group`` when the bot introduces itself."""
        workshop = caller.workshop
        card = cards.help_card(
            lang=caller.lang,
            facilitator=caller.facilitator,
            scope=caller.scope,
            note=note,
            running=workshop is not None and workshop.status in ("running", "paused"),
        )
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        if to_group or caller.scope == "personal":
            self._send(caller.reference, activity)
        else:
            self._private(caller, activity)

    async def _cmd_start(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        if caller.workshop is not None and caller.workshop.status != "draft":
            raise WorkshopStateError("already_running", id=caller.workshop.id)
        plans = await flow.available_plans(self.db, caller.lang)
        # Only the series this person may add a workshop to are offered.
        series = [
            (str(s.id), s.name)
            for s in await series_repo.list_series(self.db)
            if permissions.may_join_series(
                caller.person,
                operators=self.services.settings.operators,
                owners=(s.owner_id, *s.co_owner_ids),
            )
        ]
        maps = [(str(m.id), m.name) for m in _corpus_maps(await maps_repo.list_maps(self.db))]
        card = cards.setup_card(
            lang=caller.lang,
            workshop_id=0,
            started_by=caller.name or caller.user_id,
            plans=plans,
            series=series,
            maps=maps,
            default_plan="default" if any(p == "default" for p, _ in plans) else None,
        )
        card["actions"][0]["data"]["starter"] = caller.user_id
        self._send(caller.reference, MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def _cmd_move(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        workshop = self._require_workshop(caller)
        step = await flow.advance(
            self.db,
            workshop,
            cast(flow.Move, command.name),
            actor=caller.user_id,
            argument=command.argument,
        )
        await self._show_step(workshop, step, caller.reference)

    async def _show_step(
        self, workshop: WorkshopRecord, step: flow.Step, reference: ConversationReference
    ) -> None:
        workshop = await workshops_repo.get_workshop(self.db, workshop.id)
        for run in step.closed:
            await self._refresh_card(workshop, run)
        if step.notice:
            self._send(reference, text(step.notice, workshop.language))
        if step.opened is not None:
            await self._post_question(workshop, step.opened, reference)
        elif step.all_done:
            self._send(reference, text("all_done", workshop.language))

    async def _post_question(
        self, workshop: WorkshopRecord, run: QuestionRunRecord, reference: ConversationReference
    ) -> None:
        view = await flow.question_view(self.db, workshop, run, count=0)
        self._last_cards[run.id] = CardFactory.adaptive_card(
            _question_card(view, workshop.language)
        )
        future = self._send(
            reference,
            MessageFactory.attachment(
                CardFactory.adaptive_card(_question_card(view, workshop.language))
            ),
        )
        self.services.spawn(
            self._remember_card(workshop.id, run.id, reference, future), name="remember card"
        )
        if view.time_box:
            self._start_timer(workshop, run, view.time_box)

    async def _remember_card(
        self,
        workshop_id: int,
        run_id: int,
        reference: ConversationReference,
        future: asyncio.Future[str | None],
    ) -> None:
        activity_id = await future
        if not activity_id:
            return
        self._cards[run_id] = (reference, activity_id)
        await events_repo.log_event(
            self.db,
            workshop_id,
            CARD_EVENT,
            data={
                "run": run_id,
                "activity_id": activity_id,
                "reference": _stored_reference(reference),
            },
        )

    async def _card_of(
        self, workshop_id: int, run_id: int
    ) -> tuple[ConversationReference, str] | None:
        known = self._cards.get(run_id)
        if known is not None:
            return known
        for event in reversed(await events_repo.list_events(self.db, workshop_id, kind=CARD_EVENT)):
            if event.data.get("run") == run_id:
                reference = ConversationReference().deserialize(event.data.get("reference") or {})
                known = (reference, str(event.data["activity_id"]))
                self._cards[run_id] = known
                return known
        return None

    async def _refresh_card(self, workshop: WorkshopRecord, run: QuestionRunRecord | int) -> None:
        """Update a question card in place (counter, closed state); coalesced by the outbox.

        ``run`` is the question run or its id: the run, the workshop and the answer count are
        read when the coalesced update is made, so a burst of answers costs one read.
        """
        run_id = run if isinstance(run, int) else run.id
        where = await self._card_of(workshop.id, run_id)
        if where is None:
            return
        workshop_id, lang = workshop.id, workshop.language

        async def build() -> Attachment:
            # Runs when the coalesced update is made: the count and the open/closed state
            # are read then, so they are right even when several bot processes answer.
            # Without the database the last card stands, so a failing update never blocks
            # the conversation's queue.
            try:
                current = await workshops_repo.get_workshop(self.db, workshop_id)
                latest = await questions_repo.get_question_run(self.db, run_id)
                view = await flow.question_view(self.db, current, latest)
            except _CARD_UPDATE_ERRORS as exc:
                fallback = self._last_cards.get(run_id)
                if fallback is None:
                    raise
                log.warning(
                    "card update without the database (%s); keeping the last card",
                    type(exc).__name__,
                )
                return fallback
            card = CardFactory.adaptive_card(_question_card(view, lang))
            self._last_cards[run_id] = card
            return card

        self.services.outbox.update_card(where[0], where[1], build)

    def _start_timer(
        self,
        workshop: WorkshopRecord,
        run: QuestionRunRecord,
        seconds: int,
        *,
        after: float | None = None,
    ) -> None:
        """Remind the facilitators when the time box of ``seconds`` is up (``after``
        seconds from now; default ``seconds``)."""
        old = self._timers.pop(workshop.id, None)
        if old is not None:
            old.cancel()
        self._timers[workshop.id] = asyncio.get_running_loop().call_later(
            seconds if after is None else max(0.0, after),
            lambda: self.services.spawn(
                self._time_box(workshop.id, run.id, seconds), name=f"time box {run.id}"
            ),
        )

    async def resume_time_boxes(self) -> int:
        """After a start: set the reminders of the open, time-boxed questions of running
        workshops again (timers live in memory; a restart would lose them). A reminder whose
        time passed while the bot was down is sent at once, unless it was sent before.
        Returns how many were set."""
        now = datetime.now(UTC)
        resumed = 0
        for listing in await workshops_repo.list_workshops(self.db, status="running"):
            workshop = listing.workshop
            run = await questions_repo.current_question_run(self.db, workshop.id)
            if run is None or await self._reminded(workshop.id, run.id):
                continue
            view = await flow.question_view(self.db, workshop, run)
            if not view.time_box:
                continue
            opened = run.opened_at if run.opened_at.tzinfo else run.opened_at.replace(tzinfo=UTC)
            left = view.time_box - (now - opened).total_seconds()
            self._start_timer(workshop, run, view.time_box, after=left)
            resumed += 1
        if resumed:
            log.info("resumed %d time box reminder(s) after the start", resumed)
        return resumed

    async def _reminded(self, workshop_id: int, run_id: int) -> bool:
        events = await events_repo.list_events(self.db, workshop_id, kind=TIME_BOX_EVENT)
        return any(event.data.get("run") == run_id for event in events)

    async def _time_box(self, workshop_id: int, run_id: int, seconds: int) -> None:
        """Remind the facilitators privately that the open question's time is up."""
        self._timers.pop(workshop_id, None)
        run = await questions_repo.get_question_run(self.db, run_id)
        if not run.is_open:
            return
        workshop = await workshops_repo.get_workshop(self.db, workshop_id)
        if workshop.status != "running" or workshop.conversation_reference is None:
            return
        if await self._reminded(workshop_id, run_id):
            return  # sent before a restart
        await events_repo.log_event(self.db, workshop_id, TIME_BOX_EVENT, data={"run": run_id})
        count = await answers_repo.count_answers(self.db, workshop_id, run_id)
        reference = ConversationReference().deserialize(workshop.conversation_reference)
        message = text(
            "time_box",
            workshop.language,
            question=run.question_id,
            duration=duration(seconds, workshop.language),
            count=count,
        )
        for user_id in workshop.facilitators:
            self.services.outbox.send_private(reference, user_id, message)

    async def _cmd_reorder(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        workshop = self._require_workshop(caller)
        order = await flow.reorder(
            self.db, workshop, command.argument.replace(",", " ").split(), actor=caller.user_id
        )
        self._send(caller.reference, text("reordered", caller.lang, ids=", ".join(order)))

    async def _cmd_add(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        workshop = self._require_workshop(caller)
        await flow.add_question(self.db, workshop, command.argument, actor=caller.user_id)
        self._send(caller.reference, text("added", caller.lang, text=command.argument[:200]))

    async def _cmd_pause(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        workshop = self._require_workshop(caller)
        if workshop.status == "paused":
            raise WorkshopStateError("reason_paused")
        await workshops_repo.pause_workshop(self.db, workshop.id, actor_user_id=caller.user_id)
        self._send(caller.reference, text("paused", caller.lang))

    async def _cmd_resume(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        workshop = self._require_workshop(caller)
        if workshop.status != "paused":
            raise WorkshopStateError("reason_not_paused")
        await workshops_repo.resume_workshop(self.db, workshop.id, actor_user_id=caller.user_id)
        self._send(caller.reference, text("resumed", caller.lang))

    async def _cmd_status(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        workshop = self._require_workshop(caller)
        lang = caller.lang
        current = await questions_repo.current_question_run(self.db, workshop.id)
        upcoming, parked = await flow.remaining(self.db, workshop)
        total = await answers_repo.count_answers(self.db, workshop.id)
        listing = await workshops_repo.list_workshops(
            self.db, conversation_id=workshop.conversation_id
        )
        people = next(
            (item.participant_count for item in listing if item.workshop.id == workshop.id), 0
        )
        facts = [
            (text("status_workshop", lang), f"{workshop.id} · {workshop.title}"),
            (text("status_state", lang), text(f"state_{workshop.status}", lang)),
            (
                text("status_question", lang),
                f"{current.question_id}: {current.question_text[:80]}"
                if current
                else text("none", lang),
            ),
        ]
        if current is not None:
            count = await answers_repo.count_answers(self.db, workshop.id, current.id)
            facts.append((text("status_answers", lang), str(count)))
        facts += [
            (text("status_total", lang), str(total)),
            (text("status_participants", lang), str(people)),
            (text("status_elapsed", lang), flow.elapsed(workshop, datetime.now(UTC))),
            (text("status_remaining", lang), ", ".join(upcoming) or text("none", lang)),
            (text("status_parked", lang), ", ".join(parked) or text("none", lang)),
        ]
        card = cards.status_card(lang=lang, facts=facts)
        self._send(caller.reference, MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def _cmd_end(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        workshop = self._require_workshop(caller)
        await self._end(workshop, caller.reference, actor=caller.user_id)

    async def _end(
        self, workshop: WorkshopRecord, reference: ConversationReference, *, actor: str | None
    ) -> None:
        current = await questions_repo.current_question_run(self.db, workshop.id)
        closed = None
        if current is not None:
            closed = await questions_repo.close_question(self.db, current.id)
        ended = await workshops_repo.end_workshop(self.db, workshop.id, actor_user_id=actor)
        timer = self._timers.pop(workshop.id, None)
        if timer is not None:
            timer.cancel()
        if closed is not None:
            await self._refresh_card(ended, closed)
        self._send(reference, text("ended", ended.language))
        self.services.spawn(self._summary_to_facilitators(ended, reference), name="end summary")

    async def _summary_card(
        self, workshop_id: int, *, audience: Audience, lang: str
    ) -> dict[str, Any]:
        if self.summary_builder is not None:
            return await self.summary_builder(self.db, workshop_id, audience=audience, lang=lang)
        inputs = await gather(self.db, workshop_id)
        summary = basic_summary(inputs, audience=audience, lang=lang)
        # Building a large card is CPU work: keep it off the event loop.
        return await asyncio.to_thread(cards.summary_card, summary)

    async def _summary_to_facilitators(
        self, workshop: WorkshopRecord, reference: ConversationReference
    ) -> None:
        card = await self._summary_card(workshop.id, audience="facilitator", lang=workshop.language)
        for user_id in workshop.facilitators:
            self.services.outbox.send_private(
                reference, user_id, MessageFactory.attachment(CardFactory.adaptive_card(card))
            )

    async def _cmd_summary(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        workshop = caller.workshop
        if workshop is None:
            workshop = await self._latest_here(turn_context, command.argument)
        if workshop is None:
            raise WorkshopStateError("no_workshop")
        if caller.user_id not in workshop.facilitators:
            self._private(
                caller, text("refusal", caller.lang, command=command.spec.title(caller.lang))
            )
            return
        await self._check_allowed(turn_context, caller, workshop, permissions.may_see_outputs)
        audience: Audience = "facilitator" if caller.scope == "personal" else "group"
        reference = caller.reference
        lang = workshop.language

        async def build_and_send() -> None:
            card = await self._summary_card(workshop.id, audience=audience, lang=lang)
            self._send(reference, MessageFactory.attachment(CardFactory.adaptive_card(card)))

        self.services.spawn(build_and_send(), name="summary")

    async def _latest_here(self, turn_context: TurnContext, argument: str) -> WorkshopRecord | None:
        if argument.strip().isdigit():
            try:
                return await workshops_repo.get_workshop(self.db, int(argument.strip()))
            except StorageError:
                return None
        conversation = turn_context.activity.conversation
        if conversation is None or not conversation.id:
            return None
        listing = await workshops_repo.list_workshops(
            self.db, conversation_id=flow.base_conversation_id(conversation.id)
        )
        return listing[0].workshop if listing else None

    async def _cmd_catch_up(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        await self._send_question_privately(turn_context, caller, pending=False)

    async def _cmd_private(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        await self._send_question_privately(turn_context, caller, pending=True)

    async def _send_question_privately(
        self, turn_context: TurnContext, caller: Caller, *, pending: bool
    ) -> None:
        workshop = self._require_workshop(caller)
        # The question goes only to someone who may answer it (a member, from a 1:1 chat).
        await self._check_allowed(turn_context, caller, workshop, permissions.may_answer_for)
        run = await questions_repo.current_question_run(self.db, workshop.id)
        progress = await load_progress(self._progress, turn_context)
        if run is None:
            self._private(caller, text("no_open_question_private", caller.lang))
            await save_progress(self._progress, turn_context, UserProgress(None, workshop.id))
            return
        view = await flow.question_view(self.db, workshop, run)
        card = _question_card(view, workshop.language, private=True)
        self._private(caller, MessageFactory.attachment(CardFactory.adaptive_card(card)))
        if pending:
            self._private(caller, text("private_prompt", caller.lang))
        await save_progress(
            self._progress,
            turn_context,
            UserProgress(
                PendingPrivate(workshop.id, run.id) if pending else progress.pending_private,
                workshop.id,
            ),
        )

    async def _cmd_withdraw(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        # Works in anonymous workshops too: storage keeps only a salted hash of the user id,
        # enough to find one's own answers, never to show who wrote them.
        if caller.workshop is None and caller.scope == "personal":
            # The 1:1 chat remembers no workshop (a group answer in an anonymous workshop
            # leaves no per-user state): every unfinished workshop the person answered in.
            found = [
                item.workshop
                for status in ("running", "paused")
                for item in await workshops_repo.list_workshops(self.db, status=status)
            ]
            if not found:
                raise WorkshopStateError("no_workshop")
            count = sum([await flow.withdraw(self.db, w, caller.user_id) for w in found])
        else:
            workshop = self._require_workshop(caller)
            count = await flow.withdraw(self.db, workshop, caller.user_id)
        self._private(caller, text("withdrawn", caller.lang, count=count))

    async def _cmd_forget_me(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        report = await privacy_repo.forget_user(self.db, caller.user_id)
        # forget_user deleted the stored user state; drop this turn's copy too, so saving
        # the turn's state neither writes the user id back nor fails on the stale eTag.
        await self.services.user_state.load(turn_context)
        await self.services.user_state.delete(turn_context)
        if caller.scope == "personal":  # the 1:1 chat's state is this person's too
            for state in (
                self.services.conversation_state,
                self.services.private_conversation_state,
            ):
                await state.load(turn_context)
                await state.delete(turn_context)
        self._private(
            caller,
            text(
                "forgotten", caller.lang, answers=report.answers, participants=report.participants
            ),
        )

    async def _cmd_map(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        known = await maps_repo.list_maps(self.db)
        if not known:
            self._send(caller.reference, text("map_none_stored", caller.lang))
            return
        name = command.argument.strip()
        if not name and caller.workshop is not None and caller.workshop.map_id is not None:
            match = next((m for m in known if m.id == caller.workshop.map_id), None)
        else:
            match = (
                next((m for m in known if m.name.lower() == name.lower()), None)
                if name
                else next(iter(_corpus_maps(known)), None)
            )
        if match is None:
            self._send(
                caller.reference,
                text(
                    "map_unknown",
                    caller.lang,
                    name=name,
                    known=", ".join(m.name for m in _corpus_maps(known)) or "-",
                ),
            )
            return
        summary_of = match.data.get("summary_of") if isinstance(match.data, dict) else None
        if summary_of is not None:  # drawn from a workshop's answers: its people only
            try:
                source = await workshops_repo.get_workshop(self.db, int(summary_of))
            except (StorageError, TypeError, ValueError):
                raise WorkshopStateError("outputs_not_member") from None
            await self._check_allowed(turn_context, caller, source, permissions.may_see_outputs)
        await self._post_map(match.id, caller.reference, caller.lang, parked=False)

    async def _post_map(
        self, map_id: int, reference: ConversationReference, lang: str, *, parked: bool
    ) -> None:
        record = await maps_repo.get_map(self.db, map_id)
        clusters = _clusters_of(record.data)
        card = cards.map_card(
            lang=lang,
            name=record.name,
            image_url=_media(self.services, record.token, card=bool(record.card_png)),
            full_url=self.services.media_url(record.token),
            clusters=clusters,
        )
        self._send(reference, MessageFactory.attachment(CardFactory.adaptive_card(card)))
        if parked:
            self._send(reference, text("map_parked", lang))

    async def _cmd_facilitator_add(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        workshop = self._require_workshop(caller)
        recipient = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        added = []
        for user_id, name in _mentions(turn_context.activity):
            if user_id == recipient:
                continue
            await workshops_repo.add_facilitator(self.db, workshop.id, user_id, display_name=name)
            added.append(name or user_id)
        if not added:
            self._send(caller.reference, text("facilitator_who", caller.lang))
            return
        for name in added:
            self._send(caller.reference, text("facilitator_added", caller.lang, name=name))

    async def _cmd_plan(
        self, turn_context: TurnContext, command: ParsedCommand, caller: Caller
    ) -> None:
        recipient = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        title, message = await plan_editing.run(
            self.db,
            command.name,
            command.argument,
            author=caller.name or caller.user_id,
            lang=caller.lang,
            actor=caller.person,
            operators=self.services.settings.operators,
            mentioned=tuple(m for m in _mentions(turn_context.activity) if m[0] != recipient),
        )
        card = cards.notice_card(title=title, message=message)
        self._send(caller.reference, MessageFactory.attachment(CardFactory.adaptive_card(card)))

    # ------------------------------------------------------------------ submits

    async def _route_submit(self, turn_context: TurnContext, data: dict[str, Any]) -> None:
        caller = await self._caller(turn_context)
        handler = self._submits.get(str(data.get(cards.SUBMIT_KEY)))
        if handler is None:
            log.info("ignored a card submit of unknown kind %r", data.get(cards.SUBMIT_KEY))
            return
        await handler(turn_context, data, caller)

    async def _submit_setup(
        self, turn_context: TurnContext, data: dict[str, Any], caller: Caller
    ) -> None:
        starter = str(data.get("starter") or "")
        if caller.user_id != starter and not await self._is_meeting_organizer(turn_context):
            self._private(caller, text("setup_not_facilitator", caller.lang))
            return
        map_value = str(data.get("map") or "")
        choice = flow.SetupChoice(
            plan_key=str(data.get("plan") or "default"),
            series=str(data.get("series") or "new"),
            series_name=str(data.get("series_name") or ""),
            map_id=int(map_value) if map_value.isdigit() else None,
            org=str(data.get("org") or ""),
            language=str(data.get("language") or caller.lang),
            mode=str(data.get("mode") or "pseudonymous"),
        )
        activity = turn_context.activity
        channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        meeting = channel_data.get("meeting") or {}
        workshop = await flow.launch(
            self.db,
            choice,
            conversation_id=activity.conversation.id,
            reference=_stored_reference(caller.reference),
            facilitators=[starter, caller.user_id],
            channel_id=(channel_data.get("channel") or {}).get("id"),
            meeting_id=meeting.get("id") if isinstance(meeting, dict) else None,
            tenant_id=(channel_data.get("tenant") or {}).get("id")
            or (activity.conversation.tenant_id or None),
            person=caller.person,
            operators=self.services.settings.operators,
        )
        lang = workshop.language
        if activity.reply_to_id:
            # The setup card becomes a plain notice, so nobody submits it a second time.
            started = cards.notice_card(
                title=text("setup_title", lang),
                message=text(
                    "setup_done", lang, name=caller.name or caller.user_id, id=workshop.id
                ),
            )
            self.services.outbox.update_card(
                caller.reference, activity.reply_to_id, lambda: CardFactory.adaptive_card(started)
            )
        welcome = cards.welcome_card(lang=lang, org=workshop.org_name, mode=workshop.answer_mode)
        self._send(caller.reference, MessageFactory.attachment(CardFactory.adaptive_card(welcome)))
        if workshop.map_id is not None:
            await self._post_map(workshop.map_id, caller.reference, lang, parked=True)
        # The method parks the map and agrees the premise before the first question, so the
        # question waits for the facilitator; she is told, privately, how to open it.
        self._private(caller, text("setup_next", lang))

    async def _submit_answer(
        self, turn_context: TurnContext, data: dict[str, Any], caller: Caller
    ) -> None:
        raw_answer = data.get("answer")
        choice = data.get("choice")
        # Card inputs are text (a choice set gives its value as text); anything else is a
        # forged or broken payload, refused rather than stored as Python's str() of it.
        if not isinstance(raw_answer, str | None) or isinstance(choice, list | dict):
            raise WorkshopStateError("answer_not_text")
        answer_text = raw_answer or ""
        workshop_id = data.get("workshop")
        run_id = data.get("run")
        workshop = caller.workshop
        if workshop is None or (isinstance(workshop_id, int) and workshop.id != workshop_id):
            # A card from an ended or another workshop (or submitted from a 1:1 chat).
            try:
                workshop = await workshops_repo.get_workshop(self.db, int(workshop_id))  # type: ignore[arg-type]
            except (StorageError, TypeError, ValueError):
                raise WorkshopStateError("other_workshop") from None
            if workshop.status == "ended":
                raise WorkshopStateError("stale_question")
            if caller.scope != "personal":
                raise WorkshopStateError("other_workshop")
        private = caller.scope == "personal"
        await self._store_answer(
            turn_context,
            caller,
            workshop,
            answer_text,
            source="private" if private else "card",
            run_id=int(run_id) if isinstance(run_id, int) else None,
            card_workshop_id=workshop_id if isinstance(workshop_id, int) else None,
            value=choice if choice not in (None, "") else None,
            private=private,
        )

    async def _submit_private(
        self, turn_context: TurnContext, data: dict[str, Any], caller: Caller
    ) -> None:
        await self._send_question_privately(turn_context, caller, pending=True)

    # ------------------------------------------------------------------ answers

    def _forget_workshops(self) -> None:
        """Drop every cached workshop; reads under way are not cached either."""
        self._workshops_seen.clear()
        self._workshops_epoch += 1

    async def _answer_workshop(self, base: str) -> WorkshopRecord | None:
        """A conversation's active workshop for an answer: this process's read of the last
        second (a running or paused one), else one read shared by the answers arriving
        while it runs."""
        seen = self._workshops_seen.get(base)
        if seen is not None and time.monotonic() - seen[0] < _WORKSHOP_CACHE_SECONDS:
            return seen[1]
        return await self._read_workshop_once(base)

    async def _read_workshop_once(self, base: str) -> WorkshopRecord | None:
        """Read a conversation's active workshop for the answer cache, once for all the
        answers that arrive while the read runs (hundreds a second would each read it)."""
        pending = self._workshop_reads.get(base)
        if pending is None:
            pending = asyncio.ensure_future(workshops_repo.find_active_workshop(self.db, base))
            self._workshop_reads[base] = pending
            epoch = self._workshops_epoch

            def done(task: asyncio.Future[WorkshopRecord | None]) -> None:
                if self._workshop_reads.get(base) is task:
                    del self._workshop_reads[base]
                if task.cancelled() or task.exception() is not None:
                    return
                found = task.result()
                # Only when no other turn changed a workshop since the read began.
                if (
                    epoch == self._workshops_epoch
                    and found is not None
                    and found.status in ("running", "paused")
                ):
                    self._workshops_seen[base] = (time.monotonic(), found)

            pending.add_done_callback(done)
        return await asyncio.shield(pending)

    async def answer_fast(self, activity: Activity) -> bool:
        """See :meth:`_answer_fast`; anything unexpected there runs the full turn instead
        (storing is idempotent on the activity id), which logs it and apologises."""
        try:
            return await self._answer_fast(activity)
        except Exception:
            log.exception("the answer fast path failed; running the full turn")
            return False

    async def _answer_fast(self, activity: Activity) -> bool:
        """Store a plain group answer straight from the parsed activity, without the SDK's turn.

        ``bot.app`` calls this for every authenticated message before it runs a turn. It
        takes only what an answer turn would do nothing else with: a chat message that is no
        command and mentions nobody, or an answer card's submit for this conversation's
        workshop. It stores the answer (idempotent on the activity id, so running the full
        turn after a failure here is safe) and schedules the coalesced card update; like the
        full turn, it writes no per-user state for a group answer. Returns
        False, having changed nothing the full turn would not also do, when the activity
        needs the full turn: a command, a mention, markup, a 1:1 chat, a card of another
        workshop, a database error (the full turn retries it) … A refusal (a closed
        question, an answer over the limit) is answered here, politely, in the conversation.

        A full turn costs several milliseconds of CPU in botbuilder's pipeline and thread
        hops (``docs/operations.md``); this path is what lets one process take a large
        meeting's answers at the rate they come.
        """
        sender = activity.from_property
        conversation = activity.conversation
        if (
            activity.type != ActivityTypes.message
            or not activity.id
            or sender is None
            or not sender.id
            or conversation is None
            or not conversation.id
            or conversation.conversation_type == "personal"
        ):
            return False
        value = activity.value
        run_id: int | None = None
        card_workshop: int | None = None
        choice: Any = None
        if isinstance(value, dict):
            if value.get(cards.SUBMIT_KEY) != "answer":
                return False
            answer, choice = value.get("answer"), value.get("choice")
            card_workshop, run = value.get("workshop"), value.get("run")
            if (
                not isinstance(answer, str | None)
                or isinstance(choice, list | dict)
                or type(card_workshop) is not int
                or (run is not None and type(run) is not int)
            ):
                return False  # the full turn refuses it with the right message
            run_id = run
            answer_text, source = answer or "", "card"
            if choice == "":
                choice = None
        elif value is None:
            raw = activity.text or ""
            # Markup, entities (HTML, &nbsp;) and mentions are the full turn's to clean up.
            if (
                "<" in raw
                or "&" in raw
                or any(
                    getattr(entity, "type", None) == "mention" for entity in activity.entities or []
                )
            ):
                return False
            answer_text, source = raw.strip(), "chat"
            if not answer_text or parse_command(answer_text) is not None:
                return False
        else:
            return False
        base = flow.base_conversation_id(conversation.id)
        try:
            found = await self._answer_workshop(base)
        except _TURN_ERRORS:
            return False  # the full turn retries a lost connection, or apologises
        if found is None or found.status not in ("running", "paused"):
            return False
        workshop = found
        if card_workshop is not None and card_workshop != workshop.id:
            return False
        try:
            recorded = await flow.record(
                self.db,
                workshop,
                user_id=sender.id,
                display_name=sender.name or None,
                answer_text=answer_text,
                source=source,  # type: ignore[arg-type]
                run_id=run_id,
                card_workshop_id=card_workshop,
                value=choice,
                activity_id=activity.id,
            )
        except _TURN_ERRORS as exc:
            if _is_connection_failure(exc):
                return False  # the full turn retries it for a while, then answers 503
            # Refused (a closed question, too long …) or bad data: trying the full turn
            # would fail the same way; answer as it would.
            self._forget_workshops()
            reference = TurnContext.get_conversation_reference(activity)
            lang = workshop.language
            if _is_refusal(exc):
                log.info("refused: %s", exc)
                self._refuse(activity, self._message_of(exc, lang))
            else:
                log.error(
                    "the database refused an answer's statement (%s)",
                    type(exc.__cause__ or exc).__name__,
                )
                self._send(reference, text("error", lang))
            return True
        if recorded.created and recorded.answer.question_run_id is not None:
            try:
                await self._refresh_card(workshop, recorded.answer.question_run_id)
            except _CARD_UPDATE_ERRORS:
                # Stored; the next answer's update (or the close) brings the counter along.
                log.warning("could not schedule the card update after an answer", exc_info=True)
        return True

    async def _store_answer(
        self,
        turn_context: TurnContext,
        caller: Caller,
        workshop: WorkshopRecord,
        answer_text: str,
        *,
        source: str,
        run_id: int | None = None,
        card_workshop_id: int | None = None,
        value: Any = None,
        private: bool = False,
    ) -> None:
        # From the workshop's own chat, or by someone Teams lists there (a 1:1 chat, a card).
        await self._check_allowed(turn_context, caller, workshop, permissions.may_answer_for)
        recorded = await flow.record(
            self.db,
            workshop,
            user_id=caller.user_id,
            display_name=caller.name or None,
            answer_text=answer_text,
            source=source,  # type: ignore[arg-type]
            run_id=run_id,
            card_workshop_id=card_workshop_id,
            value=value,
            activity_id=_answer_key(turn_context.activity, private=private),
            private=private,
        )
        if (
            private
            and not recorded.created
            and not await self._answer_is_callers(workshop, caller, recorded)
        ):
            # Thanks only for an answer stored as this person's (a redelivery is theirs).
            log.error("a private answer's id matched another person's answer; not stored")
            raise WorkshopStateError("answer_not_stored")
        # An answer in an anonymous workshop leaves no per-user state: a state row keyed by
        # the user id, written at the time of the answer, would say who wrote it.
        if workshop.answer_mode == "anonymous":
            if private:  # drop the pending private answer, and the row with it
                await self.services.user_state.load(turn_context)
                await self.services.user_state.delete(turn_context)
        elif private:  # the pending private answer is given: clear it
            progress = await load_progress(self._progress, turn_context)
            if progress.last_workshop_id != workshop.id or progress.pending_private:
                await save_progress(self._progress, turn_context, UserProgress(None, workshop.id))
        if private:
            self._send(caller.reference, text("private_thanks", caller.lang))
        if recorded.created and recorded.answer.question_run_id is not None:
            # The card update reads the run when it is made (coalesced), not here.
            await self._refresh_card(workshop, recorded.answer.question_run_id)

    async def _answer_is_callers(
        self, workshop: WorkshopRecord, caller: Caller, recorded: Any
    ) -> bool:
        """Whether an answer found already stored under this activity is the caller's own."""
        person = await participants_repo.find_participant(self.db, workshop.id, caller.user_id)
        return person is not None and person.id == recorded.answer.participant_id

    async def _private_answer(
        self, turn_context: TurnContext, caller: Caller, cleaned: str
    ) -> None:
        progress = await load_progress(self._progress, turn_context)
        workshop = caller.workshop
        if workshop is None or not cleaned:
            await self._help(caller)
            return
        run_id = None
        if (
            progress.pending_private is not None
            and progress.pending_private.workshop_id == workshop.id
        ):
            run = await questions_repo.get_question_run(self.db, progress.pending_private.run_id)
            run_id = run.id if run.is_open else None
        if run_id is None:
            current = await questions_repo.current_question_run(self.db, workshop.id)
            if current is None:
                self._send(caller.reference, text("no_open_question_private", caller.lang))
                return
            run_id = current.id
        await self._store_answer(
            turn_context, caller, workshop, cleaned, source="private", run_id=run_id, private=True
        )

    # ------------------------------------------------------------------ Teams events

    async def on_teams_meeting_start_event(
        self, meeting: MeetingStartEventDetails, turn_context: TurnContext
    ) -> None:
        workshop = await self._workshop_here(turn_context)
        if workshop is not None:
            await events_repo.log_event(
                self.db,
                workshop.id,
                "meeting.started",
                data={"meeting": getattr(meeting, "id", None)},
            )

    async def on_teams_meeting_end_event(
        self, meeting: MeetingEndEventDetails, turn_context: TurnContext
    ) -> None:
        """The meeting ended: close the open question, end the workshop, summary to facilitators."""
        workshop = await self._workshop_here(turn_context)
        if workshop is None or workshop.status == "ended":
            return
        await events_repo.log_event(
            self.db, workshop.id, "meeting.ended", data={"meeting": getattr(meeting, "id", None)}
        )
        if workshop.status == "draft":
            await workshops_repo.end_workshop(self.db, workshop.id)
            return
        await self._end(
            workshop, TurnContext.get_conversation_reference(turn_context.activity), actor=None
        )

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        caller = await self._caller(turn_context)
        await self._help(caller, to_group=True)

    async def on_teams_members_added(
        self, teams_members_added: list[Any], team_info: Any, turn_context: TurnContext
    ) -> None:
        recipient = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(getattr(member, "id", None) == recipient for member in teams_members_added):
            caller = await self._caller(turn_context)
            await self._help(caller, to_group=True)


def _question_card(view: flow.QuestionView, lang: str, *, private: bool = False) -> dict[str, Any]:
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


def _answer_key(activity: Activity, *, private: bool) -> str | None:
    """The id an answer is stored under (a redelivery of it is stored once).

    Teams numbers activities per conversation, so two people's 1:1 chats can both send
    activity "1700000000123": a private answer's id is its chat's (hashed) id plus the
    activity id, hashed together (``"p:"`` and 64 hex digits). A group answer keeps the
    plain id, as the fast path stores it.
    """
    activity_id: str | None = activity.id
    if not private or activity_id is None:
        return activity_id
    chat = (activity.conversation.id if activity.conversation else None) or ""
    return "p:" + hashlib.sha256(f"{chat}\n{activity_id}".encode()).hexdigest()


def _stored_reference(reference: ConversationReference) -> dict[str, Any]:
    """A conversation reference as stored for later messages, without the person who wrote
    the activity (their id and name would outlive ``forget me``; sending needs neither)."""
    data: dict[str, Any] = reference.serialize()
    data.pop("user", None)
    return data


def _clusters_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    """``(name, main terms)`` of a stored map's clusters, whatever shape analyze wrote."""
    found = data.get("clusters") if isinstance(data, dict) else None
    out: list[tuple[str, str]] = []
    if isinstance(found, list):
        for item in found[:8]:
            if isinstance(item, dict):
                name = str(item.get("name") or item.get("label") or item.get("id") or "")
                terms = item.get("labels") or item.get("terms") or item.get("nodes") or []
                joined = (
                    ", ".join(str(t) for t in terms[:6]) if isinstance(terms, list) else str(terms)
                )
                if name:
                    out.append((name, joined or "-"))
    elif isinstance(found, dict):
        for name, terms in list(found.items())[:8]:
            joined = ", ".join(str(t) for t in terms[:6]) if isinstance(terms, list) else str(terms)
            out.append((str(name), joined))
    return out


def _media(services: BotServices, token: str, *, card: bool) -> str:
    """The public URL of a map picture (the card-sized one when it exists)."""
    url_of: Any = services.media_url
    return str(url_of(token, "card")) if card else str(url_of(token))


def _mentions(activity: Activity) -> list[tuple[str, str]]:
    """``(user id, name)`` of everyone @mentioned in the activity."""
    found = []
    for entity in activity.entities or []:
        if getattr(entity, "type", None) != "mention":
            continue
        mentioned: Any = getattr(entity, "mentioned", None)
        if mentioned is None:
            mentioned = (getattr(entity, "additional_properties", None) or {}).get("mentioned")
        if isinstance(mentioned, dict):
            user_id, name = mentioned.get("id"), mentioned.get("name")
        else:
            user_id, name = getattr(mentioned, "id", None), getattr(mentioned, "name", None)
        if user_id:
            found.append((str(user_id), str(name or "")))
    return found


def _corpus_maps(maps: Any) -> list[Any]:
    """The maps of assignment corpora, without the summaries' revisited maps."""
    return [m for m in maps if not (isinstance(m.data, dict) and m.data.get("summary_of"))]
