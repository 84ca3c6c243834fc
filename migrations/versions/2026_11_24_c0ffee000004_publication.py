"""Public round pages, published views and open data (issue #9)

One index for the published views of a round, newest decision first: the public round
page, its feed and its pagination read (round_id, status, consent_publication,
decided_at, id) without a sort at any depth.

Revision ID: c0ffee000004
Revises: c0ffee000003
Create Date: 2026-11-24 00:00:00
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'c0ffee000004'
down_revision = 'c0ffee000003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_published',
                              ['round_id', 'status', 'consent_publication', 'decided_at', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_published')
