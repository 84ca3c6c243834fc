"""Site texts

Texts administrators write for the public pages (the home page introduction, the privacy
contact), one row per key and language.

Revision ID: a63012e6ddca
Revises: 004ad422d355
Create Date: 2026-11-23 19:19:54.376307
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'a63012e6ddca'
down_revision = '004ad422d355'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('site_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_texts')),
    sa.UniqueConstraint('key', 'lang', name=op.f('uq_site_texts_key_lang'))
    )


def downgrade() -> None:
    op.drop_table('site_texts')
