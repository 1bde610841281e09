"""Time boxes: remind the facilitators privately when an open question's time is up.

A reminder is a durable job (:mod:`dialogs.jobs`), not a timer in the process that opened
the question: :meth:`TimeBoxes.start` schedules the job ``time_box`` (key
``time_box:<run id>``) due when the box runs out, and whichever instance is alive then runs
:func:`remind_job`. If the question is still open and the workshop running, each
facilitator's reminder is queued in the durable outbox (:mod:`dialogs.outgoing`) under the
key ``time_box:<run>:<user>``, in the transaction that completes the job: it is sent once,
even when the job runs twice (its instance died after queueing it) or when both instances
restart at the same moment.

A question closed, a workshop paused or ended before the box runs out: the job finds it so
and sends nothing (nothing to cancel). :meth:`TimeBoxes.resume` (at start) schedules the
job for open time-boxed questions that have none: workshops that were running when this
version was installed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from dialogs import outgoing
from dialogs import workshop as flow
from dialogs.conversation.channel import Channel
from dialogs.jobs import JobContext, job
from dialogs.texts import duration, text
from storage import Database
from storage import answers as answers_repo
from storage import events as events_repo
from storage import jobs as jobs_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from storage.errors import NotFound
from storage.records import QuestionRunRecord, WorkshopRecord

__all__ = [
    "TIME_BOX_EVENT",
    "TIME_BOX_JOB",
    "TimeBoxes",
    "job_key",
    "queue_reminders",
    "remind_job",
    "schedule_time_box",
]

log = logging.getLogger(__name__)

TIME_BOX_JOB = "time_box"
#: Logged when a question's reminders were queued (what operators and the summary see).
TIME_BOX_EVENT = "question.time_box_reminded"


def job_key(run_id: int) -> str:
    """The key of a question run's time-box job."""
    return f"time_box:{run_id}"


async def schedule_time_box(
    db: Database, run: QuestionRunRecord, seconds: int, *, tx: Any = None
) -> int:
    """Schedule the reminder of ``run``'s time box of ``seconds`` (counted from when the
    question opened). Returns the job's id."""
    if seconds <= 0:
        raise ValueError(f"seconds = {seconds} is invalid; a time box lasts > 0 seconds")
    return await jobs_repo.schedule(
        db,
        TIME_BOX_JOB,
        run.opened_at + timedelta(seconds=seconds),
        {"workshop": run.workshop_id, "run": run.id, "seconds": seconds},
        key=job_key(run.id),
        tx=tx,
    )


async def queue_reminders(
    db: Database, workshop_id: int, run_id: int, seconds: int, *, ctx: JobContext | None = None
) -> int:
    """Queue the facilitators' reminders of ``run_id`` in the durable outbox (nothing when
    the question closed or the workshop is not running); with ``ctx`` the job completes
    in the same transaction. Returns how many were queued now (0 when queued before)."""
    try:
        run = await questions_repo.get_question_run(db, run_id)
        workshop = await workshops_repo.get_workshop(db, workshop_id)
    except NotFound:
        return 0  # deleted (retention, "forget"): nothing to remind of
    where = workshop.conversation_reference
    if not run.is_open or workshop.status != "running" or where is None:
        return 0
    count = await answers_repo.count_answers(db, workshop_id, run_id)
    message = text(
        "time_box",
        workshop.language,
        question=run.question_id,
        duration=duration(seconds, workshop.language),
        count=count,
    )
    queued = 0
    async with db.transaction() as tx:
        for user_id in workshop.facilitators:
            if await outgoing.post_private(
                db, where, user_id, message, key=f"time_box:{run_id}:{user_id}", tx=tx
            ):
                queued += 1
        if ctx is not None:
            await ctx.complete_in(tx)
    if queued:
        await events_repo.log_event(db, workshop_id, TIME_BOX_EVENT, data={"run": run_id})
    return queued


@job(TIME_BOX_JOB)
async def remind_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    """The job: remind the facilitators that the open question's time is up."""
    await queue_reminders(
        ctx.db, int(payload["workshop"]), int(payload["run"]), int(payload["seconds"]), ctx=ctx
    )


class TimeBoxes:
    """The conversation's handle on time boxes (the jobs do the waiting)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def start(
        self, channel: Channel, workshop: WorkshopRecord, run: QuestionRunRecord, seconds: int
    ) -> None:
        """Schedule the reminder of ``run``'s time box of ``seconds``."""
        await schedule_time_box(self.db, run, seconds)

    def cancel(self, workshop_id: int) -> None:
        """Nothing to do: a due job finds the question closed or the workshop ended."""

    async def resume(self, channel: Channel) -> int:
        """After a start: schedule the reminders of open time-boxed questions that have no
        job (opened before this version). Returns how many were scheduled."""
        scheduled = 0
        for listing in await workshops_repo.list_workshops(self.db, status="running"):
            workshop = listing.workshop
            run = await questions_repo.current_question_run(self.db, workshop.id)
            if run is None or await jobs_repo.get_job(self.db, job_key(run.id)) is not None:
                continue
            if await self._reminded(workshop.id, run.id):
                continue
            view = await flow.question_view(self.db, workshop, run)
            if view.time_box:
                await schedule_time_box(self.db, run, view.time_box)
                scheduled += 1
        if scheduled:
            log.info("scheduled %d time box reminder(s) of questions opened before", scheduled)
        return scheduled

    async def _reminded(self, workshop_id: int, run_id: int) -> bool:
        events = await events_repo.list_events(self.db, workshop_id, kind=TIME_BOX_EVENT)
        return any(event.data.get("run") == run_id for event in events)

    async def remind(self, channel: Channel, workshop_id: int, run_id: int, seconds: int) -> None:
        """Queue the reminders now (what the job does when it is due)."""
        await queue_reminders(self.db, workshop_id, run_id, seconds)
