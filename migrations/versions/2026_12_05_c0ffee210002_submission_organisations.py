"""Views sent on behalf of an organisation (issue #21, item 6)

One new table, `submission_organisations`: the organisation's name, its name folded for
counting, an optional website and the contributor's consent to publish the name, one row
per view that was sent on behalf of an organisation. No existing table is touched, so no
row can be lost or changed; existing views simply have no organisation.

Revision ID: c0ffee210002
Revises: c0ffee200001
Create Date: 2026-12-05 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee210002'
down_revision = 'c0ffee200001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'submission_organisations',
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_key', sa.String(length=200), nullable=False),
        sa.Column('website', sa.String(length=500), nullable=True),
        sa.Column('publish', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'],
                                name=op.f('fk_submission_organisations_submission_id_submissions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_submission_organisations')),
    )
    op.create_index('ix_submission_organisations_name_key', 'submission_organisations',
                    ['name_key'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_submission_organisations_name_key',
                  table_name='submission_organisations')
    op.drop_table('submission_organisations')
