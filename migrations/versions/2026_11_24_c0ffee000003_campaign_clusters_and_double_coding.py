"""Campaign clusters and double coding (issue #8)

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
    pass


def downgrade() -> None:
    pass
