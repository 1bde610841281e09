"""The tables: SQLModel classes, used only inside ``storage/``.

Other packages never receive these live ORM objects; the repository functions return the frozen
records of :mod:`storage.records`. Every change to a table here needs an Alembic revision in
``storage/migrations/versions`` (the tests build the schema from the migrations, so a table
that is only declared here fails them).

Timestamps are UTC. SQLite forgets the time zone on the way back; the repositories attach
UTC again when they build records.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

__all__ = [
    "Answer",
    "BotState",
    "Event",
    "Job",
    "NetworkMap",
    "OutboxMessage",
    "Participant",
    "Plan",
    "PlanVersion",
    "QuestionRun",
    "SendBudget",
    "Series",
    "Summary",
    "Workshop",
    "WorkshopFacilitator",
    "metadata",
    "utcnow",
]

#: Naming convention so Alembic and every backend agree on constraint names.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (what every timestamp column holds)."""
    return datetime.now(UTC)


class Series(SQLModel, table=True):
    """A run of workshops on one theme (workshop 3 is compared with workshops 1–2)."""

    __tablename__ = "series"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    #: Who started the series (a Teams user id); NULL: a series from before owners, which
    #: only operators may add workshops to (see :mod:`dialogs.permissions`).
    owner_id: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    #: Further Teams user ids with the owner's rights.
    co_owner_ids: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


class Plan(SQLModel, table=True):
    """A question plan; its text lives in :class:`PlanVersion` rows."""

    __tablename__ = "plan"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    #: Who made the plan (a Teams user id); NULL: a plan from before owners, or one made
    #: from the CLI, which only operators edit (see :mod:`dialogs.permissions`).
    owner_id: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    #: Further Teams user ids with the owner's rights.
    co_owner_ids: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


class PlanVersion(SQLModel, table=True):
    """One saved version of a plan: the full text (YAML), who saved it, when and why."""

    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(
        sa_column=Column(Integer, ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    )
    version: int = Field(sa_column=Column(Integer, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(sa_column=Column(String(200), nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class NetworkMap(SQLModel, table=True):
    """The outputs of ``workshopbot analyze``, addressable by an unguessable token."""

    __tablename__ = "network_map"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    token: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    card_png: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    svg: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    gexf: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    terms_csv: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Workshop(SQLModel, table=True):
    """One workshop in one Teams conversation."""

    __tablename__ = "workshop"
    __table_args__ = (
        UniqueConstraint("series_id", "number_in_series"),
        Index("ix_workshop_conversation_id_status", "conversation_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    series_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("series.id", ondelete="SET NULL"), nullable=True),
    )
    number_in_series: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    plan_version_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("plan_version.id", ondelete="SET NULL"), nullable=True
        ),
    )
    title: str = Field(default="", sa_column=Column(String(300), nullable=False, default=""))
    language: str = Field(sa_column=Column(String(8), nullable=False))
    org_name: str = Field(sa_column=Column(String(200), nullable=False))
    answer_mode: str = Field(sa_column=Column(String(16), nullable=False))
    conversation_reference: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    conversation_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    channel_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    meeting_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    tenant_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    #: Per-workshop secret for hashing Teams user ids (see :mod:`storage.participants`).
    salt: str = Field(sa_column=Column(String(64), nullable=False))
    map_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("network_map.id", ondelete="SET NULL"), nullable=True),
    )
    current_question_id: str | None = Field(
        default=None, sa_column=Column(String(200), nullable=True)
    )
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    started_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    paused_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    ended_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class WorkshopFacilitator(SQLModel, table=True):
    """A Teams user who may steer a workshop."""

    __tablename__ = "workshop_facilitator"

    workshop_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: str = Field(sa_column=Column(String(300), primary_key=True))
    display_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    added_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Participant(SQLModel, table=True):
    """One person in one workshop.

    ``user_hash`` (HMAC-SHA256 of the Teams user id with the workshop's salt) is always set, so
    a person keeps one pseudonym and is counted once even in anonymous mode, where
    ``user_id`` and ``display_name`` stay NULL.
    """

    __tablename__ = "participant"
    __table_args__ = (
        UniqueConstraint("workshop_id", "user_hash"),
        UniqueConstraint("workshop_id", "pseudonym_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False)
    )
    user_hash: str = Field(sa_column=Column(String(64), nullable=False))
    user_id: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    display_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    pseudonym_number: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    consent_answers: bool | None = Field(default=None, sa_column=Column(Boolean, nullable=True))
    consent_quotes: bool | None = Field(default=None, sa_column=Column(Boolean, nullable=True))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    first_answer_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class QuestionRun(SQLModel, table=True):
    """A question being open in a workshop: which, in what order, from when to when."""

    __tablename__ = "question_run"
    __table_args__ = (Index("ix_question_run_workshop_id_opened_at", "workshop_id", "opened_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False)
    )
    question_id: str = Field(sa_column=Column(String(200), nullable=False))
    question_text: str = Field(sa_column=Column(Text, nullable=False))
    position: int = Field(sa_column=Column(Integer, nullable=False))
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    closed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    parked: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))


class Answer(SQLModel, table=True):
    """One answer; ``activity_id`` is unique per workshop so a redelivery is stored once."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("workshop_id", "activity_id"),
        Index("ix_answer_workshop_id_question_run_id", "workshop_id", "question_run_id"),
        Index("ix_answer_participant_id", "participant_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False)
    )
    question_run_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("question_run.id", ondelete="SET NULL"), nullable=True
        ),
    )
    participant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="CASCADE"), nullable=False)
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    source: str = Field(sa_column=Column(String(16), nullable=False))
    activity_id: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    private: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    offset_seconds: int = Field(sa_column=Column(Integer, nullable=False))
    edited_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    withdrawn_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class Event(SQLModel, table=True):
    """A facilitator action (start, pause, open question, …) with its time."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_workshop_id_created_at", "workshop_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("workshop.id", ondelete="CASCADE"), nullable=True),
    )
    kind: str = Field(sa_column=Column(String(64), nullable=False))
    actor_user_id: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Summary(SQLModel, table=True):
    """A generated "what now" summary of one workshop."""

    __tablename__ = "summary"
    __table_args__ = (Index("ix_summary_workshop_id_created_at", "workshop_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False)
    )
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    markdown: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    scrubbed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class BotState(SQLModel, table=True):
    """Bot Framework state (dialog and conversation state): any string key, JSON, eTag."""

    __tablename__ = "bot_state"

    key: str = Field(sa_column=Column(Text, primary_key=True))
    data: str = Field(sa_column=Column(Text, nullable=False))
    etag: str = Field(sa_column=Column(String(64), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Job(SQLModel, table=True):
    """Timed work as a row, not a timer (:mod:`storage.jobs`): any live instance runs it
    when it is due, exactly one does, and one whose instance died is taken over when its
    lease runs out."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_state_due_at", "state", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(String(100), nullable=False))
    #: Names the job for its scheduler (replace, cancel); unique when given.
    key: str | None = Field(default=None, sa_column=Column(String(300), nullable=True, unique=True))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: queued, running, done or failed.
    state: str = Field(sa_column=Column(String(16), nullable=False))
    due_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    attempts: int = Field(sa_column=Column(Integer, nullable=False, default=0))
    max_attempts: int = Field(sa_column=Column(Integer, nullable=False, default=5))
    #: Raised by every (re)schedule, so that a run claimed before it cannot complete it.
    version: int = Field(sa_column=Column(Integer, nullable=False, default=1))
    locked_by: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    locked_until: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    finished_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class OutboxMessage(SQLModel, table=True):
    """A proactive message to deliver (:mod:`storage.outbox_store`): written in the
    transaction of the change that causes it, delivered once by any live instance, in
    order within its lane (conversation)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_state_due_at", "state", "due_at"),
        Index("ix_outbox_message_lane_id", "lane", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: Idempotency key: a message with a key already queued or sent is not queued again
    #: (a card update's key instead takes the newest content).
    key: str = Field(sa_column=Column(String(300), nullable=False, unique=True))
    #: The conversation whose order and Teams budget the message shares.
    lane: str = Field(sa_column=Column(String(600), nullable=False))
    #: send, send_private or update.
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    destination: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    user_id: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    #: What to send: {"text": ...}, {"card": {...}} or {"builder": name, "args": {...}};
    #: emptied once sent (message texts are personal data).
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: For an update: the activity to replace, or the key of the message that sent it.
    target_activity_id: str | None = Field(
        default=None, sa_column=Column(String(300), nullable=True)
    )
    target_key: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    #: queued, sending, sent or failed.
    state: str = Field(sa_column=Column(String(16), nullable=False))
    due_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    attempts: int = Field(sa_column=Column(Integer, nullable=False, default=0))
    version: int = Field(sa_column=Column(Integer, nullable=False, default=1))
    locked_by: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    locked_until: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    sent_activity_id: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    sent_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class SendBudget(SQLModel, table=True):
    """When the bot's recent operations in one conversation were made, shared by every
    instance so that Teams' per-conversation limits hold for the bot as a whole."""

    __tablename__ = "send_budget"

    lane: str = Field(sa_column=Column(String(600), primary_key=True))
    #: Seconds since the epoch (the database server's clock), oldest first.
    stamps: list[float] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


# The knowledge bank's tables join the same metadata (Alembic compares them, the tests
# empty them). Imported last: they refer to the tables above.
import storage.knowledge.tables  # noqa: E402, F401
