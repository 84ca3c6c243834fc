"""Campaign clusters and double coding (issue #8)

Campaign clusters (app/models/cluster.py): `clusters` (near-identical submissions of a
round, with size, time span and languages), `submissions.cluster_id` (NULL when alone),
`submission_signatures` (each text's MinHash signature) and `cluster_bands` (the LSH
index: band hashes, looked up by their primary key). Existing submissions are not folded
here (that needs the application's code): run `flask --app wsgi clusters rebuild` once.

Double coding: `double_coding_shares` (the share of a round coded twice),
`double_codings` (the selected submissions and their state, for the second-coding and
reconciliation queues), `codings` and `coding_codes` (each coder's independent principle
and commitment codes, from which Krippendorff's alpha is computed).

Revision ID: c0ffee000003
Revises: c0ffee000002
Create Date: 2026-11-24 00:00:00
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'c0ffee000003'
down_revision = 'c0ffee000002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Campaign clusters.
    op.create_table('clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('first_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('sample_submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_clusters_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clusters'))
    )
    op.create_index('ix_clusters_size_id', 'clusters', ['size', 'id'], unique=False)
    op.create_index('ix_clusters_last_at_id', 'clusters', ['last_at', 'id'], unique=False)
    op.create_index('ix_clusters_round_id_size_id', 'clusters', ['round_id', 'size', 'id'], unique=False)
    op.create_table('submission_signatures',
    sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('signature', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_signatures_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_submission_signatures'))
    )
    op.create_table('cluster_bands',
    sa.Column('round_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('band', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('hash', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('round_id', 'band', 'hash', 'submission_id', name=op.f('pk_cluster_bands'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cluster_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_submissions_cluster_id_status_created_at_id', ['cluster_id', 'status', 'created_at', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_submissions_cluster_id_clusters'), 'clusters', ['cluster_id'], ['id'], ondelete='SET NULL')
    # End of campaign clusters.

    # Double coding: the share per round, the doubly coded submissions (the queues page
    # on state, selected_at, submission_id) and each coder's independent codes.
    op.create_table('double_coding_shares',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_double_coding_shares_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_double_coding_shares_updated_by_id_users')),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_double_coding_shares'))
    )
    op.create_table('double_codings',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('awaiting', 'agreed', 'disagreed', 'reconciled', name='codingstate', native_enum=False, length=32), nullable=False),
    sa.Column('first_coder_id', sa.Integer(), nullable=True),
    sa.Column('second_coder_id', sa.Integer(), nullable=True),
    sa.Column('selected_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('final_codes', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['first_coder_id'], ['users.id'], name=op.f('fk_double_codings_first_coder_id_users')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_double_codings_resolved_by_id_users')),
    sa.ForeignKeyConstraint(['second_coder_id'], ['users.id'], name=op.f('fk_double_codings_second_coder_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_double_codings_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_double_codings'))
    )
    op.create_index('ix_double_codings_state_selected_at_submission_id', 'double_codings', ['state', 'selected_at', 'submission_id'], unique=False)
    op.create_table('codings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coder_id'], ['users.id'], name=op.f('fk_codings_coder_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_codings_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codings')),
    sa.UniqueConstraint('submission_id', 'coder_id', name=op.f('uq_codings_submission_id_coder_id'))
    )
    op.create_index(op.f('ix_codings_coder_id'), 'codings', ['coder_id'], unique=False)
    op.create_table('coding_codes',
    sa.Column('coding_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['coding_id'], ['codings.id'], name=op.f('fk_coding_codes_coding_id_codings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coding_id', 'code', name=op.f('pk_coding_codes'))
    )
    # End of double coding.


def downgrade() -> None:
    # Campaign clusters.
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submissions_cluster_id_clusters'), type_='foreignkey')
        batch_op.drop_index('ix_submissions_cluster_id_status_created_at_id')
        batch_op.drop_column('cluster_id')
    op.drop_table('cluster_bands')
    op.drop_table('submission_signatures')
    op.drop_index('ix_clusters_round_id_size_id', table_name='clusters')
    op.drop_index('ix_clusters_last_at_id', table_name='clusters')
    op.drop_index('ix_clusters_size_id', table_name='clusters')
    op.drop_table('clusters')
    # End of campaign clusters.

    # Double coding
    op.drop_table('coding_codes')
    op.drop_index(op.f('ix_codings_coder_id'), table_name='codings')
    op.drop_table('codings')
    op.drop_index('ix_double_codings_state_selected_at_submission_id', table_name='double_codings')
    op.drop_table('double_codings')
    op.drop_table('double_coding_shares')
    # End of double coding.
