"""Foundation: taxonomy, rounds, submissions

The strategy versions and their taxonomy items, consultation rounds with guiding
questions, public submissions with their answers, contributor tags, and personal data
kept in a table of its own.

Revision ID: 85d532873131
Revises: 
Create Date: 2026-11-23 19:01:42.351275
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = '85d532873131'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('strategy_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('issued', sa.String(length=16), nullable=True),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strategy_versions')),
    sa.UniqueConstraint('code', name=op.f('uq_strategy_versions_code'))
    )
    op.create_table('rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_version_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('opens_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['strategy_version_id'], ['strategy_versions.id'], name=op.f('fk_rounds_strategy_version_id_strategy_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds'))
    )
    op.create_table('taxonomy_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('principle', 'commitment', 'technology', 'theme', name='itemkind', native_enum=False, length=32), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('descriptions', sa.JSON(), nullable=False),
    sa.Column('official', sa.JSON(), nullable=False),
    sa.Column('retired_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['strategy_version_id'], ['strategy_versions.id'], name=op.f('fk_taxonomy_items_strategy_version_id_strategy_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_items')),
    sa.UniqueConstraint('strategy_version_id', 'code', name=op.f('uq_taxonomy_items_strategy_version_id_code'))
    )
    with op.batch_alter_table('taxonomy_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_taxonomy_items_kind'), ['kind'], unique=False)

    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_questions_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_round_id'), ['round_id'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('manage_token_hash', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', 'withdrawn', name='status', native_enum=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('web', 'api', name='channel', native_enum=False, length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('actor_type', sa.Enum('government', 'un_entity', 'private_sector', 'academia', 'civil_society', 'youth', 'technical_community', 'individual', 'other', name='actortype', native_enum=False, length=32), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('consent_processing', sa.Boolean(), nullable=False),
    sa.Column('consent_publication', sa.Boolean(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('erased_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_submissions_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('manage_token_hash', name=op.f('uq_submissions_manage_token_hash')),
    sa.UniqueConstraint('reference', name=op.f('uq_submissions_reference'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_round_id_status', ['round_id', 'status'], unique=False)
        batch_op.create_index('ix_submissions_status_created_at_id', ['status', 'created_at', 'id'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_answers_question_id_questions')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_answers_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answers_submission_id'), ['submission_id'], unique=False)

    op.create_table('personal_data',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('age_range', sa.Enum('under_18', '18_24', '25_34', '35_49', '50_64', '65_plus', 'prefer_not_to_say', name='agerange', native_enum=False, length=32), nullable=True),
    sa.Column('gender', sa.Enum('female', 'male', 'other', 'prefer_not_to_say', name='gender', native_enum=False, length=32), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_personal_data_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_personal_data'))
    )
    op.create_table('submission_tags',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('contributor', 'moderator', name='tagsource', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['taxonomy_items.id'], name=op.f('fk_submission_tags_item_id_taxonomy_items')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_tags_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', 'item_id', 'source', name=op.f('pk_submission_tags'))
    )
    with op.batch_alter_table('submission_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_tags_item_id'), ['item_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('submission_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_tags_item_id'))

    op.drop_table('submission_tags')
    op.drop_table('personal_data')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_submission_id'))
        batch_op.drop_index(batch_op.f('ix_answers_question_id'))

    op.drop_table('answers')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_status_created_at_id')
        batch_op.drop_index('ix_submissions_round_id_status')

    op.drop_table('submissions')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_round_id'))

    op.drop_table('questions')
    with op.batch_alter_table('taxonomy_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_taxonomy_items_kind'))

    op.drop_table('taxonomy_items')
    op.drop_table('rounds')
    op.drop_table('strategy_versions')
