"""The plain, frozen objects the repository functions return.

They are snapshots: changing the database later does not change a record, and a record has
no database connection behind it. Timestamps are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "AnswerMode",
    "AnswerRecord",
    "AnswerSource",
    "EventRecord",
    "ForgetReport",
    "Language",
    "MapInfo",
    "MapRecord",
    "ParticipantRecord",
    "PlanRecord",
    "PlanVersionRecord",
    "PurgeReport",
    "QuestionRunRecord",
    "RecordedAnswer",
    "SeriesRecord",
    "SummaryRecord",
    "WorkshopExport",
    "WorkshopListing",
    "WorkshopRecord",
    "WorkshopStatus",
    "format_offset",
]

Language = Literal["da", "en"]
AnswerMode = Literal["named", "pseudonymous", "anonymous"]
WorkshopStatus = Literal["draft", "running", "paused", "ended"]
AnswerSource = Literal["card", "chat", "private", "transcript"]


def format_offset(seconds: int) -> str:
    """Seconds since the workshop's start as a transcript shows them.

    >>> format_offset(1207)
    '00:20:07'
    >>> format_offset(37 * 3600 + 5)
    '37:00:05'
    """
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


@dataclass(frozen=True, slots=True)
class SeriesRecord:
    id: int
    name: str
    description: str
    created_at: datetime
    owner_id: str | None = None
    co_owner_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanRecord:
    id: int
    key: str
    name: str
    created_at: datetime
    latest_version: int
    updated_at: datetime
    owner_id: str | None = None
    co_owner_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanVersionRecord:
    id: int
    plan_id: int
    plan_key: str
    plan_name: str
    version: int
    text: str
    author: str
    note: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class WorkshopRecord:
    id: int
    series_id: int | None
    series_name: str | None
    number_in_series: int | None
    plan_version_id: int | None
    title: str
    language: Language
    org_name: str
    answer_mode: AnswerMode
    conversation_reference: dict[str, Any] | None
    conversation_id: str | None
    channel_id: str | None
    meeting_id: str | None
    tenant_id: str | None
    status: WorkshopStatus
    map_id: int | None
    current_question_id: str | None
    created_at: datetime
    started_at: datetime | None
    paused_at: datetime | None
    ended_at: datetime | None
    facilitators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkshopListing:
    """A workshop with its counts, as ``workshopbot workshops`` lists it."""

    workshop: WorkshopRecord
    answer_count: int
    participant_count: int


@dataclass(frozen=True, slots=True)
class QuestionRunRecord:
    id: int
    workshop_id: int
    question_id: str
    question_text: str
    position: int
    opened_at: datetime
    closed_at: datetime | None
    parked: bool

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class ParticipantRecord:
    """One person in one workshop. ``user_id``/``display_name`` are None in anonymous mode."""

    id: int
    workshop_id: int
    user_id: str | None
    display_name: str | None
    pseudonym_number: int | None
    pseudonym: str | None
    consent_answers: bool | None
    consent_quotes: bool | None
    created_at: datetime
    first_answer_at: datetime | None


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    id: int
    workshop_id: int
    question_run_id: int | None
    question_id: str | None
    participant_id: int
    pseudonym: str | None
    display_name: str | None
    text: str
    value: Any
    source: AnswerSource
    activity_id: str | None
    private: bool
    created_at: datetime
    offset_seconds: int
    edited_at: datetime | None
    withdrawn_at: datetime | None

    @property
    def offset(self) -> str:
        """``hh:mm:ss`` from the workshop's start, as a Teams transcript shows it."""
        return format_offset(self.offset_seconds)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


@dataclass(frozen=True, slots=True)
class RecordedAnswer:
    """What :func:`storage.answers.record_answer` did: ``created`` is False for a redelivery."""

    answer: AnswerRecord
    created: bool


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: int
    workshop_id: int | None
    kind: str
    actor_user_id: str | None
    data: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MapInfo:
    """A stored network map without its (large) files."""

    id: int
    name: str
    token: str
    data: dict[str, Any]
    created_at: datetime
    has_card_png: bool
    has_svg: bool
    has_gexf: bool
    has_terms_csv: bool


@dataclass(frozen=True, slots=True)
class MapRecord:
    """A stored network map with its files (``png`` always, the rest when analyze made them)."""

    id: int
    name: str
    token: str
    png: bytes
    card_png: bytes | None
    svg: str | None
    gexf: str | None
    terms_csv: str | None
    data: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SummaryRecord:
    id: int
    workshop_id: int
    data: dict[str, Any]
    markdown: str
    created_at: datetime
    scrubbed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ForgetReport:
    """What :func:`storage.privacy.forget_user` removed."""

    participants: int
    answers: int
    summaries_scrubbed: int
    facilitator_rows: int
    events_anonymised: int
    bot_state_keys: int = 0
    outbox_messages: int = 0
    #: Rows of the knowledge bank (takeaways, subscriptions, check-ins, follow-ups, …).
    knowledge_rows: int = 0


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What :func:`storage.privacy.purge_older_than` removed."""

    workshops: int
    answers: int
    participants: int
    workshop_ids: tuple[int, ...] = ()
    bot_state_keys: int = 0
    #: Network maps drawn for the purged workshops' summaries.
    summary_maps: int = 0


@dataclass(frozen=True, slots=True)
class WorkshopExport:
    """Everything stored about one workshop (see :func:`storage.privacy.export_workshop`)."""

    workshop: WorkshopRecord
    question_runs: tuple[QuestionRunRecord, ...]
    participants: tuple[ParticipantRecord, ...]
    answers: tuple[AnswerRecord, ...]
    events: tuple[EventRecord, ...]
    summaries: tuple[SummaryRecord, ...]
    exported_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)
