"""Internal helpers shared by the repository modules: Core tables and row → record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import models
from storage.errors import InvalidInput, NotFound
from storage.records import (
    AnswerRecord,
    ParticipantRecord,
    QuestionRunRecord,
    WorkshopRecord,
)

series_t = cast(Table, models.Series.__table__)  # type: ignore[attr-defined]
plan_t = cast(Table, models.Plan.__table__)  # type: ignore[attr-defined]
plan_version_t = cast(Table, models.PlanVersion.__table__)  # type: ignore[attr-defined]
map_t = cast(Table, models.NetworkMap.__table__)  # type: ignore[attr-defined]
workshop_t = cast(Table, models.Workshop.__table__)  # type: ignore[attr-defined]
facilitator_t = cast(Table, models.WorkshopFacilitator.__table__)  # type: ignore[attr-defined]
participant_t = cast(Table, models.Participant.__table__)  # type: ignore[attr-defined]
question_run_t = cast(Table, models.QuestionRun.__table__)  # type: ignore[attr-defined]
answer_t = cast(Table, models.Answer.__table__)  # type: ignore[attr-defined]
event_t = cast(Table, models.Event.__table__)  # type: ignore[attr-defined]
summary_t = cast(Table, models.Summary.__table__)  # type: ignore[attr-defined]
bot_state_t = cast(Table, models.BotState.__table__)  # type: ignore[attr-defined]

utcnow = models.utcnow


def as_utc(value: datetime) -> datetime:
    """Attach UTC to a naive timestamp (SQLite returns them naive)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def opt_utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


#: How far in the future a given time may be (clocks differ a little).
CLOCK_SKEW = timedelta(minutes=1)


def check_past_time(value: object, what: str) -> datetime:
    """A caller-given time (e.g. a meeting imported afterwards), in UTC.

    Raises:
        InvalidInput: Not a datetime, naive (no time zone), or more than a minute ahead.
    """
    if not isinstance(value, datetime):
        raise InvalidInput(f"{what} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{what} {value.isoformat()} has no time zone; give an aware datetime "
            "(e.g. value.astimezone() for local time)"
        )
    value = value.astimezone(UTC)
    if value > utcnow() + CLOCK_SKEW:
        raise InvalidInput(f"{what} {value.isoformat()} is in the future")
    return value


#: The largest id a database integer column holds (SQLite and PostgreSQL BIGINT).
MAX_ID = 2**63 - 1


def check_id(value: object, what: str) -> int:
    """Refuse ids that are not positive integers with a message that names the value."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise InvalidInput(
            f"{what} {value!r} is not a valid id; ids are whole numbers from 1 to {MAX_ID}"
        )
    return value


def without_nul(value: Any) -> Any:
    """``value`` with every NUL character removed from its strings (nested too).

    PostgreSQL text and JSON cannot hold U+0000 (SQLite can): a NUL, which nobody types but
    hostile or broken clients send, is dropped at the door so both backends store the same.
    """
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(without_nul(v) for v in value)
    return value


def check_text(value: object, what: str, *, max_len: int, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text, not {type(value).__name__}")
    value = value.replace("\x00", "")  # see without_nul
    if not allow_empty and not value.strip():
        raise InvalidInput(f"{what} is empty; give a non-empty {what}")
    if len(value) > max_len:
        raise InvalidInput(f"{what} is {len(value):,} characters long; the limit is {max_len:,}")
    return value


def pseudonym_label(number: int | None, language: str) -> str | None:
    """The pseudonym for the n-th person to answer: A … Z, AA, AB, … (bijective base 26).

    >>> pseudonym_label(1, "da"), pseudonym_label(26, "en"), pseudonym_label(27, "da")
    ('Deltager A', 'Participant Z', 'Deltager AA')
    """
    if number is None:
        return None
    letters = ""
    n = number
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    prefix = "Participant" if language == "en" else "Deltager"
    return f"{prefix} {letters}"


# --- workshops ---------------------------------------------------------------------------

WORKSHOP_COLUMNS = (*workshop_t.c, series_t.c.name.label("series_name"))


def workshop_select() -> Any:
    return select(*WORKSHOP_COLUMNS).select_from(
        workshop_t.outerjoin(series_t, series_t.c.id == workshop_t.c.series_id)
    )


def workshop_from_row(row: Row[Any], facilitators: tuple[str, ...]) -> WorkshopRecord:
    m = row._mapping
    return WorkshopRecord(
        id=m["id"],
        series_id=m["series_id"],
        series_name=m["series_name"],
        number_in_series=m["number_in_series"],
        plan_version_id=m["plan_version_id"],
        title=m["title"],
        language=m["language"],
        org_name=m["org_name"],
        answer_mode=m["answer_mode"],
        conversation_reference=m["conversation_reference"],
        conversation_id=m["conversation_id"],
        channel_id=m["channel_id"],
        meeting_id=m["meeting_id"],
        tenant_id=m["tenant_id"],
        status=m["status"],
        map_id=m["map_id"],
        current_question_id=m["current_question_id"],
        created_at=as_utc(m["created_at"]),
        started_at=opt_utc(m["started_at"]),
        paused_at=opt_utc(m["paused_at"]),
        ended_at=opt_utc(m["ended_at"]),
        facilitators=facilitators,
    )


async def facilitators_of(
    session: AsyncConnection, workshop_ids: list[int]
) -> dict[int, tuple[str, ...]]:
    if not workshop_ids:
        return {}
    rows = await session.execute(
        select(facilitator_t.c.workshop_id, facilitator_t.c.user_id)
        .where(facilitator_t.c.workshop_id.in_(workshop_ids))
        .order_by(facilitator_t.c.added_at, facilitator_t.c.user_id)
    )
    found: dict[int, list[str]] = {}
    for workshop_id, user_id in rows:
        found.setdefault(workshop_id, []).append(user_id)
    return {key: tuple(value) for key, value in found.items()}


async def load_workshop(session: AsyncConnection, workshop_id: int) -> WorkshopRecord:
    """The workshop or :class:`NotFound` naming the id."""
    check_id(workshop_id, "workshop id")
    row = (await session.execute(workshop_select().where(workshop_t.c.id == workshop_id))).first()
    if row is None:
        raise NotFound(f"there is no workshop {workshop_id}; list them with: workshopbot workshops")
    facilitators = await facilitators_of(session, [workshop_id])
    return workshop_from_row(row, facilitators.get(workshop_id, ()))


async def require_workshop(session: AsyncConnection, workshop_id: int) -> None:
    """Check that the workshop exists, or raise :class:`NotFound` naming the id."""
    check_id(workshop_id, "workshop id")
    if (
        await session.execute(select(workshop_t.c.id).where(workshop_t.c.id == workshop_id))
    ).first() is None:
        raise NotFound(f"there is no workshop {workshop_id}; list them with: workshopbot workshops")


def participant_order() -> tuple[Any, ...]:
    """ORDER BY terms for participants: pseudonym order, those without one last."""
    return (
        participant_t.c.pseudonym_number.is_(None),
        participant_t.c.pseudonym_number,
        participant_t.c.id,
    )


async def lock_workshop(session: AsyncConnection, workshop_id: int) -> Row[Any]:
    """Read the workshop row, locking it on PostgreSQL (SQLite already holds the write lock).

    ``FOR NO KEY UPDATE`` (not ``FOR UPDATE``): it serialises the lockers but does not wait
    for transactions that merely insert rows referencing the workshop (their foreign-key
    check takes ``FOR KEY SHARE``), which would deadlock two first answers.
    """
    check_id(workshop_id, "workshop id")
    stmt = select(workshop_t).where(workshop_t.c.id == workshop_id)
    if session.dialect.name == "postgresql":
        stmt = stmt.with_for_update(key_share=True)
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFound(f"there is no workshop {workshop_id}; list them with: workshopbot workshops")
    return row


# --- question runs, participants, answers -----------------------------------------------


def question_run_from_row(row: Row[Any]) -> QuestionRunRecord:
    m = row._mapping
    return QuestionRunRecord(
        id=m["id"],
        workshop_id=m["workshop_id"],
        question_id=m["question_id"],
        question_text=m["question_text"],
        position=m["position"],
        opened_at=as_utc(m["opened_at"]),
        closed_at=opt_utc(m["closed_at"]),
        parked=bool(m["parked"]),
    )


def participant_from_row(row: Row[Any], language: str) -> ParticipantRecord:
    m = row._mapping
    return ParticipantRecord(
        id=m["id"],
        workshop_id=m["workshop_id"],
        user_id=m["user_id"],
        display_name=m["display_name"],
        pseudonym_number=m["pseudonym_number"],
        pseudonym=pseudonym_label(m["pseudonym_number"], language),
        consent_answers=m["consent_answers"],
        consent_quotes=m["consent_quotes"],
        created_at=as_utc(m["created_at"]),
        first_answer_at=opt_utc(m["first_answer_at"]),
    )


ANSWER_COLUMNS = (
    *answer_t.c,
    question_run_t.c.question_id,
    participant_t.c.pseudonym_number,
    participant_t.c.display_name,
    workshop_t.c.language,
)


def answer_select() -> Any:
    return select(*ANSWER_COLUMNS).select_from(
        answer_t.join(participant_t, participant_t.c.id == answer_t.c.participant_id)
        .join(workshop_t, workshop_t.c.id == answer_t.c.workshop_id)
        .outerjoin(question_run_t, question_run_t.c.id == answer_t.c.question_run_id)
    )


def answer_from_row(row: Row[Any]) -> AnswerRecord:
    m = row._mapping
    return AnswerRecord(
        id=m["id"],
        workshop_id=m["workshop_id"],
        question_run_id=m["question_run_id"],
        question_id=m["question_id"],
        participant_id=m["participant_id"],
        pseudonym=pseudonym_label(m["pseudonym_number"], m["language"]),
        display_name=m["display_name"],
        text=m["text"],
        value=m["value"],
        source=m["source"],
        activity_id=m["activity_id"],
        private=bool(m["private"]),
        created_at=as_utc(m["created_at"]),
        offset_seconds=m["offset_seconds"],
        edited_at=opt_utc(m["edited_at"]),
        withdrawn_at=opt_utc(m["withdrawn_at"]),
    )


# --- dialect helpers ----------------------------------------------------------------------


def dialect_of(session: AsyncConnection | Connection) -> str:
    return session.dialect.name


def insert_ignoring_conflicts(
    session: AsyncConnection | Connection, table: Table, conflict_columns: list[str]
) -> Any:
    """``INSERT … ON CONFLICT (cols) DO NOTHING`` for the session's dialect.

    Unlike catching ``IntegrityError``, this keeps a PostgreSQL transaction usable.
    """
    if dialect_of(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=conflict_columns)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing(index_elements=conflict_columns)


def upsert(
    session: AsyncConnection | Connection,
    table: Table,
    conflict_columns: list[str],
    update_columns: list[str],
) -> Any:
    """``INSERT … ON CONFLICT (cols) DO UPDATE SET …`` for the session's dialect."""
    if dialect_of(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg_stmt = pg_insert(table)
        return pg_stmt.on_conflict_do_update(
            index_elements=conflict_columns,
            set_={name: pg_stmt.excluded[name] for name in update_columns},
        )
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    lite_stmt = sqlite_insert(table)
    return lite_stmt.on_conflict_do_update(
        index_elements=conflict_columns,
        set_={name: lite_stmt.excluded[name] for name in update_columns},
    )
