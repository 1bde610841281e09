"""Time boxes as jobs (dialogs/time_boxes.py) on a real SQLite database: the reminder is
due when the box runs out, queued once per facilitator in the durable outbox even when the
job runs twice, and not at all when the question closed first; open questions from before
the upgrade get their job at start."""

from __future__ import annotations

from datetime import timedelta

from dialogs import workshop as flow
from dialogs.conversation import timeboxes as time_boxes
from dialogs.jobs import JobRunner, ManualClock
from dialogs.workshop import SetupChoice
from storage import jobs, outbox_store
from storage.db import Database
from storage.records import WorkshopRecord
from tests.dialogs.test_jobs_runner import SilentChannel

CONV = "19:timebox@thread.v2"
REFERENCE = {"serviceUrl": "http://connector", "conversation": {"id": CONV}}


async def start(db: Database) -> WorkshopRecord:
    return await flow.launch(
        db,
        SetupChoice(plan_key="default", series="new", series_name="S", org="HK", language="da"),
        conversation_id=CONV,
        reference=REFERENCE,
        facilitators=["29:fie", "29:finn"],
    )


def runner(db: Database, clock: ManualClock) -> JobRunner:
    return JobRunner(db, SilentChannel(), clock=clock, handlers={"time_box": time_boxes.remind_job})


async def test_the_reminder_is_queued_once_when_the_box_runs_out(db: Database) -> None:
    workshop = await start(db)
    step = await flow.advance(db, workshop, "next", actor="29:fie")
    assert step.opened is not None
    run = step.opened
    await time_boxes.schedule_time_box(db, run, 20)
    clock = ManualClock(run.opened_at)
    clock.advance(19.9)
    assert await runner(db, clock).run_due_now() == 0
    clock.advance(0.1)
    assert await runner(db, clock).run_due_now() == 1
    keys = {f"time_box:{run.id}:29:fie", f"time_box:{run.id}:29:finn"}
    for key in keys:
        message = await outbox_store.get_message(db, key)
        assert message is not None and message.kind == "send_private"
        assert "20 sek." in message.content["text"] and run.question_id in message.content["text"]
    # The job runs again (its instance died before completing it): nothing new is queued.
    await time_boxes.schedule_time_box(db, run, 20)
    assert await runner(db, clock).run_due_now() == 1
    assert (await outbox_store.counts(db)) == {"queued": 2}


async def test_no_reminder_for_a_question_closed_in_time(db: Database) -> None:
    workshop = await start(db)
    step = await flow.advance(db, workshop, "next", actor="29:fie")
    assert step.opened is not None
    await time_boxes.schedule_time_box(db, step.opened, 20)
    await flow.advance(db, workshop, "next", actor="29:fie")
    clock = ManualClock(step.opened.opened_at + timedelta(seconds=30))
    assert await runner(db, clock).run_due_now() == 1
    assert await outbox_store.counts(db) == {}


async def test_open_questions_from_before_get_their_job(db: Database) -> None:
    workshop = await start(db)
    step = await flow.advance(db, workshop, "next", actor="29:fie")
    assert step.opened is not None
    boxes = time_boxes.TimeBoxes(db)
    assert await boxes.resume(SilentChannel()) == 1
    assert await boxes.resume(SilentChannel()) == 0
    job = await jobs.get_job(db, time_boxes.job_key(step.opened.id))
    assert job is not None and job.due_at > step.opened.opened_at
