"""Time boxes: remind the facilitators privately when an open question's time is up.

Reminders are timer handles, not sleeping tasks, so a shutdown never waits for them. After
a start, :meth:`TimeBoxes.resume` sets them again for the open questions of running
workshops; a reminder is logged as an event when it goes out, so a restart never repeats it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from dialogs import workshop as flow
from dialogs.conversation.channel import Channel
from dialogs.texts import duration, text
from storage import Database
from storage import answers as answers_repo
from storage import events as events_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from storage.records import QuestionRunRecord, WorkshopRecord

__all__ = ["TIME_BOX_EVENT", "TimeBoxes"]

log = logging.getLogger(__name__)

#: Event logged when a question's time-box reminder went out (so a restart does not repeat it).
TIME_BOX_EVENT = "question.time_box_reminded"


class TimeBoxes:
    """One reminder timer per workshop (the open question's)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.timers: dict[int, asyncio.TimerHandle] = {}

    def start(
        self,
        channel: Channel,
        workshop: WorkshopRecord,
        run: QuestionRunRecord,
        seconds: int,
        *,
        after: float | None = None,
    ) -> None:
        """Remind the facilitators when the time box of ``seconds`` is up (``after``
        seconds from now; default ``seconds``); replaces the workshop's earlier timer."""
        self.cancel(workshop.id)
        self.timers[workshop.id] = asyncio.get_running_loop().call_later(
            seconds if after is None else max(0.0, after),
            lambda: channel.spawn(
                self.remind(channel, workshop.id, run.id, seconds), name=f"time box {run.id}"
            ),
        )

    def cancel(self, workshop_id: int) -> None:
        """Stop the workshop's reminder, if one is set."""
        timer = self.timers.pop(workshop_id, None)
        if timer is not None:
            timer.cancel()

    async def resume(self, channel: Channel) -> int:
        """After a start: set the reminders of the open, time-boxed questions of running
        workshops again. A reminder whose time passed while the bot was down is sent at
        once, unless it was sent before. Returns how many were set."""
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
            self.start(channel, workshop, run, view.time_box, after=left)
            resumed += 1
        if resumed:
            log.info("resumed %d time box reminder(s) after the start", resumed)
        return resumed

    async def _reminded(self, workshop_id: int, run_id: int) -> bool:
        events = await events_repo.list_events(self.db, workshop_id, kind=TIME_BOX_EVENT)
        return any(event.data.get("run") == run_id for event in events)

    async def remind(self, channel: Channel, workshop_id: int, run_id: int, seconds: int) -> None:
        """Remind the facilitators privately that the open question's time is up (nothing
        when the question closed, the workshop is not running, or it was sent before)."""
        self.timers.pop(workshop_id, None)
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
        message = text(
            "time_box",
            workshop.language,
            question=run.question_id,
            duration=duration(seconds, workshop.language),
            count=count,
        )
        for user_id in workshop.facilitators:
            channel.send_private(workshop.conversation_reference, user_id, message)
