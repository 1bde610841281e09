"""Time boxes as durable jobs: a question's reminder is a row, not a timer in one process.

When a time-boxed question opens, :func:`schedule_time_box` schedules the job
``time_box`` (key ``time_box:<run id>``) due when the box runs out, best in the transaction
that opened the question. Whichever instance is alive then runs :func:`remind`: if the
question is still open and the workshop running, each facilitator gets the reminder
privately through the durable outbox under the key ``time_box:<run>:<user>``, so the
reminder is sent once even when the job runs twice (its instance died after queueing it)
or both instances restart at the same moment.

:func:`ensure_time_boxes` (at start) schedules the job for open time-boxed questions that
have none: workshops that were running when this version was installed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from dialogs import outgoing
from dialogs import workshop as flow
from dialogs.jobs import JobContext, job
from dialogs.texts import duration, text
from storage import answers as answers_repo
from storage import events as events_repo
from storage import jobs as jobs_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from storage.db import Database
from storage.errors import NotFound
from storage.records import QuestionRunRecord

__all__ = ["TIME_BOX_EVENT", "TIME_BOX_JOB", "ensure_time_boxes", "remind", "schedule_time_box"]

log = logging.getLogger(__name__)

TIME_BOX_JOB = "time_box"
#: Logged when a reminder was queued (what the summary and the operators see).
TIME_BOX_EVENT = "question.time_box_reminded"


def job_key(run_id: int) -> str:
    return f"time_box:{run_id}"


async def schedule_time_box(
    db: Database, run: QuestionRunRecord, seconds: int, *, tx: Any = None
) -> int:
    """Schedule the reminder of ``run``'s time box of ``seconds`` (from when it opened).

    Returns:
        The job's id.
    """
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


@job(TIME_BOX_JOB)
async def remind(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Remind the facilitators privately that the open question's time is up."""
    run_id, workshop_id, seconds = (
        int(payload["run"]),
        int(payload["workshop"]),
        int(payload["seconds"]),
    )
    try:
        run = await questions_repo.get_question_run(ctx.db, run_id)
        workshop = await workshops_repo.get_workshop(ctx.db, workshop_id)
    except NotFound:
        return  # deleted (retention, "forget"): nothing to remind of
    if not run.is_open or workshop.status != "running":
        return
    where = workshop.conversation_reference
    if where is None:
        return
    count = await answers_repo.count_answers(ctx.db, workshop_id, run_id)
    message = text(
        "time_box",
        workshop.language,
        question=run.question_id,
        duration=duration(seconds, workshop.language),
        count=count,
    )
    queued = 0
    async with ctx.db.transaction() as tx:
        for user_id in workshop.facilitators:
            if await outgoing.post_private(
                ctx.db, where, user_id, message, key=f"time_box:{run_id}:{user_id}", tx=tx
            ):
                queued += 1
        await ctx.complete_in(tx)
    if queued:
        await events_repo.log_event(ctx.db, workshop_id, TIME_BOX_EVENT, data={"run": run_id})


async def ensure_time_boxes(db: Database) -> int:
    """Schedule the reminders of open time-boxed questions that have no job (workshops
    that ran when this version was installed). Returns how many were scheduled."""
    scheduled = 0
    for listing in await workshops_repo.list_workshops(db, status="running"):
        workshop = listing.workshop
        run = await questions_repo.current_question_run(db, workshop.id)
        if run is None or await jobs_repo.get_job(db, job_key(run.id)) is not None:
            continue
        view = await flow.question_view(db, workshop, run)
        if view.time_box:
            await schedule_time_box(db, run, view.time_box)
            scheduled += 1
    if scheduled:
        log.info("scheduled %d time box reminder(s) of questions opened before", scheduled)
    return scheduled
