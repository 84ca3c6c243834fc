"""Reference versions (issue #19): one version number per kind of reference data

A new table `reference_versions` (kind, version) with a row for `rounds` and one for
`taxonomy`, both at 1. Each worker keeps a read-only copy of the rounds and the taxonomy
and rebuilds it when the version of its kind has moved; any change to those rows moves it
in the same transaction. No existing table is touched, so no row can be lost.

Revision ID: c0ffee190001
Revises: c0ffee210002
Create Date: 2026-12-05 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee190001'
down_revision = 'c0ffee210002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    versions = op.create_table(
        'reference_versions',
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('kind', name=op.f('pk_reference_versions')),
    )
    op.bulk_insert(versions, [{'kind': 'rounds', 'version': 1},
                              {'kind': 'taxonomy', 'version': 1}])


def downgrade() -> None:
    op.drop_table('reference_versions')
