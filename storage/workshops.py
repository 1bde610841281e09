"""Workshops: creation, status (draft → running ⇄ paused → ended), facilitators, lookup.

Why one module of ~640 lines: every function here reads or changes the one workshop row and
the rules of its status machine (which change is allowed from which status, what turning a
workshop anonymous rewrites, when a series is renumbered); split, the rules would be spread
over files that all write the same row. Answers, questions and participants have their own.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final, get_args

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage._base import (
    answer_t,
    as_utc,
    check_id,
    check_past_time,
    check_text,
    dialect_of,
    event_t,
    facilitator_t,
    facilitators_of,
    insert_ignoring_conflicts,
    load_workshop,
    lock_workshop,
    map_t,
    participant_t,
    plan_version_t,
    series_t,
    utcnow,
    workshop_from_row,
    workshop_select,
    workshop_t,
)
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.records import (
    AnswerMode,
    Language,
    WorkshopListing,
    WorkshopRecord,
    WorkshopStatus,
)

__all__ = [
    "ACTIVE_STATUSES",
    "add_facilitator",
    "create_workshop",
    "end_workshop",
    "find_active_workshop",
    "get_workshop",
    "is_facilitator",
    "list_workshops",
    "pause_workshop",
    "remove_facilitator",
    "renumber_series",
    "resume_workshop",
    "set_current_question",
    "set_status",
    "start_workshop",
    "update_workshop",
]

log = logging.getLogger(__name__)

ACTIVE_STATUSES: Final[tuple[WorkshopStatus, ...]] = ("draft", "running", "paused")

#: Which status may follow which.
_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    "draft": frozenset({"running", "ended"}),
    "running": frozenset({"paused", "ended"}),
    "paused": frozenset({"running", "ended"}),
    "ended": frozenset(),
}


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


def _check_choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise InvalidInput(f"{what} {value!r} is not valid; use one of: {', '.join(allowed)}")
    return str(value)


def _check_user(user_id: object) -> str:
    return check_text(user_id, "user id", max_len=300).strip()


async def create_workshop(
    db: Database,
    *,
    org_name: str,
    language: Language = "da",
    answer_mode: AnswerMode = "pseudonymous",
    series_id: int | None = None,
    plan_version_id: int | None = None,
    title: str = "",
    conversation_reference: dict[str, Any] | None = None,
    conversation_id: str | None = None,
    channel_id: str | None = None,
    meeting_id: str | None = None,
    tenant_id: str | None = None,
    facilitators: Sequence[str] = (),
    map_id: int | None = None,
) -> WorkshopRecord:
    """Create a workshop in status ``draft``.

    In a series it gets the next number (1, 2, …), also when two are created at once.

    Args:
        db: The database.
        org_name: The organisation's name (``{org}`` in the questions).
        language: ``"da"`` or ``"en"``.
        answer_mode: ``"named"``, ``"pseudonymous"`` or ``"anonymous"`` (no identity stored).
        series_id: The series it belongs to, if any.
        plan_version_id: The plan version it runs.
        title: A short title for lists.
        conversation_reference: The Teams conversation reference (JSON) for proactive messages.
        conversation_id: Teams conversation id (``find_active_workshop`` looks it up).
        channel_id: Teams channel id, if in a channel.
        meeting_id: Teams meeting id, if in a meeting.
        tenant_id: Azure AD tenant id.
        facilitators: Teams user ids allowed to steer it.
        map_id: The network map to present.

    Raises:
        InvalidInput: A value is not valid (the message names it).
        NotFound: The series, plan version or map does not exist.
    """
    org_name = check_text(org_name, "organisation name", max_len=200).strip()
    language = _check_choice(language, get_args(Language), "language")  # type: ignore[assignment]
    answer_mode = _check_choice(answer_mode, get_args(AnswerMode), "answer mode")  # type: ignore[assignment]
    title = check_text(title, "title", max_len=300, allow_empty=True).strip()
    facilitator_ids = [_check_user(user) for user in facilitators]
    now = utcnow()
    async with db.transaction() as session:
        number: int | None = None
        if series_id is not None:
            check_id(series_id, "series id")
            stmt = select(series_t.c.id).where(series_t.c.id == series_id)
            if dialect_of(session) == "postgresql":
                stmt = stmt.with_for_update(
                    key_share=True
                )  # serialises numbering within the series
            if (await session.execute(stmt)).first() is None:
                raise NotFound(f"there is no series {series_id}")
            latest = (
                await session.execute(
                    select(func.coalesce(func.max(workshop_t.c.number_in_series), 0)).where(
                        workshop_t.c.series_id == series_id
                    )
                )
            ).scalar_one()
            number = int(latest) + 1
        if plan_version_id is not None:
            check_id(plan_version_id, "plan version id")
            found = await session.execute(
                select(plan_version_t.c.id).where(plan_version_t.c.id == plan_version_id)
            )
            if found.first() is None:
                raise NotFound(f"there is no plan version {plan_version_id}")
        if map_id is not None:
            check_id(map_id, "map id")
            if (
                await session.execute(select(map_t.c.id).where(map_t.c.id == map_id))
            ).first() is None:
                raise NotFound(
                    f"there is no network map {map_id}; list them with: workshopbot maps list"
                )
        workshop_id = (
            await session.execute(
                workshop_t.insert()
                .values(
                    series_id=series_id,
                    number_in_series=number,
                    plan_version_id=plan_version_id,
                    title=title,
                    language=language,
                    org_name=org_name,
                    answer_mode=answer_mode,
                    conversation_reference=conversation_reference,
                    conversation_id=conversation_id,
                    channel_id=channel_id,
                    meeting_id=meeting_id,
                    tenant_id=tenant_id,
                    status="draft",
                    salt=secrets.token_hex(16),
                    map_id=map_id,
                    created_at=now,
                )
                .returning(workshop_t.c.id)
            )
        ).scalar_one()
        for index, user_id in enumerate(dict.fromkeys(facilitator_ids)):
            # A microsecond apart, so the list keeps the order given (the first one leads).
            await session.execute(
                facilitator_t.insert().values(
                    workshop_id=workshop_id,
                    user_id=user_id,
                    added_at=now + timedelta(microseconds=index),
                )
            )
        await session.execute(
            event_t.insert().values(
                workshop_id=workshop_id,
                kind="workshop.created",
                actor_user_id=facilitator_ids[0] if facilitator_ids else None,
                data={"answer_mode": answer_mode, "language": language},
                created_at=now,
            )
        )
        record = await load_workshop(session, workshop_id)
    log.info("created workshop %d (%s, %s)", record.id, language, answer_mode)
    return record


async def get_workshop(db: Database, workshop_id: int) -> WorkshopRecord:
    """One workshop.

    Raises:
        InvalidInput: The id is not a positive whole number.
        NotFound: No such workshop.
    """
    async with db.transaction(write=False) as session:
        return await load_workshop(session, workshop_id)


async def find_active_workshop(db: Database, conversation_id: str) -> WorkshopRecord | None:
    """The newest workshop in a conversation that has not ended (draft, running or paused)."""
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                workshop_select()
                .where(
                    workshop_t.c.conversation_id == conversation_id,
                    workshop_t.c.status.in_(ACTIVE_STATUSES),
                )
                .order_by(workshop_t.c.created_at.desc(), workshop_t.c.id.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        facilitators = await facilitators_of(session, [row.id])
        return workshop_from_row(row, facilitators.get(row.id, ()))


async def set_status(
    db: Database,
    workshop_id: int,
    status: WorkshopStatus,
    *,
    actor_user_id: str | None = None,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
) -> WorkshopRecord:
    """Move a workshop to ``status`` and log the change as an event.

    Allowed: draft → running | ended; running → paused | ended; paused → running | ended.
    Setting the status it already has changes nothing.

    Args:
        started_at: When a draft starts: its start time instead of now (a meeting imported
            afterwards). Timezone-aware, not in the future.
        ended_at: When it ends: its end time instead of now; not before it started.

    Raises:
        InvalidInput: The change is not allowed (the message says what is), or a given time
            is naive, in the future, or does not fit the change.
        NotFound: No such workshop.
    """
    status = _check_choice(status, get_args(WorkshopStatus), "status")  # type: ignore[assignment]
    if started_at is not None:
        started_at = check_past_time(started_at, "started_at")
        if status != "running":
            raise InvalidInput(f"started_at is for starting a workshop, not for making it {status}")
    if ended_at is not None:
        ended_at = check_past_time(ended_at, "ended_at")
        if status != "ended":
            raise InvalidInput(f"ended_at is for ending a workshop, not for making it {status}")
    now = utcnow()
    async with db.transaction() as session:
        row = await lock_workshop(session, workshop_id)
        current = row.status
        if started_at is not None and current != "draft":
            raise InvalidInput(
                f"workshop {workshop_id} is {current}; started_at can only be given when a "
                "draft workshop starts"
            )
        if ended_at is not None and current == "ended":
            raise InvalidInput(f"workshop {workshop_id} has ended already; its end time stays")
        if ended_at is not None and row.started_at is not None:
            began = as_utc(row.started_at)
            if ended_at < began:
                raise InvalidInput(
                    f"ended_at {ended_at.isoformat()} is before workshop {workshop_id} "
                    f"started ({began.isoformat()})"
                )
        if current == status:
            return await load_workshop(session, workshop_id)
        if status not in _TRANSITIONS[current]:
            allowed = sorted(_TRANSITIONS[current])
            hint = (
                f"it can become: {', '.join(allowed)}"
                if allowed
                else "an ended workshop stays ended"
            )
            raise InvalidInput(
                f"workshop {workshop_id} is {current} and cannot become {status}; {hint}"
            )
        values: dict[str, Any] = {"status": status}
        if status == "running" and row.started_at is None:
            values["started_at"] = started_at or now
        if status == "running":
            values["paused_at"] = None
        if status == "paused":
            values["paused_at"] = now
        if status == "ended":
            values["ended_at"] = ended_at or now
        await session.execute(
            update(workshop_t).where(workshop_t.c.id == workshop_id).values(**values)
        )
        if started_at is not None and row.series_id is not None:
            # A meeting stored afterwards (a transcript) takes its place in the series by
            # when it was held, so "the previous workshop" stays the one held before it.
            await renumber_series(session, row.series_id)
        kind = {
            ("running", "draft"): "workshop.started",
            ("running", "paused"): "workshop.resumed",
        }.get((status, current), f"workshop.{status}")
        await session.execute(
            event_t.insert().values(
                workshop_id=workshop_id,
                kind=kind,
                actor_user_id=actor_user_id,
                data={"from": current, "to": status},
                created_at=now,
            )
        )
        return await load_workshop(session, workshop_id)


async def start_workshop(
    db: Database,
    workshop_id: int,
    *,
    actor_user_id: str | None = None,
    started_at: datetime | None = None,
) -> WorkshopRecord:
    """Set a draft workshop running (its start time is the zero of answer offsets).

    ``started_at`` (timezone-aware, not in the future; only for a draft) replaces "now" as
    the start time, for a meeting held before it is stored (a transcript import).
    """
    return await set_status(
        db, workshop_id, "running", actor_user_id=actor_user_id, started_at=started_at
    )


async def pause_workshop(
    db: Database, workshop_id: int, *, actor_user_id: str | None = None
) -> WorkshopRecord:
    """Pause a running workshop."""
    return await set_status(db, workshop_id, "paused", actor_user_id=actor_user_id)


async def resume_workshop(
    db: Database, workshop_id: int, *, actor_user_id: str | None = None
) -> WorkshopRecord:
    """Resume a paused workshop."""
    return await set_status(db, workshop_id, "running", actor_user_id=actor_user_id)


async def end_workshop(
    db: Database,
    workshop_id: int,
    *,
    actor_user_id: str | None = None,
    ended_at: datetime | None = None,
) -> WorkshopRecord:
    """End a workshop (for good); ``ended_at`` as for :func:`set_status`, default now."""
    return await set_status(
        db, workshop_id, "ended", actor_user_id=actor_user_id, ended_at=ended_at
    )


async def update_workshop(
    db: Database,
    workshop_id: int,
    *,
    title: str | _Unset = UNSET,
    org_name: str | _Unset = UNSET,
    language: Language | _Unset = UNSET,
    answer_mode: AnswerMode | _Unset = UNSET,
    plan_version_id: int | _Unset | None = UNSET,
    map_id: int | _Unset | None = UNSET,
    conversation_reference: dict[str, Any] | _Unset | None = UNSET,
    conversation_id: str | _Unset | None = UNSET,
    channel_id: str | _Unset | None = UNSET,
    meeting_id: str | _Unset | None = UNSET,
    tenant_id: str | _Unset | None = UNSET,
) -> WorkshopRecord:
    """Change some of a workshop's settings; arguments left out stay as they are.

    ``answer_mode`` can change only while the workshop is a draft (identities already stored
    cannot be un-stored, and pseudonymous answers must not become named).

    Raises:
        InvalidInput: A value is not valid, or the answer mode changes after the start.
        NotFound: No such workshop, plan version or map.
    """
    values: dict[str, Any] = {}
    if not isinstance(title, _Unset):
        values["title"] = check_text(title, "title", max_len=300, allow_empty=True).strip()
    if not isinstance(org_name, _Unset):
        values["org_name"] = check_text(org_name, "organisation name", max_len=200).strip()
    if not isinstance(language, _Unset):
        values["language"] = _check_choice(language, get_args(Language), "language")
    if not isinstance(answer_mode, _Unset):
        values["answer_mode"] = _check_choice(answer_mode, get_args(AnswerMode), "answer mode")
    for name, value in (
        ("plan_version_id", plan_version_id),
        ("map_id", map_id),
        ("conversation_reference", conversation_reference),
        ("conversation_id", conversation_id),
        ("channel_id", channel_id),
        ("meeting_id", meeting_id),
        ("tenant_id", tenant_id),
    ):
        if not isinstance(value, _Unset):
            values[name] = value
    async with db.transaction() as session:
        row = await lock_workshop(session, workshop_id)
        if (
            "answer_mode" in values
            and values["answer_mode"] != row.answer_mode
            and row.status != "draft"
        ):
            raise InvalidInput(
                f"workshop {workshop_id} is {row.status}; its answer mode can only change before it starts"
            )
        if values.get("plan_version_id") is not None:
            pv = check_id(values["plan_version_id"], "plan version id")
            if (
                await session.execute(select(plan_version_t.c.id).where(plan_version_t.c.id == pv))
            ).first() is None:
                raise NotFound(f"there is no plan version {pv}")
        if values.get("map_id") is not None:
            mid = check_id(values["map_id"], "map id")
            if (await session.execute(select(map_t.c.id).where(map_t.c.id == mid))).first() is None:
                raise NotFound(
                    f"there is no network map {mid}; list them with: workshopbot maps list"
                )
        if values.get("answer_mode") == "anonymous" and row.answer_mode != "anonymous":
            await _make_anonymous(session, workshop_id, row.salt)
        if values:
            await session.execute(
                update(workshop_t).where(workshop_t.c.id == workshop_id).values(**values)
            )
        return await load_workshop(session, workshop_id)


async def renumber_series(session: AsyncConnection, series_id: int) -> None:
    """Number a series' workshops 1, 2, … by when they started (not started yet: when they
    were made), in two steps so the unique (series, number) is never hit in between."""
    when = func.coalesce(workshop_t.c.started_at, workshop_t.c.created_at)
    ids = (
        await session.execute(
            select(workshop_t.c.id)
            .where(workshop_t.c.series_id == series_id)
            .order_by(when, workshop_t.c.id)
        )
    ).scalars()
    numbered = [{"workshop_id": wid, "number": -n} for n, wid in enumerate(ids, start=1)]
    await session.execute(
        update(workshop_t)
        .where(workshop_t.c.id == bindparam("workshop_id"))
        .values(number_in_series=bindparam("number")),
        numbered,
    )
    await session.execute(
        update(workshop_t)
        .where(workshop_t.c.series_id == series_id)
        .values(number_in_series=-workshop_t.c.number_in_series)
    )


async def _make_anonymous(session: AsyncConnection, workshop_id: int, salt: str) -> None:
    """What a draft already stored, made as an anonymous workshop stores it: no user id or
    name on its participants, a salted hash instead of each answer's activity id."""
    from storage.participants import ACTIVITY_HASH_PREFIX, activity_hash

    await session.execute(
        update(participant_t)
        .where(participant_t.c.workshop_id == workshop_id)
        .values(user_id=None, display_name=None)
    )
    rows = (
        await session.execute(
            select(answer_t.c.id, answer_t.c.activity_id).where(
                answer_t.c.workshop_id == workshop_id, answer_t.c.activity_id.is_not(None)
            )
        )
    ).all()
    hashed = [
        {"answer_id": row.id, "hashed": activity_hash(salt, row.activity_id)}
        for row in rows
        if not row.activity_id.startswith(ACTIVITY_HASH_PREFIX)
    ]
    if hashed:
        await session.execute(
            update(answer_t)
            .where(answer_t.c.id == bindparam("answer_id"))
            .values(activity_id=bindparam("hashed")),
            hashed,
        )


async def add_facilitator(
    db: Database, workshop_id: int, user_id: str, *, display_name: str | None = None
) -> WorkshopRecord:
    """Let a Teams user steer the workshop (adding someone twice changes nothing)."""
    user_id = _check_user(user_id)
    async with db.transaction() as session:
        await lock_workshop(session, workshop_id)
        await session.execute(
            insert_ignoring_conflicts(session, facilitator_t, ["workshop_id", "user_id"]).values(
                workshop_id=workshop_id,
                user_id=user_id,
                display_name=display_name,
                added_at=utcnow(),
            )
        )
        return await load_workshop(session, workshop_id)


async def remove_facilitator(db: Database, workshop_id: int, user_id: str) -> WorkshopRecord:
    """Take a user's facilitator rights away (silent if they had none)."""
    async with db.transaction() as session:
        await lock_workshop(session, workshop_id)
        await session.execute(
            delete(facilitator_t).where(
                facilitator_t.c.workshop_id == workshop_id, facilitator_t.c.user_id == user_id
            )
        )
        return await load_workshop(session, workshop_id)


async def is_facilitator(db: Database, workshop_id: int, user_id: str) -> bool:
    """Whether the user may steer this workshop."""
    check_id(workshop_id, "workshop id")
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                select(facilitator_t.c.user_id).where(
                    facilitator_t.c.workshop_id == workshop_id, facilitator_t.c.user_id == user_id
                )
            )
        ).first()
    return row is not None


async def set_current_question(
    db: Database, workshop_id: int, question_id: str | None
) -> WorkshopRecord:
    """Record which plan question is current (None: none). :func:`storage.questions.open_question`
    sets it too."""
    async with db.transaction() as session:
        await lock_workshop(session, workshop_id)
        await session.execute(
            update(workshop_t)
            .where(workshop_t.c.id == workshop_id)
            .values(current_question_id=question_id)
        )
        return await load_workshop(session, workshop_id)


async def list_workshops(
    db: Database,
    *,
    series_id: int | None = None,
    status: WorkshopStatus | None = None,
    conversation_id: str | None = None,
) -> tuple[WorkshopListing, ...]:
    """Workshops (newest first) with their answer and participant counts.

    Withdrawn answers are not counted.
    """
    answers = (
        select(answer_t.c.workshop_id, func.count().label("n"))
        .where(answer_t.c.withdrawn_at.is_(None))
        .group_by(answer_t.c.workshop_id)
        .subquery()
    )
    people = (
        select(participant_t.c.workshop_id, func.count().label("n"))
        .group_by(participant_t.c.workshop_id)
        .subquery()
    )
    stmt = (
        workshop_select()
        .add_columns(
            func.coalesce(answers.c.n, 0).label("answer_count"),
            func.coalesce(people.c.n, 0).label("participant_count"),
        )
        .outerjoin(answers, answers.c.workshop_id == workshop_t.c.id)
        .outerjoin(people, people.c.workshop_id == workshop_t.c.id)
        .order_by(workshop_t.c.created_at.desc(), workshop_t.c.id.desc())
    )
    if series_id is not None:
        stmt = stmt.where(workshop_t.c.series_id == series_id)
    if status is not None:
        stmt = stmt.where(
            workshop_t.c.status == _check_choice(status, get_args(WorkshopStatus), "status")
        )
    if conversation_id is not None:
        stmt = stmt.where(workshop_t.c.conversation_id == conversation_id)
    async with db.transaction(write=False) as session:
        rows = (await session.execute(stmt)).all()
        facilitators = await facilitators_of(session, [row.id for row in rows])
    return tuple(
        WorkshopListing(
            workshop=workshop_from_row(row, facilitators.get(row.id, ())),
            answer_count=int(row.answer_count),
            participant_count=int(row.participant_count),
        )
        for row in rows
    )
