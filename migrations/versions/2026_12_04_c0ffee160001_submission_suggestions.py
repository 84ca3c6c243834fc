"""Queue triage: each submission's top suggested tag per code group (issue #16)

The queue shows every row's top suggested principle and commitment; reading them from this
table costs one query per page, where scoring the fifty texts would cost the page its
speed. The table starts empty: `flask --app wsgi suggest store` fills it for submissions
already received; new and corrected ones are stored at intake.

Revision ID: c0ffee160001
Revises: c0ffee000008
Create Date: 2026-12-04 17:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee160001'
down_revision = 'c0ffee000008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'submission_suggestions',
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('confidence', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['taxonomy_items.id'],
                                name=op.f('fk_submission_suggestions_item_id_taxonomy_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'],
                                name=op.f('fk_submission_suggestions_submission_id_submissions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('submission_id', 'item_id',
                                name=op.f('pk_submission_suggestions')),
    )


def downgrade() -> None:
    op.drop_table('submission_suggestions')
