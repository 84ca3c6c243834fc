"""Redacted titles (issue #14): the title a moderator publishes with a redacted view

`submissions.redacted_title`, NULL for every existing row. A view redacted before this
revision keeps no public title: its original title may hold what redaction removed, so
the reference group and the public get none until a moderator writes one.

Revision ID: c0ffee000007
Revises: c0ffee000006
Create Date: 2026-12-04 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee000007'
down_revision = 'c0ffee000006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redacted_title', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('redacted_title')
