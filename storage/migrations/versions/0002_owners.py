"""owners of plans and series

Plans and series get an owner (the Teams user id of who made them) and co-owners; only
they, or the operators named in WORKSHOPBOT_OPERATORS, change them (dialogs/permissions.py).

Existing rows get no owner (NULL): they are the operators' until an operator gives them one
with ``workshopbot plan owner`` / ``workshopbot series owner``. Taking the first editor after
the upgrade as owner would hand every shared plan to whoever edits it first.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("plan", "series"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("owner_id", sa.String(length=300), nullable=True))
            batch.add_column(
                sa.Column("co_owner_ids", sa.JSON(), nullable=False, server_default="[]")
            )


def downgrade() -> None:
    for table in ("plan", "series"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("co_owner_ids")
            batch.drop_column("owner_id")
