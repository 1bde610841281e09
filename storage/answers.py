"""Answers: recording (idempotent per Teams activity), edits, withdrawals, counts.

Why one module of ~900 lines: there is one answer write path, the group commit of
:func:`record_answer` (a batch of concurrent answers in one transaction; a lone answer is a
batch of one), and its checks (workshop running, question open, redelivery), participant
creation and inserts are one transaction's SQL that must be read together.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final, get_args

from sqlalchemy import (
    Integer,
    Row,
    String,
    and_,
    bindparam,
    func,
    literal_column,
    null,
    or_,
    select,
    tuple_,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage._base import (
    ANSWER_COLUMNS,
    answer_from_row,
    answer_select,
    answer_t,
    as_utc,
    check_id,
    check_text,
    participant_t,
    pseudonym_label,
    question_run_t,
    utcnow,
    without_nul,
    workshop_t,
)
from storage._batching import BatchWriter
from storage.db import Database
from storage.errors import (
    AnswerTooLong,
    DatabaseRefused,
    InvalidInput,
    NotFound,
    QuestionClosed,
    StorageError,
    WorkshopEnded,
    WorkshopPaused,
)
from storage.participants import (
    activity_hash,
    ensure_participant_sync,
    ensure_participants_sync,
    user_hash,
)
from storage.records import AnswerRecord, AnswerSource, RecordedAnswer

__all__ = [
    "MAX_ANSWER_CHARS",
    "answer_for_activity",
    "answers_for_workshop",
    "count_answers",
    "edit_answer",
    "get_answer",
    "record_answer",
    "withdraw_answer",
]

log = logging.getLogger(__name__)

#: The longest answer accepted, in characters.
MAX_ANSWER_CHARS: Final = 4000


def _check_answer_text(text: object, *, allow_empty: bool) -> str:
    if not isinstance(text, str):
        raise InvalidInput(f"an answer must be text, not {type(text).__name__}")
    text = text.replace("\x00", "")  # PostgreSQL cannot store it; see without_nul
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerTooLong(
            f"the answer is {len(text):,} characters; the limit is {MAX_ANSWER_CHARS:,} — "
            "shorten it or split it into two answers"
        )
    if not allow_empty and not text.strip():
        raise InvalidInput("the answer is empty; write something or leave it out")
    return text


async def record_answer(
    db: Database,
    *,
    workshop_id: int,
    user_id: str,
    text: str,
    source: AnswerSource,
    display_name: str | None = None,
    activity_id: str | None = None,
    question_run_id: int | None = None,
    private: bool = False,
    value: Any = None,
    created_at: datetime | None = None,
    open_only: bool = False,
    current_run: bool = False,
) -> RecordedAnswer:
    """Store one answer; a redelivered Teams activity is stored once.

    The participant is created on their first answer and gets the next pseudonym. The
    answer's offset is counted from the workshop's start (0 before it started).

    Concurrent calls are group-committed (:mod:`storage._batching`): they share one
    transaction, yet each call gets its own outcome, and a call that raises stored nothing.

    Args:
        db: The database.
        workshop_id: The workshop.
        user_id: The Teams user id of the person answering.
        text: The answer (at most :data:`MAX_ANSWER_CHARS` characters; may be empty only
            when ``value`` is given).
        source: ``"card"``, ``"chat"``, ``"private"`` (1:1 chat) or ``"transcript"``.
        display_name: The Teams display name (not stored in anonymous mode).
        activity_id: The Teams activity id; the same id in the same workshop is stored once.
            An anonymous workshop stores only a salted hash of it (the answer's
            ``activity_id`` is then that hash), so the message cannot be traced to its author.
        question_run_id: The question it answers; None for open discussion.
        private: Only the facilitator and the summary may see it (not shown to the group).
        value: A structured value (scale point, choice) as JSON-serialisable data.
        created_at: Server time of the answer (default: now). Used for transcript imports.
        open_only: Refuse the answer when ``question_run_id`` is closed or the workshop has
            ended or is paused, checked in the transaction that stores it (so the caller need not read
            the run or the workshop first).
        current_run: Store the answer against the workshop's open question run as it is
            *when the answer is stored* (the most recently opened run that is not closed,
            as :func:`storage.questions.current_question_run` defines it), or as open
            discussion (``question_run_id`` None) when no run is open. The run is looked
            up in the transaction that stores the answer (one lookup for a whole batch),
            so the caller need not read it first, and an answer sent as the facilitator
            moves on goes to the question open at that moment. Only with
            ``question_run_id=None``. The returned answer carries the resolved run.

    Returns:
        The stored answer and ``created`` (False when the activity id was stored before; the
        first stored answer is returned unchanged).

    Raises:
        AnswerTooLong: The text is over the limit (nothing is stored).
        InvalidInput: Empty text, unknown source, a question run of another workshop, or
            ``current_run`` together with a ``question_run_id``.
        NotFound: No such workshop or question run.
        QuestionClosed: ``open_only`` and the question run is closed, or the workshop has
            ended (:class:`WorkshopEnded`) or is paused (:class:`WorkshopPaused`); nothing
            is stored.
    """
    check_id(workshop_id, "workshop id")
    text = _check_answer_text(text, allow_empty=value is not None)
    if source not in get_args(AnswerSource):
        raise InvalidInput(
            f"answer source {source!r} is not valid; use one of: {', '.join(get_args(AnswerSource))}"
        )
    user_id = check_text(user_id, "user id", max_len=300).strip()
    if activity_id is not None:
        activity_id = check_text(activity_id, "activity id", max_len=300)
    if question_run_id is not None:
        check_id(question_run_id, "question run id")
        if current_run:
            raise InvalidInput(
                "current_run=True stores the answer against the open question run; "
                f"do not also name question run {question_run_id} (give one or the other)"
            )
    if value is not None:
        value = without_nul(value)
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise InvalidInput(
                f"the answer's value {value!r} is not JSON data; give text, numbers, lists or dicts"
            ) from None
    request = _AnswerRequest(
        workshop_id=workshop_id,
        user_id=user_id,
        text=text,
        source=source,
        display_name=without_nul(display_name),
        activity_id=activity_id,
        question_run_id=question_run_id,
        private=bool(private),
        value=value,
        created_at=as_utc(created_at) if created_at is not None else utcnow(),
        open_only=bool(open_only),
        current_run=bool(current_run),
    )
    writer = db.services.get(_WRITER_KEY)
    if writer is None:
        writer = BatchWriter(
            lambda batch: _record_batch(db, batch),
            lambda one: _record_one(db, one),
            max_batch=MAX_BATCH,
            # PostgreSQL: prepare one batch while the server works on the other. SQLite
            # writes one transaction at a time anyway.
            workers=2 if db.dialect == "postgresql" else 1,
        )
        db.services[_WRITER_KEY] = writer
    result: RecordedAnswer = await writer.submit(request)
    return result


@dataclass(frozen=True, slots=True)
class _AnswerRequest:
    workshop_id: int
    user_id: str
    text: str
    source: AnswerSource
    display_name: str | None
    activity_id: str | None
    question_run_id: int | None
    private: bool
    value: Any
    created_at: datetime
    open_only: bool = False
    #: Resolve ``question_run_id`` to the workshop's open run in the storing transaction.
    current_run: bool = False


_WRITER_KEY = "answers.writer"
#: The most answers written in one transaction.
MAX_BATCH = 200

_RUN_COLUMNS = (
    question_run_t.c.id,
    question_run_t.c.workshop_id,
    question_run_t.c.question_id,
    question_run_t.c.closed_at,
)

_WORKSHOP_COLUMNS = (
    workshop_t.c.id,
    workshop_t.c.salt,
    workshop_t.c.answer_mode,
    workshop_t.c.language,
    workshop_t.c.started_at,
    workshop_t.c.status,
)


def _stored_activity_id(workshop: Any, activity_id: str | None) -> str | None:
    """The activity id as the workshop stores it: hashed in anonymous mode (see
    :func:`storage.participants.activity_hash`), else as Teams sent it."""
    if activity_id is None or workshop.answer_mode != "anonymous":
        return activity_id
    return activity_hash(workshop.salt, activity_id)


def _offset(started: datetime | None, now: datetime) -> int:
    return 0 if started is None else max(0, int((now - as_utc(started)).total_seconds()))


def _new_record(
    request: _AnswerRequest,
    answer_id: int,
    person: Any,
    language: str,
    question_id: str | None,
    offset: int,
) -> AnswerRecord:
    return AnswerRecord(
        id=answer_id,
        workshop_id=request.workshop_id,
        question_run_id=request.question_run_id,
        question_id=question_id,
        participant_id=person.id,
        pseudonym=pseudonym_label(person.pseudonym_number, language),
        display_name=person.display_name,
        text=request.text,
        value=request.value,
        source=request.source,
        activity_id=request.activity_id,
        private=request.private,
        created_at=request.created_at,
        offset_seconds=offset,
        edited_at=None,
        withdrawn_at=None,
    )


def _values(request: _AnswerRequest, participant_id: int, offset: int) -> dict[str, Any]:
    return {
        "workshop_id": request.workshop_id,
        "question_run_id": request.question_run_id,
        "participant_id": participant_id,
        "text": request.text,
        "value": request.value,
        "source": request.source,
        "activity_id": request.activity_id,
        "private": request.private,
        "created_at": request.created_at,
        "offset_seconds": offset,
    }


def _not_running(workshop_id: int, status: str) -> QuestionClosed | None:
    """The refusal of an answer to a workshop in ``status``, or None when it takes answers
    (decided in the transaction that stores the answer: another instance may have just
    paused or ended it)."""
    if status == "ended":
        return WorkshopEnded(f"workshop {workshop_id} has ended; it takes no more answers")
    if status == "paused":
        return WorkshopPaused(
            f"workshop {workshop_id} is paused; answers are taken again when it resumes"
        )
    return None


def _closed(run_id: int) -> QuestionClosed:
    return QuestionClosed(f"question run {run_id} is closed; answer the open question instead")


def _resolved(
    request: _AnswerRequest, workshops: dict[int, Any], current: dict[int, Any]
) -> _AnswerRequest:
    """The request as the batch stores it: its ``current_run`` resolved to the run in
    ``current`` (open discussion when none is open), its activity id as the workshop
    stores it."""
    workshop = workshops.get(request.workshop_id)
    if workshop is None:
        return request
    if request.current_run:
        run = current.get(request.workshop_id)
        request = replace(request, question_run_id=None if run is None else run.id)
    if request.activity_id is not None:
        request = replace(request, activity_id=_stored_activity_id(workshop, request.activity_id))
    return request


def _typed_null(column: Any, name: str) -> Any:
    return type_coerce(null(), column.type).label(name)


#: Workshops and question runs in one result (kind "w" or "r"): a workshop row has the
#: workshop's columns, a run row the run's; the other kind's columns are NULL.
_WORKSHOP_RUN_LABELS = (
    ("id", workshop_t.c.id, question_run_t.c.id),
    ("salt", workshop_t.c.salt, None),
    ("answer_mode", workshop_t.c.answer_mode, None),
    ("language", workshop_t.c.language, None),
    ("started_at", workshop_t.c.started_at, None),
    ("status", workshop_t.c.status, None),
    ("workshop_id", None, question_run_t.c.workshop_id),
    ("question_id", None, question_run_t.c.question_id),
    ("closed_at", None, question_run_t.c.closed_at),
    ("opened_at", None, question_run_t.c.opened_at),
)


def _workshops_and_runs_stmt() -> Any:
    def columns(kind: str, which: int) -> list[Any]:
        out: list[Any] = [literal_column(f"'{kind}'", String).label("kind")]
        for name, *sources in _WORKSHOP_RUN_LABELS:
            own = sources[which]
            other = sources[1 - which]
            out.append(own.label(name) if own is not None else _typed_null(other, name))
        return out

    workshops = select(*columns("w", 0)).where(
        workshop_t.c.id.in_(bindparam("workshop_ids", expanding=True))
    )
    runs = select(*columns("r", 1)).where(
        or_(
            question_run_t.c.id.in_(bindparam("run_ids", expanding=True)),
            and_(
                question_run_t.c.workshop_id.in_(bindparam("current_ids", expanding=True)),
                question_run_t.c.closed_at.is_(None),
            ),
        )
    )
    both = union_all(workshops, runs)
    c = both.selected_columns
    # The open runs of a workshop newest first, as storage.questions.current_question_run.
    return both.order_by(c.kind, c.workshop_id, c.opened_at.desc(), c.id.desc())


_WORKSHOPS_AND_RUNS = _workshops_and_runs_stmt()


def _workshops_and_runs(
    conn: Connection, workshop_ids: set[int], run_ids: set[int], current_ids: set[int]
) -> tuple[dict[int, Any], dict[int, Any], dict[int, Any]]:
    """The batch's workshops, its named question runs and the current (open) run of each
    workshop in ``current_ids``, in one statement.

    Returns:
        ``(workshops, runs, current)``: workshops by id; runs by id (the named ones and the
        current ones); the current run by workshop id (workshops without an open run are
        missing).
    """
    workshops: dict[int, Any] = {}
    runs: dict[int, Any] = {}
    current: dict[int, Any] = {}
    params = {
        "workshop_ids": sorted(workshop_ids),
        "run_ids": sorted(run_ids),
        "current_ids": sorted(current_ids),
    }
    for row in conn.execute(_WORKSHOPS_AND_RUNS, params):
        if row.kind == "w":
            workshops[row.id] = row
            continue
        if row.id in run_ids:
            runs[row.id] = row
        if (
            row.workshop_id in current_ids
            and row.closed_at is None
            and row.workshop_id not in current
        ):
            # The first open run per workshop is its current run.
            current[row.workshop_id] = row
            runs[row.id] = row
    # Only workshops that exist have a current run (as when looked up after the workshops).
    current = {wid: run for wid, run in current.items() if wid in workshops}
    return workshops, runs, current


_PERSON_LABELS = tuple(f"p_{column.name}" for column in participant_t.c)


@dataclass(frozen=True, slots=True)
class _Person:
    """A participant row (the columns the batch uses)."""

    id: int
    workshop_id: int
    user_hash: str
    display_name: str | None
    pseudonym_number: int | None
    first_answer_at: datetime | None


def _stored_and_people_stmt(dialect: str) -> Any:
    answer_columns = [
        literal_column("'a'", String).label("kind"),
        *ANSWER_COLUMNS,
        *(
            _typed_null(column, label)
            for column, label in zip(participant_t.c, _PERSON_LABELS, strict=True)
        ),
    ]
    stored = answer_select().with_only_columns(*answer_columns)
    if dialect == "postgresql":
        # One probe of the unique index on (workshop_id, activity_id) per pair. Given IN
        # lists (or IN pairs) PostgreSQL factors out the workshop and may scan all of its
        # answers through another index (it did, ~5 ms a batch at 5,000 answers, on a
        # table without statistics yet).
        pairs = (
            func.unnest(
                bindparam("pair_workshops", type_=postgresql.ARRAY(Integer)),
                bindparam("pair_activities", type_=postgresql.ARRAY(String)),
            )
            .table_valued("workshop_id", "activity_id")
            .render_derived(name="pairs")
        )
        stored = stored.join_from(
            answer_t,
            pairs,
            and_(
                answer_t.c.workshop_id == pairs.c.workshop_id,
                answer_t.c.activity_id == pairs.c.activity_id,
            ),
        )
    else:
        stored = stored.where(
            tuple_(answer_t.c.workshop_id, answer_t.c.activity_id).in_(
                bindparam("activities", expanding=True)
            )
        )
    people = select(
        literal_column("'p'", String).label("kind"),
        *(_typed_null(column, column.key) for column in ANSWER_COLUMNS),
        *(
            column.label(label)
            for column, label in zip(participant_t.c, _PERSON_LABELS, strict=True)
        ),
    ).where(
        participant_t.c.workshop_id.in_(bindparam("workshop_ids", expanding=True)),
        participant_t.c.user_hash.in_(bindparam("hashes", expanding=True)),
    )
    return union_all(stored, people)


_STORED_AND_PEOPLE = {d: _stored_and_people_stmt(d) for d in ("sqlite", "postgresql")}


def _stored_and_people(
    conn: Connection,
    workshop_ids: set[int],
    activities: set[tuple[int, str]],
    hashes: set[str],
) -> tuple[dict[tuple[int, str], AnswerRecord], dict[tuple[int, str], Any]]:
    """The answers stored before for these ``(workshop_id, activity_id)`` pairs (activity
    ids in stored form) and the participants with these user hashes, in one statement.

    Returns:
        ``(stored, people)``: answers by ``(workshop_id, activity_id)``; participant rows by
        ``(workshop_id, user_hash)``.
    """
    stored: dict[tuple[int, str], AnswerRecord] = {}
    people: dict[tuple[int, str], Any] = {}
    if not activities and not hashes:
        return stored, people
    pairs = sorted(activities)
    params: dict[str, Any] = {"workshop_ids": sorted(workshop_ids), "hashes": sorted(hashes)}
    if conn.dialect.name == "postgresql":
        params["pair_workshops"] = [workshop_id for workshop_id, _ in pairs]
        params["pair_activities"] = [activity_id for _, activity_id in pairs]
    else:
        params["activities"] = pairs
    for row in conn.execute(_STORED_AND_PEOPLE[conn.dialect.name], params):
        if row.kind == "a":
            record = answer_from_row(row)
            assert record.activity_id is not None
            stored[(record.workshop_id, record.activity_id)] = record
            continue
        m = row._mapping
        person = _Person(
            id=m["p_id"],
            workshop_id=m["p_workshop_id"],
            user_hash=m["p_user_hash"],
            display_name=m["p_display_name"],
            pseudonym_number=m["p_pseudonym_number"],
            first_answer_at=m["p_first_answer_at"],
        )
        people[(person.workshop_id, person.user_hash)] = person
    return stored, people


async def _record_batch(
    db: Database, batch: Sequence[_AnswerRequest]
) -> list[RecordedAnswer | StorageError]:
    """Record many answers in one transaction (see :mod:`storage._batching`).

    Per-request refusals (unknown workshop, foreign question run) are returned, not raised;
    anything raised fails the whole batch and the writer retries each request alone.
    """
    result: list[RecordedAnswer | StorageError] = await db.run_write(_record_batch_sync, batch)
    return result


def _record_batch_sync(
    conn: Connection, batch: Sequence[_AnswerRequest]
) -> list[RecordedAnswer | StorageError]:
    outcomes: list[RecordedAnswer | StorageError | None] = [None] * len(batch)
    workshop_ids = {r.workshop_id for r in batch}
    run_ids = {r.question_run_id for r in batch if r.question_run_id is not None}
    current_ids = {r.workshop_id for r in batch if r.current_run}
    workshops, runs, current = _workshops_and_runs(conn, workshop_ids, run_ids, current_ids)
    # Anonymous workshops store (and so look up) a hash of the activity id, never the id.
    batch = [_resolved(request, workshops, current) for request in batch]
    pending: list[int] = []
    for index, request in enumerate(batch):
        if request.workshop_id not in workshops:
            outcomes[index] = NotFound(
                f"there is no workshop {request.workshop_id}; list them with: workshopbot workshops"
            )
            continue
        refusal = _not_running(request.workshop_id, workshops[request.workshop_id].status)
        if request.open_only and refusal is not None:
            outcomes[index] = refusal
            continue
        if request.question_run_id is not None:
            run = runs.get(request.question_run_id)
            if run is None:
                outcomes[index] = NotFound(f"there is no question run {request.question_run_id}")
                continue
            if run.workshop_id != request.workshop_id:
                outcomes[index] = InvalidInput(
                    f"question run {request.question_run_id} belongs to workshop {run.workshop_id}, "
                    f"not to workshop {request.workshop_id}"
                )
                continue
            if request.open_only and run.closed_at is not None:
                outcomes[index] = _closed(request.question_run_id)
                continue
        pending.append(index)

    # Redeliveries (activities stored before) and the participants, in one lookup.
    activities = {
        (batch[i].workshop_id, a) for i in pending if (a := batch[i].activity_id) is not None
    }
    hashes = {
        index: user_hash(workshops[batch[index].workshop_id].salt, batch[index].user_id)
        for index in pending
    }
    stored, people = _stored_and_people(conn, workshop_ids, activities, set(hashes.values()))
    first_in_batch: dict[tuple[int, str], int] = {}
    repeats: list[tuple[int, int]] = []
    to_insert: list[int] = []
    for index in pending:
        request = batch[index]
        if request.activity_id is not None:
            key = (request.workshop_id, request.activity_id)
            if key in stored:
                outcomes[index] = RecordedAnswer(stored[key], created=False)
                continue
            if key in first_in_batch:
                repeats.append((index, first_in_batch[key]))
                continue
            first_in_batch[key] = index
        to_insert.append(index)

    # Participants: the first answerers of each workshop are created and numbered
    # together, in the order of their first answer in the batch.
    newcomers: dict[int, dict[str, tuple[str, str | None]]] = {}
    first_sight: set[int] = set()
    for index in to_insert:
        request = batch[index]
        key = (request.workshop_id, hashes[index])
        person = people.get(key)
        if person is None or person.pseudonym_number is None:
            waiting = newcomers.setdefault(request.workshop_id, {})
            if key[1] not in waiting:
                waiting[key[1]] = (request.user_id, request.display_name)
                first_sight.add(index)
    for workshop_id, waiting in newcomers.items():
        created = ensure_participants_sync(conn, workshops[workshop_id], list(waiting.values()))
        for hashed, row in created.items():
            people[(workshop_id, hashed)] = row
    # Renames, in batch order (a newcomer's later answer under another name renames them).
    for index in to_insert:
        if index in first_sight:
            continue
        request = batch[index]
        workshop = workshops[request.workshop_id]
        key = (request.workshop_id, hashes[index])
        person = people[key]
        if (
            request.display_name
            and workshop.answer_mode != "anonymous"
            and person.display_name != request.display_name
        ):
            people[key] = ensure_participant_sync(
                conn, workshop, request.user_id, request.display_name, assign_pseudonym=True
            )

    if to_insert:
        rows_in = []
        for index in to_insert:
            request = batch[index]
            person = people[(request.workshop_id, hashes[index])]
            offset = _offset(workshops[request.workshop_id].started_at, request.created_at)
            rows_in.append(_values(request, person.id, offset))
        new_ids = _insert_answers(conn, rows_in)
        first_answer: dict[int, datetime] = {}
        for index, answer_id, values in zip(to_insert, new_ids, rows_in, strict=True):
            request = batch[index]
            workshop = workshops[request.workshop_id]
            person = people[(request.workshop_id, hashes[index])]
            question_id = (
                None
                if request.question_run_id is None
                else runs[request.question_run_id].question_id
            )
            outcomes[index] = RecordedAnswer(
                _new_record(
                    request,
                    answer_id,
                    person,
                    workshop.language,
                    question_id,
                    values["offset_seconds"],
                ),
                created=True,
            )
            if person.first_answer_at is None:
                first_answer.setdefault(person.id, request.created_at)
        if first_answer:
            conn.execute(
                update(participant_t)
                .where(
                    participant_t.c.id == bindparam("participant_id"),
                    participant_t.c.first_answer_at.is_(None),
                )
                .values(first_answer_at=bindparam("at")),
                [{"participant_id": pid, "at": at} for pid, at in first_answer.items()],
            )
    for index, first in repeats:
        done = outcomes[first]
        assert isinstance(done, RecordedAnswer)
        outcomes[index] = RecordedAnswer(done.answer, created=False)
    assert all(outcome is not None for outcome in outcomes)
    return [outcome for outcome in outcomes if outcome is not None]


def _insert_answers(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert answer rows; returns their ids in the order of ``rows``."""
    if conn.dialect.name == "sqlite":
        # executemany of one cached INSERT (a multi-row VALUES statement is compiled anew
        # for every batch, and RETURNING would make SQLAlchemy go row by row). Under the
        # write lock SQLite gives each new row max(rowid) + 1, so the ids are consecutive
        # in the order of ``rows``; the check below would catch anything else.
        before = conn.execute(select(func.coalesce(func.max(answer_t.c.id), 0))).scalar_one()
        conn.execute(answer_t.insert(), rows)
        after = conn.execute(select(func.max(answer_t.c.id))).scalar_one()
        if after != before + len(rows):  # pragma: no cover - SQLite's documented behaviour
            raise OperationalError("answer ids", {}, Exception("ids are not consecutive"))
        return list(range(before + 1, after + 1))
    result = conn.execute(
        answer_t.insert().returning(answer_t.c.id, sort_by_parameter_order=True), rows
    )
    return [row.id for row in result]


async def _record_one(db: Database, request: _AnswerRequest) -> RecordedAnswer:
    """Record one answer alone (the batch writer's fallback after a batch lost a race).

    The same write as a batch of one: there is one answer write path. When it loses the
    race again (another process stored the same activity in between), it is tried once
    more, and then finds that answer as a redelivery.
    """
    for attempt in (1, 2):
        try:
            (outcome,) = await _record_batch(db, [request])
        except DatabaseRefused as exc:
            if attempt == 2 or not exc.lost_race:
                raise
            continue
        if isinstance(outcome, StorageError):
            raise outcome
        return outcome
    raise AssertionError("unreachable")  # pragma: no cover


async def _by_activity(
    session: AsyncConnection, workshop_id: int, activity_id: str
) -> AnswerRecord | None:
    row = (
        await session.execute(
            answer_select().where(
                answer_t.c.workshop_id == workshop_id, answer_t.c.activity_id == activity_id
            )
        )
    ).first()
    return None if row is None else answer_from_row(row)


async def _load(session: AsyncConnection, answer_id: int) -> Row[Any]:
    check_id(answer_id, "answer id")
    row = (await session.execute(answer_select().where(answer_t.c.id == answer_id))).first()
    if row is None:
        raise NotFound(f"there is no answer {answer_id}")
    return row


async def _check_author(session: AsyncConnection, row: Row[Any], user_id: str | None) -> None:
    if user_id is None:
        return
    from storage.participants import user_hash

    salt = (
        await session.execute(select(workshop_t.c.salt).where(workshop_t.c.id == row.workshop_id))
    ).scalar_one()
    owner = (
        await session.execute(
            select(participant_t.c.user_hash).where(participant_t.c.id == row.participant_id)
        )
    ).scalar_one()
    if owner != user_hash(salt, user_id):
        raise InvalidInput(
            f"answer {row.id} was written by someone else; only its author can change it"
        )


async def get_answer(db: Database, answer_id: int) -> AnswerRecord:
    """One answer.

    Raises:
        NotFound: No such answer.
    """
    async with db.transaction(write=False) as session:
        return answer_from_row(await _load(session, answer_id))


async def answer_for_activity(
    db: Database, workshop_id: int, activity_id: str
) -> AnswerRecord | None:
    """The answer stored for a Teams activity (to apply a message edit or delete), or None.

    Give the activity id as Teams sent it; in an anonymous workshop it is hashed here the
    way :func:`record_answer` stored it.
    """
    check_id(workshop_id, "workshop id")
    activity_id = check_text(activity_id, "activity id", max_len=300)
    async with db.transaction(write=False) as session:
        workshop = (
            await session.execute(
                select(workshop_t.c.salt, workshop_t.c.answer_mode).where(
                    workshop_t.c.id == workshop_id
                )
            )
        ).first()
        if workshop is None:
            return None
        stored = _stored_activity_id(workshop, activity_id)
        assert stored is not None
        return await _by_activity(session, workshop_id, stored)


async def edit_answer(
    db: Database, answer_id: int, text: str, *, user_id: str | None = None
) -> AnswerRecord:
    """Replace an answer's text (the time of the edit is kept in ``edited_at``).

    Args:
        user_id: If given, only the answer's author may edit it.

    Raises:
        AnswerTooLong: The new text is over the limit (the old text stays).
        InvalidInput: Empty text, a withdrawn answer, or someone else's answer.
        NotFound: No such answer.
    """
    text = _check_answer_text(text, allow_empty=False)
    async with db.transaction() as session:
        row = await _load(session, answer_id)
        await _check_author(session, row, user_id)
        if row.withdrawn_at is not None:
            raise InvalidInput(f"answer {answer_id} was withdrawn; write a new answer instead")
        await session.execute(
            update(answer_t).where(answer_t.c.id == answer_id).values(text=text, edited_at=utcnow())
        )
        return answer_from_row(await _load(session, answer_id))


async def withdraw_answer(
    db: Database, answer_id: int, *, user_id: str | None = None
) -> AnswerRecord:
    """Withdraw an answer: it stays in the record as withdrawn, with its text removed.

    Withdrawing twice changes nothing.

    Args:
        user_id: If given, only the answer's author may withdraw it.

    Raises:
        InvalidInput: Someone else's answer.
        NotFound: No such answer.
    """
    async with db.transaction() as session:
        row = await _load(session, answer_id)
        await _check_author(session, row, user_id)
        if row.withdrawn_at is None:
            await session.execute(
                update(answer_t)
                .where(answer_t.c.id == answer_id)
                .values(text="", value=None, withdrawn_at=utcnow())
            )
        return answer_from_row(await _load(session, answer_id))


async def count_answers(
    db: Database,
    workshop_id: int,
    question_run_id: int | None = None,
    *,
    include_withdrawn: bool = False,
) -> int:
    """How many answers a workshop (or one of its question runs) has.

    Args:
        question_run_id: Count only this question run's answers (None: the whole workshop).
        include_withdrawn: Count withdrawn answers too.
    """
    check_id(workshop_id, "workshop id")
    conditions = [answer_t.c.workshop_id == workshop_id]
    if question_run_id is not None:
        conditions.append(
            answer_t.c.question_run_id == check_id(question_run_id, "question run id")
        )
    if not include_withdrawn:
        conditions.append(answer_t.c.withdrawn_at.is_(None))
    async with db.transaction(write=False) as session:
        return int(
            (
                await session.execute(
                    select(func.count()).select_from(answer_t).where(and_(*conditions))
                )
            ).scalar_one()
        )


async def answers_for_workshop(
    db: Database,
    workshop_id: int,
    *,
    question_run_id: int | None = None,
    include_withdrawn: bool = False,
    include_private: bool = True,
) -> tuple[AnswerRecord, ...]:
    """A workshop's answers in the order they came in.

    Args:
        question_run_id: Only this question run's answers.
        include_withdrawn: Include withdrawn answers (their text is empty).
        include_private: Include answers given in private chat.
    """
    check_id(workshop_id, "workshop id")
    stmt = answer_select().where(answer_t.c.workshop_id == workshop_id)
    if question_run_id is not None:
        stmt = stmt.where(
            answer_t.c.question_run_id == check_id(question_run_id, "question run id")
        )
    if not include_withdrawn:
        stmt = stmt.where(answer_t.c.withdrawn_at.is_(None))
    if not include_private:
        stmt = stmt.where(answer_t.c.private.is_(False))
    async with db.transaction(write=False) as session:
        rows = await session.execute(stmt.order_by(answer_t.c.created_at, answer_t.c.id))
        return tuple(answer_from_row(row) for row in rows)
