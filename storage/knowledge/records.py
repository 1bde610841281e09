"""Frozen records the knowledge bank's repository functions return (UTC timestamps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

__all__ = [
    "CheckinAnswerRecord",
    "CheckinRecord",
    "CheckinStatus",
    "CourseRecord",
    "DialogRecord",
    "FollowUpRecord",
    "FollowUpStatus",
    "PersonRecord",
    "SearchHit",
    "Stage",
    "SubscriptionKind",
    "SubscriptionRecord",
    "TakeawayRecord",
    "Visibility",
]

#: Who may see a takeaway besides its author: their team, the organisation, or only their
#: manager.
Visibility = Literal["team", "org", "manager"]
SubscriptionKind = Literal["topic", "course", "person"]
#: When a check-in is due, relative to the course's dates.
Stage = Literal["week_before", "weeks_after_2", "months_after_3"]
CheckinStatus = Literal["pending", "sent", "reminded", "answered", "stopped"]
FollowUpStatus = Literal["open", "asked", "reminded", "answered", "stopped"]


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """Someone the bank knows. ``team``, ``manager_id`` and ``org`` come from an operator
    (``workshopbot transfer people``), never from what the person types."""

    user_id: str
    aad_object_id: str | None
    display_name: str | None
    tenant_id: str | None
    org: str | None
    team: str | None
    manager_id: str | None
    destination: dict[str, Any] | None
    language: str
    time_zone: str
    quiet_from: int
    quiet_to: int
    last_digest_at: datetime | None


@dataclass(frozen=True, slots=True)
class CourseRecord:
    id: int
    name: str
    provider: str
    level: str | None
    starts_on: date
    ends_on: date
    tenant_id: str | None


@dataclass(frozen=True, slots=True)
class TakeawayRecord:
    """Three key points from one course, by one person."""

    id: int
    course: CourseRecord
    user_id: str
    author_name: str | None
    tenant_id: str | None
    points: tuple[str, str, str]
    topics: str
    language: str
    visibility: Visibility
    consent_at: datetime | None
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None

    @property
    def published(self) -> bool:
        """Consented to and not withdrawn: only then does anyone but the author see it."""
        return self.consent_at is not None and self.withdrawn_at is None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: the takeaway, a snippet with the matched words between
    :data:`storage.knowledge.search.MARK_START` and ``MARK_END``, and its rank (higher is
    better)."""

    takeaway: TakeawayRecord
    snippet: str
    rank: float


@dataclass(frozen=True, slots=True)
class DialogRecord:
    user_id: str
    kind: str
    step: str
    data: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    id: int
    user_id: str
    kind: SubscriptionKind
    value: str
    label: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CheckinRecord:
    id: int
    user_id: str
    course: CourseRecord
    plan_key: str
    stage: Stage
    due_at: datetime
    status: CheckinStatus
    sent_at: datetime | None
    reminded_at: datetime | None
    answered_at: datetime | None
    share_answers: bool


@dataclass(frozen=True, slots=True)
class CheckinAnswerRecord:
    checkin_id: int
    question_id: str
    choice: int | None
    text: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FollowUpRecord:
    id: int
    workshop_id: int | None
    series_id: int | None
    tenant_id: str | None
    proposal: str
    owner_id: str
    owner_name: str
    created_by: str | None
    due_at: datetime
    origin: dict[str, Any] | None
    status: FollowUpStatus
    asked_at: datetime | None
    reminded_at: datetime | None
    answer: str | None
    answered_at: datetime | None
    created_at: datetime
