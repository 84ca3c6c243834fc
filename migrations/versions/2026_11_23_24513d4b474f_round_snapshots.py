"""Round snapshots: the frozen counts of an archived round, so that rounds can be compared.

Revision ID: 24513d4b474f
Revises: a63012e6ddca
Create Date: 2026-11-23 19:25:29.611199
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '24513d4b474f'
down_revision = 'a63012e6ddca'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('round_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_round_snapshots_created_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_snapshots_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_snapshots')),
    sa.UniqueConstraint('round_id', name=op.f('uq_round_snapshots_round_id'))
    )


def downgrade() -> None:
    op.drop_table('round_snapshots')
