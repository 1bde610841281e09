"""the knowledge bank: courses, takeaways, subscriptions, check-ins, follow-ups (issue 16)

New tables only; nothing existing changes. Full-text search over takeaways:

- SQLite: an FTS5 table ``fts_takeaway`` over ``takeaway.search_text`` (external content,
  kept in step by triggers), ranked with bm25.
- PostgreSQL: a generated ``fts_doc`` tsvector column (the 'danish' configuration, or
  'english' for takeaways written in English) with a GIN index.

These objects are not in the models: names starting with ``fts_`` are left out of the
comparison of models and schema (storage/knowledge/tables.py, ``include_name``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE fts_takeaway USING fts5(search_text, content='takeaway', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER fts_takeaway_ai AFTER INSERT ON takeaway BEGIN "
    "INSERT INTO fts_takeaway(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER fts_takeaway_ad AFTER DELETE ON takeaway BEGIN "
    "INSERT INTO fts_takeaway(fts_takeaway, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER fts_takeaway_au AFTER UPDATE OF search_text ON takeaway BEGIN "
    "INSERT INTO fts_takeaway(fts_takeaway, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO fts_takeaway(rowid, search_text) VALUES (new.id, new.search_text); END",
)

POSTGRES_FTS = (
    "ALTER TABLE takeaway ADD COLUMN fts_doc tsvector GENERATED ALWAYS AS (to_tsvector("
    "CASE WHEN language = 'en' THEN 'english'::regconfig ELSE 'danish'::regconfig END, "
    "search_text)) STORED",
    "CREATE INDEX fts_takeaway_doc ON takeaway USING gin (fts_doc)",
)


def upgrade() -> None:
    op.create_table('course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_key', sa.String(length=300), nullable=False),
    sa.Column('provider', sa.String(length=300), nullable=False),
    sa.Column('level', sa.String(length=100), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('tenant_id', sa.String(length=300), nullable=True),
    sa.Column('created_by', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course'))
    )
    op.create_index('ix_course_name_key', 'course', ['name_key'], unique=False)
    op.create_table('kb_dialog',
    sa.Column('user_id', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_kb_dialog'))
    )
    op.create_table('kb_person',
    sa.Column('user_id', sa.String(length=300), nullable=False),
    sa.Column('aad_object_id', sa.String(length=300), nullable=True),
    sa.Column('display_name', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.String(length=300), nullable=True),
    sa.Column('org', sa.String(length=200), nullable=True),
    sa.Column('team', sa.String(length=200), nullable=True),
    sa.Column('manager_id', sa.String(length=300), nullable=True),
    sa.Column('destination', sa.JSON(), nullable=True),
    sa.Column('language', sa.String(length=8), server_default='da', nullable=False),
    sa.Column('time_zone', sa.String(length=64), server_default='Europe/Copenhagen', nullable=False),
    sa.Column('quiet_from', sa.Integer(), server_default='20', nullable=False),
    sa.Column('quiet_to', sa.Integer(), server_default='8', nullable=False),
    sa.Column('last_digest_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_kb_person'))
    )
    op.create_index('ix_kb_person_aad_object_id', 'kb_person', ['aad_object_id'], unique=False)
    op.create_index('ix_kb_person_manager_id', 'kb_person', ['manager_id'], unique=False)
    op.create_table('search_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=300), nullable=True),
    sa.Column('team', sa.String(length=200), nullable=True),
    sa.Column('results', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_log'))
    )
    op.create_index('ix_search_log_created_at', 'search_log', ['created_at'], unique=False)
    op.create_table('subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=300), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription')),
    sa.UniqueConstraint('user_id', 'kind', 'value', name=op.f('uq_subscription_user_id_kind_value'))
    )
    op.create_index('ix_subscription_kind_value', 'subscription', ['kind', 'value'], unique=False)
    op.create_table('checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=300), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('plan_key', sa.String(length=64), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('share_answers', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_checkin_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin')),
    sa.UniqueConstraint('user_id', 'course_id', 'stage', name=op.f('uq_checkin_user_id_course_id_stage'))
    )
    op.create_index('ix_checkin_status_due_at', 'checkin', ['status', 'due_at'], unique=False)
    op.create_table('takeaway',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=300), nullable=False),
    sa.Column('tenant_id', sa.String(length=300), nullable=True),
    sa.Column('point1', sa.Text(), nullable=False),
    sa.Column('point2', sa.Text(), nullable=False),
    sa.Column('point3', sa.Text(), nullable=False),
    sa.Column('topics', sa.Text(), server_default='', nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_takeaway_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_takeaway'))
    )
    op.create_index('ix_takeaway_course_id', 'takeaway', ['course_id'], unique=False)
    op.create_index('ix_takeaway_user_id', 'takeaway', ['user_id'], unique=False)
    op.create_table('checkin_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('choice', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], name=op.f('fk_checkin_answer_checkin_id_checkin'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_answer')),
    sa.UniqueConstraint('checkin_id', 'question_id', name=op.f('uq_checkin_answer_checkin_id_question_id'))
    )
    op.create_table('digest_item',
    sa.Column('user_id', sa.String(length=300), nullable=False),
    sa.Column('takeaway_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['takeaway_id'], ['takeaway.id'], name=op.f('fk_digest_item_takeaway_id_takeaway'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'takeaway_id', name=op.f('pk_digest_item'))
    )
    op.create_index('ix_digest_item_sent_at', 'digest_item', ['sent_at'], unique=False)
    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.String(length=300), nullable=True),
    sa.Column('proposal', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.String(length=300), nullable=False),
    sa.Column('owner_name', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=300), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('origin', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_follow_up_series_id_series'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_follow_up_workshop_id_workshop'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up'))
    )
    op.create_index('ix_follow_up_owner_id', 'follow_up', ['owner_id'], unique=False)
    op.create_index('ix_follow_up_series_id', 'follow_up', ['series_id'], unique=False)

    bind = op.get_bind()
    for statement in SQLITE_FTS if bind.dialect.name == "sqlite" else POSTGRES_FTS:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("fts_takeaway_ai", "fts_takeaway_ad", "fts_takeaway_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS fts_takeaway")
    op.drop_index('ix_follow_up_series_id', table_name='follow_up')
    op.drop_index('ix_follow_up_owner_id', table_name='follow_up')
    op.drop_table('follow_up')
    op.drop_index('ix_digest_item_sent_at', table_name='digest_item')
    op.drop_table('digest_item')
    op.drop_table('checkin_answer')
    op.drop_index('ix_takeaway_user_id', table_name='takeaway')
    op.drop_index('ix_takeaway_course_id', table_name='takeaway')
    op.drop_table('takeaway')
    op.drop_index('ix_checkin_status_due_at', table_name='checkin')
    op.drop_table('checkin')
    op.drop_index('ix_subscription_kind_value', table_name='subscription')
    op.drop_table('subscription')
    op.drop_index('ix_search_log_created_at', table_name='search_log')
    op.drop_table('search_log')
    op.drop_index('ix_kb_person_manager_id', table_name='kb_person')
    op.drop_index('ix_kb_person_aad_object_id', table_name='kb_person')
    op.drop_table('kb_person')
    op.drop_table('kb_dialog')
    op.drop_index('ix_course_name_key', table_name='course')
    op.drop_table('course')
