"""hashes of Teams ids keyed with the server secret; 1:1 dialog stacks per user

Until now a participant's ``user_hash`` was HMAC(workshop salt, user id) and the salt sat in
the same database: anyone with a copy could test "did user X write this anonymous answer?".
Now every such hash is keyed once more with the server secret, which lives outside the
database (storage/secret.py): ``HMAC(secret, HMAC(salt, user id))``. The stored hashes are
rehashed in place (no user id is needed: the inner hash is what is stored), and the
``h:`` hashes that anonymous workshops store instead of Teams activity ids likewise.

With rows to rehash the secret must be available (WORKSHOPBOT_SECRET_KEY or
WORKSHOPBOT_SECRET_FILE; the embedded SQLite setup makes var/workshopbot.key).

The bot state of 1:1 chats' dialog stacks was kept per conversation (``…/conversations/a:…``),
a key "forget me" could not find by user id; it is now kept per user. The old rows were
only a working memory (an unfinished "plan omformuler" dialog): they are deleted.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from storage.secret import keyed, load_secret

    bind = op.get_bind()
    participants = bind.execute(sa.text("SELECT id, user_hash FROM participant")).all()
    hashed_answers = bind.execute(
        sa.text("SELECT id, activity_id FROM answer WHERE activity_id LIKE 'h:%'")
    ).all()
    if participants or hashed_answers:
        key = load_secret(bind.engine.url.render_as_string(hide_password=False))
        # Unique (workshop_id, user_hash): move every row out of the way first.
        for row in participants:
            bind.execute(
                sa.text("UPDATE participant SET user_hash = :h WHERE id = :id"),
                {"h": "tmp" + str(row.id), "id": row.id},
            )
        for row in participants:
            bind.execute(
                sa.text("UPDATE participant SET user_hash = :h WHERE id = :id"),
                {"h": keyed(row.user_hash, key), "id": row.id},
            )
        for row in hashed_answers:
            bind.execute(
                sa.text("UPDATE answer SET activity_id = :a WHERE id = :id"),
                {"a": "h:" + keyed(row.activity_id[2:], key), "id": row.id},
            )
    bind.execute(
        sa.text(
            "DELETE FROM bot_state WHERE key LIKE '%/conversations/a:%' "
            "AND key NOT LIKE '%/users/%'"
        )
    )


def downgrade() -> None:
    # The keyed hashes cannot be turned back (that needs the user ids): they stay keyed, so
    # an older workshopbot would give returning people new pseudonyms. Restore a backup
    # taken before the upgrade to go back fully.
    pass
