"""Public round pages, published views and open data (issue #9)

Revision ID: c0ffee000004
Revises: c0ffee000003
Create Date: 2026-11-24 00:00:00
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'c0ffee000004'
down_revision = 'c0ffee000003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
