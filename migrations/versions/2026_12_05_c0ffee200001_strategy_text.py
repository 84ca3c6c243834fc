"""The strategy's text on the platform (issue #20): editions, paragraphs, changes

Four new tables (`strategy_editions`, `strategy_paragraphs`, `strategy_changes`,
`strategy_change_views`) and `submissions.paragraph_key`, NULL for every existing row,
with an index. Adding a nullable column is an ALTER TABLE on both engines: `submissions`
is not rebuilt, so no row can be lost. `flask setup` loads the sample edition afterwards.

Revision ID: c0ffee200001
Revises: c0ffee00000a
Create Date: 2026-12-05 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee200001'
down_revision = 'c0ffee00000a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'strategy_editions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=32), nullable=False),
        sa.Column('issued', sa.String(length=10), nullable=True),
        sa.Column('title', sa.JSON(), nullable=False),
        sa.Column('sections', sa.JSON(), nullable=False),
        sa.Column('status', sa.Enum('draft', 'published', name='editionstatus',
                                    native_enum=False, length=32), nullable=False),
        sa.Column('based_on_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['based_on_id'], ['strategy_editions.id'],
                                name=op.f('fk_strategy_editions_based_on_id_strategy_editions'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_strategy_editions')),
        sa.UniqueConstraint('label', name=op.f('uq_strategy_editions_label')),
    )
    op.create_index('ix_strategy_editions_status_published_at', 'strategy_editions',
                    ['status', 'published_at'], unique=False)
    op.create_table(
        'strategy_paragraphs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('section', sa.String(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=True),
        sa.Column('title', sa.JSON(), nullable=False),
        sa.Column('text', sa.JSON(), nullable=False),
        sa.Column('placeholder', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['edition_id'], ['strategy_editions.id'],
                                name=op.f('fk_strategy_paragraphs_edition_id_strategy_editions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_strategy_paragraphs')),
        sa.UniqueConstraint('edition_id', 'key', name=op.f('uq_strategy_paragraphs_edition_id_key')),
    )
    op.create_index(op.f('ix_strategy_paragraphs_edition_id'), 'strategy_paragraphs',
                    ['edition_id'], unique=False)
    op.create_table(
        'strategy_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('paragraph_key', sa.String(length=64), nullable=False),
        sa.Column('explanation', sa.JSON(), nullable=False),
        sa.Column('codes', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['edition_id'], ['strategy_editions.id'],
                                name=op.f('fk_strategy_changes_edition_id_strategy_editions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_strategy_changes')),
        sa.UniqueConstraint('edition_id', 'paragraph_key',
                            name=op.f('uq_strategy_changes_edition_id_paragraph_key')),
    )
    op.create_index(op.f('ix_strategy_changes_edition_id'), 'strategy_changes',
                    ['edition_id'], unique=False)
    op.create_table(
        'strategy_change_views',
        sa.Column('change_id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['change_id'], ['strategy_changes.id'],
                                name=op.f('fk_strategy_change_views_change_id_strategy_changes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'],
                                name=op.f('fk_strategy_change_views_submission_id_submissions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('change_id', 'submission_id',
                                name=op.f('pk_strategy_change_views')),
    )
    op.create_index(op.f('ix_strategy_change_views_submission_id'), 'strategy_change_views',
                    ['submission_id'], unique=False)
    # A plain ADD COLUMN on both engines (no batch: SQLite would not need to rebuild the
    # table for it, and a rebuild of `submissions` is what lost rows once, see c0ffee000003).
    op.add_column('submissions', sa.Column('paragraph_key', sa.String(length=64), nullable=True))
    op.create_index('ix_submissions_paragraph_key_status', 'submissions',
                    ['paragraph_key', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_submissions_paragraph_key_status', table_name='submissions')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('paragraph_key')
    op.drop_index(op.f('ix_strategy_change_views_submission_id'),
                  table_name='strategy_change_views')
    op.drop_table('strategy_change_views')
    op.drop_index(op.f('ix_strategy_changes_edition_id'), table_name='strategy_changes')
    op.drop_table('strategy_changes')
    op.drop_index(op.f('ix_strategy_paragraphs_edition_id'), table_name='strategy_paragraphs')
    op.drop_table('strategy_paragraphs')
    op.drop_index('ix_strategy_editions_status_published_at', table_name='strategy_editions')
    op.drop_table('strategy_editions')
