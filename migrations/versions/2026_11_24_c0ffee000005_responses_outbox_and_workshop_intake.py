"""Responses, outbox and workshop intake (issue #9)

Revision ID: c0ffee000005
Revises: c0ffee000004
Create Date: 2026-11-24 00:00:00
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'c0ffee000005'
down_revision = 'c0ffee000004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
