"""Trust, second pass (issue #14): a required password change, and the body an
Idempotency-Key was used with

`users.must_change_password` (false for every existing account): an admin sets it from the
user page, and the next sign-in goes to the password page first.

`submissions.idempotency_body_hash` (NULL for every existing row): a hash of the JSON body
of the API call that made the submission. A retry with the same key must send the same
body to get the first answer back; rows made before this revision have no hash, so their
key is never replayed (the API answers 422; a client retrying across the upgrade sends
a new key).

Both columns are added in place (ALTER TABLE ADD COLUMN on SQLite too): no table is
rebuilt and no row changes.

Revision ID: c0ffee000008
Revises: c0ffee000007
Create Date: 2026-12-04 17:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee000008'
down_revision = 'c0ffee000007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_body_hash', sa.String(length=64),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('idempotency_body_hash')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
