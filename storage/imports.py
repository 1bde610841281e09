"""A meeting held elsewhere (a Teams transcript), stored whole in ONE transaction.

``workshopbot transcript import`` used to call a repository per row — workshop, start,
each question, each answer, end — each in its own transaction, so an import killed half-way
left a half workshop behind. :func:`import_meeting` writes the series (if new), the ended
workshop, its question runs, participants, answers and events in one transaction: a killed
or failed import leaves nothing.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from storage._base import (
    answer_t,
    check_past_time,
    check_text,
    dialect_of,
    event_t,
    insert_ignoring_conflicts,
    participant_t,
    plan_version_t,
    question_run_t,
    series_t,
    utcnow,
    workshop_t,
)
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.participants import ensure_participant_sync
from storage.workshops import renumber_series

__all__ = ["ImportedAnswer", "ImportedRun", "MeetingImport", "import_meeting"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportedRun:
    """A question as it was asked in the meeting."""

    question_id: str
    text: str
    opened_at: datetime
    closed_at: datetime
    #: Stored with the run's ``transcript.question`` event (e.g. offsets, remarks).
    event_data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportedAnswer:
    """One answer: who (a stable id, never a name), what, when, to which run."""

    user_id: str
    text: str
    created_at: datetime
    activity_id: str
    run_index: int | None  # index into MeetingImport.runs; None: open discussion


@dataclass(frozen=True)
class MeetingImport:
    """Everything one import stores."""

    org_name: str
    language: str
    title: str
    started_at: datetime
    ended_at: datetime
    runs: Sequence[ImportedRun]
    answers: Sequence[ImportedAnswer]
    series_name: str | None = None
    plan_version_id: int | None = None
    answer_mode: str = "pseudonymous"
    question_event: str = "transcript.question"
    #: (kind, data) events logged after the rows, e.g. the import's own summary.
    events: Sequence[tuple[str, Mapping[str, Any]]] = ()


async def import_meeting(db: Database, meeting: MeetingImport) -> int:
    """Store a whole meeting in one transaction and return the new workshop's id.

    The workshop is stored ended, started at ``started_at``; in a series it takes its
    place by when it was held (the series is renumbered, as a started workshop would be).
    Participants get pseudonyms in order of their first answer.

    Raises:
        InvalidInput: A bad name, time or order (the message names it); nothing is stored.
        NotFound: The plan version does not exist; nothing is stored.
    """
    org = check_text(meeting.org_name, "organisation name", max_len=200).strip()
    title = check_text(meeting.title, "title", max_len=300, allow_empty=True).strip()
    started = check_past_time(meeting.started_at, "started_at")
    ended = check_past_time(meeting.ended_at, "ended_at")
    if ended < started:
        raise InvalidInput(
            f"ended_at {ended.isoformat()} is before started_at {started.isoformat()}"
        )
    now = utcnow()
    async with db.transaction() as session:
        series_id: int | None = None
        if meeting.series_name:
            name = check_text(meeting.series_name, "series name", max_len=200).strip()
            await session.execute(
                insert_ignoring_conflicts(session, series_t, ["name"]).values(
                    name=name, description="", created_at=now
                )
            )
            lock = select(series_t.c.id).where(series_t.c.name == name)
            if dialect_of(session) == "postgresql":
                lock = lock.with_for_update(key_share=True)
            series_id = int((await session.execute(lock)).scalar_one())
        if meeting.plan_version_id is not None:
            found = await session.execute(
                select(plan_version_t.c.id).where(plan_version_t.c.id == meeting.plan_version_id)
            )
            if found.first() is None:
                raise NotFound(f"there is no plan version {meeting.plan_version_id}")
        number = None
        if series_id is not None:
            latest = (
                await session.execute(
                    select(func.coalesce(func.max(workshop_t.c.number_in_series), 0)).where(
                        workshop_t.c.series_id == series_id
                    )
                )
            ).scalar_one()
            number = int(latest) + 1
        salt = secrets.token_hex(16)
        workshop_id = int(
            (
                await session.execute(
                    workshop_t.insert()
                    .values(
                        series_id=series_id,
                        number_in_series=number,
                        plan_version_id=meeting.plan_version_id,
                        title=title,
                        language=meeting.language,
                        org_name=org,
                        answer_mode=meeting.answer_mode,
                        status="ended",
                        salt=salt,
                        created_at=now,
                        started_at=started,
                        ended_at=ended,
                    )
                    .returning(workshop_t.c.id)
                )
            ).scalar_one()
        )
        if series_id is not None:
            await renumber_series(session, series_id)
        events: list[dict[str, Any]] = [
            {"kind": "workshop.created", "data": {"answer_mode": meeting.answer_mode}},
            {"kind": "workshop.started", "data": {"from": "draft", "to": "running"}},
        ]
        run_ids: list[int] = []
        for position, run in enumerate(meeting.runs, start=1):
            opened = check_past_time(run.opened_at, "opened_at")
            closed = check_past_time(run.closed_at, "closed_at")
            if closed < opened:
                raise InvalidInput(
                    f"question {run.question_id!r} closes ({closed.isoformat()}) before it "
                    f"opens ({opened.isoformat()})"
                )
            run_id = int(
                (
                    await session.execute(
                        question_run_t.insert()
                        .values(
                            workshop_id=workshop_id,
                            question_id=check_text(run.question_id, "question id", max_len=200),
                            question_text=check_text(run.text, "question text", max_len=4000),
                            position=position,
                            opened_at=opened,
                            closed_at=closed,
                            parked=False,
                        )
                        .returning(question_run_t.c.id)
                    )
                ).scalar_one()
            )
            run_ids.append(run_id)
            events.append(
                {"kind": meeting.question_event, "data": {"run_id": run_id, **run.event_data}}
            )
        workshop_row = _WorkshopRow(workshop_id, salt, meeting.answer_mode, meeting.language)
        rows: list[dict[str, Any]] = []
        first_answer: dict[int, datetime] = {}
        people: dict[str, Any] = {}
        for answer in meeting.answers:
            person = people.get(answer.user_id)
            if person is None:
                person = people[answer.user_id] = await session.run_sync(
                    ensure_participant_sync,
                    workshop_row,
                    answer.user_id,
                    None,
                    assign_pseudonym=True,
                )
            created = check_past_time(answer.created_at, "answer time")
            first_answer.setdefault(int(person.id), created)
            rows.append(
                {
                    "workshop_id": workshop_id,
                    "question_run_id": None
                    if answer.run_index is None
                    else run_ids[answer.run_index],
                    "participant_id": person.id,
                    "text": check_text(answer.text, "answer text", max_len=4000),
                    "value": None,
                    "source": "transcript",
                    "activity_id": answer.activity_id,
                    "private": False,
                    "created_at": created,
                    "offset_seconds": max(0, int((created - started).total_seconds())),
                }
            )
        if rows:
            await session.execute(answer_t.insert(), rows)
        for participant_id, at in first_answer.items():
            await session.execute(
                update(participant_t)
                .where(participant_t.c.id == participant_id)
                .values(first_answer_at=at)
            )
        events.append({"kind": "workshop.ended", "data": {"from": "running", "to": "ended"}})
        events += [{"kind": kind, "data": dict(data)} for kind, data in meeting.events]
        await session.execute(
            event_t.insert(),
            [
                {
                    "workshop_id": workshop_id,
                    "kind": e["kind"],
                    "actor_user_id": None,
                    "data": e["data"],
                    "created_at": now,
                }
                for e in events
            ],
        )
    log.info(
        "imported workshop %d: %d question runs, %d answers",
        workshop_id,
        len(run_ids),
        len(rows),
    )
    return workshop_id


@dataclass(frozen=True)
class _WorkshopRow:
    id: int
    salt: str
    answer_mode: str
    language: str
