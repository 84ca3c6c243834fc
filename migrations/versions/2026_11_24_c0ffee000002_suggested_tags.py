"""Suggested tags: the keyword lexicon of each taxonomy item, and the trained classifiers
stored for every node to load (issue #8)

Revision ID: c0ffee000002
Revises: c0ffee000001
Create Date: 2026-11-24 00:00:00
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'c0ffee000002'
down_revision = 'c0ffee000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('taxonomy_lexicons',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['taxonomy_items.id'], name=op.f('fk_taxonomy_lexicons_item_id_taxonomy_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_taxonomy_lexicons'))
    )
    op.create_table('suggest_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('trained_on', sa.Integer(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggest_models'))
    )


def downgrade() -> None:
    op.drop_table('suggest_models')
    op.drop_table('taxonomy_lexicons')
