"""Workshop links and the outbox's last attempt (issue #18)

`workshops`: a link `/<lang>/w/<code>` to one round's form for a time window, with its own
budget of views (twice the expected participants) instead of the per-address limit.
`outbox.last_attempt_at`: when a message was last tried, so that the admin outbox page
shows the latest delivery failure. Both are additions: no existing row changes.

Revision ID: c0ffee00000a
Revises: c0ffee160001
Create Date: 2026-12-04 17:30:00
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'c0ffee00000a'
down_revision = 'c0ffee160001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'workshops',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('facilitator', sa.String(length=200), nullable=False),
        sa.Column('participants', sa.Integer(), nullable=False),
        sa.Column('starts_at', app.db.UTCDateTime(), nullable=False),
        sa.Column('ends_at', app.db.UTCDateTime(), nullable=False),
        sa.Column('used', sa.Integer(), nullable=False),
        sa.Column('closed_at', app.db.UTCDateTime(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', app.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_workshops_created_by_id_users')),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], ondelete='CASCADE',
                                name=op.f('fk_workshops_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshops')),
        sa.UniqueConstraint('code', name=op.f('uq_workshops_code')),
    )
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshops_round_id'), ['round_id'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_attempt_at', app.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('last_attempt_at')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshops_round_id'))
    op.drop_table('workshops')
