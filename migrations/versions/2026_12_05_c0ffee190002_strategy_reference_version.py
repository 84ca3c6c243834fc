"""Reference versions (issue #19): the strategy's text is reference data too

Adds the row ('strategy', 1) to `reference_versions`. Each worker keeps a read-only copy
of the current edition's paragraphs (the choices of "which paragraph is your view about"
on the form, the queue and the dashboard) and rebuilds it when this version moves; any
change to editions or paragraphs moves it in the same transaction. Only that row is
written: no other row can change.

Revision ID: c0ffee190002
Revises: c0ffee210001
Create Date: 2026-12-05 18:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee190002'
down_revision = 'c0ffee210001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text(
        "INSERT INTO reference_versions (kind, version) SELECT 'strategy', 1 "
        "WHERE NOT EXISTS (SELECT 1 FROM reference_versions WHERE kind = 'strategy')"))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM reference_versions WHERE kind = 'strategy'"))
