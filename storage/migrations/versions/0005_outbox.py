"""durable outbox and the shared send budget (issue 19)

Proactive messages (question cards, reminders, the summary, private notes) were queued in
the memory of the instance that made them and lost when it died; each instance also spent
Teams' per-conversation budget on its own. Now a message is a row of ``outbox_message``,
delivered by any live instance, and ``send_budget`` keeps the times of the bot's recent
operations per conversation for all instances together.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 23:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("lane", sa.String(length=600), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("destination", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.String(length=300), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("target_activity_id", sa.String(length=300), nullable=True),
        sa.Column("target_key", sa.String(length=300), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_activity_id", sa.String(length=300), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_message_key")),
    )
    op.create_index(
        "ix_outbox_message_state_due_at", "outbox_message", ["state", "due_at"], unique=False
    )
    op.create_index("ix_outbox_message_lane_id", "outbox_message", ["lane", "id"], unique=False)
    op.create_table(
        "send_budget",
        sa.Column("lane", sa.String(length=600), nullable=False),
        sa.Column("stamps", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("lane", name=op.f("pk_send_budget")),
    )


def downgrade() -> None:
    op.drop_table("send_budget")
    op.drop_index("ix_outbox_message_lane_id", table_name="outbox_message")
    op.drop_index("ix_outbox_message_state_due_at", table_name="outbox_message")
    op.drop_table("outbox_message")
