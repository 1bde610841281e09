"""The seam between the bot's platform (app, adapter, outbox) and its conversation logic.

:func:`bot.app.create_app` builds one :class:`BotServices` when the app starts and hands it
to the bot factory (by default ``bot.handler.WorkshopBot(services)``). The conversation code
uses only what is here; it never builds adapters, HTTP clients or engines itself.

Contract (kept stable; extend only by adding fields with defaults):

- ``settings``: the frozen :class:`bot.settings.Settings` (language default, public URL…).
- ``db``: the storage package's open database (``storage`` repositories take it). Opened
  before the first turn and disposed after the last.
- ``outbox``: every OUTGOING call goes through it, so Teams' per-conversation limits
  (7 ops/s, 8 per 2 s, 60 per 30 s) hold, 429/412/502/504 and timeouts are retried with
  backoff and jitter honouring Retry-After, and a failed send never raises into a turn::

      ref = TurnContext.get_conversation_reference(turn_context.activity)
      fut = services.outbox.send(ref, MessageFactory.attachment(card))  # returns at once
      activity_id = await fut          # only in background work: resolves to the new id,
                                       # or None when the send was given up (logged)
      services.outbox.update_card(ref, activity_id, lambda: make_card(count))  # coalesced
      # card_factory may be async: it then runs when the update is made, e.g. reading the
      # current count from the database (right even with several bot processes)
      services.outbox.send_private(ref, user_aad_or_id, "Tak for dit svar")    # 1:1 chat
      await services.outbox.run(ref, callback)   # any proactive turn (TurnContext) in order

  Within one conversation, calls are performed in the order they were queued.
  ``update_card`` calls for the same activity within ``outbox.coalesce_window`` (2 s)
  collapse into one call that uses the newest ``card_factory``. An answer is stored and
  acknowledged by the turn; the outbox tells the group later.
- ``conversation_state`` / ``user_state`` / ``private_conversation_state``: botbuilder
  state objects on the SQL storage (``bot.state_storage.SqlStorage``). In a group chat
  ``conversation_state`` is shared by everyone; keep per-participant progress in
  ``private_conversation_state`` (per user per conversation) or ``user_state``.
- ``media_url(token)``: the public URL of ``/media/<token>.png`` (a stored map's full
  picture); ``media_url(token, "card")`` gives its smaller card picture
  (``?variant=card``, the full one when none was stored).
- ``spawn(coro, name=...)``: run slow work (rendering, summaries) in the background; the
  task is tracked, its exceptions are logged (never raised to a user), and it is awaited or
  cancelled at shutdown. Use ``asyncio.to_thread`` inside it for CPU-bound work.
- ``adapter``: the ``CloudAdapter`` (rarely needed: prefer ``outbox``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dialogs.jobs import Clock, SystemClock

if TYPE_CHECKING:
    from botbuilder.core import (
        BotAdapter,
        ConversationState,
        PrivateConversationState,
        UserState,
    )

    from bot.outbox import Outbox
    from bot.settings import Settings
    from storage.db import Database

__all__ = ["NOT_STORED", "BotServices", "Spawner"]

#: turn_state key a bot sets when the turn's answer could not be stored (the database is
#: away): the app then answers HTTP 503 with Retry-After, so the Bot Framework service
#: delivers the activity again (storing is idempotent on the activity id).
NOT_STORED = "workshopbot.not_stored"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotServices:
    """Shared objects the conversation code may use; built once per app by ``create_app``.

    Attributes:
        settings: the bot's settings.
        db: the storage package's open database handle.
        outbox: throttled, retrying, coalescing sender of every outgoing activity.
        conversation_state: state per conversation (shared by a group chat).
        user_state: state per user (across conversations).
        private_conversation_state: state per user per conversation.
        media_url: maps a media token to the public URL of its PNG.
        spawn: starts a background task whose errors are logged, never raised.
        adapter: the Bot Framework adapter.
        clock: the time of the job runner and the knowledge bank's dialogs (the real time,
            or the local clock of the Agents Playground: ``bot/local_clock.py``).
    """

    settings: Settings
    db: Database
    outbox: Outbox
    conversation_state: ConversationState
    user_state: UserState
    private_conversation_state: PrivateConversationState
    media_url: Callable[[str], str]
    spawn: Callable[..., asyncio.Task[Any]]
    adapter: BotAdapter
    clock: Clock = field(default_factory=SystemClock)


class Spawner:
    """Starts background tasks, logs their failures, and finishes them at shutdown.

    Call an instance like a function: ``spawner(coro, name="render map")``.
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __call__(
        self, coro: Coroutine[Any, Any, Any], *, name: str | None = None
    ) -> asyncio.Task[Any]:
        """Run ``coro`` as a background task; its exception, if any, is logged.

        Args:
            coro: the coroutine to run.
            name: a name for logs.

        Returns:
            The task (awaiting it is optional).
        """
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error(
                "background task %s failed",
                task.get_name(),
                exc_info=(type(exc), exc, exc.__traceback__),
            )

    @property
    def pending(self) -> int:
        """Number of tasks still running."""
        return len(self._tasks)

    async def close(self, *, timeout: float = 10.0) -> None:
        """Wait up to ``timeout`` seconds for running tasks, then cancel the rest."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("cancelled %d background tasks at shutdown", len(pending))
            await asyncio.gather(*pending, return_exceptions=True)
