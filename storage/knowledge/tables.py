"""The knowledge bank's tables (SQLAlchemy Core, on the one :data:`storage.models.metadata`).

Every change here needs an Alembic revision (``storage/migrations/versions``). The
full-text objects are not declared here: SQLite's FTS5 table ``fts_takeaway`` (with its
triggers) and PostgreSQL's generated ``fts_doc`` column and its GIN index are made by the
migration alone, and every name that starts with ``fts_`` is left out of the comparison of
models and schema (:func:`storage.knowledge.tables.include_name`).

Who wrote what is kept by Teams user id (``29:…``): a takeaway is shared under its author's
name by design (colleagues are meant to find the person), after consent. Check-in answers
are personal data, reported only as distributions unless the person agreed to share them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlmodel import SQLModel

#: The one metadata of the project (``storage.models.metadata`` is this object). Taken from
#: SQLModel itself, not from storage.models: models imports this module at its end to put
#: these tables beside its own, and an import back would tie the two files in a circle.
metadata = SQLModel.metadata

__all__ = [
    "FTS_PREFIX",
    "checkin_answer_t",
    "checkin_t",
    "course_t",
    "dialog_t",
    "digest_item_t",
    "follow_up_t",
    "include_name",
    "person_t",
    "search_log_t",
    "subscription_t",
    "takeaway_t",
]

#: Names of the full-text objects the migrations make outside the models.
FTS_PREFIX = "fts_"


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: leave the full-text objects out of comparisons.

    >>> include_name("fts_takeaway_data", "table", {}), include_name("takeaway", "table", {})
    (False, True)
    """
    return not (name or "").startswith(FTS_PREFIX)


def _ts(name: str, *, nullable: bool = True) -> Column[Any]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


#: People the knowledge bank knows: their 1:1 chat (for digests and check-ins), and the
#: team, manager and organisation an operator set (never what the person claims).
person_t = Table(
    "kb_person",
    metadata,
    Column("user_id", String(300), primary_key=True),
    Column("aad_object_id", String(300), nullable=True),
    Column("display_name", Text, nullable=True),
    Column("tenant_id", String(300), nullable=True),
    Column("org", String(200), nullable=True),
    Column("team", String(200), nullable=True),
    Column("manager_id", String(300), nullable=True),
    Column("destination", JSON, nullable=True),
    Column("language", String(8), nullable=False, server_default="da"),
    Column("time_zone", String(64), nullable=False, server_default="Europe/Copenhagen"),
    Column("quiet_from", Integer, nullable=False, server_default="20"),
    Column("quiet_to", Integer, nullable=False, server_default="8"),
    _ts("last_digest_at"),
    _ts("updated_at", nullable=False),
    Index("ix_kb_person_aad_object_id", "aad_object_id"),
    Index("ix_kb_person_manager_id", "manager_id"),
)

course_t = Table(
    "course",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False),
    #: ``name`` lower-cased with single spaces: what a course subscription matches.
    Column("name_key", String(300), nullable=False),
    Column("provider", String(300), nullable=False),
    Column("level", String(100), nullable=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("tenant_id", String(300), nullable=True),
    Column("created_by", String(300), nullable=True),
    _ts("created_at", nullable=False),
    Index("ix_course_name_key", "name_key"),
)

takeaway_t = Table(
    "takeaway",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("course_id", Integer, ForeignKey("course.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", String(300), nullable=False),
    Column("tenant_id", String(300), nullable=True),
    Column("point1", Text, nullable=False),
    Column("point2", Text, nullable=False),
    Column("point3", Text, nullable=False),
    Column("topics", Text, nullable=False, server_default=""),
    Column("language", String(8), nullable=False),
    #: ``team``, ``org`` or ``manager`` (only the author and their manager).
    Column("visibility", String(16), nullable=False),
    #: Set when the author consented to sharing; never shown to anyone before.
    _ts("consent_at"),
    #: What the full-text index reads: course, provider, level, the points and topics.
    Column("search_text", Text, nullable=False),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
    _ts("withdrawn_at"),
    Index("ix_takeaway_user_id", "user_id"),
    Index("ix_takeaway_course_id", "course_id"),
)

#: A guided dialog in progress in someone's 1:1 chat (``kursus``): one row per person.
dialog_t = Table(
    "kb_dialog",
    metadata,
    Column("user_id", String(300), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("step", String(32), nullable=False),
    Column("data", JSON, nullable=False),
    _ts("updated_at", nullable=False),
)

subscription_t = Table(
    "subscription",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", String(300), nullable=False),
    #: ``topic``, ``course`` or ``person``.
    Column("kind", String(16), nullable=False),
    #: The topic's words, the course's name key, or the person's user id.
    Column("value", String(300), nullable=False),
    Column("label", Text, nullable=False),
    Column("tenant_id", String(300), nullable=True),
    _ts("created_at", nullable=False),
    UniqueConstraint("user_id", "kind", "value"),
    Index("ix_subscription_kind_value", "kind", "value"),
)

#: A takeaway waiting for (or sent in) a subscriber's daily digest.
digest_item_t = Table(
    "digest_item",
    metadata,
    Column("user_id", String(300), primary_key=True),
    Column(
        "takeaway_id",
        Integer,
        ForeignKey("takeaway.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    _ts("queued_at", nullable=False),
    _ts("sent_at"),
    Index("ix_digest_item_sent_at", "sent_at"),
)

#: One check-in of one person for one course at one stage (before, 2 weeks after, …).
checkin_t = Table(
    "checkin",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", String(300), nullable=False),
    Column("course_id", Integer, ForeignKey("course.id", ondelete="CASCADE"), nullable=False),
    Column("plan_key", String(64), nullable=False),
    Column("stage", String(32), nullable=False),
    _ts("due_at", nullable=False),
    #: ``pending`` → ``sent`` → ``reminded`` → ``answered``, or ``stopped``.
    Column("status", String(16), nullable=False),
    _ts("sent_at"),
    _ts("reminded_at"),
    _ts("answered_at"),
    #: The person agreed that their own answers may be shown (not only counted).
    Column("share_answers", Boolean, nullable=False, server_default=false()),
    _ts("created_at", nullable=False),
    UniqueConstraint("user_id", "course_id", "stage"),
    Index("ix_checkin_status_due_at", "status", "due_at"),
)

checkin_answer_t = Table(
    "checkin_answer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("checkin_id", Integer, ForeignKey("checkin.id", ondelete="CASCADE"), nullable=False),
    Column("question_id", String(64), nullable=False),
    #: The option chosen on a five-point scale, 0 = "to a very high degree" … 4.
    Column("choice", Integer, nullable=True),
    Column("text", Text, nullable=True),
    _ts("created_at", nullable=False),
    UniqueConstraint("checkin_id", "question_id"),
)

#: A workshop's proposal turned into an action with an owner and a follow-up date.
follow_up_t = Table(
    "follow_up",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", Integer, ForeignKey("workshop.id", ondelete="SET NULL"), nullable=True),
    Column("series_id", Integer, ForeignKey("series.id", ondelete="SET NULL"), nullable=True),
    Column("tenant_id", String(300), nullable=True),
    Column("proposal", Text, nullable=False),
    Column("owner_id", String(300), nullable=False),
    Column("owner_name", Text, nullable=False),
    Column("created_by", String(300), nullable=True),
    _ts("due_at", nullable=False),
    #: Where the owner is a member (the workshop's chat): their 1:1 chat opens from there.
    Column("origin", JSON, nullable=True),
    #: ``open`` → ``asked`` → ``reminded`` → ``answered``, or ``stopped``.
    Column("status", String(16), nullable=False),
    _ts("asked_at"),
    _ts("reminded_at"),
    Column("answer", Text, nullable=True),
    _ts("answered_at"),
    _ts("created_at", nullable=False),
    Index("ix_follow_up_owner_id", "owner_id"),
    Index("ix_follow_up_series_id", "series_id"),
)

#: That a search was made (for the report): no words searched for, no person.
search_log_t = Table(
    "search_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant_id", String(300), nullable=True),
    Column("team", String(200), nullable=True),
    Column("results", Integer, nullable=False),
    _ts("created_at", nullable=False),
    Index("ix_search_log_created_at", "created_at"),
)
