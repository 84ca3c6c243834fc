"""Responses, outbox and workshop intake (issue #9)

"You said, we did": `round_responses` (one per round, draft or published, texts per
language) and their `response_changes` (a change in the revised strategy with its codes
and the references of the published views that motivated it). `outbox`: one row per email
to send, unique per `key` so that publishing twice tells no one twice. Offline intake:
`offline_imports` (one run of a CSV/XLSX import, with its error report) and
`submission_provenance` (source, facilitator and the per-row key that makes a re-import
add nothing). The new channels (workshop, paper) need no DDL: channels are stored as text.

Revision ID: c0ffee000005
Revises: c0ffee000004
Create Date: 2026-11-24 00:00:00
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'c0ffee000005'
down_revision = 'c0ffee000004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offline_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('web', 'api', 'workshop', 'paper', name='channel', native_enum=False, length=32), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('facilitator', sa.String(length=200), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('repeated', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_offline_imports_created_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_offline_imports_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_imports'))
    )
    with op.batch_alter_table('offline_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_imports_round_id'), ['round_id'], unique=False)

    op.create_table('round_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='responsestatus', native_enum=False, length=32), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_published_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_responses_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_responses')),
    sa.UniqueConstraint('round_id', name=op.f('uq_round_responses_round_id'))
    )
    with op.batch_alter_table('round_responses', schema=None) as batch_op:
        batch_op.create_index('ix_round_responses_status_published_at', ['status', 'published_at'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sent', 'failed', name='outboxstatus', native_enum=False, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_outbox_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_status_id', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_submission_id'), ['submission_id'], unique=False)

    op.create_table('response_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.Column('codes', sa.JSON(), nullable=False),
    sa.Column('references', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['round_responses.id'], name=op.f('fk_response_changes_response_id_round_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_changes'))
    )
    with op.batch_alter_table('response_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_changes_response_id'), ['response_id'], unique=False)

    op.create_table('submission_provenance',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('row_key', sa.String(length=64), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('facilitator', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['offline_imports.id'], name=op.f('fk_submission_provenance_import_id_offline_imports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_provenance_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_submission_provenance')),
    sa.UniqueConstraint('row_key', name=op.f('uq_submission_provenance_row_key'))
    )
    with op.batch_alter_table('submission_provenance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_provenance_import_id'), ['import_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submission_provenance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_provenance_import_id'))
    op.drop_table('submission_provenance')
    with op.batch_alter_table('response_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_changes_response_id'))
    op.drop_table('response_changes')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_submission_id'))
        batch_op.drop_index('ix_outbox_status_id')
    op.drop_table('outbox')
    with op.batch_alter_table('round_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_round_responses_status_published_at')
    op.drop_table('round_responses')
    with op.batch_alter_table('offline_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_imports_round_id'))
    op.drop_table('offline_imports')
