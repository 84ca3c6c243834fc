"""Full-text search across languages and detected language (issue #8)

Revision ID: c0ffee000001
Revises: 1013c4d31d6d
Create Date: 2026-11-24 00:00:00
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'c0ffee000001'
down_revision = '1013c4d31d6d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
