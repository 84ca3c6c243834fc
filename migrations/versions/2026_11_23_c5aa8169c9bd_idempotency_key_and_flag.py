"""Idempotency key and flag on submissions

A hashed Idempotency-Key (unique) so that an API client retrying after a timeout does not
create a duplicate, and a flag for submissions a moderator should look at twice.

Revision ID: c5aa8169c9bd
Revises: 24513d4b474f
Create Date: 2026-11-23 19:37:16.820291
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'c5aa8169c9bd'
down_revision = '24513d4b474f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('flag', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_submissions_idempotency_key_hash'), ['idempotency_key_hash'])



def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_submissions_idempotency_key_hash'), type_='unique')
        batch_op.drop_column('flag')
        batch_op.drop_column('idempotency_key_hash')

